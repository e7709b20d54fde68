"""The grounded plan of a briefing, before markers are numbered: its bottom line and key points theme by
theme (picked MMR-style: central and not redundant), key figures, timeline, disagreements and gaps,
all within the word budget. The same sentence in another article (a wire copy) is merged into the
point, citing both; with one value changed, in an article of the same story, it is a disagreement."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from index.lexical import tokenize
from index.store import Store
from index.types import Chunk

from .conflicts import exact, find_conflicts, shared_words, value_key
from .sides import comparable, same_value
from .evidence import Evidence
from .question import YEAR, understand
from .thresholds import RESTATED, RESTATED_STORY
from .sentences import is_instruction, tokset
from .spans import attributed, entities_of, stated
from .inconsistency import Disagreement, inconsistencies
from .retrieval import Hit
from .textscan import frame, numbers, stated_dates, variant
from .themes import group_themes, name_theme
from .units import Ref, Unit, count_words, similarity, units_of

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

MAX_THEMES = 6
MAX_POINTS = 4  # per theme
MAX_ROWS = 6  # per table
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
class Plan:
    """What a briefing will say, part by part; `words()` counts its prose (every part, or those named)."""

    bottom: list[Item] = field(default_factory=list)
    themes: list[tuple[str, list[Item]]] = field(default_factory=list)
    figures: list[list[Chunk]] = field(default_factory=list)
    timeline: list[tuple[str, Item]] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    def words(self, *parts: str) -> int:
        counts = {"bottom": sum(count_words(i.text) for i in self.bottom),
                  "points": sum(count_words(i.text) for _, items in self.themes for i in items),
                  "timeline": sum(count_words(i.text) for _, i in self.timeline),
                  "disagreements": sum(_conflict_words(a, vs) for a, vs in self.disagreements),
                  "gaps": sum(count_words(g) for g in self.gaps)}
        return sum(counts[p] for p in parts or counts)


def _conflict_words(about: str, values: list) -> int:
    return count_words(about) + sum(count_words(v) for v, _ in values)


def draft_plan(store: Store, embeddings: "Embeddings", topic: str, chunks: list[Chunk], vectors: np.ndarray,
               words: int) -> Plan:
    """What a grounded briefing of `words` words says, picked from `chunks` (with their stored `vectors`)."""
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
    found: list[Disagreement] = []  # disagreements not yet admitted

    restated = Restated(store, embeddings)

    def take(u: Unit) -> Item:
        pool.discard(u)
        said.append(u)
        refs = [(u.chunk, u.quote)] + _twins(store, u, pool, found)
        found.extend(restated.disagreements(u, pool))
        return Item(u.text, refs)

    def admit() -> None:
        said = {(about, tuple(v for v, _ in values)) for about, values in plan.disagreements}
        for about, values in sorted(found, key=lambda d: -_weight(d, relevance)):
            cost = _conflict_words(about, values)
            if plan.words("disagreements") + cost <= SHARE["disagreements"] * words \
                    and plan.words() + cost <= words and (about, tuple(v for v, _ in values)) not in said:
                plan.disagreements.append((about, values))
                said.add((about, tuple(v for v, _ in values)))  # copies of an article say it again
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
    found += inconsistencies(units)
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


def _twins(store: Store, u: Unit, pool: set[Unit], found: list[Disagreement]) -> list[Ref]:
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
            found.append((frame(u.text, values[0]), [(values[0], (u.chunk, u.quote)),
                                                      (values[1], (v.chunk, v.quote))]))
            pool.discard(v)
        elif not values and score >= 90 and numbers(u.text) == numbers(v.text):
            merged.append((v.chunk, v.quote))
            pool.discard(v)
    return merged


_GROUPS = {"MONEY": "amount", "PERCENT": "amount", "QUANTITY": "amount", "CARDINAL": "amount", "DATE": "date",
           "PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place"}


class Restated:
    """The answer-based detector of answering (`sides`), for a briefing's points: the same claim in another
    article of the same events, in its own words (close in meaning), with another value of one kind (a
    figure, a date, a person, a place) after normalising spellings, and no other value of that kind."""

    def __init__(self, store: Store, embeddings: "Embeddings"):
        self.store, self.embeddings = store, embeddings
        self.vectors: dict[str, np.ndarray] = {}

    def _values(self, text: str) -> dict[str, set[tuple[str, str, int]]]:
        """A sentence's values by kind, as (text, normalised, offset)."""
        out: dict[str, set[tuple[str, str, int]]] = defaultdict(set)
        for e in entities_of(text):
            group = _GROUPS.get(e.label)
            # as in answers: a value the sentence states as its own, of what the sentence says ("said on
            # Monday" dates the report); "last month" is no date
            if group and exact(e.text) and stated(e, text, group) \
                    and not (group == "date" and (attributed(e, text) or not re.search(r"\d|day\b|^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", e.text, re.I))):
                out[group].add((e.text, value_key(e.text, group), e.start))
        return out

    def _cosines(self, u: Unit, others: list[Unit]) -> list[float]:
        todo = [t for t in dict.fromkeys([u.text, *(v.text for v in others)]) if t not in self.vectors]
        if todo:
            for t, vec in zip(todo, np.asarray(self.embeddings.embed_documents(todo))):
                self.vectors[t] = vec / (np.linalg.norm(vec) or 1.0)
        return [float(self.vectors[u.text] @ self.vectors[v.text]) for v in others]

    def disagreements(self, u: Unit, pool: set[Unit]) -> list[Disagreement]:
        mine = self._values(u.text)
        if not mine:
            return []
        years = set(YEAR.findall(u.text))
        candidates = []
        generation, idf = self.store.generation(), self.store.lexical().idf
        for v in pool:
            if v.chunk.article_id == u.chunk.article_id or set(YEAR.findall(v.text)) != years \
                    or shared_words(self.store, u.chunk.article_id, v.chunk.article_id, generation, idf) \
                    < RESTATED_STORY:
                continue
            theirs = self._values(v.text)
            for group, values in mine.items():
                other = theirs.get(group, set())
                if len(values) == 1 and len(other) == 1 \
                        and not same_value(next(iter(values))[1], next(iter(other))[1]):
                    (a, _, at), (b, _, bt) = next(iter(values)), next(iter(other))
                    # each sentence's value unsaid by the other ("Coldbeck near Ambrey" / "Coldbeck"), comparable,
                    # and of the same thing: the words around the two values meet ("340 jobs at its Carrow works" /
                    # "430 jobs will go at its Carrow works"; not "a garage in Oldbury" / "the Calder region")
                    if a not in v.text and b not in u.text and comparable(a, u.text, b, v.text, group) \
                            and _around(u.text, at, a) & _around(v.text, bt, b):
                        candidates.append((v, a, b))
                        break
        found = []
        for (v, a, b), cos in zip(candidates, self._cosines(u, [v for v, _, _ in candidates])):
            if cos >= RESTATED and v in pool:
                found.append((frame(u.text, a), [(a, (u.chunk, u.quote)), (b, (v.chunk, v.quote))]))
                pool.discard(v)
        return found


def _around(text: str, at: int, value: str) -> frozenset[str]:
    """The words next to a value: six before it, three after."""
    return tokset(" ".join(text[:at].split()[-6:] + text[at + len(value):].split()[:3]))


def _same_story(store: Store, a: Unit, b: Unit) -> bool:
    """As in answering (`find_conflicts`): the same frame with another value, in an article that
    shares most of its words."""
    ev = [Evidence(Hit(u.chunk, 1.0), u.text, u.quote, 1.0, 1.0, score=1.0) for u in (a, b)]
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


def _weight(disagreement: Disagreement, relevance: dict[str, float]) -> float:
    return max(relevance.get(c.id, 0.0) for _, (c, _) in disagreement[1])


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
