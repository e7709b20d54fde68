"""Sources that disagree: the same fact stated with another value in another article of the same
story (a first report and its correction, two outlets). Copies of one claim count once."""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from rapidfuzz import fuzz

from index.lexical import tokenize
from index.load import normalize_date
from index.store import Store, per_generation

from .evidence import Evidence
from .language import parse
from .textscan import ANY_CLOCK, SCORELINE, UNIT_WORD, clock_time, measured, numerals, unit_of
from .thresholds import SAME_STORY, STORY_DAYS

_VALUE = re.compile(r"(?:[$€£¥]\s*)?\d[\d,.]*\s*%?|\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")


def _values(text: str) -> set[str]:
    return {v.strip() for v in _VALUE.findall(text)}


def _frame(text: str) -> str:
    return _VALUE.sub("#", text)


@per_generation(maxsize=2048)
def _article_words(store: Store, generation: str, article_id: str) -> tuple[frozenset[str], float]:
    """The words of one article as stored and their idf weight (cached until the manifest changes)."""
    got = store.chunks.get(where={"article_id": article_id}, include=["documents"])
    words = frozenset(tokenize(" ".join(got["documents"])))
    return words, sum(map(store.lexical().idf, words))


def shared(store: Store, a: Evidence, b: Evidence) -> float:
    """The share of words two articles have in common, each weighed by its idf, so that the vocabulary
    of a genre (two companies' financial reports) does not make two stories one."""
    return shared_words(store, a.chunk.article_id, b.chunk.article_id)


def shared_words(store: Store, a: str, b: str, generation: str = "", idf=None) -> float:
    """`shared`, of two articles by their ids (`generation` and `idf`: the store's, when a caller
    compares many pairs: each lookup asks Chroma)."""
    generation = generation or store.generation()
    idf = idf or store.lexical().idf
    (words_a, weight_a), (words_b, weight_b) = (_article_words(store, generation, x) for x in (a, b))
    return sum(map(idf, words_a & words_b)) / (min(weight_a, weight_b) or 1.0)


def close_in_time(a: str, b: str) -> bool:
    """Two publication dates within STORY_DAYS of each other: news of one event."""
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) <= STORY_DAYS
    except ValueError:  # undated (reports, pages): never
        return False


def same_story(store: Store, a: Evidence, b: Evidence) -> bool:
    """Two articles about the same events: most of their words are shared (wire copies, rewrites)."""
    return shared(store, a, b) >= SAME_STORY


def find_conflicts(store: Store, best: Evidence, others: list[Evidence]) -> list[Evidence]:
    """Evidence from other articles that states the same fact with another value."""
    found: list[Evidence] = []
    for ev in others:
        if ev.chunk.article_id == best.chunk.article_id or ev.score < 0.8 * best.score:
            continue
        if best.values and ev.values:  # table cells under the same row and column names
            same_frame = fuzz.ratio(best.about.lower(), ev.about.lower()) >= 90
            differs = [v.lower() for v in best.values] != [v.lower() for v in ev.values]
        else:
            a, b = _values(best.statement), _values(ev.statement)
            same_frame = _similar_frames(best.statement, ev.statement) >= 75
            differs = bool(a ^ b) and bool(a) and bool(b)
        # one citation per value: five copies of a figure are one claim, not five sources
        if same_frame and differs and not any(_claim(f) == _claim(ev) for f in found) \
                and same_story(store, best, ev):
            found.append(ev)
    return found[:2]


# a closing attribution: ", according to X." / ", the ministry said in its account." / ", sources told X."
_ATTRIBUTION = re.compile(r",\s+(?:according to\b[^,]*|[^,]{0,60}\b(?:said|says|reported|reports|told|understands|"
                          r"learned|learnt|reveal|reveals|revealed|confirmed|announced|added)\b[^,]*)[.!]?$")


def _similar_frames(a: str, b: str) -> float:
    """How alike two statements are once their values are masked and their closing attributions
    dropped (rewrites of one report differ most in who they say said it)."""
    return fuzz.ratio(_frame(_ATTRIBUTION.sub("", a.strip())), _frame(_ATTRIBUTION.sub("", b.strip())))


def _claim(ev: Evidence) -> tuple[str, ...]:
    """What a piece of evidence asserts: its cells, or the figures of its statement (else its values)."""
    if ev.values:
        return tuple(v.lower() for v in ev.values)
    values = _values(ev.statement)
    return tuple(sorted(v for v in values if any(ch.isdigit() for ch in v)) or sorted(values))


def copies(a: Evidence, b: Evidence) -> bool:
    """The same fact with the same value (a conflict is the same fact with another value)."""
    return _claim(a) == _claim(b) and _similar_frames(a.statement, b.statement) >= 75


def distinct_value(ev: Evidence, group: list[Evidence]) -> str:
    """What this source says that the others do not ("Monday" against "Tuesday")."""
    if ev.values:
        return ", ".join(ev.values)
    mine = _values(ev.statement)
    others = set().union(*(_values(o.statement) for o in group if o is not ev))
    return ", ".join(sorted(mine - others)) or ev.statement


# a report that corrects another: "not the 340 earlier reported", "an earlier version of this story said", or
# names the figure it replaces as said before ("On the day it had put the number at 29", "initially estimated"),
# or owns an error ("A figure of £3,500 was given to reporters ... this was a mistake", "wrongly named")
# (a contrast only before a value: "not the 340", "rather than £3.4m", "instead of Tuesday"; not "rather than demolishing")
CORRECTS = re.compile(r"\b(?:not|rather\s+than|instead\s+of)\s+(?:the\s+|an?\s+)?(?=[\d$€£¥]|(?-i:[A-Z]))|"
                      r"\bupdate\s*[:(–—]|"  # "Update: ...", "Update (3 December): ..."
                      r"\b(?:earlier\s+version|"
                      r"first\s+(?:reported|announced|given)|correct(?:ed|ing|ion)|amended|revis(?:ed|ing)|updated|"
                      r"clarif(?:ied|ication)|editor['’]s\s+note|"
                      r"mistak(?:e|en|enly)|in\s+error|mis(?:read|heard|printed|reported)|transposed|got\s+(?:[\w'’]+\s+){0,3}wrong|"
                      r"erroneous(?:ly)?|wrongly|incorrect(?:ly)?|"
                      r"(?:the|was|were|is)\s+wrong|mix(?:ed)?\s+up|"
                      r"had\s+(?:been\s+)?(?:first\s+|initially\s+|originally\s+)?(?:put|given|estimated)|"
                      r"(?:earlier|previously|initially|originally)\s+(?:said|reported|stated|put|gave|given|estimated|"
                      r"announced))\b", re.I)
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
          "trillion": 1e12, "tn": 1e12}
_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|trillion|bn|mn|tn|[kmb])?\b", re.I)
_ACRONYM_DOTS = re.compile(r"\b((?:[A-Za-z]\.){2,})")


@lru_cache(maxsize=65536)  # dateparser is slow, and a briefing compares the same spans many times
def value_key(span: str, answer_type: str) -> str:
    """One spelling for answers that say the same ("$1.2 billion" / "1.2bn dollars", "Oct. 3" / "3 October",
    "U.S." / "US"): what two sources are compared on."""
    text = _ACRONYM_DOTS.sub(lambda m: m.group(1).replace(".", ""), span).strip()
    if answer_type == "amount":
        text = _AGE_SAID.sub("", text)  # "the 91-year-old", "aged 91": 91, an age
    if answer_type == "amount" and (result := SCORELINE.fullmatch(text)):  # "81-78" / "81–78": a result, both sides
        return "-".join(re.findall(r"\d+", result.group(0)))
    if answer_type == "amount" and (size := measured(text)) is not None:  # "41 kilometres" / "41km": 41000
        return f"{size:g}"
    if answer_type == "amount" and (m := _AMOUNT.search(numerals(text))):  # "ninety-three" / "93"
        number = float(m.group(1).replace(",", "")) * _SCALE.get((m.group(2) or "").lower(), 1)
        return f"{number:g}"
    if answer_type == "date" and (clock := clock_time(text)):  # "4.35am" / "4:35 a.m.": 04:35; "quarter past four": 04:15
        return clock
    if answer_type == "date" and (month := _MONTH_ALONE.match(text)):  # "November": the month is what is said
        return f"{_MONTHS.index(month.group(1)[:3].lower()) + 1:02d}"
    if answer_type == "date" and re.search(r"\d", text) and (when := normalize_date(text, ("en",))):
        return when[5:10] if re.search(r"[A-Za-z]", text) else when[:10]  # "Oct. 3": the year is not said
    return " ".join(w for w in re.sub(r"[^\w\s]", " ", text.lower()).split() if w != "the")


_UNIT = re.compile(rf"(?:[\s-]?\b|(?<=\d))({UNIT_WORD})\b", re.I)


_CURRENCY = r"(?:dollars?|euros?|pounds?|yen|yuan|francs?|crowns?|kronor)\b"


# a currency's code or short sign before a figure ("Rd 84,000", "CHF 300"), where the text speaks of money
_CODED = re.compile(r"\b(?!(?:Mr|Dr|St|No|Mt|Rt|Ms|Jr|Sr|Co|Ft|Lt)\b)(?:[A-Z][a-z]|[A-Z]{3})\.?\s?$")
_PRICED_WORDS = re.compile(r"\b(?:cost\w*|pa(?:y|id|ys|ying)|price\w*|worth|fees?|charge\w*|sp[ea]n[dt]\w*|raised?|"
                           r"budget\w*|fund\w*|grants?|fines?d?|sold|bought|earn\w*|wages?|salar\w+)\b", re.I)
_AGE_SAID = re.compile(r"[- ]years?[- ]old\b|^aged\s+", re.I)


def amount_kind(span: str, text: str = "") -> str:
    """What an amount counts: money, a share, or things ("$65m" and "three valleys" answer no one question),
    and per what when the text says ("24 dollars a share" is no price of the company)."""
    at = text.find(span)
    after = text[at + len(span):] if at >= 0 else ""
    before = text[:at] if at >= 0 else ""
    if _AGE_SAID.search(span):
        return "number"  # an age is a number of years, as "At ninety-three" says it
    unit = _UNIT.search(span) or _UNIT.match(after)
    if re.search(rf"[$€£¥]|\b{_CURRENCY}", span, re.I) or re.match(rf"\s*{_CURRENCY}", after, re.I) \
            or _CODED.search(before) and _PRICED_WORDS.search(text):
        kind = "money"  # "$65m", "about 19 million euros"; "will cost Rd 84,000", a currency's code or sign
    elif re.search(r"%|\bper\s?cent\b|\bpercent", span, re.I):
        kind = "share"
    else:  # "400-metre", "1,600 tonnes": a measure in its unit, not a count
        kind = f"measure in {unit_of(unit.group(1))[0]}" if unit else "number"
    per = re.match(r"\s+(?:a|an|per|each)\s+(\w+)", after)
    return f"{kind} per {per.group(1).lower()}" if per else kind


# "more than 30", "about 6,000", "dozens": a bound or an estimate agrees with any figure near it
_HEDGED = re.compile(r"\b(?:more|less|fewer|over|under|about|around|nearly|almost|roughly|some|at\s+least|up\s+to|"
                     r"dozens|hundreds|thousands|several|many)\b", re.I)
# a part of a month or a year is no exact date ("late February", "2024", "H2 2025"); a month is compared as a month
# ("November" / "December" disagree, "February" / "February 6" agree: `same_value`)
_COARSE_DATE = re.compile(r"^(?:early|late|mid)[- ]?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?$|"
                          r"^(?:(?:the|this|next|last)\s+)?(?:early\s+|late\s+)?(?:spring|summer|autumn|fall|winter)\b|"
                          r"^\d{4}$|^(?:the\s+)?(?:first|second|third|fourth|last|final)\s+(?:half|quarter)\b|"
                          r"^[HQ][1-4]\b", re.I)  # "the second half of 2025", "H2 2025": no day to disagree on
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_ALONE = re.compile(r"^(?:in\s+)?((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\.?$", re.I)


def exact(span: str, year_asked: bool = False) -> bool:
    """An answer precise enough to disagree with another: no bound or estimate, no part of a month or year
    alone (but a year where a year is asked), one value (not "May and June")."""
    coarse = _COARSE_DATE.match(span.strip()) and not (year_asked and re.fullmatch(r"\d{4}", span.strip()))
    return not _HEDGED.search(span) and not coarse and not re.search(r"\b(?:and|or)\b", span)


APPROXIMATE = re.compile(r"\b(?:about|around|nearly|almost|roughly|some|approximately|an\s+estimated)\b", re.I)
_AT_LEAST = re.compile(r"\b(?:more|over|at\s+least)\b", re.I)
_AT_MOST = re.compile(r"\b(?:less|fewer|under|up\s+to)\b", re.I)
ROUNDING = 0.1  # "about 6,000" is 5,400 to 6,600: how far an estimate's figure may be from the exact one


def fits(estimate: str, key: str) -> bool:
    """An estimate or a bound agrees with an exact figure (`value_key`'s number): "about 6,000" with 6,240,
    "more than 30" with 45; "dozens", "thousands" with any."""
    try:
        e = float(value_key(estimate, "amount"))
    except ValueError:  # no figure in it ("dozens")
        return True
    try:
        v = float(key)
    except ValueError:  # a figure against none ("about 16 kilometres" / "a day")
        return False
    if _AT_LEAST.search(estimate):
        return v >= e
    if _AT_MOST.search(estimate):
        return v <= e
    return abs(v - e) <= ROUNDING * max(abs(v), abs(e)) if APPROXIMATE.search(estimate) else True


def precision(span: str) -> str:
    """What a date names: a month ("November"), a time of day ("4.35am") or a day ("Wednesday", "March 15")."""
    return "month" if _MONTH_ALONE.match(span.strip()) else "time" if ANY_CLOCK.search(span) else "day"


_WEEKDAYS = ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun")
# a day named by its relation to the day of writing: "yesterday", "on Tuesday", "last Friday night"
RELATIVE_DAY = re.compile(r"^(?:(?:on|last|this|next)\s+)?(?:(mon|tues|wednes|thurs|fri|satur|sun)day|"
                          r"(yesterday|today|tonight|tomorrow|last\s+night))(?:\s+(?:morning|afternoon|evening|night))?$",
                          re.I)
_AHEAD_SAID = re.compile(r"\b(?:due|from|until|till|expected|planned|scheduled|next)\b", re.I)


def day_said(span: str, published: str, sentence: str = "") -> date | None:
    """The calendar day a relative day names, by its article's date: "yesterday" the day before; a weekday the last
    one on or before the article's date where the sentence tells of it as done ("voted on Tuesday"), the next one on
    or after where as to come ("will reopen on Tuesday", "is due to", "from Monday"); None for any other span or an
    undated article."""
    if not (m := RELATIVE_DAY.match(span.strip())):
        return None
    try:
        base = date.fromisoformat(published[:10])
    except ValueError:
        return None
    if m.group(2):
        return base + timedelta({"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}.get(m.group(2).lower(), -1))
    want = _WEEKDAYS.index(m.group(1).lower())
    said = span.strip().lower()
    at = max(sentence.find(span), 0)
    before = re.split(r"[;:!?]\s|\.\s", sentence[:at])[-1]
    tags = [(t.text.lower(), t.tag) for t in parse(before).tokens[-8:]]
    after, past = base + timedelta((want - base.weekday()) % 7), base - timedelta((base.weekday() - want) % 7)
    if said.startswith("next") or not said.startswith("last") and (
            _AHEAD_SAID.search(before[-40:]) or any(tag in ("MD", "TO") for _, tag in tags)
            or any(tag in ("VBP", "VBZ") and w not in ("has", "have", "'s", "’s") for w, tag in tags)
            and not any(tag == "VBD" for _, tag in tags)):
        return after
    if said.startswith("last") or any(tag in ("VBD", "VBN") for _, tag in tags):
        return past
    return min(after, past, key=lambda d: abs(d - base))  # "Saturday's concert": no tense, the nearer
