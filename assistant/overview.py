"""Stage 4 for questions about an article as a whole: a cited synthesis for open questions ("can you
summarize this?", "what does it say about X?", "the main points of the analysis section"), the source
of an article ("who reported it?"), and its inconsistencies ("does the article contradict itself?").

A synthesis is 2 to 6 points, each a sentence (or a list's items, or a table row) quoted verbatim with
its own citation, chosen for relevance to the question and coverage (MMR: no point repeats another).
Without a topic the points follow the article; with one, the most relevant comes first."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from index.store import ARTICLE_ID, Store
from index.types import Chunk

from .citations import Citations, sentence
from .compose import grounded, quoted
from .inconsistency import inconsistencies
from .language import parse
from .question import Question
from .retrieval import Filters, Hit
from .sentences import count_words, is_instruction, sentences, tokset
from .thresholds import MAX_POINTS, MIN_MEANING, MIN_SUPPORT, POINT_SHARE
from .units import units_of

if TYPE_CHECKING:
    from .meaning import Meaning

_RUNNING = re.compile(r"^(?![(\[][\divxa-f]{1,4}[)\]])[\"“‘'A-Z0-9(].*[.!?][\"”’')]?$", re.S)  # a sentence, not a heading
# "According to Kyodo News, ...", "..., Reuters reported.", "reported by the Harbour Daily"
_ATTRIBUTION = re.compile(r"\b(?:[Aa]ccording\s+to|reported\s+by|[Ss]ources?\s*:)\s+((?:the\s+)?[A-Z][\w.&'’-]*"
                          r"(?:\s+[A-Z][\w.&'’-]*)*)|((?:the\s+)?[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*)*)\s+"
                          r"(?:reported|reports|said\s+in\s+a\s+report|first\s+reported)\b")
MAX_ARTICLES = 6  # an overview of several articles: one point each, the most relevant first
DOMINANT = 1.5  # an article whose candidates weigh this much more than the next one's is the one asked about
MAX_RANKED = 200  # points whose meaning is weighed for a topic


class _Point:
    """A candidate point: what it says, the exact text it quotes, its chunk and where it sits."""

    def __init__(self, chunk: Chunk, text: str, position: float):
        self.chunk, self.text, self.position = chunk, text, position
        self.tokens = tokset(text)
        self.score = 0.0


def _points_of(chunks: list[Chunk]) -> list[_Point]:
    """Every sentence, list item and table row of the chunks, in article order."""
    out = []
    for c in sorted(chunks, key=lambda c: (c.article_id, c.section_index, c.id)):
        if c.kind == "table_row":
            if sum(bool(v) for v in c.row.values()) >= 2 and not is_instruction(c.text):
                out.append(_Point(c, c.text, c.section_index + 0.5))
            continue
        for n, s in enumerate(sentences(c.text)):
            s = s.removeprefix("- ")
            if 5 <= count_words(s) <= 70 and _RUNNING.match(s) and not is_instruction(s) and not s.endswith(":"):
                out.append(_Point(c, s, c.section_index + 0.01 * n))
    return out


def _article_chunks(store: Store, articles: list[str]) -> list[Chunk]:
    return [c for a in articles for c in store.iter_chunks(where={ARTICLE_ID: a})]


def _articles(q: Question, hits: list[Hit]) -> list[str]:
    """The articles an open question is about, most first: those its candidates come from, weighed by
    their fused scores; one alone when it stands out (DOMINANT times the next)."""
    weight: dict[str, float] = {}
    for h in hits[:10]:
        weight[h.chunk.article_id] = weight.get(h.chunk.article_id, 0.0) + h.score
    ranked = sorted(weight, key=lambda a: -weight[a])
    if len(ranked) > 1 and weight[ranked[0]] >= DOMINANT * weight[ranked[1]]:
        return ranked[:1]
    return ranked


def _target(store: Store, q: Question, hits: list[Hit]) -> tuple[list[Chunk], bool]:
    """The chunks an open question is about, and whether to rank them by its topic ("what does it say
    about X") rather than summarize them ("summarize the earnings report", "the analysis section")."""
    if q.focus_articles:
        articles = list(q.focus_articles)
    elif len({r.file_id for r in store.current_records().values()}) <= 1:
        articles = list(dict.fromkeys(h.chunk.article_id for h in hits))[:1]  # the one article there is
    else:
        articles = _articles(q, hits)[:MAX_ARTICLES]
    if q.section:  # "the analysis section": every chunk of the sections so headed
        chunks = [c for c in _article_chunks(store, articles[:3]) if set(q.section) <= tokset(c.section)]
        if chunks:
            return chunks, bool(set(q.topic) - set(q.section)) and not q.summary
    if q.summary or not q.topic:
        return _article_chunks(store, articles if len(articles) == 1 else articles[:MAX_ARTICLES]), False
    return [h.chunk for h in hits], True


def synthesis(store: Store, meaning: "Meaning", q: Question, hits: list[Hit], vector,
              filters: Filters) -> object:
    """2 to 6 cited points answering an open question; None when nothing is about its topic."""
    chunks, ranked = _target(store, q, hits)
    points = _points_of(chunks)
    if not points:
        return None
    articles = list(dict.fromkeys(p.chunk.article_id for p in points))
    if ranked:
        cos = meaning.cosines(vector, [p.text for p in points[:MAX_RANKED]])
        topic = {t: q.weights.get(t, 1.0) for t in q.topic}
        total = sum(topic.values()) or 1.0
        for p in points:
            words = p.tokens | tokset(f"{p.chunk.section} {p.chunk.caption}")
            p.score = 0.5 * cos.get(p.text, 0.0) + 0.5 * sum(w for t, w in topic.items() if t in words) / total
        best = max(p.score for p in points)
        if best < 0.5 * (MIN_MEANING + MIN_SUPPORT):
            return None  # nothing found is about the topic
    elif len(articles) > 1:  # several articles: the lead of each, the most relevant first
        order = {a: i for i, a in enumerate(_articles(q, hits))}
        leads = {}
        for p in points:
            if p.chunk.kind != "table_row":
                leads.setdefault(p.chunk.article_id, p)
        points = sorted(leads.values(), key=lambda p: order.get(p.chunk.article_id, len(order)))[:MAX_ARTICLES]
        for n, p in enumerate(points):
            p.score = 1.0 / (1 + n)
    else:  # one article: its lead first, then a point from each part, in order
        for p in points:
            p.score = 1.0 / (1.0 + 0.5 * p.position) + 0.1 * (p.chunk.kind == "list")
    chosen = _pick(points, ranked or len(articles) > 1)  # several articles: in the order of relevance
    cites = Citations()
    lines = [sentence(p.text, cites.mark(p.chunk, p.text if p.chunk.kind != "table_row" else p.chunk.text))
             for p in chosen]
    return grounded(q, "\n".join([lines[0], *(f"- {line}" for line in lines[1:])]), cites)  # the first point leads


def _pick(points: list[_Point], ranked: bool) -> list[_Point]:
    """Up to MAX_POINTS points, MMR-style: the best remaining that repeats no chosen one; without a
    topic, one per section first (coverage), then in article order. A narrow topic may have one."""
    best = max(p.score for p in points)
    pool = [p for p in points if p.score >= POINT_SHARE * best] if ranked else list(points)
    chosen: list[_Point] = []
    sections: set[tuple[str, int]] = set()
    while pool and len(chosen) < MAX_POINTS:
        def value(p: _Point) -> float:
            redundancy = max((_overlap(p, c) for c in chosen), default=0.0)
            fresh = ranked or (p.chunk.article_id, p.chunk.section_index) not in sections
            return p.score - 0.7 * redundancy + (0.0 if fresh else -1.0)

        p = max(pool, key=value)
        pool.remove(p)
        if max((_overlap(p, c) for c in chosen), default=0.0) >= 0.5:
            continue
        chosen.append(p)
        sections.add((p.chunk.article_id, p.chunk.section_index))
    return chosen if ranked else sorted(chosen, key=lambda p: (p.chunk.article_id, p.position))


def _overlap(a: _Point, b: _Point) -> float:
    shared = len(a.tokens & b.tokens)
    return shared / ((len(a.tokens) * len(b.tokens)) ** 0.5) if shared else 0.0


# ----- the source of an article ---------------------------------------------------------------------

def source(store: Store, q: Question, hits: list[Hit]) -> object:
    """Who reported it: the outlet or person an article attributes its report to, else its publisher;
    for "which outlets covered X", each article's."""
    if q.focus_articles:
        articles = list(q.focus_articles)
    else:
        best = max((q.coverage(tokset(h.chunk.embed_text())) for h in hits), default=0.0)
        articles = list(dict.fromkeys(h.chunk.article_id for h in hits[:8]
                                      if q.coverage(tokset(h.chunk.embed_text())) >= 0.8 * best))
    found = [said for a in articles[:MAX_ARTICLES if q.intent == "list" else 1] if (said := _source_of(store, a))]
    if not found:
        return None
    cites = Citations()
    if q.intent == "list":  # each outlet once, cited by its first article
        first = {name: (c, s) for name, c, s in reversed(found)}
        return grounded(q, "; ".join(f"{name} [{cites.mark(c, s)}]" for name, (c, s) in reversed(first.items()))
                        + ".", cites)
    name, c, s = found[0]
    return grounded(q, f"{name}. {quoted(s)} [{cites.mark(c, s)}]", cites)


def _source_of(store: Store, article: str) -> tuple[str, Chunk, str] | None:
    """(who, the chunk, the sentence that says so) for one article: its publisher or author with its first
    sentence, else the report its text attributes itself to ("According to Kyodo News, ...")."""
    chunks = sorted(_article_chunks(store, [article]), key=lambda c: (c.section_index, c.id))
    first = next((c for c in chunks if c.kind != "table_row"), None)
    if first is not None and (first.publisher or first.author):
        role = "publisher" if first.publisher else "author"
        return f"{first.publisher or first.author} (the article’s {role})", first, sentences(first.text)[0]
    for c in chunks:
        if c.kind == "table_row":
            continue
        for s in sentences(c.text):
            m = _ATTRIBUTION.search(s)
            name = next((g for g in m.groups() if g), "") if m else ""
            if name and any(e.label in ("ORG", "PERSON") and (name in e.text or e.text in name)
                            for e in parse(s).entities):
                return name, c, s
    return None


# ----- inconsistencies ---------------------------------------------------------------------------------

def inconsistency(store: Store, q: Question, hits: list[Hit], filters: Filters) -> object:
    """Where the articles contradict themselves (one person given two titles, an office unnamed then
    named, a value restated differently), each side cited; None when nothing contradicts."""
    articles = list(q.focus_articles) or list(dict.fromkeys(h.chunk.article_id for h in hits))[:3]
    found = inconsistencies(units_of(_article_chunks(store, articles)))
    if not found:
        return None
    cites = Citations()
    lines = []
    for about, values in found[:3]:
        sides = " vs ".join(f"“{v}” [{cites.mark(c, quote)}]" for v, (c, quote) in values)
        lines.append(f"- {about}: {sides}")
    return grounded(q, "Yes:\n" + "\n".join(lines), cites)
