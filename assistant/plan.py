"""The grounded plan of a briefing, before markers are numbered: its bottom line and key points theme by
theme (picked MMR-style: central and not redundant), key figures, timeline, disagreements and gaps,
all within the word budget. The same sentence in another article (a wire copy) is merged into the
point, citing both; with one value changed, in an article of the same story, it is a disagreement, and so
is a claim that another article of the story restates with another value, found as answers find it (`Disputes`)."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from index.lexical import tokenize
from index.store import Store
from index.types import Chunk

from .conflicts import amount_kind, exact, find_conflicts, shared_words
from .sides import CALENDAR, Side, sides, slot
from .evidence import Evidence
from .question import understand
from .sentences import is_instruction
from .spans import attributed, entities_of, stated
from .inconsistency import Disagreement, inconsistencies
from .thresholds import RESTATED_STORY
from .meaning import Meaning
from .retrieval import Hit
from .textscan import frame, numbers, stated_dates, variant
from .themes import group_themes, name_theme
from .units import Ref, Unit, count_words, similarity, units_of

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

MAX_THEMES = 6
MAX_POINTS = 4  # per theme
MAX_ROWS = 6  # per table
MAX_CLAIMED = 40  # sentences whose values are checked against other articles, the most relevant first
MAX_SIBLINGS = 4  # ... against this many other articles of the same story at most
SHARE = {"bottom": 0.3, "disagreements": 0.25, "timeline": 0.15, "gaps": 0.15}  # of --words, at most

# a sentence that leans on the one before or after it ("It will ...", "The following table ...") reads badly alone
_DANGLING = re.compile(r"(?:It|This|That|These|Those|They|He|She|Such|As such|However|Additionally|Therefore|Thus)\b"
                       r"|.*\b(?:following|below|above)\b")


@dataclass
class Item:
    """A line of the briefing before markers are numbered."""

    text: str
    refs: list[Ref]


@dataclass
class Dispute:
    """Sources that disagree: what about, each value with a citation, and where found by answer, every side weighed."""

    about: str
    values: list[tuple[str, Ref]]
    sides: list[Side] = field(default_factory=list)

    @classmethod
    def of(cls, found: Disagreement) -> Dispute:
        return cls(*found)


@dataclass
class Plan:
    """What a briefing will say, part by part; `words()` counts its prose (every part, or those named)."""

    bottom: list[Item] = field(default_factory=list)
    themes: list[tuple[str, list[Item]]] = field(default_factory=list)
    figures: list[list[Chunk]] = field(default_factory=list)
    timeline: list[tuple[str, Item]] = field(default_factory=list)
    disagreements: list[Dispute] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    def words(self, *parts: str) -> int:
        counts = {"bottom": sum(count_words(i.text) for i in self.bottom),
                  "points": sum(count_words(i.text) for _, items in self.themes for i in items),
                  "timeline": sum(count_words(i.text) for _, i in self.timeline),
                  "disagreements": sum(_conflict_words(d) for d in self.disagreements),
                  "gaps": sum(count_words(g) for g in self.gaps)}
        return sum(counts[p] for p in parts or counts)


def _conflict_words(d: Dispute) -> int:
    return count_words(d.about) + sum(count_words(v) for v, _ in d.values)


def draft_plan(store: Store, embeddings: "Embeddings", topic: str, chunks: list[Chunk], vectors: np.ndarray,
               words: int, meaning: Meaning | None = None) -> Plan:
    """What a grounded briefing of `words` words says, picked from `chunks` (with their stored `vectors`);
    `meaning`: the embedder's sentence vectors, kept between briefings."""
    plan = Plan()
    lexical = store.lexical()
    query = understand(topic, lexical) if topic else None
    ref = np.asarray(embeddings.embed_query(topic)) if topic else vectors.mean(axis=0)
    sims = vectors @ (ref / (np.linalg.norm(ref) or 1.0))
    low, high = float(sims.min()), float(sims.max())
    relevance = {c.id: (float(s) - low) / ((high - low) or 1.0) for c, s in zip(chunks, sims)}
    if query:
        for c in chunks:
            relevance[c.id] = 0.5 * relevance[c.id] + 0.5 * query.coverage(set(tokenize(c.embed_text())))
    units = units_of(chunks)
    idf = {t: lexical.idf(t) for u in units for t in u.tokens}
    profile = Counter()
    for u in units:
        profile.update({t: idf[t] for t in u.tokens})
    norm = math.sqrt(sum(v * v for v in profile.values())) or 1.0
    for u in units:
        weight = math.sqrt(sum(idf[t] ** 2 for t in u.tokens)) or 1.0
        central = sum(idf[t] * profile[t] for t in u.tokens) / (weight * norm)
        u.score = (0.35 * relevance[u.chunk.id] + 0.35 * central + 0.3 * u.early
                   + 0.1 * (u.chunk.kind == "list") - 0.3 * bool(_DANGLING.match(u.text))
                   + (0.5 * query.coverage(u.tokens) if query else 0.0))
    top = max((u.score for u in units), default=1.0) or 1.0
    for u in units:
        u.score /= top
    single = len({c.article_id for c in chunks}) == 1
    groups = group_themes(units, chunks, vectors, single, max(2, min(MAX_THEMES, words // 60)))
    pool = set(units)
    said: list[Unit] = []
    # disagreements not yet admitted: over the values of every sentence, most relevant first
    disputes = Disputes(store, meaning or Meaning(embeddings), units)
    found: list[Dispute] = [d for u in sorted(units, key=lambda u: -u.score)[:MAX_CLAIMED] for d in disputes.of(u)]

    def take(u: Unit) -> Item:
        pool.discard(u)
        said.append(u)
        refs = [(u.chunk, u.quote)] + _twins(store, u, pool, found)
        return Item(u.text, refs)

    def admit() -> None:
        said = {(d.about, tuple(v for v, _ in d.values)) for d in plan.disagreements}
        for d in sorted(found, key=lambda d: -_weight(d, relevance)):
            cost = _conflict_words(d)
            if plan.words("disagreements") + cost <= SHARE["disagreements"] * words \
                    and plan.words() + cost <= words and (d.about, tuple(v for v, _ in d.values)) not in said:
                plan.disagreements.append(d)
                said.add((d.about, tuple(v for v, _ in d.values)))  # copies of an article say it again
        found.clear()

    # the bottom line: one article's lead, or the best of the three main themes; its first sentence
    # may take the whole budget, the others the bottom line's share
    for group in [units] * 3 if single else groups[:3]:
        room = min(SHARE["bottom"] * words - plan.words("bottom") if plan.bottom else words, words - plan.words())
        if (u := _best([u for u in group if u in pool], said, room, lead=1.0)):
            plan.bottom.append(take(u))
    if single:  # in the article's order
        position = {id(i): u.position for i, u in zip(plan.bottom, said)}
        plan.bottom.sort(key=lambda i: position[id(i)])
    found += map(Dispute.of, inconsistencies(units))
    admit()
    plan.timeline = _timeline(units, min(SHARE["timeline"] * words, words - plan.words()))
    if query:
        gaps = _gaps(topic, units, chunks)
        room = min(SHARE["gaps"] * words, words - plan.words())
        plan.gaps = [g for n, g in enumerate(gaps) if sum(map(count_words, gaps[:n + 1])) <= room]
    plan.themes = [("", []) for _ in groups]
    picked: list[list[Unit]] = [[] for _ in groups]
    for _ in range(MAX_POINTS):  # theme by theme in turn, the best remaining point of each
        for group, (_, items), chosen in zip(groups, plan.themes, picked):
            if (u := _best([u for u in group if u in pool], said, words - plan.words())):
                items.append(take(u))
                chosen.append(u)
    themes = []
    for (_, items), chosen, group in zip(plan.themes, picked, groups):
        if items:
            order = sorted(range(len(items)), key=lambda n: chosen[n].position if single else n)
            themes.append((name_theme(chosen, group, single, idf), [items[n] for n in order]))
    plan.themes = themes
    admit()
    plan.figures = _figures(chunks, relevance, single, max(1, min(4, words // 100)))
    return plan


def _twins(store: Store, u: Unit, pool: set[Unit], found: list[Dispute]) -> list[Ref]:
    """The same sentence in other articles: a copy is merged (its citation returned); a copy with
    one value changed, in an article of the same story, is a disagreement (added to `found`).
    Both leave the pool."""
    others = [v for v in pool if v.chunk.article_id != u.chunk.article_id]
    merged = []
    for _, score, i in process.extract(u.text, [v.text for v in others], scorer=fuzz.ratio, score_cutoff=75,
                                       limit=None):
        v = others[i]
        values = variant(u.text, v.text)
        if values and _same_story(store, u, v):
            found.append(Dispute(frame(u.text, values[0]), [(values[0], (u.chunk, u.quote)),
                                                             (values[1], (v.chunk, v.quote))]))
            pool.discard(v)
        elif not values and score >= 90 and numbers(u.text) == numbers(v.text):
            merged.append((v.chunk, v.quote))
            pool.discard(v)
    return merged


# the values a briefing asks about; not places and organisations, which the small recogniser mislabels too often
# to tell which claim one belongs to (asked about too, measured before the checks for people: 23 of the conflicts
# sets' 39 disputes found, not 19, but 10 of 30 agreeing stories flagged, not 2)
_GROUPS = {"MONEY": "amount", "PERCENT": "amount", "QUANTITY": "amount", "CARDINAL": "amount", "DATE": "date",
           "PERSON": "person"}
_WH = {"date": "When", "person": "Who"}
_ON = re.compile(r"\b(?:on|in|at|by|from|since|until)\s+(?:the\s+)?$", re.I)


def claims(text: str) -> list[tuple[str, str, int]]:
    """The values a sentence states as its own, each once, as (value, kind, offset): as answers take them, of
    what the sentence says ("said on Monday" dates the report; "last month", "two decades" are no dates)."""
    out = {}
    for e in entities_of(text):
        kind = _GROUPS.get(e.label)
        if kind and exact(e.text) and stated(e, text, kind) and e.text not in out \
                and not (kind == "date" and (attributed(e, text) or not CALENDAR.search(e.text))):
            out[e.text] = (e.text, kind, e.start)
    return list(out.values())


def claim_question(text: str, value: str, kind: str, at: int) -> str:
    """A fact question whose answer is the value at `at` in `text`: its words, the value asked for, and no other
    value of its kind, which would be taken for named ("How many homes: the council said … had been damaged
    rather than the … it reported")."""
    for other, k, start in sorted(claims(text), key=lambda c: -c[2]):
        if k == kind and start != at:
            text = f"{text[:start]}…{text[start + len(other):]}"
            at -= (len(other) - 1) if start < at else 0
    before, after = text[:at], text[at + len(value):]
    if kind == "amount":
        unit = amount_kind(value, text)
        noun = re.match(r"\s*([A-Za-z][\w-]*)", after) if unit == "number" else None
        wh = "How much" if unit == "money" else "What share" if unit == "share" else \
            f"How many {noun.group(1)}" if noun else "How many"
        after = after[noun.end():] if noun else after
    else:
        wh, before = _WH[kind], _ON.sub("", before) if kind == "date" else before
    return f"{wh}: {' '.join(f'{before} … {after}'.split()).rstrip('.')}?"


class Disputes:
    """The answer-based detector of answering (`sides`), for a briefing: each value a sentence states as its own
    (a figure, a date, a person) is asked about as a fact question, and the other
    articles of the same events among the briefing's are read for it as an answer reads them: one that restates
    the claim with another value is a side, and every side is weighed, cited and dated."""

    def __init__(self, store: Store, meaning: Meaning, units: list[Unit]):
        self.store, self.meaning, self.lexical = store, meaning, store.lexical()
        self.generation = store.generation()
        chunks = {u.chunk.id: u.chunk for u in units}
        self.articles = list(dict.fromkeys(c.article_id for c in chunks.values()))
        self.evidence = {a: [_evidence(c, c.text, c.text) for c in chunks.values() if c.article_id == a]
                         for a in self.articles}
        self.siblings: dict[str, list[str]] = {}
        self.seen: set[frozenset[str]] = set()  # the values of each disagreement found
        self.asked: set[str] = set()

    def _siblings(self, article: str) -> list[str]:
        """Other articles of the same events, those sharing most words first: rewrites of one story share a
        fifth of their words or more."""
        if article not in self.siblings:
            shared = {b: shared_words(self.store, article, b, self.generation, self.lexical.idf)
                      for b in self.articles if b != article}
            self.siblings[article] = sorted((b for b, x in shared.items() if x >= RESTATED_STORY),
                                            key=lambda b: -shared[b])[:MAX_SIBLINGS]
        return self.siblings[article]

    def of(self, u: Unit) -> list[Dispute]:
        """The disagreements over the values `u` states."""
        if u.text in self.asked:  # a copy's sentence: asked already
            return []
        self.asked.add(u.text)
        others = [ev for a in self._siblings(u.chunk.article_id) for ev in self.evidence[a]]
        if not others:
            return []
        found = []
        for value, kind, at in claims(u.text):
            question = replace(understand(claim_question(u.text, value, kind, at), self.lexical),
                               intent="fact", answer_type=kind)
            claim = _evidence(u.chunk, u.text, u.quote)
            weighed = sides(self.store, question, [claim, *others], self.meaning, given=(claim, value))
            keys = frozenset(side.key for side in weighed)
            if len(weighed) >= 2 and keys not in self.seen:
                self.seen.add(keys)
                found.append(Dispute(slot(u.text, value), [(side.value, (side.cited[0].chunk, side.cited[0].quote))
                                                            for side in weighed], weighed))
        return found


def _evidence(chunk: Chunk, statement: str, quote: str) -> Evidence:
    """A briefing's text read as an answer's evidence would be: sure of itself, scored alike."""
    return Evidence(Hit(chunk, 1.0), statement, quote, 1.0, 1.0, score=1.0, p=1.0)


def _same_story(store: Store, a: Unit, b: Unit) -> bool:
    """As in answering (`find_conflicts`): the same frame with another value, in an article that
    shares most of its words."""
    ev = [_evidence(u.chunk, u.text, u.quote) for u in (a, b)]
    return bool(find_conflicts(store, ev[0], ev[1:]))


def _best(pool: list[Unit], said: list[Unit], room: float, lead: float = 0.0) -> Unit | None:
    """MMR: the most central unit (plus `lead` times how early it comes) that fits `room` words and
    does not repeat what is said."""
    best, value = None, -math.inf
    for u in pool:
        if count_words(u.text) > room:
            continue
        redundancy = max((similarity(u, s) for s in said), default=0.0)
        if redundancy < 0.5 and (v := u.score + lead * u.early - 0.7 * redundancy) > value:
            best, value = u, v
    return best


def _weight(d: Dispute, relevance: dict[str, float]) -> float:
    return max(relevance.get(c.id, 0.0) for _, (c, _) in d.values)


def _timeline(units: list[Unit], room: float) -> list[tuple[str, Item]]:
    """Dated events: each article's first sentence on its published date, and sentences stating a date."""
    events: dict[tuple[str, str], Unit] = {}
    first: dict[str, Unit] = {}
    for u in sorted(units, key=lambda u: u.position):
        if u.chunk.published_at:
            first.setdefault(u.chunk.article_id, u)
        for date in stated_dates(u.text)[:1]:
            events[(date, u.text)] = u
    for u in first.values():
        events.setdefault((u.chunk.published_at[:10], u.text), u)
    chosen, used = [], 0
    for (date, text), u in sorted(events.items(), key=lambda kv: -kv[1].score):
        if used + count_words(text) <= room and len(chosen) < 8:
            chosen.append((date, Item(text, [(u.chunk, u.quote)])))
            used += count_words(text)
    return sorted(chosen, key=lambda e: e[0])


def _gaps(topic: str, units: list[Unit], chunks: list[Chunk]) -> list[str]:
    """What the articles found about a topic do not say: its words they never use, when, how much."""
    gaps = []
    seen = set().union(*(set(tokenize(c.embed_text())) for c in chunks))
    missing = [w for w in re.findall(r"[\w’'-]+", topic) if (s := tokenize(w)) and s[0] not in seen]
    if missing:
        gaps.append("Nothing in the articles mentions " + ", ".join(f"“{w}”" for w in missing) + ".")
    if not any(c.published_at for c in chunks) and not any(stated_dates(u.text) for u in units):
        gaps.append(f"No dates: the articles do not say when, about “{topic}”.")
    if not any(numbers(u.text) for u in units) and not any(c.kind == "table_row" for c in chunks):
        gaps.append(f"No figures: the articles give no amounts or counts about “{topic}”.")
    return gaps


def _figures(chunks: list[Chunk], relevance: dict[str, float], single: bool, n: int) -> list[list[Chunk]]:
    """The most relevant tables, each as its most relevant rows in table order (group headings left out)."""
    tables: dict[tuple[str, int], list[Chunk]] = defaultdict(list)
    for c in chunks:
        if c.kind == "table_row" and sum(bool(v) for v in c.row.values()) >= 2 and not is_instruction(c.text):
            tables[(c.article_id, c.table_index)].append(c)
    best = {t: max(relevance[r.id] for r in rows) for t, rows in tables.items()}
    rank = {t: sum(best[o] > best[t] for o in tables if o[0] == t[0]) for t in tables}  # within its article
    chosen = sorted(tables, key=lambda t: (rank[t], -best[t]))[:n]  # one table per article first
    if single:
        chosen.sort(key=lambda t: t[1])
    return [sorted(sorted(tables[t], key=lambda r: -relevance[r.id])[:MAX_ROWS], key=lambda r: r.row_index)
            for t in chosen]
