"""Answering: follow-up resolution, hybrid retrieval, evidence selection, then the grounded composer
(default, no LLM) or a verified LLM answer; honest refusals; conflicts between sources.

The grounded composer states only what the selected evidence says: the asked cell of a table row
with its row and column, or the one to three sentences of a passage that hold the asked terms.
Every sentence ends with the marker of the citation it rests on, markers numbered in order of first
use, and a citation's text is exactly the source text of that sentence.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from rapidfuzz import fuzz

from index.lexical import tokenize
from index.store import Store
from index.types import Chunk

from .condense import condense
from .evidence import (Evidence, Query, analyze, label_words, parse_number, read_row, row_label, select,
                       unstated_operation, value_columns)
from .retrieval import Filters, Hit, Retriever
from .textscan import MONTH
from .types import Answer, Citation, Conflict

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

# Refusal, calibrated on the development packs (see README, "Refusals"):
MIN_SUPPORT = 0.35  # share of the question's idf-weighted terms that the evidence and its context hold
MIN_LABEL = 0.6  # a question about a year must name the row it reads (row-label match)
# ... or name it in part, when the row and its table hold nearly all the question asks, words in order
# ("the total warrants outstanding as of December 31, 2019": the row "Total" of the warrants table)
PART_LABEL, FULL_SUPPORT, PART_PHRASE = 0.5, 0.75, 0.2
MIN_PHRASE = 0.1  # ... or share a word pair with the sentence it reads
WHOLE_ROW_SUPPORT = 0.7  # a row none of whose columns the question names must hold this much of it
# When the best evidence does not answer (a row where the question asks for a stated change), the next
# that does, if it scored at least this share of the best, among the first few:
FALLBACK_SCORE = 0.75
FALLBACK_OTHER = 0.9  # ... from another article: at least this share
FALLBACK_DEPTH = 3
RANK_DEPTH = 5  # "which segment had the highest X": the table of the first row among this many candidates
# Other articles that answer as well (a question that names no company, asked of many reports):
ALTERNATIVE_SCORE = 0.8  # scored at least this share of the best evidence's score
ROW_FOR_PASSAGE = 0.9  # ... a table row where the best evidence is a passage: this share
SAME_LABEL_SCORE = 0.6  # ... a table row under the very label of the best row: this share
MAX_ALTERNATIVES = 4
MAX_MEMBERS = 12  # rows listed for "what are the components of X"
SAME_STORY = 0.6  # idf-weighted share of words two articles must share to be one story (copies: 0.9)
_TOTAL = re.compile(r"total", re.I)  # a row that adds up others ("Total revenue")
_OTHER = re.compile(r"(?:all\s+)?other\b", re.I)  # a catch-all row ("Other countries")
_HOW_MUCH = re.compile(r"\s*how\s+(?:much|many)\b", re.I)  # ... is answered by an amount, in figures or words:
_QUANTITY = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|dozens?|"
                       r"hundreds?|thousands?|millions?|billions?|half|double|twice|triple|several|few|no)\b", re.I)
# "what is the date of X" is answered by a date
_DATE_ASKED = re.compile(r"\s*(?:(?:on|in)\s+what\s+(?:date|day)|what\s+(?:is|was)\s+the\s+(?:date|day))\b", re.I)
_DATE = re.compile(rf"\b(?:(?:19|20)\d\d|{MONTH}|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|[Tt]oday|[Yy]esterday|"
                   r"\d{1,2}/\d{1,2})\b")
DECLINE = "The indexed articles do not cover this. The closest passages are listed under related."

Stream = Callable[[str], None]


class Citations:
    """Markers in order of first use; one citation per chunk, quoting what the answer used of it."""

    def __init__(self) -> None:
        self._by_chunk: dict[str, tuple[int, Chunk, list[str]]] = {}

    def mark(self, chunk: Chunk, quote: str) -> int:
        if chunk.id not in self._by_chunk:
            self._by_chunk[chunk.id] = (len(self._by_chunk) + 1, chunk, [])
        marker, _, quotes = self._by_chunk[chunk.id]
        if quote not in quotes and not any(quote in q for q in quotes):
            quotes.append(quote)
        return marker

    def build(self) -> list[Citation]:
        out = []
        for marker, chunk, quotes in self._by_chunk.values():
            text = chunk.text if chunk.kind == "table_row" else _join_in_source_order(chunk.text, quotes)
            out.append(Citation.of(chunk, text, marker))
        return out


def _join_in_source_order(source: str, quotes: list[str]) -> str:
    return " ".join(sorted(quotes, key=lambda q: source.find(q) if q in source else len(source)))


_SOURCE_MARKER = re.compile(r"\s*\[\d+\]")


def sentence(statement: str, marker: int) -> str:
    """The statement, verbatim (its own closing punctuation kept, so quotes stay exact), then its marker.
    Reference markers the source text carries ("... since 2011 [2].", copied from a web page) are left
    out: in the answer they would read as its own citations."""
    body = _SOURCE_MARKER.sub("", statement).strip()
    if not body.endswith((".", "!", "?", "”", '"', ")")):
        body += "."
    return f"{body} [{marker}]"


@dataclass
class Answerer:
    """Answers questions over one store. `llm` is optional: without it answers are grounded."""

    store: Store
    embeddings: "Embeddings"
    llm: "BaseChatModel | None" = None
    min_support: float = MIN_SUPPORT
    k: int = 40

    def __post_init__(self):
        self.retriever = Retriever(self.store, self.embeddings)

    def ask(self, question: str, history: Iterable[str] = (), filters: Filters = Filters(),
            on_token: Stream | None = None) -> Answer:
        """Answer one question; `history` holds the user's earlier questions, oldest first."""
        t0 = time.perf_counter()
        history = [h for h in history if h and h.strip()]
        standalone = self._condense(question, history)
        hits = self.retriever.search(standalone, filters, self.k)
        t1 = time.perf_counter()
        query = analyze(standalone, self.store.lexical())
        evidence = select(query, hits)
        t2 = time.perf_counter()
        if query.members and evidence and evidence[0].chunk.kind == "table_row" \
                and not self._members(query, evidence[0]):  # one row is no list: sentences say what X consists of
            evidence = [ev for ev in evidence if ev.chunk.kind != "table_row"]
        rows = _named_rows(query, evidence)
        if evidence and not rows:  # the best evidence that answers, among those scored about as well
            evidence = self._answering_first(query, evidence)
        # "which segment had the highest revenue", "X for each quarter": the rows are the answer, so the
        # question need not name one
        table_wide = bool(rows) or bool(query.rank_rows) or query.each
        composed = None
        if evidence and self.supported(query, evidence[0], named_rows=table_wide):
            composed = self._compose(question, query, evidence, rows)
        if composed is None:
            answer = self._decline(question, hits)
        else:
            answer = composed
            if self.llm is not None:
                from .llm import answer_with_llm

                answer = answer_with_llm(self.llm, question, standalone, evidence, answer, on_token)
        if on_token and answer.mode != "llm":
            on_token(answer.answer)
        t3 = time.perf_counter()
        answer.standalone_question = standalone
        answer.timings = {"retrieve_ms": (t1 - t0) * 1000, "select_ms": (t2 - t1) * 1000,
                          "compose_ms": (t3 - t2) * 1000, "total_ms": (t3 - t0) * 1000}
        return answer

    def supported(self, query: Query, best: Evidence, named_rows: bool = False) -> bool:
        """Does the best evidence answer the question, or only resemble it? (`named_rows`: the
        question names this row and others of its table by their labels)"""
        if best.support < self.min_support or unstated_operation(query, best):
            return False
        lookup = not (query.compare or query.which_years or query.members or query.bound or query.rank_rows
                      or query.each or named_rows)  # a plain lookup of one row's cells
        if lookup and best.chunk.kind == "table_row":
            if not set(tokenize(" ".join([*best.chunk.row.values(), best.chunk.group]))) & set(query.terms):
                return False  # only the table's headers match: "the proposed action for innovation", no such row
            if not best.values and best.support < WHOLE_ROW_SUPPORT:
                return False  # no column asked for is in the row: "Japan's role in cybersecurity", no such column
        if _HOW_MUCH.match(query.text) and not query.count \
                and not _QUANTITY.search(" ".join(best.values) or best.statement):
            return False  # "how much did Japan spend on defense": a sentence (or the cells) about it with no amount
        if _DATE_ASKED.match(query.text) and best.chunk.kind != "table_row" and not _DATE.search(best.statement):
            return False  # "what is the date of the statement": a sentence about the statement that gives none
        if query.years and not named_rows:  # "X in 2019": a lookup of a named figure
            if best.chunk.kind != "table_row":
                return best.phrase >= MIN_PHRASE
            return best.label >= MIN_LABEL or (best.label >= PART_LABEL and best.support >= FULL_SUPPORT
                                               and best.phrase >= PART_PHRASE)
        return True

    def _answering_first(self, query: Query, evidence: list[Evidence]) -> list[Evidence]:
        """The evidence with the best candidate that supports an answer first, when one from the same
        article scored at least FALLBACK_SCORE of the best ("the increase in FCC licenses": the row
        gives the balance, the sentence below the table states the increase), or one from another
        article at least FALLBACK_OTHER; rows that cannot state the asked change are passed over."""
        looked = 0
        for i, ev in enumerate(evidence):
            if looked == FALLBACK_DEPTH or ev.score < FALLBACK_SCORE * evidence[0].score:
                break
            if i and unstated_operation(query, ev):
                continue  # another row giving a balance where a change is asked: not one of the few looked at
            looked += 1
            near = ev.chunk.article_id == evidence[0].chunk.article_id or ev.score >= FALLBACK_OTHER * evidence[0].score
            if near and self.supported(query, ev):
                return [ev, *evidence[:i], *evidence[i + 1:]] if i else evidence
        return evidence

    def _condense(self, question: str, history: list[str]) -> str:
        if not history:
            return question
        if self.llm is not None:
            from .llm import condense_with_llm

            return condense_with_llm(self.llm, question, history) or condense(question, history)
        return condense(question, history)

    def _decline(self, question: str, hits: list[Hit]) -> Answer:
        related = [Citation.of(h.chunk, h.chunk.text, 0) for h in hits[:3]]
        return Answer(question=question, answered=False, answer=DECLINE, mode="grounded", related=related)

    def _compose(self, question: str, query: Query, evidence: list[Evidence],
                 rows: list[Evidence]) -> Answer | None:
        """The grounded answer from the evidence, best first; None when it cannot answer after all."""
        best = evidence[0]
        cites = Citations()
        if rows:  # "the rates for Japanese Yen and South Korean Won": each named row, cited
            text = " ".join(sentence(ev.statement, cites.mark(ev.chunk, ev.quote)) for ev in rows)
            return Answer(question=question, answered=True, answer=text, mode="grounded", citations=cites.build())
        if query.rank_rows and (ranked := self._ranked(query, evidence)):
            parts = [sentence(statement, cites.mark(row, row.text)) for statement, row in ranked]
            return Answer(question=question, answered=True, answer=" ".join(parts), mode="grounded",
                          citations=cites.build())
        if query.rank_rows and best.chunk.kind == "table_row":
            return None  # no figures to compare: one row's cell does not say which row is the highest
        if query.each and best.chunk.kind == "table_row" and (every := self._every_row(query, best)):
            parts = [sentence(ev.statement, cites.mark(ev.chunk, ev.quote)) for ev in every]
            return Answer(question=question, answered=True, answer=" ".join(parts), mode="grounded",
                          citations=cites.build())
        # tables of other years or other rows are no disagreement about which years or rows a table has
        table_level = query.which_years or query.members
        conflicts = [] if table_level else find_conflicts(self.store, best, evidence[1:6])
        if conflicts:
            parts, found = [], []
            group = [best] + conflicts
            for ev in group:
                marker = cites.mark(ev.chunk, ev.quote)
                who = ev.chunk.publisher or ev.chunk.title or "one source"
                parts.append(sentence(f"According to {who}, {_lower_first(ev.statement)}", marker))
                found.append((_distinct_value(ev, group), marker))
            text = "Sources disagree. " + " ".join(parts)
            conflict = Conflict(about=best.about or query.text, values=tuple(found))
            return Answer(question=question, answered=True, answer=text, mode="grounded",
                          citations=cites.build(), conflicts=[conflict])
        if query.members and best.chunk.kind == "table_row" and (members := self._members(query, best)):
            parts = [f"{label} [{cites.mark(row, row.text)}]" for label, row in members]
            listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
            where = best.chunk.caption.rstrip(":. ") or best.chunk.section or _where(best)
            if query.count:  # "how many focus areas are in the table": the rows, counted
                listed = f"{len(parts)} {query.count}: {listed}"
            return Answer(question=question, answered=True, answer=f"The table ({where}) lists {listed}.",
                          mode="grounded", citations=cites.build())
        others = self._alternatives(query, best, evidence[1:10])
        if others:  # several articles answer: each answer is stated with the article it comes from
            parts = [sentence(f"In “{_where(ev)}”: {ev.statement}", cites.mark(ev.chunk, ev.quote))
                     for ev in [best] + others]
        else:
            parts = [sentence(best.statement, cites.mark(best.chunk, best.quote))]
        return Answer(question=question, answered=True, answer=" ".join(parts), mode="grounded",
                      citations=cites.build())

    def _labelled_rows(self, chunk: Chunk) -> list[tuple[str, Chunk]]:
        """The rows of a row's table that have a label, each with it, in the table's order."""
        return [(label, row) for row in self.store.table_rows(chunk.article_id, chunk.table_index)
                if (label := row_label(row))]

    def _members(self, query: Query, best: Evidence) -> list[tuple[str, Chunk]]:
        """The rows a table lists, each with its label. Where the question names a row (a total, a
        group heading: "the components of revenue"), the rows it adds up: the block above it, else the
        block below it; otherwise every row but the totals."""
        rows = [(label, row) for label, row in self._labelled_rows(best.chunk) if any(list(row.row.values())[1:])]
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

    def _every_row(self, query: Query, best: Evidence) -> list[Evidence]:
        """For "the low price for each quarter of 2018": every row of the best row's table, totals left
        out, in the table's order, each with its asked cells."""
        rows = [row for label, row in self._labelled_rows(best.chunk) if not _TOTAL.match(label)]
        read = [ev for row in rows[:MAX_MEMBERS] if (ev := read_row(query, row)) and ev.values]
        return read if len(read) > 1 else []

    def _ranked(self, query: Query, evidence: list[Evidence]) -> list[tuple[str, Chunk]]:
        """For "which segment had the highest revenue": in the table of the best row (or of a row scored
        nearly as well), the row with the largest (smallest) value in each asked column,
        totals and "other" rows left out; one statement per winning row."""
        table = next((ev for ev in evidence[:RANK_DEPTH] if ev.chunk.kind == "table_row"
                      and ev.score >= FALLBACK_SCORE * evidence[0].score), None)
        if table is None:
            return []
        rows = [row for label, row in self._labelled_rows(table.chunk)
                if not _TOTAL.match(label) and not _OTHER.match(label)]
        word = "highest" if query.rank_rows == "max" else "lowest"
        wins: dict[str, tuple[Chunk, list[str]]] = {}
        for col in value_columns(query, table.chunk):
            values = [(value, row) for row in rows if col < len(cells := list(row.row.values()))
                      and (value := parse_number(cells[col])) is not None]
            if len(values) < 2:
                continue
            _, winner = (max if query.rank_rows == "max" else min)(values, key=lambda v: v[0])
            header = list(winner.headers)[col] if col < len(winner.headers) else ""
            wins.setdefault(winner.id, (winner, []))[1].append(f"“{header}” ({list(winner.row.values())[col]})")
        return [(f"{row_label(row)} has the {word} value under {' and '.join(said)}", row)
                for row, said in wins.values()]

    def _alternatives(self, query: Query, best: Evidence, others: list[Evidence]) -> list[Evidence]:
        """Evidence from other articles that answers the same question about as well as the best (the
        question did not say which article it meant, so each is stated, cited): a table row under the
        same row label as the best row (at a lower score when the label is the very same), a passage
        that is no copy of one already stated; a row where the best is a passage only when it scored
        nearly as well."""
        found: list[Evidence] = []
        seen = {best.chunk.article_id}
        best_row = best.chunk.kind == "table_row"
        for ev in others:
            if len(found) == MAX_ALTERNATIVES or ev.score < SAME_LABEL_SCORE * best.score:
                break
            if ev.chunk.article_id in seen or not self.supported(query, ev):
                continue
            same_label = best_row and ev.chunk.kind == "table_row" and _row_label(ev) == _row_label(best)
            if ev.score < ALTERNATIVE_SCORE * best.score and not same_label:
                continue
            if ev.chunk.kind == "table_row":
                if not best_row and ev.score < ROW_FOR_PASSAGE * best.score:
                    continue
                if best_row and fuzz.ratio(_row_label(ev), _row_label(best)) < 85 \
                        and _about_words(ev) != _about_words(best):
                    continue
            elif any(_copies(ev, f) for f in [best, *found]):
                continue  # the same claim in the same words (a copy, a rewrite) adds no answer
            found.append(ev)
            seen.add(ev.chunk.article_id)
        return found


def _named_rows(query: Query, evidence: list[Evidence]) -> list[Evidence]:
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


def _named(label: set[str] | frozenset[str], query: Query, context: set[str]) -> bool:
    """Does the question name this row label, with words the table's context does not explain: most of
    its words, or one of the question's rarest ("Huawei" for "Huawei Technologies Co., Ltd.")?"""
    found = label & set(query.terms)
    rarest = max(query.weights.values(), default=0.0)
    return bool(found - context) and (len(found) / len(label) >= 0.5
                                      or any(query.weights[t] >= 0.8 * rarest for t in found))


def _where(ev: Evidence) -> str:
    return ev.chunk.title or ev.chunk.publisher or Path(ev.chunk.source).name


def _row_label(ev: Evidence) -> str:
    return ev.about.split(" — ")[0].lower()


_PERIOD_WORDS = frozenset(tokenize("fiscal year years ended end month months quarter thousands millions dollars"))


def _about_words(ev: Evidence) -> frozenset[str]:
    """What a row's asked cells are of, as words: its label, group and asked columns, without periods
    ("Total — Fiscal Year 2019 Net Sales" and "Total Net Sales — 2019" are of the same thing)."""
    words = frozenset(t for t in tokenize(f"{ev.chunk.group} {ev.about}") if not any(ch.isdigit() for ch in t))
    return words - _PERIOD_WORDS


def _distinct_value(ev: Evidence, group: list[Evidence]) -> str:
    """What this source says that the others do not ("Monday" against "Tuesday")."""
    if ev.values:
        return ", ".join(ev.values)
    mine = _values(ev.statement)
    others = set().union(*(_values(o.statement) for o in group if o is not ev))
    return ", ".join(sorted(mine - others)) or ev.statement


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2].isalpha() and not text[:2].isupper() else text


# ----- conflicts --------------------------------------------------------------------------------------

_VALUE = re.compile(r"(?:[$€£¥]\s*)?\d[\d,.]*\s*%?|\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")


def _values(text: str) -> set[str]:
    return {v.strip() for v in _VALUE.findall(text)}


def _frame(text: str) -> str:
    return _VALUE.sub("#", text)


@lru_cache(maxsize=2048)
def _article_words(store: Store, generation: str, article_id: str) -> frozenset[str]:
    """The words of one article as stored (cached until the manifest changes)."""
    got = store.chunks.get(where={"article_id": article_id}, include=["documents"])
    return frozenset(tokenize(" ".join(got["documents"])))


def _same_story(store: Store, a: Evidence, b: Evidence) -> bool:
    """Two articles about the same events: most of their words are shared (wire copies, rewrites),
    each weighed by its idf, so that the vocabulary of a genre (two companies' financial reports)
    does not make two stories one."""
    generation = store.generation()
    idf = store.lexical().idf
    words = [_article_words(store, generation, ev.chunk.article_id) for ev in (a, b)]
    small = min(sum(map(idf, w)) for w in words) or 1.0
    return sum(map(idf, words[0] & words[1])) / small >= SAME_STORY


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
                and _same_story(store, best, ev):
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


def _copies(a: Evidence, b: Evidence) -> bool:
    """The same fact with the same value (a conflict is the same fact with another value)."""
    return _claim(a) == _claim(b) and _similar_frames(a.statement, b.statement) >= 75
