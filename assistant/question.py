"""Stage 1, understanding: the question analysed once into what every later stage reads.

- intent: `fact` (one answer), `list` (every matching item or row), `open` (an overview, "what does it
  say about X"), `compare`, `yesno`;
- answer type: the kind of span a fact question asks for (person, organization, place, date, amount),
  or a source, a reason, a definition; "" when the answer is a description or a table cell;
- the kind of thing asked ("which prime minister" -> "prime minister"), the topic of an open question,
  a section it names, the entities and years it names;
- the question's content words with their idf weights (what evidence is scored against), and what it
  asks of a table (which years, which rows, a comparison, a bound, a ranking).

Intent and answer type come from the question's form (its question word and the part of speech of the
words after it, spaCy's tagger), never from a dev pack's phrasing; entities from spaCy's recogniser.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from index.lexical import LexicalIndex, tokenize

from .language import parse
from .table_asks import (AMOUNT, COMPARE, COUNT, FRAMING, GENERIC, LOWER_WORDS, MEMBERS, RANKED,
                         SUPERLATIVE_TAGS, THRESHOLD, WHICH_YEARS, YEAR_RANGE)
from .textscan import unit_of
from .thresholds import UNSEEN_TERM

YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d|['’]?s\b)")  # also "FY2019"; not a decade ("the 1940s")

# ----- intent -----------------------------------------------------------------------------------------
# how people ask for the whole of a story in other words: "sum up the piece on X", "what's the story with X", "fill
# me in on X", "what's the latest on X", "what's going on with X" (not "the story behind X": a reason)
_WHOLE_STORY = (r"\bsum(?:s|med|ming)?\s+(?:it\s+|this\s+|that\s+|them\s+)?up\b|\blow-?down\b|"
                r"\b(?:fill|catch)\s+me\s+(?:in|up)\b|\b(?:bring|get)\s+me\s+up\s+to\s+speed\b|"
                r"\bwhat(?:'s|’s|\s+is|\s+was)\s+(?:the\s+)?(?:story|deal|latest|news|situation)\s+(?:with|on|about|in|at|over)\b|"
                r"\bwhat(?:'s|’s|\s+is|\s+was)\s+(?:going\s+on|happening|new)\b")
_OPEN = re.compile(
    _WHOLE_STORY + r"|"
    r"\b(?:summar(?:y|ies|i[sz]e[sd]?|i[sz]ing)|overview|gist|recap|rundown|tl;?dr|highlights|takeaways?|"
    r"(?:main|key|major|important)\s+(?:points?|ideas?|themes?|findings?|issues?|arguments?|facts?|messages?|"
    r"takeaways?|developments?))\b|"
    r"^\s*(?:(?:can|could|would)\s+you\s+)?(?:please\s+)?(?:tell|brief|update)\s+me\s+(?:about|on)\b|"
    r"^\s*(?:(?:can|could|would)\s+you\s+)?(?:please\s+)?describe\b|"
    # what a text says ("what does the report say about X"); what a person or group says is speech ("what did the
    # hospitality lobby say about X": their words)
    r"\bwhat\s+(?:does|do|did)\s+(?:it|this|that|they|the\s+(?:[\w-]+\s+)?(?:article|story|report|piece|text|study|paper|"
    r"document|news|coverage|press|media|sources?|articles|reports|stories|corpus))\s+(?:say|said|report|tell|cover)\b|"
    r"\bwhat\s+(?:is|'s|are|was)\s+(?:it|this|that|the\s+(?:article|story|report|piece|news|text))\s+about\b|"
    r"\bwhat\s+(?:happened|is\s+happening|is\s+going\s+on)\b|\bwhat\s+do\s+we\s+know\s+about\b|"
    r"\banything\s+(?:on|about)\b", re.I)
# an open question that asks for the whole of something, not for what it says about a topic
_SUMMARY = re.compile(_WHOLE_STORY + r"|\b(?:summar\w*|overview|gist|recap|rundown|tl;?dr|highlights|takeaways?|(?:main|key|major|"
                      r"important)\s+\w+|tell\s+me\s+about|brief\s+me|describe|what\s+happened|what\s+(?:is|'s|was)\s+"
                      r"(?:it|this|that|the\s+\w+)\s+about)\b", re.I)
_LIST_VERB = re.compile(r"^\s*(?:(?:can|could|would)\s+you\s+)?(?:please\s+)?(?:list|enumerate|name)\b", re.I)
_YESNO = re.compile(r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|"
                    r"must|isn'?t|aren'?t|wasn'?t|weren'?t|doesn'?t|don'?t|didn'?t|hasn'?t|haven'?t)\b", re.I)
_CONSISTENCY = re.compile(r"\b(?:contradict\w*|inconsisten\w*|discrepanc\w*|disagree\w*|conflicting|"
                          r"consistent|mismatch\w*|contrary)\b", re.I)
_COMPARE_WORDS = re.compile(r"\bcompar(?:e[sd]?|ison|ing)\b|\bdiffer(?:ence|ences)?\s+between\b|\bversus\b|\bvs\.?\s",
                            re.I)

# ----- answer type ------------------------------------------------------------------------------------
_SOURCE = re.compile(r"\b(?:who|which\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:first\s+)?(?:reported|published|wrote|broke|"
                     r"carried|ran|covered)\b|\bwhere\s+(?:does|did|do|is)\s+(?:it|this|that|the\s+[\w-]+)\s+(?:come|coming)"
                     r"\s+from\b|\bwhat\s+(?:is|was|are)\s+the\s+(?:news\s+)?sources?\b|\baccording\s+to\s+"
                     r"(?:whom|what|which)\b|\bwho\s+(?:is|was)\s+(?:the\s+)?(?:source|author|reporter)\b", re.I)
_WHEN = re.compile(r"^\s*(?:(?:and|so|but)\s+)?when\b|\bwhen\s*\??\s*$|\b(?:on|in|by)\s+(?:what|which)\s+(?:date|day|year|month)\b|"
                   r"\bwhat\s+(?:date|day|year|month|time)\b|\bwhat\s+(?:is|was)\s+the\s+(?:date|day|year|month)\b",
                   re.I)
_WHERE = re.compile(r"^\s*(?:(?:and|so|but)\s+)?where\b|\bwhere\s*\??\s*$|\bin\s+(?:what|which)\s+(?:place|city|country|town|region)\b|"
                    # "young humpback washed up where in march": a question word inside a terse query (not "the beach
                    # where the whale stranded", a clause with its subject)
                    r"\b(?:[a-z]+ed|up|out|down|off|in|on)\s+where\b(?!\s+(?:the|a|an|this|that|his|her|its|their|he|she|it|"
                    r"they|we|you|i)\b)", re.I)
# a figure or a date that only a figure or a date answers ("when is goodwill impaired" asks for a condition)
_STRICT_AMOUNT = re.compile(r"\bhow\s+(?:much|many|old)\b", re.I)  # "how old": an age, or no answer
_COSTS = re.compile(r"^\s*(?:(?:and|so|but)\s+)?what\s+(?:did|does|do|will|would)\b[^?]*?\bcost\b(?!-)", re.I)
# what someone said ("what did X say"), and how they took it ("how did X react")
_SAY = r"say|said|tell|told|think|thinks|argue|argued|warn|warned|claim|claimed"
_REACT = r"react|respond|reply|explain|take|greet|receive"
_SPEECH = re.compile(rf"\bwhat\s+(?:did|does|do|has|have|had|was|is)\b.{{0,80}}?\b(?:{_SAY})\b|"
                     rf"\bhow\s+(?:did|does|do|has|have)\b.{{0,80}}?\b(?:{_REACT})|\breaction\b", re.I)
_SPEAKER = re.compile(rf"\b(?:what|how)\s+(?:did|does|do|has|have|had|was|is)\s+(.{{2,60}}?)\s+(?:{_SAY}|{_REACT})\b", re.I)
_TALLY = re.compile(r"\bhow\s+many\b(?!\s+(?:dollars|euros|pounds|yen))|\bnumber\s+of\b|\bcount\b", re.I)
_CHANGED = re.compile(r"%|\b(?:percent(?:age)?|per\s+cent|rises?|rose|raises?|increases?|decreases?|cuts?|growth|grew|"
                      r"rates?|shares?)\b", re.I)
_MONEY_ASKED = re.compile(r"\b(?:money|cash|funds|dollars|euros|pounds|sum)\b|"
                          r"\bhow\s+much\b.*(?<!\ba\s)(?<!\bpay\s)\braise[ds]?\b", re.I)  # "how much did the walk raise"
_PRICED = re.compile(r"\b(?:costs?|costing|price[sd]?|pay|paid|paying|spend|spent|spending|worth|fare|fee|budget|"
                     r"(?:shell|fork|splash)(?:ed|ing)?\s+out|fetch(?:ed)?)\b", re.I)
_STRICT_DATE = re.compile(r"\bwhen\s+(?:(?:on|in)\s+(?:\w+\s+){1,2})?(?:did|will|was|were|does|do)\b|"
                          r"\bwhat(?:\s+(?:is|was|are|were)\s+the)?\s+(?:date|day|year|month)\b|"
                          r"\b(?:on|in)\s+(?:what|which)\s+(?:date|day|year|month)\b", re.I)
# what a measure asked is in, by the words that ask it: not a count, a sum of money or a day (`Question.dimensions`)
# ("blaze time of the 999 call": a time of day, wherever the query says it)
_CLOCK_ASKED = re.compile(r"\b(?:what|which)\s+(?:time\b(?!\s+(?:of\s+)?(?:year|season))|hour\b)|"
                          r"\btime\s+of\b(?!\s+(?:the\s+)?(?:year|season|day|month)\b)|"
                          # "when on monday morning", "when are they moving out on saturday morning", "when overnight":
                          # the day is known, the hour is asked; "tarrabee cattle drive start time"
                          r"\bwhen\s+(?:overnight|on\s+(?:\w+day|that\s+day))\b|\bwhen\s+(?:is|are|was|were|do|does|did|will|"
                          r"would|can|could|has|have|had)\b[^?…]*\b(?:on\s+\w+day|morning|afternoon|evening|overnight|"
                          r"tonight)\b|"
                          r"\btime\W*$", re.I)
_DIMENSIONS = (
    (re.compile(r"\bhow\s+old\b|\bage\b", re.I), ("age",)),  # "how old is she", "dilys wrathall age zip wire"
    (re.compile(r"\bhow\s+heavy\b|\bweigh(?:s|ed)?\b|\bweight\s+of\b", re.I), ("measure in weight",)),
    # "how long will it take", "how long did they stay", "caver how long trapped": a time; "how long is the
    # crossing": a time or a length
    (re.compile(r"\bhow\s+long\s+(?:do|does|did|will|would|can|could|has|have|had|should|must|[a-z]+ed|stuck|kept|"
                r"held|shut|spent|taken|gone)\b|\bduration\b", re.I),
     ("measure in time",)),
    (re.compile(r"\bhow\s+long\b", re.I), ("measure in time", "measure in length")),
    (re.compile(r"\bhow\s+(?:far|high|deep|tall|wide)\b|\b(?:distance|length|depth|height)\b", re.I),
     ("measure in length", "measure in time", "share")),
)
_AHEAD_ASKED = re.compile(r"\bwhat(?:['’]s|\s+is|\s+comes?|\s+happens?)\s+(?:next|now)\b|\bwhat\s+happens\s+(?:to|if|after|when)\b|"
                          r"\bwhat\s+(?:will|would)\s+happen\b|\bnext\s+steps?\b|\bwhat\s+(?:are\s+)?(?:they|the\s+\w+)\s+"
                          r"(?:going|planning)\s+to\s+do\b", re.I)
_CONCERN = re.compile(r"\b(?:worr(?:y|ies|ied|ying)|concern(?:s|ed)?|fear(?:s|ed)?|afraid|risks?|threats?)\b", re.I)
_HOW_MUCH = re.compile(r"\bhow\s+(?:much|many|long|old|far|big|large|high|often|heavy|tall|deep|wide|fast|steep|"
                       r"sharp)\b", re.I)
_WHO = re.compile(r"^\s*(?:(?:and|so|but)\s+)?(?:who|whom|whose)\b|.*\bwho\s*\??\s*$", re.I)  # "lido contract won by who"
_WHY = re.compile(r"^\s*(?:why\b|how\s+come\b|what(?:['’]s|\s+is|\s+was)?\s+behind\b|"
                  r"what(?:['’]s|\s+is|\s+was|\s+are|\s+were)\s+(?:[\w’'-]+\s+){0,3}(?:justifications?|rationale|reasoning|grounds)\b|what\s+(?:made|makes|prompted|triggered)\b|what\s+(?:was|were|is|are)\s+the\s+(?:\w+\s+)?(?:reasons?|causes?|drivers?)\b|"
                  r"what\s+(?:\w+\s+){0,2}(?:caused|drove|led\s+to|contributed\s+to|resulted\s+in)\b)|"
                  r"\b(?:driven|caused|influenced)\s+by\s*\??\s*$|^\s*(?:and|so|but)\s+why\b|\bwhy\s*\??\s*$|\b(?:due|attributable)\s+to\s*\??\s*$", re.I)
# what a thing is, means, includes or how it is worked out: sentences answer, a row's figures do not
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:an?\s+)?(?!the\b)[\w“”\"'’().&/-]+(?:\s+[\w“”\"'’().&/-]+){0,2}\s*\?\s*$|"
    r"how\s+(?:is|are|was|were)\b.*\b(?:calculated|defined|determined|measured|computed|derived|stated|recorded|"
    r"recogni[sz]ed|valued|accounted\s+for|estimated|allocated|presented)\b|"
    r"how\s+does\b.*\b(?:define|calculate|determine|measure|compute)\b|"
    r"what\s+(?:does|do|did)\b.*\b(?:include|includes|represent|represents|consist|comprise|mean)\b|"
    r"what\s+(?:is|are)\s+(?:represented\s+by|excluded\s+from|included\s+in|meant\s+by)\b|"
    r"what\s+(?:is|are)\s+the\s+(?:definition|meaning)\s+of\b)", re.I)
# the kind of thing asked: "which prime minister ...", "what companies did ...", "name the winner"
_KIND = re.compile(r"^\s*(?:(?:and|so|but)\s+)?(?:(?:by|in|at|for|from|to|on|with|of)\s+)?(?:which\s+((?:[\w’'-]+\s+)?[\w’'-]+)\s+(?:is|was|are|were|does|do|"
                   r"did|has|have|had|will|would|can|could|should|may|might)|what\s+((?:[\w’'-]+\s+)?[\w’'-]+s)\s+"
                   r"(?:did|does|do|have|had|will|are|were))\b", re.I)
# "selkie watch humpback rescue which beach": "which" and its noun end a terse query
_KIND_LAST = re.compile(r"\bwhich\s+([\w’'-]+)\s*\??\s*$", re.I)
# "who is (the) X", "what is the name of X": X is a role the answer names
_ROLE = re.compile(r"^\s*(?:who(?:['’]s|['’]ll\s+be|\s+(?:is|was|are|were|will\s+be|has\s+been|becomes|became))|what\s+(?:is|was|are|were)\s+the\s+names?\s+of)\s+"
                   r"(?:the\s+|an?\s+)?(?:[\w.]+(?:\s+[\w.]+){0,3}['’]s\s+)?([\w\s.-]+?)\s*\??\s*$", re.I)
_HEAD = re.compile(r"\s(?:of|from|for|in|on|at|to|by|with|before|after|under|per|as)\s", re.I)  # ends a label's head

# the answer type a kind noun asks for (general English, not one corpus's words)
KIND_TYPES = {
    "person": "person minister president premier chancellor secretary official spokesman spokeswoman spokesperson "
              "leader ceo executive chairman chairwoman director manager chief boss founder owner author writer reporter "
              "journalist editor winner champion player coach captain candidate senator governor mayor judge "
              "lawyer scientist researcher doctor king queen prince princess ambassador general commander victim "
              "suspect driver pilot artist singer actor people man woman men women individual",
    "organization": "organization organisation company firm business agency outlet newspaper paper publisher "
                    "broadcaster network group team club party ministry department government institution "
                    "university bank union association alliance council committee body authority regulator",
    "place": "country nation city town village place location region province capital venue stadium",
    "date": "date day year month time hour week season decade",
    "amount": "number amount figure total price cost percentage share sum count score budget fee rise raise "
              "increase cut rate length distance height depth weight duration value age limit quota allowance",
}
_KIND_TYPE = {stem: kind for kind, words in KIND_TYPES.items() for stem in tokenize(words)}
KIND_OF = _KIND_TYPE  # the answer type of a kind noun's stem ("director" -> person)
# what a terse query ("fallowmere book fair attendance", "injuries in the ferry fire") asks for when its head
# noun is a quantity of general English
COUNT_NOUNS = frozenset(tokenize("attendance visitors headcount workforce staff employees jobs toll casualties "
                                 "injuries injured deaths dead population capacity"))  # a count of things or people
MONEY_NOUNS = frozenset(tokenize("losses revenue revenues sales profit income earnings salary wage wages fare valuation "
                                 "worth spending debt bill fine penalty payout compensation damages settlement grant loan "
                                 "subsidy rent deficit surplus tariff levy bonus ticket prize"))  # a sum of money
QUANTITY_NOUNS = COUNT_NOUNS | MONEY_NOUNS | frozenset(tokenize("turnout tag size"))
# sums of money that are one sum said otherwise; any two other sums are two ("revenue" is no "profit", though the
# embedder puts them side by side)
_SAME_SUMS = [frozenset(tokenize(words)) for words in ("revenue revenues sales turnover", "profit income earnings",
                                                        "fine penalty", "salary wage wages", "losses deficit",
                                                        "payout compensation damages settlement", "grant subsidy")]


def other_sum(a: str, b: str) -> bool:
    """Are the stems two different sums of money ("profit" / "revenu")?"""
    return a != b and {a, b} <= MONEY_NOUNS and not any(a in same and b in same for same in _SAME_SUMS)
# "what did the arena cost", "what will buyers pay": the verb asks for a sum of money
_MONEY_VERB = re.compile(r"^\s*(?:(?:and|so|but)\s+)?what\s+(?:(?:are|were)\b[^?]*?\b(?:paying|spending|earning|charging|"
                         r"costing)\b|(?:did|does|do|will|would|is|was|has|have|had)\b"
                         r"[^?]*?\b(?:cost|costs|costing|pay|paid|paying|spend|spent|spending|earn|earned|earning|"
                         r"charge|charged|charging|fetch|fetched|"
                         r"(?:shell|fork|splash)(?:ed)?\s+out|s[eo]ll?\s+for)\b)", re.I)  # the verbs of paying
# "what will the flat payment drop to", "what is the rate going up to": the figure it changes to
_CHANGED_TO = re.compile(r"^\s*(?:(?:and|so|but)\s+)?what\b.*\b(?:drop(?:s|ped)?|fall(?:s|en)?|fell|rise(?:s|n)?|rose|climb(?:s|ed)?|"
                         r"increase(?:s|d)?|decrease(?:s|d)?|go(?:es|ing)?\s+(?:up|down)|went\s+(?:up|down)|be\s+(?:cut|raised|"
                         r"lowered|reduced|increased))\s+to\s*\??\s*$", re.I)
# kinds that a named entity's label alone shows (no word in the text needs to say it)
GENERIC_KINDS = frozenset(tokenize("person people individual organization organisation group body entity country "
                                   "nation place location city date day year month time number amount figure"))

# the words that frame an open or list question: what remains is its topic
_OPEN_FRAMING = frozenset(tokenize("summary summarize summarise overview gist recap rundown highlights takeaways main "
                                   "key major important points point ideas themes findings issues arguments facts "
                                   "messages developments happened happening going know anything please brief "
                                   "update describe section part report story piece news"))
# nouns that stand for the asked relation rather than a thing ("Japan's part in", "the U.S. side of it")
_PLACEHOLDERS = frozenset(tokenize("thing things part parts side sides way ways kind kinds type types sort lot bit "
                                   "aspect aspects detail details name names question"))
_ACRONYM_AFTER_NAME = re.compile(r"(?<=[a-z])\s+(?=[A-Z]{3,}\b)")  # "Harlowford WWII" (not "Kelso AG")
# what a figure is asked as, not a thing the answer's article must name ("in percentage terms", "evacuation numbers")
_MEASURES = frozenset(tokenize("number numbers amount figure figures total percentage percentages sum count terms"))
# "the analysis section", "according to the conclusion", "in the introduction": a part of an article
_SECTION = re.compile(r"\b(?:the|its|this)\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)\s+(?:section|part|chapter|paragraph|"
                      r"heading)s?\b|\bwhat\s+(?:does|do|did)\s+the\s+((?:[\w’'-]+\s+)?[\w’'-]+)\s+say\b|\b(?:according\s+to|in|from)\s+the\s+((?:[\w’'-]+\s+){0,1}[\w’'-]+)\s*[?.,]?\s*$",
                      re.I)
# capitalised words in a question that spaCy may not tag ("Tour de France", "Harbor Bridge")
_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w.’'&-]*(?:\s+(?:de|of|the|and|du|la|van|von|&)?\s*[A-Z][\w.’'&-]*)*")


@dataclass
class Question:
    """A question understood: what it asks and how evidence is scored against it."""

    text: str  # as understood (a follow-up made standalone)
    terms: list[str]  # unique content-word stems
    weights: dict[str, float]  # term -> idf
    years: list[str]
    intent: str = "fact"  # fact | list | open | compare | yesno
    answer_type: str = ""  # person | agent | organization | place | date | amount | entity (any named thing) |
    #                        source | reason | definition | inconsistency | "" (a description or a table cell)
    kind: str = ""  # the kind of thing asked: "prime minister", "proposed actions"
    role: str = ""  # a role the answer names next to a person: "prime minister"
    topic: list[str] = field(default_factory=list)  # open and list questions: the terms of what they are about
    summary: bool = False  # an open question asking for the whole ("summarize the earnings report")
    section: list[str] = field(default_factory=list)  # a part of an article it names: ["analysi"]
    entities: list[str] = field(default_factory=list)  # named in the question
    listed: str = ""  # what a list question lists, as a stem: "action" for "list the proposed actions"
    counted: bool = False  # ... named right after "how many": "how many visitors" (not "how much did X cost")
    measure: str = ""  # what an amount asked is of, as a stem: "visitor" for "how many visitors"
    head: str = ""  # a query typed as a noun phrase: its head noun as typed ("contractor" of "wenmouth sea wall contractor")
    measure_like: frozenset[str] = frozenset()  # ... and the stems the passages found say it with ("home" for "houses")
    like_of: Callable[[], dict] | None = field(default=None, repr=False, compare=False)  # computes `terms_like`
    nouns: list[str] = field(default_factory=list)  # the things it is about (stems of its nouns), which the
    #                                                 answer's article must mention; its verbs may be paraphrased
    pairs: set = field(default_factory=set)  # consecutive term pairs ("accrued expenses")
    sequence: tuple[str, ...] = ()  # the terms in the question's order, repeats kept
    compare: str = ""  # "max" / "min" for "in which year was X larger / smaller"
    which_years: bool = False
    members: bool = False  # asks which rows a table lists ("what are the components of X")
    count: str = ""  # ... how many, of what: "focus areas" for "how many focus areas are in the table"
    bound: tuple[str, float] | None = None  # ("<", 600000.0) for "... less than 600,000"
    rank_rows: str = ""  # "max" / "min" for "which segment had the highest revenue"
    amount: bool = False  # asks for a figure
    each: bool = False  # asks for every row ("the low price for each quarter of 2018")
    focus_articles: tuple[str, ...] = ()  # the conversation's: articles the previous answer cited
    asked: str = ""  # as the user typed it
    told: tuple[str, ...] = ()  # what a measure asked is in, where its words leave two and the embedder tells which

    @cached_property
    def terms_like(self) -> dict[str, frozenset[str]]:
        """Each term the candidates say in other words, and their stems for it (`Answerer._terms_like`): computed the
        first time a check needs it, since most evidence holds the question's own words."""
        return self.like_of() if self.like_of else {}

    @property
    def tally(self) -> bool:
        """Does it ask for a count of things ("how many injured", "kestrel freight headcount", "the number of
        staff"), which no sum of money or share answers?"""
        if self.answer_type != "amount" or re.search(r"\bhow\s+much\b", self.asked, re.I):
            return False
        if _TALLY.search(self.asked):
            return True  # "how many nurses does the pay agreement cover", "count of properties damaged": a count,
            #              whatever else it says
        return not _PRICED.search(self.asked) and bool(set(self.terms) & COUNT_NOUNS) and not set(self.terms) & MONEY_NOUNS

    @property
    def unit(self) -> str:
        """What kind of amount it asks for, where it says: "share" for a change or a rate ("how big a raise",
        "pay deal %"), "money" for a price or a sum ("how much will the plant cost", "desal price tag")."""
        if self.answer_type != "amount" or self.tally:
            return ""
        if _CHANGED.search(self.asked) and not _MONEY_ASKED.search(self.asked):  # "how much money did it raise"
            return "share"
        # "job losses" names a count and a sum: it decides neither
        return "money" if _PRICED.search(self.asked) or _MONEY_ASKED.search(self.asked) \
            or set(self.terms) & MONEY_NOUNS and not set(self.terms) & COUNT_NOUNS else ""  # "sum collected": money

    @cached_property  # read for every sentence scored
    def dimensions(self) -> tuple[str, ...]:
        """What a measure or a time asked is in (`conflicts.amount_kind`'s names; "clock" for a time of day, "age"):
        "what time", "race winning time" a time of day; a unit it names ("length ... in km"); "how heavy" a weight,
        "how long" a time or a length, "how far" a length (or a time, a share: "how far into overtime", "how far
        did prices drop"); () where it does not say."""
        if self.answer_type == "date":
            return ("clock",) if _CLOCK_ASKED.search(self.asked) or self.head.lower() == "time" else ()
        if self.answer_type != "amount":
            return ()
        if self.told:
            return self.told
        named = {unit_of(m.group(1))[0] for m in re.finditer(r"\bin\s+([a-z]+)\b", self.asked, re.I)} - {""}
        return tuple(f"measure in {d}" for d in named) \
            or next((kinds for pattern, kinds in _DIMENSIONS if pattern.search(self.asked)), ())

    @property
    def strict(self) -> bool:
        """Is its answer type one the evidence must hold to answer at all ("how many", "when did")?"""
        # "what does it cost to send a trailer": a price, as "how much" asks it
        return self.intent == "fact" and bool(self.answer_type == "amount" and (_STRICT_AMOUNT.search(self.asked)
                                                                                or _COSTS.search(self.asked))
                                               or self.answer_type == "date" and _STRICT_DATE.search(self.asked)
                                               or self.dimensions)  # "how far did she swim": a distance

    @property
    def day_asked(self) -> bool:
        """Does it ask for a day ("lido reopening day", "what day is the parade")? A year or a month alone then answers
        it not at all."""
        return self.answer_type == "date" and bool(re.search(r"\bday\b(?!['’]s)", self.asked, re.I))

    @property
    def year_asked(self) -> bool:
        """Does it ask for a year ("cello year made", "in what year")? A year alone then answers it exactly."""
        return self.answer_type == "date" and bool(re.search(r"(?<!this\s)(?<!last\s)(?<!next\s)\byear\b(?!['’]s)",
                                                             self.asked, re.I))  # not "this year's marathon"

    @property
    def speech(self) -> bool:
        """Does it ask for what someone said ("what did the deputy governor say", "how did the union react")?"""
        return bool(_SPEECH.search(self.asked))

    @property
    def speaker(self) -> str:
        """Whose words a speech question asks for ("the union boss" of "what did the union boss say about X")."""
        m = _SPEAKER.search(self.asked)
        return m.group(1) if m else ""

    @property
    def why(self) -> bool:
        return self.answer_type == "reason"

    @property
    def reasons(self) -> bool:
        """Does it ask for a reason or a concern ("why did X", "what worries Japan about China")?"""
        return self.why or bool(_CONCERN.search(self.asked))

    @property
    def changed_to(self) -> bool:
        """Does it ask the figure something changes to ("what will the payment drop to")?"""
        return self.answer_type == "amount" and bool(_CHANGED_TO.search(self.asked))

    @property
    def ahead(self) -> bool:
        """Does it ask what happens next ("what happens now in X", "what's next for X", "next steps")?"""
        return self.intent == "fact" and not self.answer_type and bool(_AHEAD_ASKED.search(self.asked))

    @property
    def definition(self) -> bool:
        return self.answer_type == "definition"

    @cached_property
    def of_thing(self) -> bool:
        """Does it ask of a thing ("how old is it", "lysmouth boat age"), not of a person ("how old is she")?"""
        return not re.search(r"\b(?:he|she|him|her|his)\b", self.asked, re.I) \
            and not any(e.label == "PERSON" for e in parse(self.asked).entities)

    @cached_property
    def own_terms(self) -> frozenset[str]:
        """The terms it asks with: of the question as typed where a follow-up has the earlier topic appended ("will
        farmers get paid if they cause damage (did the beaver trial make any difference to flooding)"), which says
        what it is about, not what it asks ("difference" is no operation asked)."""
        if self.asked and self.text != self.asked and self.text.startswith(self.asked.rstrip()):
            return frozenset(tokenize(self.asked))
        return frozenset(self.terms)

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def phrase(self, text: str) -> float:
        """Share of the question's consecutive term pairs that `text` has consecutively too."""
        return len(self.pairs & pairs(tokenize(text))) / len(self.pairs) if self.pairs else 0.0

    def coverage(self, tokens: Iterable[str]) -> float:
        """Share of the question's (idf-weighted) terms found in `tokens`."""
        tokens = tokens if isinstance(tokens, (set, frozenset)) else set(tokens)
        return sum(w for t, w in self.weights.items() if t in tokens) / self.total


def pairs(tokens: list[str]) -> set[tuple[str, str]]:
    return set(zip(tokens, tokens[1:]))


_ORDINAL = {"first": "1", "second": "2", "third": "3", "fourth": "4"}
_QUARTER = re.compile(r"\b(first|second|third|fourth)[\s-]+quarter\b|\bq([1-4])\b|\b(\d+)s\b", re.I)


def _quarters(m: re.Match, lexical: LexicalIndex) -> str:
    """The two ways a report names a quarter, so either finds the other ("first quarter" / "Q1") when the
    index holds it, and a number's plural as the number ("over-65s")."""
    if m.group(3):
        return m.group(3)
    n = _ORDINAL[m.group(1).lower()] if m.group(1) else m.group(2)
    other = f"q{n}" if m.group(1) else f"{ {v: k for k, v in _ORDINAL.items()}[n]} quarter"
    return f"{m.group(0)} {other}" if all(t in lexical.df for t in tokenize(other)) else m.group(0)


def _without(tokens: list[str], words: Iterable[str]) -> list[str]:
    """The question's words less those that frame it, unless that leaves none."""
    words = set(words)
    return [t for t in tokens if t not in words] or tokens


def _unglued(token: str, lexical: LexicalIndex) -> list[str]:
    """A word and a number run together that the index does not hold ("FY2019", "IFRS9"), as the index
    holds them apart ("FY 2019", "IFRS 9")."""
    m = re.fullmatch(r"([a-z]+)(\d+)", token)
    return tokenize(f"{m.group(1)} {m.group(2)}") if m and token not in lexical.df else [token]


_NOUN_TAGS = ("NN", "NNS", "NNP", "NNPS")
_TALLIED = frozenset(tokenize("total count number tally"))  # "finishers total": a count of finishers
_COUNTABLE = frozenset(tokenize("people persons times things items money cash"))  # any count or sum of these will do
_QUANTITY = QUANTITY_NOUNS | {stem for stem, kind in _KIND_TYPE.items() if kind == "amount"}


def _verb_repaired(tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The tags with a do-support question's main verb read as a verb: "why does the alliance matter"
    puts it right after the subject, where a tagger may read a noun ("matter") when no verb follows."""
    words = [w.lower() for w, _ in tags]
    aux = next((i for i, w in enumerate(words) if w in ("do", "does", "did")), -1)
    if aux < 0 or any(tag in ("VB", "VBP", "VBZ", "VBD") for _, tag in tags[aux + 1:]):
        return tags
    end = aux + 1
    while end < len(tags) and tags[end][1] in ("DT", "JJ", "PRP$", "POS", "CD", *_NOUN_TAGS):
        end += 1
    last = max((i for i in range(aux + 1, end) if tags[i][1] in _NOUN_TAGS), default=-1)
    if last < 0 or sum(tags[i][1] in _NOUN_TAGS for i in range(aux + 1, end)) < 2:
        return tags
    return [*tags[:last], (tags[last][0], "VB"), *tags[last + 1:]]


def _measure(tags: list[tuple[str, str]]) -> tuple[str, bool]:
    """What "how many / how much" (or "the number of") counts or measures: the noun after it ("how many visitors",
    "number of workers treated": counted), else the subject after the auxiliary ("how much did admission cost")."""
    words = [w.lower() for w, _ in tags]
    at = next((i for i in range(len(words) - 1) if words[i] == "how" and words[i + 1] in ("many", "much")
               or words[i] == "number" and words[i + 1] == "of"), -1)
    if at < 0:
        return "", False
    noun, counted = "", False
    for n, (w, tag) in enumerate(tags[at + 2:]):  # the last noun of the first noun phrase: "the museum's admission"
        if tag in _NOUN_TAGS:
            noun = next(iter(tokenize(w)), "") or noun
            counted = counted or all(t in ("JJ", *_NOUN_TAGS) for _, t in tags[at + 2:at + 2 + n])
        elif noun and (tag.startswith("VB") or tag in ("IN", "MD", ".", ":", ",", "DT", "PRP$", "CD")):
            break  # "how much was a ticket this year": the ticket, not the year
        if noun and tag == "NNS" and words[at] == "number":
            break  # "number of claimants parcelwise merriton tribunal": what is counted, then what the query is about
    return ("", False) if noun in _COUNTABLE else (noun, counted)


def intent_of(text: str, tags: list[tuple[str, str]], years: list[str]) -> str:
    """fact, list, open, compare or yesno, from the question's form."""
    if _OPEN.search(text):
        return "open"
    if _COMPARE_WORDS.search(text) and not years:
        return "compare"
    if _YESNO.match(text) or _CONSISTENCY.search(text):
        return "yesno"
    if _LIST_VERB.match(text):
        return "list"
    # "which countries are in the table", "what proposed actions are listed", "what are the key risks": a plural
    # head right after the question word (and "are the") asks for every one; a year, an amount ("the respective
    # values of X") or a complement ("what are the components of X") makes it a lookup
    if years or _HOW_MUCH.search(text) or AMOUNT.search(text) or MEMBERS.search(text):
        return "fact"
    words = [w.lower() for w, _ in tags]
    at = 1 if words[:1] in (["which"], ["what"]) else 0
    if at and words[1:3] in (["are", "the"], ["were", "the"]) and words[0] == "what":
        at = 3
    run = []
    for w, tag in tags[at:] if at else ():
        if tag not in ("JJ", "JJS", "NN", "NNS", "NNP", "NNPS", "VBN", "CD"):
            break
        run.append(tag)
    return "list" if run and run[-1] in ("NNS", "NNPS") else "fact"


def _kind_before_verb(tags: list[tuple[str, str]]) -> str:
    """The kind asked by "which/what" and the nouns right after it, then a verb ("which company won the
    contract", "what pay rise did the nurses accept"), by the tagger's tags, when its head is a kind of
    general English."""
    if tags and tags[0][1] == "IN":  # "by what percentage did ...", "at which venue will ..."
        tags = tags[1:]
    words = [w.lower() for w, _ in tags]
    if not words or words[0] not in ("which", "what"):
        return ""
    end = 1
    while end < len(tags) and end <= 3 and tags[end][1] in ("JJ", *_NOUN_TAGS):
        end += 1
    verb = end
    if verb < len(tags) and words[verb] == "of":  # "what share of the vote did X win": the head is before "of"
        verb = next((i for i in range(verb, min(verb + 8, len(tags))) if tags[i][1].startswith("VB") or tags[i][1] == "MD"),
                    len(tags))
    if end == 1 or verb >= len(tags) or not (tags[verb][1].startswith("VB") or tags[verb][1] == "MD") \
            or tags[end - 1][1] not in _NOUN_TAGS:
        return ""
    head = (tokenize(tags[end - 1][0]) or [""])[-1]  # a kind of general English ("what boat": no kind to check)
    return " ".join(w for w, _ in tags[1:end]) if head in _KIND_TYPE or head in QUANTITY_NOUNS else ""


def listed(tags: list[tuple[str, str]]) -> str:
    """What a list question lists, as a stem: its first plural noun ("proposed actions" -> "action")."""
    return next((stem for w, tag in tags if tag in ("NNS", "NNPS") for stem in tokenize(w)), "")


def answer_type_of(text: str, kind: str) -> str:
    """The kind of answer a question asks for; "" for a description or a table cell."""
    if _CONSISTENCY.search(text):
        return "inconsistency"
    if _SOURCE.search(text):
        return "source"
    if _WHY.search(text):
        return "reason"
    if _DEFINITION.match(text):  # "what is a bond", but "what is Tolvern's population" asks for a figure
        return "amount" if re.search(r"\w['’]s\s+\w+\s*\??\s*$", text) and (tokenize(text) or [""])[-1] in QUANTITY_NOUNS \
            else "definition"
    if _WHEN.search(text):
        return "date"
    if re.search(r"%|\bper\s?cent\b|\b(?:what|which)\s+(?:share|proportion|percentage|fraction)\s+of\b", text, re.I):
        return "amount"  # "brisbury nurses pay deal %", "what share of parents back the plan", whatever the verb
    if _WHERE.search(text):
        return "place"
    if _HOW_MUCH.search(text):
        return "date" if re.search(r"\bhow\s+(?:often|long\s+ago)\b", text, re.I) else "amount"
    if _WHO.match(text) or re.match(r"\s*what\s+(?:is|was|are|were)\s+the\s+names?\s+of\b", text, re.I):
        return "agent"
    if _MONEY_VERB.match(text) and not kind or _CHANGED_TO.search(text):
        return "amount"
    for stem in reversed(tokenize(kind)):  # the head of "which prime minister", "what companies"
        if stem in _KIND_TYPE:
            return _KIND_TYPE[stem]
        if stem in QUANTITY_NOUNS:  # "what annual revenue did X report"
            return "amount"
    asked = re.match(r"\s*what(?:['’]s|\s+(?:is|was|are|were|will\s+be))\s+the\s+((?:[\w-]+\s+){0,2}[\w-]+)\s+"
                     r"(?:in|at|of|for|on|to)\b", text, re.I)
    if not kind and asked and (tokenize(asked.group(1)) or [""])[-1] in _QUANTITY:
        return "amount"  # "what was the turnout in the referendum", "what's the total price tag for X": a figure
    return "entity" if kind else ""  # "which award", "which shipping lines": a named one


def _preposition(tags: list[tuple[str, str]]) -> int:
    """Where a query's first preposition is (its length if none): not the "by" of "by-election"."""
    return next((i for i, (_, t) in enumerate(tags) if t == "IN" and tags[i + 1:i + 2] != [("-", "HYPH")]), len(tags))


def terse_type(tags: list[tuple[str, str]], dated: set[int]) -> tuple[str, str]:
    """The answer type of a query typed as a noun phrase, with no question word ("kestrel freight
    headcount", "injuries in the Saltwren fire", "arvo batteries factory town"), and what it measures:
    those of its head noun (the last noun before a preposition, not of a date: "revenue last year"), when
    the head is a quantity or a kind of general English."""
    # "number of beachgoers stranded off wrayhaven who were brought to safety": a relative clause after a noun says
    # which; the query is the noun phrase before it
    wh = next((i for i, (_, tag) in enumerate(tags) if tag in ("WP", "WDT", "WRB", "WP$")), 0)
    relative = ""
    if wh and tags[wh - 1][1] in _NOUN_TAGS:
        tags, relative = tags[:wh], tags[wh][0].lower()
    tags = _before_clause(tags)
    while len(tags) > 1 and tags[-1][1] in ("VBN", "VBD") and tags[-2][1] in _NOUN_TAGS:
        tags = tags[:-1]  # "cello year made", "jackpot ticket sold": what was done to it says which
    if any(tag in ("WP", "WDT", "WRB", "WP$") for _, tag in tags) or not tags:
        return "", ""
    if (tokenize(tags[-1][0]) or [""])[-1] in _QUANTITY and len(tags) - 1 not in dated:
        # a quantity last, after its place ("copperleaf way orrinsford to wykenhold length"), or whatever the tagger
        # takes it for ("race day finishers total": a verb); a total or count of the things named before it ("senate
        # abolition vote count": of votes), unless a quantity itself ("attendance total")
        counted = len(tags) > 1 and tags[-2][1] in ("NN", "NNS") and (tokenize(tags[-1][0]) or [""])[-1] in _TALLIED \
            and (tokenize(tags[-2][0]) or [""])[-1] not in _QUANTITY
        return "amount", (tokenize(tags[-2][0]) or [""])[-1] if counted else ""
    end = _preposition(tags)
    # a clause ("ferry sank"), unless a quantity ends it (above: a word the tagger reads as a verb, "seaweed farm
    # losses percentage") or the verb is in what follows the head's preposition ("share of the harvest wiped out by")
    if any(tag in ("MD", "VBD") for _, tag in tags[:end]):
        return "", ""
    if any(tag in ("VBZ", "VBP") for _, tag in tags) and tags[-1][1] not in _NOUN_TAGS:
        return "", ""
    # a name is what it is about, not what it asks ("stourvale water penalty sallowfield crown court")
    # (but a date's own word, last, is what it asks: "cello year made")
    if tags[end - 1:end] and tags[end - 1][0].lower() in ("year", "date", "day", "month") and end - 2 not in dated:
        dated = dated - {end - 1}  # (not "revenue last year")
    # (a quantity the tagger reads as an adjective is a noun here: "rainier quiggin fine cobbleford magistrates")
    head = [w for i, (w, tag) in enumerate(tags[:end]) if (tag in ("NN", "NNS") or tag == "JJ"
                                                           and (tokenize(w) or [""])[-1] in _QUANTITY) and i not in dated] or \
        [w for i, (w, tag) in enumerate(tags[:end]) if tag in _NOUN_TAGS and i not in dated]
    for word in reversed(head):  # the last that says what is asked ("dilys wrathall age zip wire": the age)
        stem = (tokenize(word) or [""])[-1]
        if stem in _QUANTITY:  # not what is measured: "attendance" is said as "visitors", "price tag" as "cost"
            return "amount", ""
        if _KIND_TYPE.get(stem) in ("person", "place", "date"):
            return _KIND_TYPE[stem], ""
    # a head of no known kind, said of by "where" or "when" ("rare seabird spot where it was photographed")
    return {"where": "place", "when": "date"}.get(relative, ""), ""


def _before_clause(tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A noun phrase without the clause after its noun that says which ("year the cello was made", "substation failure
    time the lights went out")."""
    clause = next((i for i in range(1, len(tags) - 1) if tags[i][1] == "DT" and tags[i - 1][1] in ("NN", "NNS")
                   and any(tag.startswith("VB") for _, tag in tags[i + 1:])), 0)
    return tags[:clause] if clause else tags


def terse_head(tags: list[tuple[str, str]]) -> str:
    """The head noun of a query typed as a noun phrase, as typed: its last noun before a preposition that
    is no placeholder ("sculptor" of "porthelly memorial sculptor name")."""
    tags = _before_clause(tags)
    if any(tag in ("WP", "WDT", "WRB", "WP$", "MD", "VBD", "VBZ", "VBP") for _, tag in tags):
        return ""
    end = _preposition(tags)
    return next((w for w, tag in reversed(tags[:end]) if tag in ("NN", "NNS") and w.isalpha() and tokenize(w)
                 and not set(tokenize(w)) & _PLACEHOLDERS), "")


_LOWER_WORD = re.compile(r"\b[a-z][\w’'-]*")
_TEXT_WORD = re.compile(r"[\w’'-]+")
_OPENS = re.compile(r"(?:^|[.!?:;\"“(]\s*|\n\s*|-\s)$")  # where a sentence, quote or list item begins


def truecased(text: str, passages: Iterable[str]) -> str:
    """A question typed in lower case with its names written as the passages found write them ("what
    worries japan about china" -> "... Japan ... China", "mossgate rovers new manager" -> "Mossgate
    Rovers ..."): a word the passages write capitalised inside sentences and never in lower case, so that
    the tagger and the recogniser read it as a name."""
    asked = {m.group(0) for m in _LOWER_WORD.finditer(text)}
    if not asked:
        return text
    forms: dict[str, Counter] = {}
    lower: set[str] = set()
    for passage in passages:
        for m in _TEXT_WORD.finditer(passage):
            word = m.group(0)
            key = word.lower()
            if key not in asked:
                continue
            if word == key:
                lower.add(key)
            elif word[0].isupper() and not _OPENS.search(passage[max(0, m.start() - 3):m.start()]):
                forms.setdefault(key, Counter())[word] += 1
    return _LOWER_WORD.sub(lambda m: forms[m.group(0)].most_common(1)[0][0]
                           if m.group(0) in forms and m.group(0) not in lower else m.group(0), text)


# a clause before the question proper: "When builders dug up the bomb, how many residents had to leave?"
_LEAD_CLAUSE = re.compile(r"^\s*(?:when|if|after|before|since|once|while|as|now\s+that|given\s+that)\b[^?,]{3,}?,\s*"
                          r"(?=(?:how|what|which|who|whom|whose|where|when|why)\b)", re.I)


# a question asked after words typed before it: "where" or "how" and a verb before its subject (not "who", "which":
# "walkers who were rescued" is a relative clause)
_ASKED_AFTER = re.compile(r"(?<=\s)(?:where|when|how)\s+(?:is|was|are|were|did|does|do|has|have|had|will|"
                          r"would|can|could|much|many|long|old|far)\b", re.I)
_PLACED = re.compile(r"\b(?:came|comes?|finish(?:ed|es)?|placed|ended|ends?)\s+(?:in\s+)?(first|top|last|bottom)\b|"
                     r"\btopped\b", re.I)


def understand(text: str, lexical: LexicalIndex, asked: str = "", focus_articles: tuple[str, ...] = ()) -> Question:
    """The question analysed once; `asked` is what the user typed when `text` is a follow-up made standalone."""
    asked = asked or text
    parsed = parse(asked)
    main = asked[m.end():] if (m := _LEAD_CLAUSE.match(asked)) else asked  # what the question asks for
    tags = [(t.text, t.tag) for t in parsed.tokens]
    # "thriftwell lotto jackpot where was the winning ticket sold", "tell me where was it sold": words typed before
    # the question, which asks (not "how much did it cost and when was it paid")
    if (q := _ASKED_AFTER.search(main)) and not any(t.tag.startswith("W") for t in parsed.tokens
                                                     if t.start < len(asked) - len(main) + q.start()):
        main = main[q.start():]
    said = _QUARTER.sub(lambda m: _quarters(m, lexical), text)
    tokens = [t for token in tokenize(GENERIC.sub(" ", said)) for t in _unglued(token, lexical)]
    m = COMPARE.search(text)
    limit = THRESHOLD.search(text) if m or WHICH_YEARS.search(text) else None
    if limit:  # "less than 600,000": the bound is checked against the cells, not matched as words
        tokens = _without(tokens, tokenize(limit.group(0)))
    if m:  # "in which year was X the highest": the years' values are compared, the words are not matched
        tokens = _without(tokens, tokenize(f"{m.group(1)} year period"))
    superlative = next((w for w, tag in tags if tag in SUPERLATIVE_TAGS), "")
    # "which segment had the highest revenue", "what is the largest segment": a row ranked by a column
    # ... or placed in it: "who came first in the vote", "which party finished last", "who topped the poll"
    placed = _PLACED.search(text)
    ranked = bool(superlative) and not m and bool(RANKED.search(text)) or bool(placed)
    counted = COUNT.match(text)
    which_years, members = bool(WHICH_YEARS.search(text)), bool(MEMBERS.search(text) or counted)
    if (which_years or members) and not m:  # a question about a table: its framing words are not terms
        tokens = _without(tokens, FRAMING)
    kind_match = _KIND.match(main) or _KIND_LAST.search(main)
    kind = next((g for g in kind_match.groups() if g), "") if kind_match else _kind_before_verb(
        [(t.text, t.tag) for t in parsed.tokens if t.start >= len(asked) - len(main)])
    # "which organization ...": the kind asked, not a word to find; "what pay rise": words of what is measured
    if kind and not (m or ranked or which_years) and (tokenize(kind) or [""])[-1] not in _QUANTITY:
        tokens = _without(tokens, tokenize(kind))
    years = YEAR.findall(text)
    for a, b in YEAR_RANGE.findall(text):  # "2019 to 2017": every year between, in the asked order
        step = 1 if int(b) >= int(a) else -1
        span = [str(y) for y in range(int(a), int(b) + step, step)]
        if len(span) <= 10:
            at = years.index(a)
            years = years[:at] + span + [y for y in years[at:] if y not in span]
    years = list(dict.fromkeys(years))
    terms = list(dict.fromkeys(tokens))
    intent = intent_of(asked, tags, years)
    answer_type, measure = answer_type_of(main, kind), ""
    if not answer_type and intent == "fact":
        dated = {i for i, t in enumerate(parsed.tokens) for e in parsed.entities
                 if e.label in ("DATE", "TIME") and e.start <= t.start < e.end}
        answer_type, measure = terse_type(tags, dated)
    head = terse_head(tags) if intent == "fact" else ""
    role = _ROLE.match(text)
    role_words = _HEAD.split(f" {role.group(1)} ")[0].split()[-2:] if role else []
    if not any(tag in _NOUN_TAGS for w, tag in tags if w in role_words[-1:]):
        role_words = []  # "who is taking over from X": a verb, not a role
    section = _SECTION.search(asked)
    # a name and an acronym the recogniser ran together are two names ("Harlowford WWII bomb")
    entities = [part for e in parsed.entities if e.label not in ("CARDINAL", "ORDINAL", "DATE", "TIME")
                for part in _ACRONYM_AFTER_NAME.split(e.text) if part != part.lower()]
    dates = [e.text for e in parsed.entities if e.label in ("DATE", "TIME")]  # "April" of "from April 2025": no name
    entities += [c for c in _CAPITALISED.findall(asked) if not any(c in e or e in c for e in [*entities, *dates])]
    framing = set(tokenize(kind)) | _OPEN_FRAMING | _PLACEHOLDERS | _MEASURES
    nouns = [stem for w, tag in _verb_repaired(tags) if tag in _NOUN_TAGS for stem in tokenize(w) if stem not in framing]
    measure, of_count = _measure(_verb_repaired(tags)) if answer_type == "amount" and not measure else (measure, False)
    bound = None
    if limit:
        bound = ("<" if limit.group(1).lower() in LOWER_WORDS else ">",
                 float(limit.group(2).replace(",", "").replace("−", "-")))
    # a verb or adjective the corpus never uses may paraphrase what is there ("what worries Japan"): it weighs
    # less than its idf says; an unseen noun names what is missing ("the architect") and weighs in full
    verbs = set(terms) - set(tokenize(" ".join(w for w, tag in _verb_repaired(tags) if tag in _NOUN_TAGS)))
    weights = {t: lexical.idf(t) * (UNSEEN_TERM if lexical.df and t not in lexical.df and t in verbs else 1.0)
               for t in terms}
    return Question(
        text=text, asked=asked, terms=terms, weights=weights, pairs=pairs(tokens),
        sequence=tuple(tokens), years=years, intent=intent, answer_type=answer_type,
        kind=kind, head=head, entities=entities, nouns=list(dict.fromkeys(nouns)), measure=measure, counted=of_count,
        listed=listed(tags) if intent == "list" else "",
        focus_articles=focus_articles,
        role=(kind if answer_type in ("person", "agent") and kind else
              " ".join(role_words)),
        topic=[t for t in terms if t not in _OPEN_FRAMING] if intent in ("open", "list") else [],
        summary=intent == "open" and bool(_SUMMARY.search(asked)),
        section=tokenize(next(g for g in section.groups() if g)) if section else [],
        compare=("min" if m.group(1).lower() in LOWER_WORDS else "max") if m and not bound else "",
        which_years=which_years and not m and not bound, bound=bound,
        members=members and not years and not which_years,
        count=counted.group(1).strip() if counted and not years and not which_years else "",
        rank_rows=("min" if superlative.lower() in LOWER_WORDS or placed and placed.group(1) and
                   placed.group(1).lower() in ("last", "bottom") else "max") if ranked else "",
        amount=bool(AMOUNT.search(text)) and not _WHY.search(text),
        each=bool(re.search(r"\b(?:each|every)\b", text, re.I)))
