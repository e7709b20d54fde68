"""Values read from a sentence's text alone: the one value two near-identical sentences differ in,
the numbers it gives (and those written in words), its measures in their units, and the dates and years it
names."""
from __future__ import annotations

import datetime
import difflib
import re

from text_to_num import alpha2digit

_LABEL = re.compile(r"\b(?:Note|Item|Section|Part|Chapter|Table|Figure|Exhibit|Appendix|page|No\.)$", re.I)  # "Note 12"
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_YEARS = re.compile(r"\b(?:19|20)\d\d\b")


def _is_value(words: list[str], at_start: bool) -> bool:
    return any(any(ch.isdigit() for ch in w) or (w[:1].isupper() and not (at_start and i == 0))
               for i, w in enumerate(words))


def variant(a: str, b: str) -> tuple[str, str] | None:
    """(value in a, value in b) when two sentences say the same thing but for one value (a number, a
    date, a name): "reopened on Monday" / "reopened on Tuesday". Two changed places mean two facts."""
    wa, wb = a.split(), b.split()
    ops = [op for op in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes() if op[0] != "equal"]
    if len(ops) != 1 or ops[0][0] != "replace":
        return None
    _, i1, i2, j1, j2 = ops[0]
    if max(i2 - i1, j2 - j1) > 3 or len(wa) - (i2 - i1) < 5:
        return None
    va, vb = " ".join(wa[i1:i2]).strip(".,;:"), " ".join(wb[j1:j2]).strip(".,;:")
    if va == vb or not (_is_value(wa[i1:i2], i1 == 0) and _is_value(wb[j1:j2], j1 == 0)) \
            or _LABEL.search(" ".join(wa[:i1])):
        return None
    return va, vb


def frame(text: str, value: str) -> str:
    """What a value is about: the words before it, "The Harbor Bridge reopened to traffic on …"."""
    before = text[:text.find(value)].split()[-7:] if value in text else text.split()[:7]
    return " ".join(before) + " …"


def numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,.]*", text)


def is_year(value: str) -> bool:
    return bool(_YEAR.match(value))


def last_years(text: str) -> tuple[str, ...]:
    """The years named by the last line or sentence of `text` that names any."""
    lines = [ln for ln in re.split(r"\n|(?<=[.!?])\s", text) if _YEARS.search(ln)]
    return tuple(_YEARS.findall(lines[-1])) if lines else ()


# a time of day, which the small recogniser often leaves untagged: "4.35am", "3:42 a.m.", "14:05"
CLOCK = re.compile(r"\b\d{1,2}(?:[.:]\d\d)?\s?(?:[ap]\.m\.|[ap]m\b)|\b\d{1,2}:\d\d\b", re.I)
# ... or in words: "quarter past four in the morning", "eleven o'clock", "ten at night", "midnight"
_HOUR = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_DAYPART = r"(?:\s+in\s+the\s+(?:morning|afternoon|evening)|\s+at\s+night)"
SPELT_CLOCK = re.compile(rf"\b(?:(?:a\s+)?(?:quarter|half|five|ten|twenty|twenty-five)\s+(?:past|to)\s+{_HOUR}(?:\s+o['’]clock)?"
                         rf"{_DAYPART}?|{_HOUR}\s+o['’]clock{_DAYPART}?|{_HOUR}{_DAYPART}|midnight|midday|noon)\b", re.I)
ANY_CLOCK = re.compile(f"{CLOCK.pattern}|{SPELT_CLOCK.pattern}", re.I)
_PAST = {"quarter": 15, "half": 30, "five": 5, "ten": 10, "twenty": 20, "twenty-five": 25}
_HOURS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def clock_time(text: str) -> str:
    """The first time of day in `text` as "HH:MM" ("4.35am", "4:35 a.m." -> 04:35; "2pm" -> 14:00; "quarter past four in
    the morning" -> 04:15; "ten at night" -> 22:00), "" if none. A time without am/pm or a part of the day is read as
    written."""
    m = ANY_CLOCK.search(text)
    if not m:
        return ""
    said = m.group(0).lower()
    if re.search(r"\d", said):
        hour, minute = ([int(n) for n in re.findall(r"\d+", said)] + [0])[:2]
        if re.search(r"[ap]", said):
            hour = hour % 12 + (12 if "p" in said else 0)
        return f"{hour:02d}:{minute:02d}"
    if said in ("midnight", "midday", "noon"):
        return "00:00" if said == "midnight" else "12:00"
    words = [w for w in re.findall(r"[a-z]+(?:-[a-z]+)?", said) if w != "a"]  # "a quarter to nine"
    hour = next(_HOURS.index(w) + 1 for w in reversed(words) if w in _HOURS)
    minute = 0
    if len(words) > 2 and words[1] in ("past", "to"):
        minute = _PAST[words[0]]
        if words[1] == "to":
            hour, minute = hour - 1 or 12, 60 - minute
    if re.search(r"afternoon|evening|night", said) and hour < 12:
        hour += 12
    elif re.search(r"morning", said) and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


_MERIDIEM = re.compile(r"\d\s*[ap]\.?\s?m\b|\b(?:morning|afternoon|evening|night|noon|midday|midnight)\b", re.I)


def same_clock(a: str, b: str) -> bool:
    """Two times of day that may be one, where one says no am, pm or part of the day ("five past eleven" / "11.05pm")."""
    x, y = clock_time(a), clock_time(b)
    if not x or not y or (_MERIDIEM.search(a) and _MERIDIEM.search(b)):
        return x == y and bool(x)
    (xh, xm), (yh, ym) = (map(int, t.split(":")) for t in (x, y))
    return xm == ym and xh % 12 == yh % 12


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE = re.compile(rf"\b(?:(?P<m1>{MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)"
                   rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{MONTH}),?\s+(?P<y2>(?:19|20)\d\d)"
                   rf"|(?P<m3>{MONTH})\s+(?P<y3>(?:19|20)\d\d)|(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d))\b")


def stated_dates(text: str) -> list[str]:
    """ISO dates stated in a sentence: days ("31 March 2019", "March 5, 2024") and months ("May 2024")."""
    out = []
    for m in _DATE.finditer(text):
        n = next(i for i in "1234" if m.group(f"y{i}"))
        month = m.group(f"m{n}")
        month = int(month) if month.isdigit() else MONTHS.index(month[:3].lower()) + 1
        day = int(m.group(f"d{n}")) if n != "3" else 1
        try:
            iso = datetime.date(int(m.group(f"y{n}")), month, day).isoformat()
        except ValueError:  # "February 30, 2024"
            continue
        out.append(iso[:7] if n == "3" else iso)
    return list(dict.fromkeys(out))


# units of measurement: what a figure with one measures, and the unit's size in that dimension's base unit (metres,
# kilograms, seconds), so that "41 kilometres" and "41km", "4 hours 17 minutes" and "257 minutes" are one value
_UNIT_SIZES = {
    "length": {r"kilomet(?:re|er)s?|km": 1e3, r"met(?:re|er)s?": 1.0, r"centimet(?:re|er)s?|cm": 1e-2,
               r"millimet(?:re|er)s?|mm": 1e-3, r"miles?": 1609.344, r"yards?": 0.9144, r"feet|foot|ft": 0.3048,
               r"inch(?:es)?": 0.0254},
    "weight": {r"tonnes?|tons?": 1e3, r"kilograms?|kilos?|kg": 1.0, r"grams?|g": 1e-3},
    "time": {r"seconds?|secs?": 1.0, r"minutes?|mins?": 60.0, r"hours?|hrs?": 3600.0, r"days?|nights?": 86400.0,
             r"fortnights?": 1209600.0, r"weeks?": 604800.0, r"months?": 2629800.0, r"years?": 31557600.0,
             r"decades?": 315576000.0},
    "power": {r"gw": 1e9, r"mw": 1e6, r"kw": 1e3},
    "volume": {r"litres?|liters?": 1.0},
    "area": {r"hectares?": 1e4, r"acres?": 4046.86},
    "temperature": {r"degrees?": 1.0},
}
_UNIT_OF = [(re.compile(rf"(?:{pattern})$", re.I), dimension, size)
            for dimension, units in _UNIT_SIZES.items() for pattern, size in units.items()]
UNIT_WORD = "|".join(pattern for units in _UNIT_SIZES.values() for pattern in units)
MEASURED = re.compile(rf"(\d[\d,]*(?:\.\d+)?)[\s-]*({UNIT_WORD})\b", re.I)  # "7.3 seconds", "41km"


def unit_of(word: str) -> tuple[str, float]:
    """The dimension a unit word measures and its size: "kilometres" ("length", 1000.0); ("", 0.0) if none."""
    return next(((dimension, size) for pattern, dimension, size in _UNIT_OF if pattern.match(word)), ("", 0.0))


def measured(span: str) -> float | None:
    """A measure in its dimension's base unit, its parts added up ("15 hours and 8 minutes"); None if it has no unit."""
    parts = [(float(m.group(1).replace(",", "")), unit_of(m.group(2))) for m in MEASURED.finditer(numerals(span))]
    if not parts or len({dimension for _, (dimension, _) in parts}) > 1:
        return None
    return sum(n * size for n, (_, size) in parts)


def converted(a: str, b: str, within: float) -> bool:
    """One measure given in two units ("30cm" / "12-inch", "seven metres" / "23 feet"): of one dimension, in other
    units, their sizes within `within` of each other (a conversion is rounded); "12 miles" / "16 kilometres" are not."""
    parts = [[unit_of(m.group(2)) for m in MEASURED.finditer(numerals(x))] for x in (a, b)]
    x, y = measured(a), measured(b)
    if x is None or y is None or not x or not y or {d for d, _ in parts[0]} != {d for d, _ in parts[1]} \
            or {u for _, u in parts[0]} == {u for _, u in parts[1]}:
        return False
    return abs(x - y) <= within * max(abs(x), abs(y))


_DOZENS = {"a": 1, "one": 1, "half": 0.5, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_DOZEN = re.compile(rf"\b(?:({'|'.join(_DOZENS)}|\d+)\s+)?(?:a\s+)?dozen\b", re.I)


def numerals(text: str) -> str:
    """Numbers written in words as figures: "ninety-three" 93, "fifteen hours and eight minutes" 15 hours and 8
    minutes (text2num), "two dozen" 24."""
    if re.search(r"\d", text):  # "1.4 billion" is a figure already
        return text
    text = alpha2digit(re.sub(rf"-(?=(?:{UNIT_WORD})\b)", " ", text, flags=re.I), "en", threshold=0)  # "six-year"
    return _DOZEN.sub(lambda m: f"{12 * (_DOZENS.get((m.group(1) or 'a').lower()) or float(m.group(1))):g}", text)


TITLE = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lady|lord)\.?\s+", re.I)  # a person's title, before a name


# a result: "won 81-78", "a 2-1 win" (not "2019-20", "10-15%", a date "12-03")
SCORELINE = re.compile(r"(?<![\w.,/–-])\d{1,3}\s?[-–]\s?\d{1,3}(?![\w/%–-]|[.,]\d|\s*(?:%|per\s*cent|percent)\b)")
