"""What a question asks of a table, read from its form: a comparison of years ("which year was X
larger"), the years a table covers, the rows it lists ("what are the components of X"), how many rows,
a bound ("less than 600,000"), a ranking ("which segment had the highest revenue"), a figure, and the
words that only frame it ("the respective values of X"). The table's structure answers them
(`tables`, `table_answers`)."""
from __future__ import annotations

import re

from index.lexical import tokenize

COMPARE = re.compile(r"\b(?:which|what)\s+(?:of\s+the\s+)?(?:year|period|quarter)s?\b.*\b(larger|largest|higher|"
                      r"highest|greater|greatest|more|most|bigger|biggest|increase[ds]?|lower|lowest|smaller|smallest|"
                      r"less|least|fewer|decrease[ds]?)\b", re.I)
WHICH_YEARS = re.compile(r"\b(?:(?:which|what)\s+(?:of\s+the\s+)?|(?:what|which)\s+(?:are|were)\s+the\s+)"
                          r"(?:financial\s+|fiscal\s+)?(?:years|periods)\b", re.I)
# "what are the components of X", "which countries are shown in the table": the rows a table lists
MEMBERS = re.compile(r"^\s*(?:what|which)\s+(?:are|were)\s+the\s+(?:[\w-]+\s+){0,3}?(?:components|types|items|"
                      r"categories|segments|countries|regions|currencies|elements|classes|kinds|sources|markets|"
                      r"scopes|geographies|divisions|products)\b|^\s*which\s+(?:[\w-]+\s+){1,3}(?:are|were)\s+"
                      r"(?:shown|listed|included|presented|disclosed)\b|\b(?:consists?|composed)\s+of\s*\??\s*$|"
                      r"\bmaking\s+up\b|"
                      r"^\s*(?:what|which)\s+(?:are|were)\s+the\s+(?:[\w-]+\s+){1,4}(?:(?:listed|shown)\s+)?"
                      r"(?:in|of)\s+the\s+table\s*\??\s*$", re.I)
COUNT = re.compile(r"^\s*how\s+many\s+((?:[\w'’-]+\s+){1,4}?)(?:(?:are|were)\s+(?:there\s+)?(?:(?:listed|shown|"
                    r"included|named|given|presented)\s+)?(?:in|on)|(?:does|do)|(?:is|are)\s+listed\s+in)\s+the\s+"
                    r"table\b", re.I)
SUPERLATIVE_TAGS = ("JJS", "RBS")
RANKED = re.compile(r"\bwhich\b(?!\s+(?:of\s+the\s+)?(?:year|period|quarter|month)s?\b)|^\s*(?:where|who)\b|"
                     r"^\s*what\s+(?:is|was|are|were)\s+the\s+(?:most|least|\w+est)\b", re.I)
AMOUNT = re.compile(r"\bhow\s+(?:much|many)\b|\brespective(?:ly)?\b|\b(?:values?|amounts?)\s+of\b|"
                     r"^\s*what\s+(?:is|was|are|were)\s+the\s+(?:total\s+)?(?:\w+\s+){1,6}?(?:in|for|as\s+of|at)\s+"
                     r"(?:fiscal\s+|fy\s*)?(?:19|20)\d\d\s*\??\s*$", re.I)
YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:to|through|-|–)\s*((?:19|20)\d\d)\b")
THRESHOLD = re.compile(r"\b(less|lower|smaller|fewer|below|under|greater|more|higher|larger|above|over|exceed(?:ed|s)?)"
                        r"\s*(?:than)?\s*(?:[$€£¥]\s*)?([-−]?\d[\d,]*(?:\.\d+)?)(?!\d)", re.I)
LOWER_WORDS = {"lower", "lowest", "smaller", "smallest", "less", "least", "fewer", "fewest", "decrease", "decreased",
               "decreases", "below", "under",
               # the other adjectives of a low figure: "which grade is the cheapest", "which maker got off lightest"
               "cheaper", "cheapest", "lighter", "lightest", "shorter", "shortest", "weaker", "weakest", "poorer",
               "poorest", "younger", "youngest", "narrower", "narrowest", "shallower", "shallowest", "thinner", "thinnest"}
# words that frame what is asked rather than name it: "the amount of X", "the respective values of X"
GENERIC = re.compile(r"\b(?<!carrying\s)(?<!notional\s)(?<!principal\s)(?<!face\s)(?<!aggregate\s)"
                      r"(?<!recoverable\s)(?<!contractual\s)amounts?\b|"
                      r"(?<=\bthe\s)values?(?=\s+of\b)|(?<=\brespective\s)values?\b", re.I)
# the words that frame a question about a table ("which years does the table provide information for")
FRAMING = frozenset(tokenize("year years period periods provide provided information include included shown "
                              "presented calculated recorded reported disclosed available made highlighted "
                              "contained covered data regarding related make making makes up"))
