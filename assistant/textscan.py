"""Values read from a sentence's text alone: the one value two near-identical sentences differ in,
the numbers it gives, and the dates and years it names."""
from __future__ import annotations

import datetime
import difflib
import re

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
