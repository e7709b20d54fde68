"""English stopwords for lexical matching: the usual function words (NLTK's list and "us"), question words,
number words, and the words that frame a question ("describe", "say", "mention")."""

FUNCTION_WORDS = frozenset("""
i me my myself we us our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves what which who whom whose this that these those
am is are was were be been being have has had having do does did doing a an the and but if or because as
until while of at by for with about against between into through during before after above below to from
in out on over under again further then once here there when where why how all any both each
few more most some such no nor not only own same so than too very s t can will just don should now
d ll m o re ve y ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn
weren won wouldn also would could may might must shall per via yet etc
one two three four five six seven eight nine ten
""".split())
# the words that frame a question rather than name what it asks ("describe", "mention", "respectively")
POINTING = frozenset("""
according respectively respective much many describe described describes explain explained mention mentioned mentions list
listed name named say says said state stated states give given tell told show shows shown article text
passage document corpus table
""".split())

STOPWORDS = FUNCTION_WORDS | POINTING
