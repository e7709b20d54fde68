"""Reading a table row for a question: which of its columns are asked (by the years and words the
question names, or the cell it quotes), how well its label names what is asked, and the statements
the table's structure makes possible: the asked cells with their row and column, a comparison of the
years, the years passing a bound, the years a table covers. Nothing here knows a pack's wording:
it reads headers, labels and cells."""
from __future__ import annotations

import re
from functools import lru_cache

from index.lexical import tokenize
from index.types import Chunk

from .evidence import CHANGES, PERCENT, PERCENT_WORDS, Evidence, context
from .question import YEAR as _YEAR
from .question import Question
from .retrieval import Hit
from .sentences import is_instruction
from .sentences import tokset as _tokset
from .spans import typed_spans
from .thresholds import BLANK_CELL, HEAD_MISSED

_FOOTNOTE = re.compile(r"(?<=[a-z]{4})\d{1,2}\b|\s*\(\d{1,2}\)\s*$")  # "Order intake1", "Revenue (1)"
_HEAD = re.compile(r"\s(?:of|from|for|in|on|at|to|by|with|before|after|under|per|as)\s", re.I)  # ends a label's head
_NEGATED = frozenset(tokenize("non not un"))  # a label opening "Non-vested", "Non-current": the opposite
_BLANK = re.compile(r"^\W*(?:n/?a|nm|nil|none)?\W*$", re.I)  # "—", "-", "n/a": no figure in the cell
_NUMBER = re.compile(r"^\(?[-−–+]?\s*[$€£¥]?\s*\(?\s*[-−–]?[\d,]*\.?\d+\s*%?\)?\s*(?:million|billion|m|bn|k)?$", re.I)
_VERSUS = re.compile(r"(?:19|20)\d\d\W+(?:vs\.?|versus|over|compared\s+(?:to|with))\W+(?:19|20)\d\d", re.I)


# a change in words, as news tables give it: "Up 34 percent", "down 2.5 per cent", "fell 12%"
_WORDED = re.compile(r"^(?:(up|rose|grew|gained|increased)|(down|fell|dropped|lost|decreased))\s+(?:by\s+)?(.+)$", re.I)
_PERCENT_WORD = re.compile(r"\s*(?:per\s*cent|percent|pc)\.?$", re.I)


def parse_number(cell: str) -> float | None:
    cell = _PERCENT_WORD.sub("%", cell.strip())
    if m := _WORDED.match(cell):
        value = parse_number(m.group(3))
        return None if value is None else (-abs(value) if m.group(2) else abs(value))
    if not cell or not _NUMBER.match(cell):
        return None
    negative = "(" in cell or bool(re.search(r"[-−–]\s*[$€£¥]?\s*\d", cell))
    digits = re.sub(r"[^\d.]", "", cell)
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


def row_label(chunk: Chunk) -> str:
    return _label(chunk)[1]


def label_words(chunk: Chunk) -> frozenset[str]:
    return _tokset(_FOOTNOTE.sub("", row_label(chunk)))


def _label(chunk: Chunk) -> tuple[int, str]:
    """The row label (the first cell) and its column; a row without one (a subtotal under a group
    heading) is labelled by its group."""
    cells = list(chunk.row.values())
    if cells and cells[0]:
        return 0, cells[0]
    return -1, chunk.group


def from_row(query: Question, hit: Hit) -> Evidence | None:
    chunk = hit.chunk
    if is_instruction(chunk.text) or query.why or query.definition:
        return None  # figures give no reason, and a row's cells do not say what a thing is
    headers = list(chunk.headers) or list(chunk.row)
    cells = list(chunk.row.values())
    if len(cells) > 1 and cells[0] and not any(cells[1:]):
        return None  # a group heading ("Deferred tax assets:"): by itself it states nothing
    label_at, label = _label(chunk)
    label_tokens = label_words(chunk)
    group_tokens = _tokset(chunk.group)
    ctx = context(chunk) | _tokset(" ".join(headers)) | group_tokens
    row_tokens = _tokset(chunk.text)
    support = query.coverage(ctx | row_tokens)
    focus = query.coverage(label_tokens | group_tokens | _tokset(" ".join(headers)) | row_tokens)
    # how well the row label matches: a question names the row it is about (and maybe its group); the
    # words its columns explain ("the quarter ended July 27, 2019") are not the label's to match
    explained = (_tokset(" ".join(h for i, h in enumerate(headers) if i != label_at)) - label_tokens - group_tokens)
    rest = query.coverage(set(query.terms) - explained)
    named = query.coverage(label_tokens | group_tokens)
    label_hit = 0.5 * named + 0.5 * min(1.0, named / rest) if label_tokens and rest else 0.0
    label_share = len(label_tokens & set(query.terms)) / len(label_tokens) if label_tokens else 0.0
    label_score = 0.6 * label_hit + 0.4 * label_share
    head = _tokset(_HEAD.split(_FOOTNOTE.sub("", label), maxsplit=1)[0])
    if head and not head & set(query.terms):
        label_score *= HEAD_MISSED  # "Cost of professional services" is no answer to "professional services revenue"
    if (first := tokenize(label)[:1]) and first[0] in _NEGATED and first[0] not in query.terms:
        label_score *= HEAD_MISSED  # "Non-vested at December 31, 2019" is no answer to "shares vested as of ..."
    focus = 0.5 * focus + 0.5 * label_score
    years = [i for i, h in enumerate(headers) if i != label_at and _YEAR.search(h)]
    if query.years and years:
        if any(y in headers[i] for i in years for y in query.years):
            focus += 0.1  # a lookup the table can answer exactly: the asked row in the asked year
        else:
            focus *= 0.5  # the row's table is about other years than the asked ones
    about = label
    if query.which_years and not years:
        return None  # a table without year columns does not say which years
    if query.which_years or query.members:  # about the table: its caption and headers count as much as the row
        focus = max(focus, support)
    if query.members:
        return Evidence(hit, label, chunk.text, support, focus, about=about, label=label_score)
    if query.compare or query.bound:  # compared amounts, not the "% of total" beside them
        years = [i for i in years if "%" not in headers[i]] or years if not set(query.terms) & PERCENT_WORDS else years
    if query.compare or query.which_years or query.bound:
        statement = (_compare(query, label, headers, cells, years) if query.compare else
                     _passing(query, label, headers, cells, years) if query.bound else _years(label, headers, years))
        if statement:
            return Evidence(hit, statement, chunk.text, support, focus, about=about, label=label_score)
    cols = _columns(query, headers, cells, label_at, label_tokens, years)
    if cols:
        parts = [f"{headers[i]}: {cells[i]}" if headers[i] else cells[i] for i in cols]
        statement = f"{label} — {'; '.join(parts)}" if label and label_at not in cols else "; ".join(parts)
        values = tuple(cells[i] for i in cols)
        about = f"{label} — {', '.join(headers[i] for i in cols)}"
        if all(_BLANK.match(v) for v in values):
            focus *= BLANK_CELL  # "Tax Fees — 2018: —": the row has no figure where the question looks
    else:
        statement, values = chunk.text, ()
    return Evidence(hit, statement, chunk.text, support, focus, values=values, about=about, label=label_score)


def read_row(query: Question, chunk: Chunk) -> Evidence | None:
    """What one table row says in answer to the question (its asked cells), as evidence."""
    return from_row(query, Hit(chunk, 0.0))


def names_in_order(query: Question, chunk: Chunk) -> bool:
    """The question has the row label's words, in order, as one run ("free cash flow", not
    "operating free cash flow")."""
    words = tuple(tokenize(_FOOTNOTE.sub("", row_label(chunk))))
    n, seq = len(words), query.sequence
    return bool(words) and any(seq[i:i + n] == words for i in range(len(seq) - n + 1))


def value_columns(query: Question, chunk: Chunk) -> list[int]:
    """The columns of a row's table that the question asks about; if it names none, the row's total
    column, else its first numeric column."""
    headers = list(chunk.headers) or list(chunk.row)
    cells = list(chunk.row.values())
    label_at = _label(chunk)[0]
    years = [i for i, h in enumerate(headers) if i != label_at and _YEAR.search(h)]
    numeric = [i for i, c in enumerate(cells) if i != label_at and i < len(headers) and parse_number(c) is not None]
    cols = [i for i in _columns(query, headers, cells, label_at, label_words(chunk), years) if i < len(headers)]
    return cols or [i for i in numeric if "total" in headers[i].lower()][:1] or numeric[:1]


def _columns(query: Question, headers: list[str], cells: list[str], label_at: int, label_tokens: frozenset[str],
             years: list[int]) -> list[int]:
    """The columns the question asks for: those its years or words name, else the cell it matches."""
    asked = set(query.terms) - label_tokens
    headers = [h.replace("%", f" % {PERCENT} ") for h in headers]  # "% change" answers "percentage change"
    candidates = [i for i in range(len(headers)) if i != label_at and i < len(cells) and cells[i]]
    if query.years and years:
        wanted = set(query.years)
        words = {i: query.coverage((_tokset(headers[i]) & asked) - wanted) for i in candidates}
        named = [i for i in candidates if any(y in headers[i] for y in query.years)]
        if not asked & CHANGES and not _VERSUS.search(query.text):  # not "Percentage Change 2018 Versus 2017"
            named = [i for i in named if not _VERSUS.search(headers[i])] or named
        if not asked & PERCENT_WORDS:  # "revenue in 2019": the amount, not its "% of total revenue" beside it
            named = [i for i in named if "%" not in headers[i]] or named
        others = [i for i in candidates if i not in years]
        if not asked & PERCENT_WORDS and "%" not in query.text:  # nor the "Percentage of Total Fees" beside it
            others = [i for i in others if not _tokset(headers[i]) & PERCENT_WORDS]
        # words every asked year's column has ("Q4 2019", "Q4 2018") tell none of them from a "% change" beside
        shared = set.intersection(*(set(_tokset(headers[i]) & asked) for i in named)) if len(named) > 1 else set()
        apart = {i: query.coverage((_tokset(headers[i]) & asked) - wanted - shared) for i in named + others}
        if named and max((apart[i] for i in others), default=0) > max(apart[i] for i in named) + 0.1:
            return [max(others, key=lambda i: apart[i])]  # "% change" asked, next to the year columns
        chosen: list[int] = []
        # per asked year, the columns whose other words fit best, and those that fit other asked words
        # ("June 30 and December 31, 2019")
        for year in query.years:
            at_year = [i for i in named if year in headers[i]]
            if at_year:
                top = max(words[i] for i in at_year)
                best = [i for i in at_year if words[i] >= top - 1e-9]
                fit = set().union(*(_tokset(headers[i]) & asked for i in best)) | wanted
                chosen += [i for i in at_year if (i in best or (_tokset(headers[i]) & asked) - fit) and i not in chosen]
        if chosen:
            return chosen
    picked: list[int] = []
    covered: set[str] = set()
    spans = _spans(query.text)
    while True:
        # the words a header shares with the question, and its periods ("less than one year", "2-5 years")
        gains = [(query.coverage((_tokset(headers[i]) & asked) - covered)
                  + len((_spans(headers[i]) & spans) - covered) / (len(spans) or 1), i)
                 for i in candidates if i not in picked]
        # equal fits ("Fiscal 2019 Net Sales", "Fiscal 2018 Net Sales" for "net sales"): the latest year, then
        # the leftmost column
        gain, best_i = max(gains, default=(0.0, -1), key=lambda g: (g[0], _latest(headers[g[1]]), -g[1]))
        if gain <= 0.0:
            break
        picked.append(best_i)
        covered |= (_tokset(headers[best_i]) & asked) | _spans(headers[best_i])
    # the cell the question quotes ("which country is strengthening joint exercises with U.S. forces"),
    # unless the headers it names fit better
    cell_hits = [(query.coverage(_tokset(cells[i]) & asked), i) for i in candidates]
    gain, best_i = max(cell_hits, default=(0.0, -1))
    # ... but a column the question names in full ("the expected outcome of coordinated engagement
    # with ASEAN") is asked for, the cell it quotes only says which row
    # a "when", "where", "who" asked is the cell that holds one, not the cell the question quotes to say which row
    # ("how often will hembury savings have someone at the hub": "One day a fortnight" under "When", not "Banking
    # hub, Market Hill" under "Where"), nor the column whose header shares its words where that holds none ("when do
    # pharmacies stop getting prescriptions by fax": "31 December 2030" under "Deadline", not "What must stop using fax")
    quoted = {j for g, j in cell_hits if g > 0}
    typed = [i for i in candidates if i not in quoted and typed_spans(cells[i], query, guess=False)] \
        if query.answer_type in ("date", "place", "person") and not (query.rank_rows or query.compare) else []
    if typed and not any(typed_spans(cells[i], query, guess=False) for i in picked):
        return typed[:1]
    if picked and (gain <= query.coverage(covered) or any(_tokset(headers[i]) <= asked for i in picked)):
        return sorted(picked)
    if gain > 0:
        return [best_i]
    # "how much is earmarked for reading tutors": a figure is asked and the row holds one ("2026 budget (millions)")
    figures = [i for i in candidates if re.search(r"\d", cells[i])]
    return figures if query.answer_type == "amount" and len(figures) == 1 else []


_NUMBER_WORDS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_SPAN = re.compile(r"(?<![\d,.])(\d{1,2})(?:\s*(?:-|–|to)\s*(\d{1,2}))?(?![\d,.%])")
_MONTH_BEFORE = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", re.I)


@lru_cache(maxsize=8192)
def _spans(text: str) -> frozenset[str]:
    """The periods a header or question names by small numbers: "1", "2-5" ("Less than 1 year",
    "2-5 years", "between one and three years" as "1", "3"); not the day of a date."""
    text = re.sub(r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten)\b",
                  lambda m: _NUMBER_WORDS[m.group(1).lower()], text, flags=re.I)
    return frozenset(f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
                     for m in _SPAN.finditer(text) if not _MONTH_BEFORE.search(text[:m.start()]))


def _latest(header: str) -> int:
    return max(map(int, _YEAR.findall(header)), default=0)


def _compare(query: Question, label: str, headers: list[str], cells: list[str], years: list[int]) -> str:
    asked = [i for i in years if any(y in headers[i] for y in query.years)]
    years = asked if len(asked) >= 2 else years  # "between 2018 and 2019, which year ...": those two
    numbers = [(parse_number(cells[i]), i) for i in years if i < len(cells)]
    numbers = [(v, i) for v, i in numbers if v is not None]
    if len(numbers) < 2:
        return ""
    value, at = (min if query.compare == "min" else max)(numbers)
    year = _YEAR.search(headers[at]).group(0)
    word = "lower" if query.compare == "min" else "higher"
    others = "; ".join(f"{headers[i]}: {cells[i]}" for _, i in numbers)
    return f"{label} was {word} in {year} ({others})"


def _passing(query: Question, label: str, headers: list[str], cells: list[str], years: list[int]) -> str:
    """The years whose value passes the question's bound ("less than 600,000"), with all the values."""
    numbers = [(parse_number(cells[i]), i) for i in years if i < len(cells)]
    numbers = [(v, i) for v, i in numbers if v is not None]
    if not numbers or query.bound is None:
        return ""
    op, limit = query.bound
    passing = list(dict.fromkeys(_YEAR.search(headers[i]).group(0) for v, i in numbers
                                 if (v < limit if op == "<" else v > limit)))
    values = "; ".join(f"{headers[i]}: {cells[i]}" for _, i in numbers)
    word = "under" if op == "<" else "over"
    if not passing:
        return f"{label} was {word} {limit:,g} in none of the years given ({values})"
    listed = ", ".join(passing[:-1]) + f" and {passing[-1]}" if len(passing) > 1 else passing[0]
    return f"{label} was {word} {limit:,g} in {listed} ({values})"


def _years(label: str, headers: list[str], years: list[int]) -> str:
    found = list(dict.fromkeys(_YEAR.search(headers[i]).group(0) for i in years))
    if not found:
        return ""
    listed = ", ".join(found[:-1]) + f" and {found[-1]}" if len(found) > 1 else found[0]
    return f"The table with {label} gives figures for {listed}"
