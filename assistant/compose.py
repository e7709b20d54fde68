"""Stage 4 for fact questions: the grounded answer, the answer first. A fact question's answer opens
with the short answer taken verbatim from the cited text (the name, place, date or figure, or the
asked cell), then the quote it rests on with its marker; when the evidence holds no span of the asked
type, the quote alone. A whole table answers questions about its rows; several articles that answer
are each stated; sources that disagree are stated side by side."""
from __future__ import annotations

from pathlib import Path

from rapidfuzz import fuzz

from index.lexical import tokenize
from index.store import ARTICLE_ID, Store
from index.types import Chunk

from .answerability import mentions
from .citations import Citations, clean, sentence
from .conflicts import copies, day_said, distinct_value, find_conflicts
from .evidence import Evidence
from .inconsistency import inconsistencies
from .meaning import Meaning
from .question import Question
from .select import supported
from .spans import answer_span
from .table_answers import every_row, members
from .thresholds import ALTERNATIVE_SCORE, MAX_ALTERNATIVES, ROW_FOR_PASSAGE, SAME_LABEL_SCORE
from .sides import Side, sides
from .types import Answer, Conflict, ConflictSide, when
from .units import units_of



def grounded(question: Question, text: str, cites: Citations, conflicts: list[Conflict] | None = None) -> Answer:
    return Answer(question=question.asked, answered=True, answer=text, mode="grounded", citations=cites.build(),
                  conflicts=conflicts or [])


def where(ev: Evidence) -> str:
    return ev.chunk.title or ev.chunk.publisher or Path(ev.chunk.source).name


def quoted(text: str) -> str:
    body = clean(text)
    return f"“{body}”" if not body.startswith("“") else body


def lead(question: Question, ev: Evidence) -> str:
    """The short answer in this evidence: a span of the asked type ("" when there is none), from the sentence that
    gives it where the statement quotes more than one ("... ovens went cold at about quarter past four", not the
    "reconnected by 11.40am" of the next)."""
    span = ev.answer_in and answer_span(question, ev.answer_in) or answer_span(question, ev.statement)
    if question.answer_type == "date" and (day := day_said(span, ev.chunk.published_at, ev.answer_in or ev.statement)):
        return f"{span} ({day.day} {day:%B %Y})"  # "yesterday (23 May 2025)", by the article's date
    return span


def state(question: Question, ev: Evidence, cites: Citations, prefix: str = "") -> str:
    """One piece of evidence as an answer sentence: the short answer first, then the quote, its marker."""
    marker = cites.mark(ev.chunk, ev.quote)
    short = lead(question, ev)
    if ev.chunk.kind == "table_row":
        if len(ev.values) == 1 and short in ev.values[0] and " — " in ev.about:
            # the asked cell (whole: "One day a fortnight", not the "One day" in it), then its row and column
            return sentence(f"{prefix}{ev.values[0]} ({ev.about}).", marker)
        return sentence(f"{prefix}{short}. {ev.statement}" if short else f"{prefix}{ev.statement}", marker)
    if not short:
        return sentence(f"{prefix}{ev.statement}", marker)
    return f"{prefix}{short.rstrip('.')}. {quoted(ev.statement)} [{marker}]"


def compose_fact(store: Store, meaning: Meaning, question: Question, evidence: list[Evidence], rows: list[Evidence],
                 ranking: list[tuple[str, Chunk]] = ()) -> Answer | None:
    """The grounded answer to a fact question from its evidence, best first (`ranking`: the rows a table ranks
    for it, `table_answers.ranked`); None when it cannot answer after all."""
    best = evidence[0]
    cites = Citations()
    if rows:  # "the rates for Japanese Yen and South Korean Won": each named row, cited
        return grounded(question, " ".join(state(question, ev, cites) for ev in rows), cites)
    if ranking:
        return grounded(question, " ".join(sentence(s, cites.mark(row, row.text)) for s, row in ranking), cites)
    if question.rank_rows and best.chunk.kind == "table_row":
        return None  # no figures to compare: one row's cell does not say which row is the highest
    if question.each and best.chunk.kind == "table_row" and (every := every_row(store, question, best)):
        return grounded(question, " ".join(state(question, ev, cites) for ev in every), cites)
    # tables of other years or other rows are no disagreement about which years or rows a table has
    if not (question.which_years or question.members) and (sides := _disagreement(store, meaning, question, best, evidence)):
        return sides
    if question.members and best.chunk.kind == "table_row" and (listed := members(store, question, best)):
        parts = [f"{label} [{cites.mark(row, row.text)}]" for label, row in listed]
        text = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
        table = best.chunk.caption.rstrip(":. ") or best.chunk.section or where(best)
        if question.count:  # "how many focus areas are in the table": the rows, counted
            text = f"{len(parts)} {question.count}: {text}"
        return grounded(question, f"The table ({table}) lists {text}.", cites)
    others = alternatives(store, question, best, evidence[1:10])
    if others:  # several articles answer: each answer is stated with the article it comes from
        return grounded(question, " ".join(state(question, ev, cites, f"In “{where(ev)}”: ") for ev in [best, *others]),
                        cites)
    text = state(question, best, cites)
    conflicts = []
    if best.chunk.kind != "table_row" and (inconsistent := _inconsistent(store, best)):
        about, values = inconsistent  # the cited sentence is contradicted elsewhere in its own article
        sides = [(value, cites.mark(chunk, quote)) for value, (chunk, quote) in values]
        text += " The article is not consistent here: " + " vs ".join(f"“{v}” [{m}]" for v, m in sides) + "."
        conflicts = [Conflict(about=about, values=tuple(sides))]
    answer = grounded(question, text, cites, conflicts)
    answer.short = short_answer(question, best)
    return answer


def _inconsistent(store: Store, ev: Evidence):
    """An inconsistency of the evidence's article that one of its quoted sentences takes part in ("former
    President Donald Trump" in it, "President Trump" later), as (what about, [(value, (chunk, quote))])."""
    chunks = list(store.iter_chunks(where={ARTICLE_ID: ev.chunk.article_id}))
    for about, values in inconsistencies(units_of(chunks), unnamed=False):
        if any(chunk.id == ev.chunk.id and quote in ev.quote for _, (chunk, quote) in values):
            return about, values
    return None


def short_answer(question: Question, ev: Evidence) -> str:
    """The short answer a single piece of evidence gives: a span of the asked type, else the one asked cell."""
    return lead(question, ev) or (ev.values[0] if ev.chunk.kind == "table_row" and len(ev.values) == 1 else "")


def _disagreement(store: Store, meaning: Meaning, question: Question, best: Evidence, evidence: list[Evidence]
                  ) -> Answer | None:
    """Sources that state the asked fact with different values: every side stated, weighed and cited."""
    found = sides(store, question, evidence, meaning)
    if not found and (frames := find_conflicts(store, best, evidence[1:6])):  # table cells, one sentence frame
        group = [best, *frames]
        found = [Side(lead(question, ev) or distinct_value(ev, group), "", [ev], [[ev]]) for ev in group]
    if not found:
        return None
    cites = Citations()
    weighed = [weigh(side, tuple(cites.mark(ev.chunk, ev.quote) for ev in side.cited)) for side in found]
    text = "Sources disagree: " + " · ".join(s.describe() for s in weighed) + "."
    # the later report says it corrects the earlier, or a report names the value it replaces: quoted, so the reader
    # sees why
    if (found[0].later or found[0].replaces) and (chunk := found[0].corrected_in):
        who = ", ".join(p for p in (chunk.publisher, when([chunk.published_at[:10]])) if p)
        marker = cites.mark(chunk, found[0].correction)
        report = "The later report" if found[0].later else "The correcting report"
        text += f" {report} ({who}) says: {quoted(found[0].correction)} [{marker}]"
    conflict = Conflict(about=best.about or question.text, values=tuple((s.value, m.markers[0]) for s, m in
                                                                       zip(found, weighed)), sides=tuple(weighed))
    return grounded(question, text, cites, [conflict])


def weigh(side: Side, markers: tuple[int, ...]) -> ConflictSide:
    """A side as the JSON shows it: its value, a marker per independent source, its counts, publishers, dates."""
    publishers = tuple(dict.fromkeys(ev.chunk.publisher for ev in side.evidence if ev.chunk.publisher))
    return ConflictSide(side.value, markers, len(side.evidence), len(side.sources), publishers, tuple(side.dates),
                        side.later, side.replaces, side.day)


def _row_label(ev: Evidence) -> str:
    return ev.about.split(" — ")[0].lower()


_PERIOD_WORDS = frozenset(tokenize("fiscal year years ended end month months quarter thousands millions dollars"))


def _about_words(ev: Evidence) -> frozenset[str]:
    """What a row's asked cells are of, as words: its label, group and asked columns, without periods
    ("Total — Fiscal Year 2019 Net Sales" and "Total Net Sales — 2019" are of the same thing)."""
    words = frozenset(t for t in tokenize(f"{ev.chunk.group} {ev.about}") if not any(ch.isdigit() for ch in t))
    return words - _PERIOD_WORDS


def alternatives(store: Store, question: Question, best: Evidence, others: list[Evidence]) -> list[Evidence]:
    """Evidence from other articles that answers the same question about as well as the best (the
    question did not say which article it meant, so each is stated, cited): a table row under the
    same row label as the best row (at a lower score when the label is the very same), a passage
    that is no copy of one already stated; a row where the best is a passage only when it scored
    nearly as well; none of an article that never names what the question names."""
    found: list[Evidence] = []
    seen = {best.chunk.article_id}
    best_row = best.chunk.kind == "table_row"
    if question.focus_articles and best.chunk.article_id in question.focus_articles:
        return []  # a follow-up about one article: its answer, not the others'
    for ev in others:
        if len(found) == MAX_ALTERNATIVES or ev.score < SAME_LABEL_SCORE * best.score:
            break
        if ev.chunk.article_id in seen or not supported(question, ev):
            continue
        if not all(mentions(e, " ".join([ev.chunk.title, *(c.text for c in store.article_chunks(ev.chunk.article_id))]))
                   for e in question.entities):
            continue  # an article that never names what the question names ("the government would have to ..." of a
            #           population report, asked what happens now in Ystrelia)
        same_label = best_row and ev.chunk.kind == "table_row" and _row_label(ev) == _row_label(best)
        if ev.score < ALTERNATIVE_SCORE * best.score and not same_label:
            continue
        if ev.chunk.kind == "table_row":
            if not best_row and ev.score < ROW_FOR_PASSAGE * best.score:
                continue
            if best_row and fuzz.ratio(_row_label(ev), _row_label(best)) < 85 \
                    and _about_words(ev) != _about_words(best):
                continue
        elif any(copies(ev, f) for f in [best, *found]):
            continue  # the same claim in the same words (a copy, a rewrite) adds no answer
        found.append(ev)
        seen.add(ev.chunk.article_id)
    return found
