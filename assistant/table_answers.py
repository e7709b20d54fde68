"""Answers that a whole table gives: the rows it lists ("what are the components of X"), every row's
asked cell ("X for each quarter"), the row ranked first by a column ("which segment had the highest
revenue"), and the several rows one question names ("for Japanese Yen and South Korean Won")."""
from __future__ import annotations

import re

from index.lexical import tokenize
from index.store import Store
from index.types import Chunk

from .evidence import Evidence
from .question import Question
from .tables import label_words, parse_number, read_row, row_label, value_columns
from .thresholds import FALLBACK_SCORE, MAX_MEMBERS, RANK_DEPTH, RANK_WIDTH

# a row that adds up others ("Total revenue", "All three regions", "Overall")
_TOTAL = re.compile(r"total|(?:all|overall|combined)\b(?!\s+others?\b)|.*\btotals?$", re.I)  # "Total", "Ledovia total"
_OTHER = re.compile(r"(?:\w+\s+)?others?\b", re.I)  # a catch-all row ("Other countries", "Four other stores")


def labelled_rows(store: Store, chunk: Chunk) -> list[tuple[str, Chunk]]:
    """The rows of a row's table that have a label, each with it, in the table's order."""
    return [(label, row) for row in store.table_rows(chunk.article_id, chunk.table_index)
            if (label := row_label(row))]

def members(store: Store, query: Question, best: Evidence) -> list[tuple[str, Chunk]]:
    """The rows a table lists, each with its label. Where the question names a row (a total, a
    group heading: "the components of revenue"), the rows it adds up: the block above it, else the
    block below it; otherwise every row but the totals."""
    rows = [(label, row) for label, row in labelled_rows(store, best.chunk) if any(list(row.row.values())[1:])]
    asked = set(query.terms)

    def words(text: str) -> set[str]:
        return set(tokenize(text))

    grouped = []  # the rows under the named group heading, up to its total
    for label, row in rows:
        if row.group and words(row.group) <= asked:
            if _TOTAL.match(label):
                break
            grouped.append((label, row))
    if grouped:
        return grouped[:MAX_MEMBERS] if len(grouped) > 1 else []
    total = [i for i, (label, _) in enumerate(rows) if _TOTAL.match(label)]
    named = [i for i, (label, _) in enumerate(rows) if len(words(label)) >= 2 and words(label) <= asked]
    if named:
        at = max(named, key=lambda i: len(words(rows[i][0])))
        stops = set(total) | set(named)
        block = []
        for i in (range(at - 1, -1, -1) if at > 0 else range(at + 1, len(rows))):
            if i in stops:
                break
            block.append(i)
        rows = [rows[i] for i in sorted(block)]
    else:
        rows = [r for i, r in enumerate(rows) if i not in total]
    return rows[:MAX_MEMBERS] if len(rows) > 1 else []

def every_row(store: Store, query: Question, best: Evidence) -> list[Evidence]:
    """For "the low price for each quarter of 2018": every row of the best row's table, totals left
    out, in the table's order, each with its asked cells."""
    rows = [row for label, row in labelled_rows(store, best.chunk) if not _TOTAL.match(label)]
    read = [ev for row in rows[:MAX_MEMBERS] if (ev := read_row(query, row)) and ev.values]
    return read if len(read) > 1 else []

def ranked(store: Store, query: Question, evidence: list[Evidence]) -> list[tuple[str, Chunk]]:
    """For "which segment had the highest revenue": in the table of the best row (or of a row scored
    nearly as well), the row with the largest (smallest) value in each asked column,
    totals and "other" rows left out; one statement per winning row. A table whose rows are of the kind asked
    ("which region": a "Region" column) is taken first, among the best RANK_WIDTH; a change asked ("lost the most",
    "grew fastest") is read in the columns of signed figures ("-13.4%"), the most lost being the lowest."""
    rows = [ev for ev in evidence[:RANK_WIDTH] if ev.chunk.kind == "table_row"]
    kind = set(tokenize(query.kind))
    change = _LOSS.search(query.text) or _GAIN.search(query.text)
    best = evidence[0]
    table = next((ev for ev in rows if kind and kind & set(tokenize(_label_header(ev.chunk)))), None) \
        or next((ev for ev in rows if ev in evidence[:RANK_DEPTH] and ev.score >= FALLBACK_SCORE * best.score), None) \
        or next((ev for ev in rows if change and ev.chunk.article_id == best.chunk.article_id
                 and _signed(labelled_rows(store, ev.chunk))), None)
    if table is None:
        return []
    rows = [row for label, row in labelled_rows(store, table.chunk)
            if not _TOTAL.match(label) and not _OTHER.match(label)]
    signed = _signed([("", row) for row in rows]) if change else []
    lowest = (query.rank_rows == "min") != bool(signed and _LOSS.search(query.text))
    word = "lowest" if lowest else "highest"
    wins: dict[str, tuple[Chunk, list[str]]] = {}
    for col in signed or value_columns(query, table.chunk):
        values = [(value, row) for row in rows if col < len(cells := list(row.row.values()))
                  and (value := parse_number(cells[col])) is not None]
        if len(values) < 2:
            continue
        _, winner = (min if lowest else max)(values, key=lambda v: v[0])
        header = list(winner.headers)[col] if col < len(winner.headers) else ""
        wins.setdefault(winner.id, (winner, []))[1].append(f"“{header}” ({list(winner.row.values())[col]})")
    return [(f"{row_label(row)} has the {word} value under {' and '.join(said)}", row)
            for row, said in wins.values()]


_LOSS = re.compile(r"\b(?:lost|los(?:e|es|ing)|cut|cuts|reduced|fell|fall(?:s|ing)?|dropped|drops?|declined?|declining|shr[aiu]nk|"
                   r"shrinks?|shed|decreased?|worst|hardest)\b", re.I)
_GAIN = re.compile(r"\b(?:gain(?:ed|s)?|grew|grow(?:s|n|ing)?|rose|ris(?:e|es|ing)|increased?|fastest)\b", re.I)
# a signed change: "+6.3%", "-13.4%", "Up 34 percent"
_SIGN = re.compile(r"^\s*(?:[+\-−–]\s*[\d.]|(?:up|down|rose|fell|grew|dropped)\s+(?:by\s+)?[\d.])", re.I)


def _label_header(chunk: Chunk) -> str:
    """The header of the column that labels a row ("Region"), "" when the label is a group heading."""
    headers = list(chunk.headers)
    return headers[0] if headers and list(chunk.row.values())[:1] != [""] else ""


def _signed(rows: list[tuple[str, Chunk]]) -> list[int]:
    """The columns whose figures carry a sign in some row ("+6.3%", "-13.4%"): changes."""
    cells = [list(row.row.values()) for _, row in rows]
    width = max(map(len, cells), default=0)
    return [i for i in range(1, width) if any(i < len(c) and _SIGN.match(c[i]) for c in cells)]


def named_rows(query: Question, evidence: list[Evidence]) -> list[Evidence]:
    """The best row and the other rows of its table that the question names as well ("for Japanese Yen
    and South Korean Won, respectively"), in the question's order; none unless there are two. Each
    label names a thing of its own (not the table's subject, which its caption names), no word shared."""
    if not evidence or evidence[0].chunk.kind != "table_row" or query.members or not re.search(r"\band\b", query.text):
        return []
    best = evidence[0]
    context = set(tokenize(" ".join((best.chunk.title, best.chunk.section, best.chunk.caption))))
    used = set(label_words(best.chunk))
    if not _named(used, query, context):
        return []
    found = []
    for ev in evidence[1:12]:
        words = label_words(ev.chunk)
        if (ev.chunk.kind == "table_row" and ev.chunk.article_id == best.chunk.article_id
                and ev.chunk.table_index == best.chunk.table_index and _named(words, query, context)
                and not words & used):
            found.append(ev)
            used |= words
    if not found:
        return []
    return sorted([best, *found[:3]], key=lambda ev: min(query.terms.index(t) for t in label_words(ev.chunk)
                                                         if t in query.terms))


def _named(label: set[str] | frozenset[str], query: Question, context: set[str]) -> bool:
    """Does the question name this row label, with words the table's context does not explain: most of
    its words, or one of the question's rarest ("Huawei" for "Huawei Technologies Co., Ltd.")?"""
    found = label & set(query.terms)
    rarest = max(query.weights.values(), default=0.0)
    return bool(found - context) and (len(found) / len(label) >= 0.5
                                      or any(query.weights[t] >= 0.8 * rarest for t in found))
