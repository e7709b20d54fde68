"""Closeness in meaning at sentence level: the cosine of the question's vector and a sentence's,
both from the embedder the index uses. Sentence vectors are computed on demand, for the few passages
worth it, and kept (by text) for the process's lifetime, up to a bound."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Iterable

import numpy as np

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

MAX_CACHED = 50_000  # sentence vectors kept (384 floats each: about 75 MB at most)


class Meaning:
    """Sentence vectors, cached, and their cosines to a question's vector."""

    def __init__(self, embeddings: "Embeddings"):
        self.embeddings = embeddings
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        texts = list(dict.fromkeys(t for t in texts if t.strip()))
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
        missing = [t for t in texts if t not in known]
        if missing:
            # shortest first: batches of like lengths waste no padding
            ordered = sorted(missing, key=len)
            fresh = np.asarray(self.embeddings.embed_documents(ordered), dtype=np.float32)
            with self._lock:
                for t, v in zip(ordered, fresh):
                    self._vectors[t] = known[t] = v
                while len(self._vectors) > MAX_CACHED:
                    self._vectors.popitem(last=False)
        return known

    def cosines(self, vector, texts: Iterable[str]) -> dict[str, float]:
        """Each text's cosine to `vector` (both normalised by the embedder)."""
        q = np.asarray(vector, dtype=np.float32)
        return {t: float(v @ q) for t, v in self.vectors(texts).items()}
