"""The lexical side of the index: BM25 (bm25s) over chunk texts, with document frequencies.

One tokenizer serves the index, the queries and the answerer's evidence scoring: lower-cased word
tokens (bm25s's pattern), stopwords removed (stopwords.py), Snowball-stemmed (PyStemmer).

It is derived data: rebuilt from the chunks in Chroma whenever the store's fingerprint changes, and
saved under a folder named by that fingerprint, so a reader never sees a half-written index.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .stopwords import POINTING, STOPWORDS

if TYPE_CHECKING:
    import bm25s

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # U.S., U.K., p.m.: kept as one token ("u_s")
_CAPITALS = re.compile(r"\b(?:US|UK)\b")  # ... and written without the dots, as the same token
# of the tokenizer and the saved layout, in the folder name (3: chunks in id order; 4 to 7: stopwords; 8: "US")
VERSION = "8"


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # PyStemmer is a dependency; stay usable without it
        return None


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    stemmer = _stemmer()
    return stemmer.stemWord(word) if stemmer and "_" not in word else word


@lru_cache(maxsize=65536)
def _term(word: str) -> str | None:
    """The stem of a content word; None for a stopword. A word whose stem is a function word is kept
    as written ("underlying" stems to "under", "owned" to "own")."""
    if word in STOPWORDS:
        return None
    stem = _stem(word)
    if stem not in STOPWORDS:
        return stem
    return None if stem in POINTING else word


def tokenize(text: str) -> list[str]:
    """Content-word stems of `text`, in order."""
    text = _ACRONYM.sub(lambda m: m.group(0).rstrip(".").replace(".", "_"), text.replace("’", "'"))
    text = _CAPITALS.sub(lambda m: "_".join(m.group(0)), text)
    return [t for w in _TOKEN.findall(text.lower()) if (t := _term(w))]


class LexicalIndex:
    """BM25 over chunk ids; `search` returns (chunk id, score) best first; `idf` weighs terms."""

    def __init__(self, ids: list[str], retriever: "bm25s.BM25 | None", df: dict[str, int]):
        self.ids = ids
        self.df = df
        self._retriever = retriever

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> LexicalIndex:
        if not ids:
            return cls([], None, {})
        import bm25s

        corpus = [tokenize(t) or ["_"] for t in texts]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        df = Counter(term for doc in corpus for term in set(doc))
        return cls(list(ids), retriever, dict(df))

    def __len__(self) -> int:
        return len(self.ids)

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term the corpus never uses weighs most."""
        n = len(self.ids) or 1
        return math.log(1 + (n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def search(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        terms = [t for t in tokenize(query) if t in self.df]
        if not self.ids or not terms:
            return []
        docs, scores = self._retriever.retrieve([terms], k=min(k, len(self.ids)), show_progress=False, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def save(self, folder: Path) -> None:
        """Write to `folder` atomically: into a temporary sibling, then renamed into place."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        try:
            (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
            (tmp / "df.json").write_text(json.dumps(self.df), encoding="utf-8")
            if self._retriever is not None:
                self._retriever.save(str(tmp / "bm25"))
            _fsync_tree(tmp)
            os.replace(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        df = json.loads((folder / "df.json").read_text(encoding="utf-8"))
        retriever = None
        if ids:
            import bm25s

            retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=False)
        return cls(ids, retriever, df)


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
