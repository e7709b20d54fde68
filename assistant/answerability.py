"""Does this evidence answer the question? A small logistic model over what the evidence holds of the
question: its words and their context, its meaning (the embedder's cosine), the kind of answer asked
(a date, an amount of the thing counted, the person in a role), the things the question names (entities,
years, nouns) found or missing in the evidence's article. It orders the best candidates and decides
whether to answer at all: a question is declined when no candidate is likely enough to answer it.

The weights are fitted (bench/answerability.py) on the development packs' candidates, labelled by
whether a candidate is cited evidence holding the expected answer; see `thresholds.ANSWERABILITY`."""
from __future__ import annotations

import math
import re
from collections import Counter

from index.lexical import tokenize
from index.store import Store, per_generation

from .evidence import Evidence, percent_said, unstated_operation
from .question import GENERIC_KINDS, KIND_OF, YEAR, Question
from .sentences import tokset
from .spans import attached, names_role, typed_spans
from .thresholds import ANSWERABILITY

FEATURES = ("score", "support", "focus", "meaning", "dense", "local", "phrase", "label", "row", "article",
            "entity_missing", "year_missing", "nouns_missing", "nouns_unsaid", "typed", "untyped",
            "unmeasured", "role_unnamed", "kind_unsaid", "operation_unstated", "followed", "unseen")


def initials(text: str) -> frozenset[str]:
    """What the text's runs of two to five words abbreviate to ("Chief financial officer": "cfo")."""
    first = [w[0].lower() for w in re.findall(r"[A-Za-z][\w’'-]*", text)]
    return frozenset("".join(first[i:i + n]) for n in range(2, 6) for i in range(len(first) - n + 1))


def mentions(name: str, text: str, loose: bool = False) -> bool:
    """`text` mentions what `name` names: its words' stems (`loose`: in another form, "Meskarian" / "Meskaria"), or
    its abbreviation ("CFO")."""
    stems = tokenize(name)
    words = tokset(text)
    return bool(stems) and all(found(s, words, loose) for s in stems) or name.lower().replace(".", "") in initials(text)


class Article:
    """The words of one article as the index sees it (its chunks with their titles, sections and headers),
    and in how many of its chunks each word is: a word every chunk has tells its passages apart no more
    than the article's name does."""

    def __init__(self, texts: list[str]):
        self.chunks = len(texts) or 1
        self.df = Counter(t for text in texts for t in set(tokenize(text)))
        self.words = frozenset(self.df) | frozenset(w for text in texts for w in initials(text))

    def weight(self, term: str, idf: float) -> float:
        """A question word's weight within this article: its idf, less the more of the article's chunks have it."""
        return idf * (1.0 - self.df.get(term, 0) / (self.chunks + 1))


@per_generation(maxsize=4096)
def _article(store: Store, generation: str, article_id: str) -> Article:
    got = store.chunks.get(where={"article_id": article_id}, include=["documents", "metadatas"])
    return Article([f"{m.get('title', '')} {m.get('section', '')} {m.get('caption', '')} {m.get('headers', '')} {d}"
                    for d, m in zip(got["documents"], got["metadatas"])])


def article(store: Store, article_id: str, generation: str | None = None) -> Article:
    """One article's words (cached until the index changes; `generation`: the store's, when known)."""
    return _article(store, generation or store.generation(), article_id)


def found(stem: str, words: frozenset[str] | set[str], loose: bool = False) -> bool:
    """A question word is in a text: the same stem, or one it begins (a compound: "dock" in "dockworkers");
    `loose` for names, whose forms vary more ("Japanese" / "Japan")."""
    if stem in words or len(stem) >= 4 and any(w.startswith(stem) for w in words):
        return True
    return loose and len(stem) >= 5 and any(w[:4] == stem[:4] for w in words)


def _missing_share(q: Question, stems: list[str], words) -> float:
    """idf-weighted share of the stems not found in `words`."""
    if not stems:
        return 0.0
    weight = {s: q.weights.get(s, 1.0) for s in stems}
    total = sum(weight.values()) or 1.0
    return sum(w for s, w in weight.items() if not found(s, words)) / total


def _local(q: Question, art: Article, unit: frozenset[str]) -> float:
    """Share of the question the unit holds, each word weighed by how well it tells the article's passages
    apart: "the architect of the museum's renovation" in the museum's article is about "architect"."""
    weight = {t: art.weight(t, w) for t, w in q.weights.items()}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if t in unit) / total if total else 1.0


def features(q: Question, ev: Evidence, top_score: float, art: Article) -> dict[str, float]:
    """What the evidence holds of the question; `art`: its article, `top_score`: the best score."""
    chunk = ev.chunk
    words = art.words
    unit = tokset(percent_said(f"{ev.statement} {chunk.title} {chunk.section} {chunk.caption} "
                               f"{' '.join(chunk.headers)}"))
    # a row's cells are its answer: it need not hold a named thing ("which segment had the highest revenue")
    typed = bool(q.answer_type) and q.intent == "fact" and q.answer_type not in ("reason", "definition") \
        and not (q.answer_type == "entity" and chunk.kind == "table_row")
    spans = typed_spans(ev.statement, q) if typed else []
    kind = tokenize(q.kind)[-1:] if q.kind else []
    said = set(YEAR.findall(f"{ev.statement} {chunk.published_at[:4]}"))
    return {
        "score": ev.score / (top_score or 1.0),
        "support": ev.support, "focus": ev.focus, "meaning": max(ev.meaning, 0.0), "dense": max(ev.hit.dense, 0.0),
        "local": _local(q, art, unit if chunk.kind != "table_row" else unit | tokset(chunk.text)),
        "phrase": ev.phrase, "label": ev.label, "row": float(chunk.kind == "table_row"), "article": ev.article,
        "entity_missing": float(any(not all(found(s, words, loose=True) for s in tokenize(e)) for e in q.entities)),
        "year_missing": float(any(y not in words and y not in said for y in q.years)),
        "nouns_missing": _missing_share(q, q.nouns, words),
        "nouns_unsaid": _missing_share(q, q.nouns, unit),
        "typed": float(typed and bool(spans)),
        "untyped": float(typed and not spans),
        # (a row's figure is of its column, whatever the header calls it: "Number of Restaurants Land and Ground")
        "unmeasured": float(typed and bool(spans) and chunk.kind != "table_row" and not attached(q, ev.statement)),
        "role_unnamed": float(bool(q.role) and not names_role(q.role, ev.statement)),
        # a kind of place, date or amount ("which town", "what price") is shown by the span's label, a role
        # ("which architect") is not
        "kind_unsaid": float(bool(kind) and kind[0] not in GENERIC_KINDS and not found(kind[0], unit)
                             and not (KIND_OF.get(kind[0]) in ("place", "date", "amount") and spans)),
        "operation_unstated": float(bool(unstated_operation(q, ev))),
        "followed": float(chunk.article_id in q.focus_articles),
        "unseen": sum(w for t, w in q.weights.items() if t not in words) / q.total,
    }


def probability(f: dict[str, float]) -> float:
    """The model's probability that the evidence answers the question."""
    z = ANSWERABILITY["bias"] + sum(ANSWERABILITY.get(name, 0.0) * f[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
