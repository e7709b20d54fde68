"""Answer spans: the part of a sentence that is the short answer to a fact question. The spans of the
asked type come from spaCy's entity recogniser (PERSON, ORG, GPE, DATE, MONEY, ...), with a pattern for
the dates and amounts it misses; among them, the one the sentence ties to what the question asks (the
role it names, its words) is the answer. A span the question itself names is never its answer."""
from __future__ import annotations

import re

from index.lexical import tokenize

from .conflicts import RELATIVE_DAY, amount_kind
from .language import Entity, parse
from .question import KIND_OF, Question
from .sentences import visible
from .textscan import ANY_CLOCK, CLOCK, MEASURED, MONTH, SCORELINE, TITLE, UNIT_WORD, numerals, unit_of

TYPE_LABELS = {
    "person": ("PERSON",),
    "agent": ("PERSON", "ORG", "NORP"),
    "organization": ("ORG",),
    "source": ("ORG", "PERSON"),
    "place": ("GPE", "LOC", "FAC"),
    "date": ("DATE", "TIME"),
    "amount": ("MONEY", "PERCENT", "QUANTITY", "CARDINAL"),
    "entity": ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"),
}
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DATE = re.compile(rf"\b(?:(?:on\s+)?{_WEEKDAY}(?:,?\s+{MONTH}\s+\d{{1,2}})?|{MONTH}\s+\d{{1,2}}(?:,?\s+(?:19|20)\d\d)?|"
                   rf"\d{{1,2}}\s+{MONTH}(?:\s+(?:19|20)\d\d)?|(?:in\s+)?{MONTH}\s+(?:19|20)\d\d|(?:19|20)\d\d)\b")
_WEEKDAY_RE = re.compile(rf"\b{_WEEKDAY}\b")
_PERCENT_ASKED = re.compile(r"%|\bper\s?cent", re.I)  # "percentage", "per cent"
# how often, which the recogniser tags DATE ("every month", "weekly"): no answer to when
_FREQUENCY = re.compile(r"^(?:every|each|once\s+an?|twice\s+an?|(?:once|twice)\s+(?:every|each)|per)\b|"
                        r"^(?:daily|weekly|monthly|yearly|annually|nightly)$", re.I)
# a length of time, which the recogniser tags DATE ("more than a century", "48-year", "five weeks"): no answer to when
_DURATION = re.compile(r"^(?:(?:more|less|fewer)\s+than\s+|about\s+|around\s+|approximately\s+|roughly\s+|almost\s+|nearly\s+|some\s+|over\s+|"
                       r"under\s+|up\s+to\s+|at\s+least\s+|the\s+(?:past|last|next|first)\s+)?(?:an?|one|two|three|four|"
                       r"five|six|seven|eight|nine|ten|eleven|twelve|\d[\d,.]*|several|many|a\s+few|few|dozens\s+of|"
                       r"hundreds\s+of)?[\s-]*(?:full\s+)?(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|"
                       r"century|centuries|nights?)(?:\s+and\s+(?:a\s+half|\w+\s+(?:minutes?|hours?|days?|weeks?|months?)))?"
                       r"(?:\s+(?:old|long))?$", re.I)  # "three hours and forty minutes"
_AMOUNT = re.compile(r"(?:[$€£¥]\s?)?\d[\d,]*(?:\.\d+)?\s?(?:%|percent|per\s+cent|million|billion|bn|m\b|k\b|"
                     r"thousand)?(?:\s+[a-z]+)?")
_NAME = r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+)*"  # "Shinzo Abe", "Kyodo News"
_WORD = re.compile(r"[\w’'.-]+")
_INTERIM = re.compile(r"\W*(?:at\s+|by\s+)?(?:the\s+)?(?:half[\s-]?time|the\s+break|the\s+interval)\b", re.I)
_SCORE_ASKED = re.compile(r"\b(?:scores?|scorelines?|final\s+result|(?:points|goals|runs)\s+each|margin)\b", re.I)
_FALLBACK = {"date": re.compile(f"(?i:{ANY_CLOCK.pattern})|{_DATE.pattern}"), "amount": _AMOUNT}
# an amount is of a noun up to this many words after it ("3,400 first-week visitors") or before it ("visitors
# numbered 3,400", "revenue rose 22 percent to 502 million")
AFTER_AMOUNT, BEFORE_AMOUNT = 3, 6
# a figure with no noun of its own is of the noun its passage named before it: "When every ewe had been run through the
# pens, 112 were missing", "41 of them were treated"
_STANDS_FOR = re.compile(r"\s+(?:of\s+(?:them|those|these)\b|(?:were|was|are|is|had|have|has|remain(?:ed|s)?)\b)", re.I)


def names_role(role: str, text: str) -> bool:
    """`text` puts a name next to the role: "Prime Minister Shinzo Abe", "Shinzo Abe, the prime minister"."""
    r = re.escape(role).replace("\\ ", r"\s+")
    return bool(re.search(rf"(?i:\b{r})\s+{_NAME}|{_NAME},\s+(?i:(?:the\s+)?(?:[\w'’]+\s+)?{r})\s*[,;.]", text))


def _asked(question: Question) -> set[str]:
    """What the question names itself, as stems: its terms, entities and years."""
    return set(question.terms) | set(tokenize(" ".join(question.entities))) | set(question.years)


def typed_spans(text: str, question: Question, guess: bool = True, replaced: bool = False) -> list[Entity]:
    """Spans of `text` of the question's answer type that the question does not name itself (`guess`: where it has
    none the recogniser labels so, any other name: rare names are labelled unsurely; `replaced`: values the text says
    were superseded too)."""
    labels = TYPE_LABELS.get(question.answer_type)
    if not labels:
        return []
    shown, at = visible(text)  # a figure inside bidi controls ("\u202e5.4$\u202c") is still a figure
    if len(shown) != len(text):
        return [Entity(text[at[e.start]:at[e.end - 1] + 1], e.label, at[e.start], at[e.end - 1] + 1)
                for e in typed_spans(shown, question, guess, replaced)]
    entities = entities_of(text)
    found = [e for e in entities if e.label in labels and not _BOUND_ALONE.fullmatch(e.text)]  # (not "no more than")
    if question.answer_type == "amount":  # an age, which the recogniser calls a date: "the 91-year-old", "aged 91"
        found += [e for e in entities if e.label == "DATE" and (_AGE.search(e.text) or question.dimensions == ("age",)
                                                                and _an_age(text, e, question.of_thing))]  # "aged 96"
    if question.answer_type == "place":  # "came off the rails near Brindlecote": a name placed by "near" is a place,
        #                                  whatever the recogniser calls it
        found += [e for e in (*entities, *_untagged_names(text, entities)) if e.label in ("ORG", "NORP", "NAME")
                  and e not in found and placed(text, e)]
    pattern = _FALLBACK.get(question.answer_type)
    if pattern:  # what the recogniser misses: "Monday", "$42 million" in a table cell, "1.50am" taken for a number
        for m in pattern.finditer(text):
            if any(ch.isdigit() for ch in m.group(0)) or question.answer_type == "date":
                # (a time of day is one whatever the recogniser calls it: "pulled out at 7.18am" tagged a name)
                # (nor a figure the recogniser ran into a name: "Bertilla Gowthorpe £385" as a work of art)
                taken = (*found, *(e for e in entities if not (ANY_CLOCK.fullmatch(m.group(0)) and (
                    e.label in _NUMBER_LABELS or m.start() <= e.start and e.end <= m.end()))
                    and not (e.label not in _FIGURE_LABELS and re.search(r"[$€£¥]", m.group(0)))))
                if not any(e.start < m.end() and m.start() < e.end for e in taken):
                    found.append(Entity(m.group(0).strip(), "PATTERN", m.start(), m.start() + len(m.group(0).strip())))
    if question.answer_type == "amount":  # "at about 7.15am": a time of day, no count or sum
        found = [e for e in found if not CLOCK.match(text, e.start)]
    if question.answer_type == "amount" and question.measure and (dimension := unit_of(question.measure)[0]):
        # "how many seconds": a figure written in a unit of that measure ("by 7.3 seconds", whatever the recogniser
        # calls it), not the "11,400" spectators a few words after the unit
        written = [Entity(m.group(0), "QUANTITY", m.start(), m.end()) for m in MEASURED.finditer(text)
                   if unit_of(m.group(2))[0] == dimension]
        found = written or found
    if question.answer_type == "amount" and _SCORE_ASKED.search(question.asked) and SCORELINE.search(text):
        # "what was the scoreline", "how many points each", of a text that gives results: "won 81-76", not the
        # "four" minutes left nor "trailed 40-37 at half-time"
        found = [Entity(m.group(0), "SCORE", m.start(), m.end()) for m in SCORELINE.finditer(text)
                 if not _INTERIM.match(text[m.end():]) or _INTERIM.search(question.asked)]
    if question.changed_to:  # "what will the payment drop to": "reduce it to 238 euros", not "cut by 15 percent"
        found = [e for e in found if re.search(r"\bto\s+(?:about\s+|around\s+|roughly\s+)?$", text[max(0, e.start - 16):e.start])]
    if question.answer_type == "date" and _AHEAD.search(question.asked):  # "when does the limit come in": not the
        found = [e for e in found if not _past_weekday(e, text)]             # "voted on Wednesday" of the news
    if question.year_asked:  # "what year was skeldair founded": a year, not the "Monday" it stopped flying
        found = [e for e in found if _A_YEAR.search(e.text)]
    elif question.day_asked:  # "saltinghurst lido reopening day": a day, not the "1938" it was built nor "May"
        found = [e for e in found if not _YEAR_OR_MONTH.fullmatch(e.text.strip())]
    if question.answer_type == "date" and not re.search(r"\bhow\s+often\b", question.asked, re.I):
        # "when": a point in time, not a length, nor how often ("report every month")
        found = [e for e in found if not _DURATION.match(e.text.strip()) and not _FREQUENCY.match(e.text.strip())]
    if question.dimensions == ("age",):  # "how old is she": "aged 96", "who turned 93", "Albreda Tregaskis, 67,", not
        #                                   the "eleven interviews" she gave
        found = [e for e in found if _an_age(text, e, question.of_thing)]
    elif question.dimensions == ("clock",):  # "what time did the road cave in": "4.50am", not "on Wednesday"
        found = [e for e in found if ANY_CLOCK.search(e.text)]
    elif question.dimensions:  # "how far did she swim": "41 kilometres", not the "20" of "Aug 20"; "how long": "5 hours",
        #                          or until when ("keeps the toll income until 2060")
        durations = [e for e in entities if e.label in ("DATE", "TIME") and e not in found]
        if "measure in time" in question.dimensions:  # "a day and a half", which the recogniser reads as "half"
            timed = [e for e in entities if e.label in ("DATE", "TIME")]
            durations += [Entity(m.group(0), "DATE", m.start(), m.end()) for m in _SPELT_DURATION.finditer(text)
                          if not any(e.start <= m.start() and m.end() <= e.end for e in timed)]
        found = [e for e in (*found, *durations) if amount_kind(e.text, text).startswith(question.dimensions)
                 and _QUANTITY.search(numerals(e.text))  # a measure is of a quantity: not "its busiest day"
                 or "measure in time" in question.dimensions and _UNTIL.search(text[max(0, e.start - 8):e.start])]
    # an age answers no other amount ("entrant count": not "vintage tractors, some of them more than 70 years old"; "how
    # many kids": not the "aged 13 to 15" of a survey)
    if question.answer_type == "amount" and question.dimensions != ("age",):
        found = [e for e in found if not _an_age(text, e)]
    # a count: not "$1.6 billion", not "18%", not "80 centimetres" (but "19 years" for "how many years")
    if question.tally:
        found = [e for e in found if e.label not in ("MONEY", "PERCENT") and (amount_kind(e.text, text) == "number"
                                                                             or any(_measures(question, w) for w in _WORD.findall(e.text)))]
    elif question.unit == "money":  # a price or a sum: not "31%", not the "six" of "ordered six container ships"
        found = [e for e in found if is_sum(e, text)]
    elif question.unit == "share" and _PERCENT_ASKED.search(question.asked):  # "rent increase percentage": "up by 12
        #                                                  per cent", not the "£58" of the new price (but "how much did
        #                                                  expenses decrease by" may be a sum)
        found = [e for e in found if amount_kind(e.text, text).startswith("share")]
    # (the word of what an amount counts is no name the question gives: "7.3 seconds" answers "how many seconds")
    asked, named = _asked(question) - {question.measure}, set(tokenize(" ".join(question.entities)))
    kept = [e for e in found if _answers(e, text, asked, question.answer_type, named, replaced)]
    if not kept and guess and question.answer_type in _NAMED_TYPES:
        # the small recogniser's labels are unsure for rare names ("Lindisholme" a person, "Ambervale Coaches"
        # a person), and it leaves some untagged ("Millbrook has won"): any other name, then the tagger's
        kept = [e for e in [*(e for e in entities if e.label in _NAME_LABELS and e not in found),
                            *_untagged_names(text, entities)]
                if _answers(e, text, asked, question.answer_type, named, replaced) and not TITLE.fullmatch(f"{e.text} ")
                and not (question.answer_type in ("place", "organization") and TITLE.match(e.text))  # "Ms Truscott"
                and not (question.answer_type == "place" and e.label == "PERSON" and len(e.text.split()) > 1
                         and not placed(text, e))]  # "A vet, Ezra Macrae," is no place (but a rare one-word name
        #                                             may be: "Lindisholme has been picked as the home of ...")
    if question.answer_type in _NAMED_TYPES and not _POSSESSED.search(question.asked):
        # "Agathe Morvan's" owns what the sentence is about: no answer to "who bought the painting" (but "led by the
        # University of Ellesby's earth sciences department": the university's own)
        kept = [e for e in kept if not (re.search(r"['’]s?$", e.text) and (e.label == "PERSON" or not _PROPER.search(e.text)))]
    if question.answer_type == "place" and _COUNTRY.search(question.asked):  # "which country": not "the Atlantic"
        kept = [e for e in kept if not any(o.label in ("LOC", "FAC") and o.start < e.end and e.start < o.end
                                           for o in entities)]
    return sorted(kept, key=lambda e: e.start)


_COUNTRY = re.compile(r"\b(?:countr(?:y|ies)|nations?|nationality)\b", re.I)
_SPELT_DURATION = re.compile(r"\b(?:(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
                             r"(?:and\s+a\s+half\s+)?|half\s+an?\s+)(?:minute|hour|day|night|week|month|year)s?"
                             r"(?:\s+and\s+a\s+half)?\b(?!-)", re.I)  # not "a month-long search"
_PARTITIVE = re.compile(r"\s+of\s+(?:the|its|their|his|her|our)?\s*", re.I)
_A_YEAR = re.compile(r"(?<!\d)(?:1[0-9]|20)\d\d(?!\d)")
_QUANTITY = re.compile(r"\d|\b(?:an?|half|several|few|many|dozens?|hundreds|thousands)\b", re.I)
_UNTIL = re.compile(r"\b(?:until|till|through)\s+$", re.I)
_NUMBER_LABELS = frozenset(("CARDINAL", "ORDINAL", "QUANTITY"))
_NAMED_TYPES = frozenset(("person", "agent", "organization", "place", "entity"))
_NAME_LABELS = frozenset(("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"))
_POSSESSED = re.compile(r"\bwhose\b", re.I)
_PROPER = re.compile(r"\b[A-Z][a-z]")


def _untagged_names(text: str, entities: list[Entity]) -> list[Entity]:
    """Runs of proper nouns (the tagger's NNP) that no entity covers: invented and rare names the
    recogniser does not know ("Millbrook", "Ostrey"), though the tagger sees they are names."""
    names: list[Entity] = []
    for t in parse(text).tokens:
        if t.tag not in ("NNP", "NNPS") or not t.text[:1].isupper() or any(e.start <= t.start < e.end for e in entities):
            continue
        end = t.start + len(t.text)
        if t.text.isupper() and re.match(r"\s*(?:,|-|\u2013|\u2014)", text[end:]):
            continue  # a dateline ("WENMOUTH - Work to rebuild ..."), not a name
        if names and text[names[-1].end:t.start].strip() == "":  # the next word of the same name
            names[-1] = Entity(text[names[-1].start:end], "NAME", names[-1].start, end)
        else:
            names.append(Entity(t.text, "NAME", t.start, end))
    return names


# a place, whatever the recogniser calls it: "the terminal in Brindle Quay"
_PLACED = re.compile(r"\b(?:in|at|near|off|outside|beyond|along|across)\s+(?:the\s+)?$|"  # ... or "the town of X"
                     r"\b(?:town|city|village|hamlet|county|region|district|province|island|port|parish)\s+of\s+$", re.I)
# a date relative to the article's own day says nothing by itself
_RELATIVE = re.compile(r"^(?:today|tonight|yesterday|tomorrow|now|recently|(?:this|last|next)\s+\w+|"
                       r"(?:earlier|later)\s+this\s+\w+)$", re.I)


# a value the sentence gives as superseded, in the clause before it: "not the 340 earlier reported", "52, not 37", "an
# earlier notice said it would reopen on Wednesday", "earlier reports put the figure at 16"
_SUPERSEDED = re.compile(r"\b(?:not(?:\s+(?:to|by|at|in|on|for|from))?(?:\s+the)?|rather\s+than|instead\s+of)\s*$|\b(?:earlier|previous|initial|original)\s+"
                         r"(?:\w+\s+){0,2}?(?:reports?|notices?|counts?|figures?|estimates?|versions?|"
                         r"statements?|announcements?)\b|\b(?:earlier|previously|initially|originally|first)\s+"
                         r"(?:reported|said|stated|announced|given)\b", re.I)


# ... or after it, as what was wrong: "The 71 percent figure the co-op gave out had been misread", "gave her age as 13;
# that was wrong"
_WRONG_AFTER = re.compile(r"(?:[^.;!?]{0,60}?\s|\s*[;,–—-]\s*(?:that|this|which|it)\s+)(?:(?:had|has|have)\s+been|was|were|is)"
                          r"\s+(?:\w+\s+)?(?:misread|misheard|misprinted|mistaken|wrong|incorrect|transposed|"
                          r"an?\s+(?:error|mistake|typo)|in\s+error)\b", re.I)


_TITLED = re.compile(rf"\b{TITLE.pattern.lstrip('^')}$", re.I)  # a person's title just before a name
_EVENT = re.compile(r"\b(?:during|throughout|since)\s+(?:the\s+)?$", re.I)
_ATTRIBUTED = re.compile(r"\b(?:(?:said|says|announced|reported|confirmed|(?:updated|revised|corrected)(?:\s+(?:its|their|the)\s+"
                         r"\w+)?)\s+(?:on\s+)?|told\s+[^.;,]{1,60}?\s+on\s+)$", re.I)  # "updated its figure on Thursday"


def placed(text: str, e: Entity) -> bool:
    """The name follows "in", "at", "near", "off" ...: a place, whatever the recogniser calls it ("ships off the
    Mordle Rocks")."""
    return bool(_PLACED.search(text[max(0, e.start - 12):e.start]))


def _answers(e: Entity, text: str, asked: set[str], answer_type: str, named: set[str] = frozenset(),
             replaced: bool = False) -> bool:
    """A span that can answer: not one the question names itself ("Okafor" in "who took over from Okafor",
    "the Halden Port Authority" in "who got the top job at Halden port"), nor a name holding a name the
    question gives (`named`: "Westerfold city council" asked which company won Westerfold's contract), no
    person or organisation placed by "in" or "at", no date relative to the day of writing ("today"), no
    value the sentence says was superseded."""
    stems = tokenize(e.text)
    if stems and (2 * len(set(stems) & asked) > len(stems) or answer_type in _NAMED_TYPES and set(stems) & named):
        return False
    return stated(e, text, answer_type, replaced)


def _describes(text: str, e: Entity) -> bool:
    """The name is an adjective of the noun after it, by the tagger ("the Victorian lighthouse")."""
    after = next((t for t in parse(text).tokens if t.start >= e.end), None)
    return after is not None and after.tag in ("NN", "NNS", "JJ")


def stated(e: Entity, text: str, kind: str, replaced: bool = False) -> bool:
    """The sentence states the value as its own: not a person placed by "in" or "at", not a date relative
    to the day of writing ("today"), not a value it says was superseded (unless `replaced`)."""
    if kind in ("person", "agent", "organization") and (placed(text, e) or _EVENT.search(text[max(0, e.start - 20):e.start])):
        return False  # "the tunnel in Brackwater", "collapsed during Storm Orla": a place, an event
    if kind == "organization" and _TITLED.search(text[:e.start]):
        return False  # "Mr Ferrandiz": a person, whatever the recogniser calls him
    if kind in ("person", "agent", "organization") and e.label == "NORP" and _describes(text, e):
        return False  # "the Victorian lighthouse", "Roman silver coins": a word that describes a thing, no one who acts
    if kind == "date" and _RELATIVE.match(e.text.strip()) and not RELATIVE_DAY.match(e.text.strip()):
        return False  # "recently", "this week"; a day ("yesterday") is placed by its article's date (`day_said`)
    clause = re.split(r"[;.:!?]\s", text[:e.start])[-1]
    return replaced or not (_SUPERSEDED.search(clause) or _WRONG_AFTER.match(text, e.end))


_DATELINE = re.compile(r"(?:^|\n)[A-Z][A-Z .'’-]+,\s*$")  # "ASHVALE, June 4 (Lodestar Wire) - ..."


_BARE_WEEKDAY = re.compile(rf"(?:on\s+|last\s+)?{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?", re.I)


def _past_weekday(e: Entity, text: str) -> bool:
    """A weekday alone that dates something done, in the past tense ("Councillors voted 14 to 9 on Wednesday", "opened
    to traffic on Monday"): the news of the week, not a date to come ("the strike will begin on Monday")."""
    if not _BARE_WEEKDAY.fullmatch(e.text.strip()):
        return False
    before = [t for t in parse(text).tokens if t.start < e.start][-7:]
    return any(t.tag in ("VBD", "VBN") for t in before) and not any(t.tag in ("MD", "TO") for t in before)


def attributed(e: Entity, text: str) -> bool:
    """A date that dates the report ("said on Monday", a wire story's dateline), not what it reports."""
    return bool(_ATTRIBUTED.search(text[max(0, e.start - 80):e.start]) or _DATELINE.search(text[:e.start]))


# (and what is done by saying it: "who from the union criticised the sale terms" is answered by who said so)
_SAYING = re.compile(r"\b(?:say|said|says|announc\w*|report\w*|confirm\w*|told|unveil\w*|publish\w*|name[ds]?|"
                     r"critici[sz]\w*|complain\w*|warn\w*|object\w*|argu\w*|prais\w*|condemn\w*|accus\w*|welcom\w*|"
                     r"protest\w*|question\w*|defend\w*|blam\w*|urg\w*|insist\w*|admit\w*|apologi[sz]\w*|call\w*)\b",
                     re.I)


SPEECH_VERB = r"\b(?:said|says|told|added|explained|confirmed|announced|stated)\b"  # who says what a sentence reports


def speaks(question: Question, span: str, text: str) -> bool:
    """`span` is who says what `text` reports ("said Julian Prideaux, head of paintings", "Treharne said"),
    and the question asks who did something, not who said it."""
    at = text.find(span)
    return question.answer_type in ("person", "agent") and at >= 0 and not _SAYING.search(question.asked) and bool(
        re.search(rf"{SPEECH_VERB}\s*$", text[max(0, at - 20):at])
        or re.match(rf"\s*(?:,[^,]{{0,90}},\s*)?(?:on\s+\w+\s+)?{SPEECH_VERB}", text[at + len(span):]))


def reports_date(question: Question, span: str, text: str) -> bool:
    """`span` dates the report in `text` ("the service said on Tuesday"), and the question asks when something
    happens, not when it was said."""
    at = text.find(span)
    return question.answer_type == "date" and at >= 0 and not _SAYING.search(question.asked) \
        and attributed(Entity(span, "DATE", at, at + len(span)), text)


_FIGURE_LABELS = frozenset(("MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "DATE", "TIME"))
_BOUND_ALONE = re.compile(r"(?:\s*\b(?:no|not|more|less|fewer|than|about|around|some|only|nearly|almost|over|under|up|"
                          r"to|at|least|most)\b)+", re.I)  # a bound the recogniser took for a number, with no number
_YEAR_OR_MONTH = re.compile(rf"(?:in\s+)?(?:(?:1[0-9]|20)\d\d|{MONTH}(?:\s+(?:1[0-9]|20)\d\d)?)", re.I)
_AHEAD = re.compile(r"\bwhen\s+(?:does|do|will|can|could|would|should|is|are)\b", re.I)  # a date to come, or that holds
_ON_CALENDAR = re.compile(rf"\b{MONTH}\b|(?<!\d)(?:19|20)\d\d(?!\d)|\d{{1,2}}[/.-]\d{{1,2}}", re.I)
_AGE = re.compile(r"\b\w+[- ]years?[- ]old\b|\baged\s+\w+", re.I)
_AGE_WORDS = re.compile(r"(?i:\b(?:aged|turned|turns|turning|age\s+of|age)\s+$|(?:^|[.;]\s+)at\s+$)"
                        r"|[A-Z][\w'’-]+(?:,\s+who)?\s+(?:is|was)\s+$")  # "turned 93", "At ninety-three, the former
#                                                  baker", "Mrs Pallister, who is 83, has seen", "that Mrs Pallister was 79"
_APPOSED = re.compile(r"[A-Z][\w'’-]+,\s+(?:now\s+|then\s+|still\s+)?$")  # "Albreda Tregaskis, 67, a retired
#                                                   postmistress", "Zuleika Wilmcote, now 86, stood by her press"


def _an_age(text: str, e: Entity, of_thing: bool = False) -> bool:
    """Is the span an age: "aged 96", "the 91-year-old", "who turned 93", "Albreda Tregaskis, 67,"; a thing's
    (`of_thing`): "began growing about 8,000 years ago"."""
    before = text[max(0, e.start - 20):e.start]
    return bool(_AGE.search(e.text) or _AGE_WORDS.search(before) and amount_kind(e.text, text) == "number"  # not
                #                                                                  "Turnout was 47 percent"
                or re.match(r"(?:[- ]years?)?[- ]old\b", text[e.end:])
                or of_thing and (re.search(r"\byears?\s+ago$", e.text)
                                 or re.search(r"\byears?$", e.text) and re.match(r"\s+ago\b", text[e.end:]))
                or _APPOSED.search(before) and re.match(r"\s*[,)]", text[e.end:]) and e.text.strip().isdigit())


_UNIT_ON = re.compile(rf"(?:{UNIT_WORD})\b", re.I)
_SCALE_AFTER = re.compile(r"(?:\s?(?:million|billion|trillion|thousand)\b|(?:bn|mn|tn|m|k)\b)", re.I)


def entities_of(text: str) -> list[Entity]:
    """The recogniser's entities, amounts with their currency sign and scale."""
    return [w for e in parse(text).entities if (w := _widened(text, e))]


def _widened(text: str, e: Entity) -> Entity | None:
    """An amount with the currency sign and scale the recogniser left out: "$65m", not "65"; a name without
    the conjunction the recogniser ran on to ("Kelsall Road and") or a dateline before it ("WENMOUTH - Work")."""
    if e.label not in ("MONEY", "CARDINAL", "QUANTITY"):
        undated = re.sub(r"^[A-Z][A-Z .'’]+\s+[-–—]\s+", "", e.text)
        trimmed = re.sub(r"(?:\s+(?:and|or|of|the|&))+$", "", undated)
        if undated != e.text and " " not in trimmed:
            return None  # the word after a dateline is the sentence's first ("KELLOWAY - A seascape"): no name
        if not trimmed or trimmed == e.text:
            return e
        at = e.start + e.text.index(trimmed)
        return Entity(trimmed, e.label, at, at + len(trimmed))
    start = e.start - 1 if e.start and text[e.start - 1] in "$€£¥" else e.start
    scale = _SCALE_AFTER.match(text, e.end) if not _SCALE_AFTER.search(e.text) else None
    # or a unit written on to the figure ("a 312g lump", "a 41km swim"): "312g", not "312"
    unit = _UNIT_ON.match(text, e.end) if not scale and e.label == "CARDINAL" else None
    end = scale.end() if scale else unit.end() if unit else e.end
    return e if (start, end) == (e.start, e.end) else Entity(text[start:end], e.label, start, end)


def _anchors(question: Question, text: str) -> list[int]:
    """Where the sentence says what the question asks: its role words first, else its terms."""
    if question.role:
        r = re.escape(question.role).replace("\\ ", r"\s+")
        found = [m.end() for m in re.finditer(rf"(?i:\b{r})", text)]
        if found:
            return found
    terms = set(question.terms)
    return [m.start() for m in _WORD.finditer(text) if set(tokenize(m.group(0))) & terms]


def _measured(question: Question, text: str, spans: list[Entity]) -> list[Entity]:
    """For "how many visitors": the amounts the sentence ties to visitors (the noun within a few words
    of the figure); [] when it gives no amount of that."""
    if not question.measure:
        return spans
    words = list(_WORD.finditer(text))
    at = [i for i, m in enumerate(words) if _measures(question, m.group(0))]

    def index(pos: int) -> int:
        return next((i for i, m in enumerate(words) if m.end() > pos), len(words))

    near = [e for e in spans if any(0 < i - index(e.end - 1) <= AFTER_AMOUNT or 0 < index(e.start) - i <= BEFORE_AMOUNT
                                    or index(e.start) <= i <= index(e.end - 1) for i in at)
            or _STANDS_FOR.match(text, e.end) and any(i < index(e.start) for i in at)]
    # a part of a whole that is: "treated 41 of the 300 workers" gives 41 workers, what the sentence says of them
    parts = {id(w): e for e in spans if e not in near for w in near if _PARTITIVE.fullmatch(text[e.end:w.start])}
    near = [parts.get(id(e), e) for e in near]
    # "how much did the stadium cost": the amount beside the stadium, else one in a sentence about it ("The
    # Corvale Arena will cost $1.4 billion, the stadium's authority said")
    return near if question.counted else near or (spans if at else [])


def _measures(question: Question, word: str) -> bool:
    """The word names what is measured: its stem, one of the same root ("injuries" / "injured"), or one of
    the same meaning in the passages found ("homes" for "houses": `Question.measure_like`)."""
    measure = question.measure
    return any(stem == measure or stem in question.measure_like or min(len(stem), len(measure)) >= 5 and
               (stem.startswith(measure) or measure.startswith(stem)) for stem in tokenize(word))


def attached(question: Question, text: str) -> bool:
    """The sentence gives an amount of what the question measures (or it measures nothing named)."""
    return bool(_measured(question, text, typed_spans(text, question)))


def is_sum(e: Entity, text: str) -> bool:
    """A sum of money: "$65m", "about 19 million euros"."""
    return e.label == "MONEY" or amount_kind(e.text, text).startswith("money")


def in_unit(question: Question, e: Entity, text: str) -> bool:
    """The span is in the unit the question asks (a sum of money for "how much will it cost", a share for "how
    big a raise"), or the question asks none."""
    if not question.unit:
        return True
    return is_sum(e, text) if question.unit == "money" else amount_kind(e.text, text).startswith(question.unit)


def on_calendar(span: str) -> bool:
    """A date that names its day, month or year ("11 July 1986", "on Friday"), not one relative to the news ("40 years
    ago", "yesterday")."""
    return bool(_DATE.search(span))


def answer_span(question: Question, text: str) -> str:
    """The short answer in `text`: the span of the asked type nearest to what the question asks; ""
    when there is none (the answer is then the quote alone)."""
    spans = typed_spans(text, question)
    if question.unit:  # "how much will it cost": a sum of money, not "7-2" nor a "four-penny" stamp; "how big a raise":
        #                a share, not the "three" hospitals; none where the sentence gives none (the quote alone answers)
        spans = [e for e in spans if in_unit(question, e, text)]
    if question.measure and any(_measures(question, w) for w in _WORD.findall(text)):
        spans = _measured(question, text, spans)  # "how many visitors": only a figure of visitors, if any
    if not spans:
        return ""
    anchors = _anchors(question, text)

    def distance(e: Entity) -> int:  # to the nearest word of the question (none: the first span)
        return min((0 if e.start <= a <= e.end else min(abs(a - e.start), abs(a - e.end)) for a in anchors), default=0)

    if question.answer_type == "date" and _AHEAD.search(question.asked):
        # "when does the ban kick in": the date it takes effect ("from 1 October 2026"), not the day of the news ("voted
        # on Wednesday"), where the sentence gives both
        spans = [e for e in spans if _ON_CALENDAR.search(e.text)] or spans
    if question.role and KIND_OF.get((tokenize(question.role) or [""])[-1]) == "person":
        spans = [e for e in spans if e.label == "PERSON"] or spans  # "who is the music director": a person
    if question.answer_type == "place":  # "near Brindlecote", not "the line between Kelsall Road and Dunmarsh"; but
        #                                  "Lake Orrick, near Wexcombe": the second places the first
        locators = [e for e in spans if any(re.fullmatch(r",\s*(?:near|in|outside)\s+(?:the\s+)?", text[o.end:e.start])
                                            for o in spans)]
        spans = [e for e in spans if e not in locators]
        spans = [e for e in spans if placed(text, e)] or spans
    if question.answer_type == "date":  # "said on Monday" dates the report, not what it reports
        spans = [e for e in spans if not attributed(e, text)] or spans
    if question.answer_type == "date":  # "February 12, 2025" answers "when" better than "fourth-quarter"
        full = [e for e in spans if _DATE.search(e.text) and any(ch.isdigit() for ch in e.text) or _WEEKDAY_RE.search(e.text)]
        spans = full or spans
    return min(spans, key=lambda e: (distance(e), e.start)).text
