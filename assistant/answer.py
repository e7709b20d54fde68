"""Answering: one question through five stages, each its own module with a typed result.

  1. understand (`conversation`, `question`): the follow-up made standalone against the earlier turns
     and their answers; the question analysed once (intent, answer type, entities, years, terms).
  2. retrieve (`retrieval`): dense and lexical candidates fused by reciprocal rank.
  3. select (`select`, `passages`, `tables`): the best sentences or asked cells of each candidate,
     scored by words, meaning and answer type; the decision whether the best answers at all.
  4. compose: a fact answer first (`compose`), a list (`lists`), a cited synthesis for open questions,
     the source of an article, its inconsistencies (`overview`); or an LLM's answer, verified (`llm`).
  5. check (`check`): every marker has its citation, every citation quotes its source exactly.
A question whose evidence lacks what it asks is declined, with the closest passages under `related`.
"""
from __future__ import annotations

import re
import time
from functools import partial
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterable

from index.lexical import tokenize
from index.store import Store
from index.types import Chunk

from . import lists, overview
from .check import check
from .compose import compose_fact
from .evidence import Evidence
from .conversation import Turn, leaning, resolve, turns_of
from .meaning import Meaning
from .passages import attribution
from .spans import attached
from .language import parse
from .question import Question, other_sum, truecased, understand
from .retrieval import Filters, Hit, Retriever
from .select import answering_first, select, supported
from .sentences import sentences, tokset
from .table_answers import members, named_rows, ranked
from .thresholds import (DIMENSION_MARGIN, FALLBACK_SCORE, K, KIND_LIKE, KIND_MARGIN, MEANING_CHUNKS, MEASURE_LIKE,
                         MEASURE_WORDS, SECTION_ASKED, SECTION_LIKE, SECTION_UNNAMED, SPEAKER_DEPTH, SPEAKER_MARGIN,
                         TERM_WORDS, TRUECASE_CHUNKS)
from .types import Answer, Citation

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

# what each kind of answer is asked with, for `_kind_by_meaning`
KIND_PROMPTS = {"person": "who is the person", "organization": "which company or organisation",
                "place": "where, in which place", "date": "when, on what date", "amount": "how much money, how many"}
# ... and what a measure is in, where a question's words leave two ("how long were guests stuck": a time)
DIMENSION_PROMPTS = {"measure in time": "how much time: hours, days, weeks",
                     "measure in length": "how far: length or distance in metres, miles"}
DECLINE = "The indexed articles do not cover this. The closest passages are listed under related."
MAX_TURNS = 3  # earlier turns a follow-up is read against
MENTION = 6  # words each side of a speaker's name that say who it is

Stream = Callable[[str], None]


@dataclass
class Answerer:
    """Answers questions over one store. `llm` is optional: without it answers are grounded."""

    store: Store
    embeddings: "Embeddings"
    llm: "BaseChatModel | None" = None
    k: int = K

    def __post_init__(self):
        self.retriever = Retriever(self.store, self.embeddings)
        self.meaning = Meaning(self.embeddings)

    def ask(self, question: str, history: Iterable = (), filters: Filters = Filters(),
            on_token: Stream | None = None) -> Answer:
        """Answer one question; `history` holds the earlier turns, oldest first: questions, or
        question/answer pairs (an earlier question without its answer is answered again to know it).
        A question that may or may not continue the conversation ("List the proposed actions.", "japan
        security role") is first answered as typed, about the articles the previous answer cited, and
        made standalone against the earlier turns only when that finds no answer."""
        t0 = time.perf_counter()
        turns = self._turns(turns_of(history)[-MAX_TURNS:], filters)
        lean = leaning(question) if turns else ""
        focus = turns[-1].articles if lean else ()
        readings = [question] if not lean else [self._standalone(question, turns)]
        if lean == "maybe" and readings[0] != question:
            readings.insert(0, question)
        selecting = 0.0  # stages 3-4 of every reading tried
        for text in readings:
            q, hits, vector = self._read(text, question, focus, filters)
            t = time.perf_counter()
            answer, evidence = self._route(q, hits, vector, filters)
            selecting += time.perf_counter() - t
            if answer is not None:
                break
        t2 = time.perf_counter()
        t1 = t2 - selecting
        if answer is None:
            answer = self._decline(q, hits)
        elif self.llm is not None and answer.answered and evidence:
            from .llm import answer_with_llm

            answer = answer_with_llm(self.llm, question, q.text, evidence, answer, on_token)
        answer = check(answer, self.store)
        if on_token and answer.mode != "llm":
            on_token(answer.answer)
        t3 = time.perf_counter()
        answer.question, answer.standalone_question = question, q.text  # as typed; as read
        # stages 1-2, 3-4 (evidence and composing), 5 (the check, and an LLM's answer when there is one)
        answer.timings = {"retrieve_ms": (t1 - t0) * 1000, "select_ms": (t2 - t1) * 1000,
                          "check_ms": (t3 - t2) * 1000, "total_ms": (t3 - t0) * 1000}
        return answer

    def retrieve(self, question: str, history: Iterable = (), filters: Filters = Filters()
                 ) -> tuple[Question, list[Hit], list[float]]:
        """Stages 1 and 2: the question made standalone in its conversation, its candidates and its vector."""
        turns = self._turns(turns_of(history)[-MAX_TURNS:], filters)
        focus = turns[-1].articles if turns and leaning(question) else ()
        return self._read(self._standalone(question, turns), question, focus, filters)

    def _read(self, text: str, asked: str, focus: tuple[str, ...], filters: Filters
              ) -> tuple[Question, list[Hit], list[float]]:
        vector = self.embeddings.embed_query(text)
        hits = self.retriever.search(text, filters, self.k, vector=vector)
        # names typed in lower case, written as the passages found write them, for the tagger and recogniser
        found = [h.chunk.text for h in hits[:TRUECASE_CHUNKS] if h.chunk.kind != "table_row"]  # prose, not headers
        q = understand(truecased(text, found), self.store.lexical(), asked=truecased(asked, found), focus_articles=focus)
        # "porthelly memorial sculptor", "which lake is hosting": a person, a place is asked, though no word list says
        # "sculptor" or "lake" is one
        if q.head and not q.answer_type:
            q = replace(q, answer_type=self._kind_by_meaning(q.head))
            if not q.answer_type and q.intent == "fact":
                q = _figure_of(q, found)
        elif q.answer_type == "entity" and q.kind:
            q = replace(q, answer_type=self._kind_by_meaning(q.kind.split()[-1]) or "entity")
        if len(q.dimensions) > 1 and set(q.dimensions) <= set(DIMENSION_PROMPTS):  # "how long": a time, or a length
            q = replace(q, told=self._dimension_by_meaning(q.asked, q.dimensions))
        return replace(q, text=text, measure_like=self._measure_like(q, found),
                       like_of=partial(self._terms_like, q, hits[:TRUECASE_CHUNKS])), hits, vector

    def _dimension_by_meaning(self, asked: str, dimensions: tuple[str, ...]) -> tuple[str, ...]:
        """Which of the dimensions its words leave open a question asks, by the embedder: the one whose prompt is
        DIMENSION_MARGIN closer to it than any other's ("how long were guests stuck": a time); () where none is."""
        vectors = self.meaning.vectors([asked, *(DIMENSION_PROMPTS[d] for d in dimensions)])
        close = sorted(((float(vectors[asked] @ vectors[DIMENSION_PROMPTS[d]]), d) for d in dimensions), reverse=True)
        return (close[0][1],) if close[0][0] - close[1][0] >= DIMENSION_MARGIN else ()

    def _kind_by_meaning(self, noun: str) -> str:
        """What kind of answer a noun asks for, by the embedder: "the sculptor" is closest to a person, "the
        supplier" to a company, "the contractor" to either (an agent), "the suburb" to a place, each by
        KIND_MARGIN over every other kind; "" when none stands out ("the project", "the penalty": amounts and
        dates are told by their word lists, single words of those are not told apart by this embedder)."""
        vectors = self.meaning.vectors([f"the {noun}", *KIND_PROMPTS.values()])
        kind = {k: float(vectors[f"the {noun}"] @ vectors[prompt]) for k, prompt in KIND_PROMPTS.items()}
        agent = max(kind["person"], kind["organization"])
        if agent >= KIND_LIKE and agent - max(kind["place"], kind["date"], kind["amount"]) >= KIND_MARGIN:
            return "person" if kind["person"] - kind["organization"] >= KIND_MARGIN else \
                "organization" if kind["organization"] - kind["person"] >= KIND_MARGIN else "agent"
        if kind["place"] >= KIND_LIKE and kind["place"] - max(v for k, v in kind.items() if k != "place") >= KIND_MARGIN:
            return "place"
        return ""

    def _terms_like(self, q: Question, hits: list[Hit]) -> dict[str, frozenset[str]]:
        """The question's terms that the candidates found say in other words ("waiters" by "restaurants", "pay" by
        "wage"): for each term its word as typed, and the stems of the candidates' words within MEASURE_LIKE of it
        by the embedder's cosine (at most TERM_WORDS words, the best candidates' first)."""
        named = {t for e in q.entities for t in tokenize(e)}  # a name is said in no other words ("Chinese" / "Japanese")
        typed: dict[str, str] = {}
        for token in parse(q.asked or q.text).tokens:
            stem = (tokenize(token.text) or [""])[0]
            # nouns and verbs: the embedder puts a word beside its opposite ("last" / "next"), which a thing or an
            # act said otherwise is not
            if stem in q.weights and stem not in named and token.tag[:2] in ("NN", "VB"):
                typed.setdefault(stem, token.text.lower())
        words = [w for w in dict.fromkeys(w for h in hits for w in re.findall(r"\b[a-z]{3,}\b", h.chunk.embed_text()))
                 if (tokenize(w) or [""])[0] not in typed][:TERM_WORDS]  # (in lower case: no name says a term)
        return {t: stems for t, stems in self._like(typed, words).items() if stems}

    def _like(self, typed: dict[str, str], words: list[str]) -> dict[str, frozenset[str]]:
        """For each key's word, the stems of `words` the embedder puts within MEASURE_LIKE of it (single words)."""
        if not typed or not words:
            return {}
        vectors = self.meaning.vectors([*typed.values(), *words])
        return {k: frozenset(s for w in words if float(vectors[word] @ vectors[w]) >= MEASURE_LIKE and
                             not other_sum(k, (tokenize(w) or [""])[0]) for s in tokenize(w))
                for k, word in typed.items()}

    def _measure_like(self, q: Question, passages: list[str]) -> frozenset[str]:
        """The words of the passages found that mean what the question measures ("homes", "the arena" for
        "how many houses", "how much did the stadium cost"): close in meaning by the embedder's cosine."""
        if not q.measure:
            return frozenset()
        # the words of sentences with a figure, where what it counts is named: the best passages' first
        words = dict.fromkeys(w.lower() for p in passages for s in sentences(p) if any(ch.isdigit() for ch in s)
                              for w in re.findall(r"[A-Za-z][a-z]{2,}", s))
        words = [w for w in words if (tokenize(w) or [q.measure])[0] != q.measure][:MEASURE_WORDS]
        typed = [w for w in re.findall(r"[\w'’-]+", q.asked.lower()) if (tokenize(w) or [""])[0] == q.measure]
        asked = typed[0] if typed else q.measure  # the word as typed ("houses"), not its stem
        return self._like({q.measure: asked}, words).get(q.measure, frozenset())

    def evidence(self, q: Question, hits: list[Hit], vector) -> list[Evidence]:
        """Stage 3 for a fact question: each candidate read and scored, the likeliest answer first."""
        prose = [h.chunk for h in hits if h.chunk.kind != "table_row"]
        # a follow-up about the articles the previous answer cited: their passages are read first, each sentence as
        # close as it is to the question with the earlier topic or to the question as typed ("and what are they
        # paying for them": "The ships will cost a combined 1.38 billion dollars", far from "northbrae's ammonia ships")
        followed = [c for c in prose if c.article_id in q.focus_articles] if q.asked != q.text else []
        texts = list({c.id: c for c in [*followed, *prose]}.values())[:MEANING_CHUNKS]
        # the sentences that can be an answer: not a heading, nor a line that introduces a list or table
        said = [s for c in texts for s in sentences(c.text) if len(s.split()) >= 6 and not s.endswith(":")]
        cosines = self.meaning.cosines(vector, said)
        if followed:
            typed = self.meaning.cosines(self.meaning.vectors([q.asked])[q.asked], said)  # (cached: asked before)
            cosines = {s: max(c, typed[s]) for s, c in cosines.items()}
        # and the headings of the sections they open: one close in meaning to the question, and to what it asks with
        # the things it names left out, asks it ("What Oslo is worried about" for "what worries norway about russia";
        # not "Analysis of Japan's Strategic Position Amid U.S.-China Diplomatic Engagements" for "what worries japan
        # about china", close by the names alone)
        headings = [h.chunk.section for h in hits if h.chunk.opens_section and h.chunk.section and h.chunk.kind != "table_row"]
        if headings and q.answer_type in ("", "reason"):
            close = {h: c for h, c in self.meaning.cosines(vector, headings).items() if c >= SECTION_LIKE}
            if close and q.entities:  # the question embedded again only when a heading may ask it
                unnamed = self.meaning.cosines(self.embeddings.embed_query(
                    re.sub("|".join(re.escape(e) for e in sorted(q.entities, key=len, reverse=True)), " ", q.asked)), close)
                close = {h: min(c, unnamed[h] + SECTION_UNNAMED) for h, c in close.items()}
            cosines |= close
        return select(self.store, q, hits, cosines)

    # ----- stage 1: the conversation ---------------------------------------------------------------------

    def _turns(self, turns: list[Turn], filters: Filters) -> list[Turn]:
        """The turns with their answers: the last one, asked again when only its question is known."""
        if turns and not turns[-1].answered:
            earlier = self.ask(turns[-1].question, turns[:-1], filters)
            articles = tuple(dict.fromkeys(c.chunk_id.split("#")[0] for c in earlier.citations))
            turns = [*turns[:-1], Turn(earlier.standalone_question or turns[-1].question,
                                       earlier.answer if earlier.answered else "", articles)]
        return turns

    def _standalone(self, question: str, turns: list[Turn]) -> str:
        if not turns:
            return question
        if self.llm is not None:
            from .llm import condense_with_llm

            return condense_with_llm(self.llm, question, [t.question for t in turns]) or resolve(question, turns)
        return resolve(question, turns)

    # ----- stages 3 and 4 --------------------------------------------------------------------------------

    def _route(self, q: Question, hits: list[Hit], vector,
               filters: Filters) -> tuple[Answer | None, list[Evidence]]:
        """The answer the question's intent and answer type call for (None to decline), and the fact
        evidence it rests on (an LLM rewrites only fact answers)."""
        if q.answer_type == "inconsistency":
            return overview.inconsistency(self.store, q, hits, filters), []
        if q.answer_type == "source":
            return overview.source(self.store, q, hits), []
        if q.intent == "list" and (heading := _section_asked(q, hits)):
            q = replace(q, intent="open", section=tokenize(heading))  # "what are the recommendations for X?"
        if q.intent == "open":
            return overview.synthesis(self.store, self.meaning, q, hits, vector, filters), []
        if q.intent == "list" and (listed := lists.list_answer(self.store, q, hits)) is not None:
            return listed, []
        return self._fact(q, hits, vector)

    def _fact(self, q: Question, hits: list[Hit], vector) -> tuple[Answer | None, list[Evidence]]:
        evidence = self.evidence(q, hits, vector)
        if q.members and evidence and evidence[0].chunk.kind == "table_row" \
                and not members(self.store, q, evidence[0]):  # one row is no list: sentences say what X consists of
            evidence = [ev for ev in evidence if ev.chunk.kind != "table_row"]
        if q.speaker and evidence:
            evidence = self._by_speaker(q, evidence)
        rows = named_rows(q, evidence)
        if evidence and not rows:  # the best evidence that answers, among those scored about as well
            evidence = answering_first(q, evidence, self.store)
        # "which segment had the highest revenue", "X for each quarter": the rows are the answer, so the
        # question need not name one
        table_wide = bool(rows) or bool(q.rank_rows) or q.each
        # (a table that ranks the rows asked answers, though the best passage alone does not)
        ranking = ranked(self.store, q, evidence) if q.rank_rows and evidence else []
        if not evidence or not (supported(q, evidence[0], named_rows=table_wide) or ranking):
            return None, []
        return compose_fact(self.store, self.meaning, q, evidence, rows, ranking), evidence

    def _by_speaker(self, q: Question, evidence: list[Evidence]) -> list[Evidence]:
        """"What did the union boss say", "how did the owner take it": of the best few (of the best's article, or
        scored nearly as well), the words of the speaker closest in meaning to the one asked ("the union boss" /
        "Union leaders called the decision a victory", not "the court's president"; "the environmentalists" / "The
        campaign group Clear Rivers Ardmere said") first, when it is closer than the best's by SPEAKER_MARGIN."""
        few = [(i, who) for i, ev in enumerate(evidence[:SPEAKER_DEPTH])
               if (ev.chunk.article_id == evidence[0].chunk.article_id or ev.score >= FALLBACK_SCORE * evidence[0].score)
               and (who := attribution(ev.statement))]
        if not few:
            return evidence
        # a name tells the embedder little: the article says what it is ("the terminal's operator, Quarnsby Grain
        # Terminals"), so the words around its first mention elsewhere stand for it as well
        told = {who: _mention(who, evidence[i].statement, self.store.article_chunks(evidence[i].chunk.article_id))
                for i, who in few}
        vectors = self.meaning.vectors([q.speaker, *told, *told.values()])
        close = {i: max(float(vectors[q.speaker] @ vectors[t]) for t in (who, told[who]) if t) for i, who in few}
        best = max(close, key=close.get)
        if best and close[best] >= close.get(0, 0.0) + SPEAKER_MARGIN:
            return [evidence[best], *evidence[:best], *evidence[best + 1:]]
        return evidence

    def _decline(self, q: Question, hits: list[Hit]) -> Answer:
        related = [Citation.of(h.chunk, h.chunk.text, 0) for h in hits[:3]]
        return Answer(question=q.asked, answered=False, answer=DECLINE, mode="grounded", related=related)


def _figure_of(q: Question, passages: list[str]) -> Question:
    """A terse query whose head no word list or kind types ("valdren bond auction average yield") asks an amount
    where the passages found give it as one: most of their sentences that name it tie a figure to it ("at an average
    yield of 3.87%", "The average yield came out at 3.87%"), as they tie one to "visitors" asked how many."""
    asked = replace(q, answer_type="amount", measure=(tokenize(q.head) or [""])[-1])
    if not asked.measure:
        return q
    naming = [s for p in passages for s in sentences(p) if asked.measure in tokset(s)]
    near = replace(asked, counted=True)  # the figure beside the word, not anywhere in its sentence
    tied = [s for s in naming if attached(near, s)]
    return asked if len(tied) >= max(2, len(naming) / 2) else q


def _mention(name: str, statement: str, chunks: Iterable[Chunk]) -> str:
    """The words around a name's first mention in its article (`chunks`, in order) outside `statement` (MENTION words
    each side), for a name ("Quarnsby Grain Terminals"); "" for a phrase in lower case or one mentioned nowhere else."""
    if name == name.lower() or name.split()[0].lower() in ("he", "she", "they", "it", "we"):
        return ""
    for chunk in chunks:
        for s in sentences(chunk.text):
            if name in s and s not in statement:
                before, after = s.split(name, 1)
                return " ".join([*before.split()[-MENTION:], name, *after.split()[:MENTION]])
    return ""


def _section_asked(q: Question, hits: list[Hit]) -> str:
    """The heading of a section the question is about as a whole ("What are the recommendations for X?"
    under "Recommendations for X"): one that holds nearly every word of the question (counted, not
    weighed: a word of an article's headings is in all its chunks, so it weighs little)."""
    for h in hits[:10]:
        if h.chunk.section and q.terms and \
                len(set(q.terms) & tokset(h.chunk.section)) >= SECTION_ASKED * len(q.terms):
            return h.chunk.section
    return ""
