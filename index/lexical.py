"""The lexical side of the index: BM25 (bm25s, English stopwords, Snowball stemming) over chunk texts.

It is derived data: rebuilt from the chunks in Chroma whenever the store's fingerprint changes, and
saved under a folder named by that fingerprint, so a reader never sees a half-written index.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import bm25s


def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # PyStemmer is a dependency; stay usable without it
        return None


class LexicalIndex:
    """BM25 over chunk ids; `search` returns (chunk id, score) best first."""

    def __init__(self, ids: list[str], retriever: "bm25s.BM25 | None"):
        self.ids = ids
        self._retriever = retriever
        self._stemmer = _stemmer()

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> LexicalIndex:
        if not ids:
            return cls([], None)
        import bm25s

        stemmer = _stemmer()
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(list(ids), retriever)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        if not self.ids or not query.strip():
            return []
        import bm25s

        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False,
                                return_ids=False)
        if not tokens or not tokens[0]:
            return []
        docs, scores = self._retriever.retrieve(tokens, k=min(k, len(self.ids)), show_progress=False, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def save(self, folder: Path) -> None:
        """Write to `folder` atomically: into a temporary sibling, then renamed into place."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        try:
            (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
            if self._retriever is not None:
                self._retriever.save(str(tmp / "bm25"))
            _fsync_tree(tmp)
            os.replace(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=False) if ids else None
        return cls(ids, retriever)


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())

