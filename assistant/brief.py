"""Briefings: a one-page summary of the corpus, or of one topic, in which every line is cited.

Grounded (the default, no LLM): the briefing says only what the articles say, verbatim.
  1. Candidates: every chunk (for a topic, the chunks hybrid retrieval finds about it) with the
     vectors Chroma stores. Units are their sentences, and each list as its introducing line with
     the items' heads (`units`).
  2. Centrality of a unit: its chunk's similarity to the topic (or to the candidates' centroid), its
     words' tf-idf similarity to the candidates' vocabulary, and how early it comes in its article.
  3. Themes: the sections of a single article; across articles, sections clustered by their stored
     vectors (spherical k-means), named by a heading they share or by their most distinctive words
     (`themes`).
  4. The bottom line, then the key points theme by theme in turn, are picked MMR-style (central and
     not redundant with what is already said) until the word budget is spent. The same sentence in
     another article (a wire copy) is merged into the point, citing both (`plan`).
  5. Disagreements: across articles of the same story, by the detector answers use (`sides`): each value a
     sentence states (a figure, a date, a person) is asked about, and another article that restates the
     claim with another value is a side, weighed, cited and dated (`plan.Disputes`); a sentence repeated
     with one value changed; inside one article, two sentences that differ in one value only, one person
     given two titles, or an office left unnamed at first and named later (`inconsistency`, `textscan`).
  6. Key figures (the most relevant table rows, with their headers), a timeline (published dates and
     dates stated in sentences) and, for a topic, gaps: its words, dates or figures the articles lack.
With an LLM, the model writes the bottom line and key points from numbered passages and each of its
sentences is kept only if it passes the answer verification (`llm.verify`); the rest stays grounded.
The result is a `Briefing` (`briefing`): JSON, Markdown or HTML.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

import numpy as np
from rapidfuzz import fuzz

from index.lexical import tokenize
from index.store import PAGE, Store, chunk_from_record
from index.types import Chunk

from .citations import Citations
from .compose import weigh
from .briefing import Briefing, Event, Figure, Point, Source, Theme
from .errors import UsageError
from .meaning import Meaning
from .question import understand
from .plan import Item, Plan, draft_plan
from .retrieval import Filters, Retriever
from .thresholds import MIN_SUPPORT
from .types import Citation, Conflict
from .units import Ref, count_words

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

__all__ = ["Briefer", "Briefing", "check_words"]

log = logging.getLogger(__name__)
MIN_WORDS = 20
MAX_PASSAGES = 12  # given to an LLM
# the LLM's room to write: about 2 tokens a word, markers and headings included, and a margin
TOKENS_PER_WORD, TOKEN_MARGIN = 2, 100
LOG = "briefs.json"  # in the index folder: when each topic was last briefed, for --since-last

Progress = Callable[[str], None]


def check_words(words: int) -> None:
    if words < MIN_WORDS:
        raise UsageError(f"--words {words}: a briefing needs at least {MIN_WORDS} words")


@dataclass
class Briefer:
    """Briefings over one store. `llm` is optional: without it briefings are grounded."""

    store: Store
    embeddings: "Embeddings"
    llm: "BaseChatModel | None" = None

    def __post_init__(self):
        self.retriever = Retriever(self.store, self.embeddings)
        self.meaning = Meaning(self.embeddings)

    def brief(self, topic: str | None = None, filters: Filters = Filters(), words: int = 300,
              since_last: bool = False, on_progress: Progress | None = None) -> Briefing:
        """A briefing on `topic` (None: every indexed article) in at most `words` words of prose."""
        check_words(words)
        say = on_progress or (lambda _: None)
        topic = " ".join((topic or "").split())
        started = time.time()
        key = json.dumps([topic.lower(), filters.source.lower(), filters.since, filters.until])
        last = self._history().get(key) if since_last else None  # then only what was indexed since
        if last is not None:
            filters = replace(filters, file_ids=tuple(r.file_id for r in self.store.records().values()
                                                      if r.status == "ok" and r.indexed_at > last))
        say("finding the articles")
        nothing_new = last is not None and not filters.file_ids  # (no file ids would mean every file)
        chunks, vectors, about = ([], np.zeros((0, 1)), False) if nothing_new else self._candidates(topic, filters)
        if not chunks:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(last)) if last is not None else ""
            gap = (f"Nothing is new or changed since the previous briefing ({when})." if last is not None
                   else "No indexed article matches the filters.")
            briefing = self._assemble(Plan(gaps=[gap]), topic, chunks, "grounded")
        elif not about:
            gap = f"The indexed articles do not cover “{topic}”."
            briefing = self._assemble(Plan(gaps=[gap if count_words(gap) <= words else "Not covered."]), topic, [],
                                      "grounded")
        else:
            say("choosing the key points")
            plan = draft_plan(self.store, self.embeddings, topic, chunks, vectors, words, self.meaning)
            mode = "grounded"
            if self.llm is not None:
                say("writing with the LLM")
                mode = self._write(plan, topic, words)
            briefing = self._assemble(plan, topic, chunks, mode)
        self._remember(key, started)
        return briefing

    # ----- candidates --------------------------------------------------------------------------------

    def _candidates(self, topic: str, filters: Filters) -> tuple[list[Chunk], np.ndarray, bool]:
        """Chunks to brief from, their stored vectors, and whether they are about the topic at all."""
        if not topic:
            chunks, vectors = self._fetch(where=filters.where(self.store) if filters else None)
            return chunks, vectors, True
        hits = self.retriever.search(topic, filters, k=60)
        query = understand(topic, self.store.lexical())
        cover = {h.chunk.id: query.coverage(set(tokenize(h.chunk.embed_text()))) for h in hits}
        best, top_dense = max(cover.values(), default=0.0), max((h.dense for h in hits), default=0.0)
        # about the topic: most of what the best chunk covers of it, or nearly as close in meaning
        kept = [h.chunk for h in hits
                if cover[h.chunk.id] >= max(MIN_SUPPORT, 0.6 * best) or h.dense >= 0.8 * top_dense]
        chunks, vectors = self._fetch(ids=[c.id for c in kept]) if kept else ([], np.zeros((0, 1)))
        return chunks, vectors, best >= MIN_SUPPORT

    def _fetch(self, where: dict | None = None, ids: list[str] | None = None) -> tuple[list[Chunk], np.ndarray]:
        chunks, vectors = [], []
        offset = 0
        while True:
            page = {"limit": None, "offset": None} if ids else {"limit": PAGE, "offset": offset}
            got = self.store.chunks.get(ids=ids, where=where, include=["documents", "metadatas", "embeddings"], **page)
            for cid, doc, meta, vec in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"]):
                chunks.append(chunk_from_record(cid, doc or "", meta or {}))
                vectors.append(vec)
            if ids or len(got["ids"]) < PAGE:
                break
            offset += PAGE
        return chunks, np.asarray(vectors, dtype=np.float32).reshape(len(chunks), -1 if chunks else 0)

    # ----- LLM ---------------------------------------------------------------------------------------

    def _write(self, plan: Plan, topic: str, words: int) -> str:
        """Replace the plan's bottom line and points by the LLM's verified sentences; the mode."""
        from .llm import number_passages, verify
        from .prompts import render

        chunks = list({c.id: c for i in plan.bottom + [i for _, items in plan.themes for i in items]
                       for c, _ in i.refs}.values())[:MAX_PASSAGES]
        budget = words - plan.words("timeline", "disagreements", "gaps")
        headers = [" — ".join(p for p in (c.publisher, c.published_at[:10], c.title, c.section) if p) for c in chunks]
        messages = render("brief", topic=topic or "everything in the passages", words=str(budget),
                          passages=number_passages(chunks, headers))
        try:  # room for the budget: make_llm's max_tokens is sized for an answer
            out = self.llm.invoke(messages, max_tokens=TOKENS_PER_WORD * budget + TOKEN_MARGIN).content
        except Exception as e:  # a server that is down or refuses: the grounded briefing stands
            log.warning("the LLM failed (%s); briefing without it", str(e)[:200])
            return "llm-fallback"
        bottom: list[Item] = []
        themes: list[tuple[str, list[Item]]] = []
        for line in (out if isinstance(out, str) else "").splitlines():
            line = line.strip().replace("**", "")
            if (m := re.match(r"(?i)bottom\s+line\s*[:.]\s*(.*)", line)):
                line, into = m.group(1), bottom
            elif line.startswith("#"):
                themes.append((line.lstrip("#").strip(), []))
                continue
            else:
                line = re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", line)
                into = themes[-1][1] if themes else bottom
            kept = [Item(body, [(chunks[n - 1], q) for n, q in zip(cited, quotes)])
                    for body, cited, quotes in (verify(line, chunks) if line else [])
                    if not any(fuzz.partial_ratio(body.strip("()[] ."), h) >= 90 for h in headers)]  # an echo
            if into is bottom:  # a sentence each
                bottom += kept
            elif kept:  # a bullet of one or two sentences
                into.append(Item(" ".join(i.text for i in kept), [ref for i in kept for ref in i.refs]))
        if not bottom and not any(its for _, its in themes):
            return "llm-fallback"
        room = budget
        for i in bottom + [i for _, its in themes for i in its]:  # the word budget, in the order written
            room -= count_words(i.text)
            if room < 0:
                i.refs = []
        plan.bottom = [i for i in bottom if i.refs]
        plan.themes = [(name, kept) for name, its in themes if (kept := [i for i in its if i.refs])]
        return "llm"

    # ----- numbering and sources ---------------------------------------------------------------------

    def _assemble(self, plan: Plan, topic: str, chunks: list[Chunk], mode: str) -> Briefing:
        cites = Citations()

        def mark(refs: list[Ref]) -> tuple[int, ...]:
            return tuple(dict.fromkeys(cites.mark(c, q) for c, q in refs))

        bottom = [Point(i.text, mark(i.refs)) for i in plan.bottom]
        themes = [Theme(name, tuple(Point(i.text, mark(i.refs)) for i in items)) for name, items in plan.themes]
        figures = []
        for rows in plan.figures:
            headers = [h for h in rows[0].row if any(r.row.get(h) for r in rows)]
            figures.append(Figure(rows[0].caption or rows[0].section or rows[0].title, tuple(headers),
                                  tuple((tuple(r.row.get(h, "") for h in headers), mark([(r, r.text)])[0])
                                        for r in rows)))
        timeline = [Event(date, i.text, mark(i.refs)) for date, i in plan.timeline]
        disagreements = [Conflict(d.about, tuple((v, mark([ref])[0]) for v, ref in d.values),
                                  tuple(weigh(side, mark([(ev.chunk, ev.quote) for ev in side.cited]))
                                        for side in d.sides))
                         for d in plan.disagreements]
        citations = cites.build()
        by_article: dict[str, list[Citation]] = defaultdict(list)
        for c in citations:
            by_article[c.chunk_id.split("#")[0]].append(c)
        publisher = {c.article_id: c.publisher for c in chunks}
        sources = [Source(cs[0].source, cs[0].title, cs[0].published_at, cs[0].url, publisher.get(aid, ""),
                          tuple(c.marker for c in cs)) for aid, cs in by_article.items()]
        articles = {c.article_id: c.title for c in chunks}
        title = (f"Briefing: {topic}" if topic else f"Briefing: {next(iter(articles.values()))}" if len(articles) == 1
                 else f"Briefing: {len(articles)} articles")
        return Briefing(title=title, topic=topic, mode=mode, bottom_line=bottom, themes=themes, figures=figures,
                        timeline=timeline, disagreements=disagreements, gaps=plan.gaps, sources=sources,
                        citations=citations, words=plan.words())

    # ----- since last time ---------------------------------------------------------------------------

    def _history(self) -> dict[str, float]:
        try:
            return json.loads((self.store.lexical_dir.parent / LOG).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _remember(self, key: str, at: float) -> None:
        path = self.store.lexical_dir.parent / LOG
        history = {**self._history(), key: at}
        tmp = path.with_name(f".{LOG}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps(history, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:  # a read-only index still briefs; only --since-last loses its mark
            log.warning("cannot record the briefing time in %s: %s", path, e.strerror)
