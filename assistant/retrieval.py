"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank, with
metadata filters (source, published date range)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from index.load import normalize_date
from index.store import FILE_ID, PUBLISHED_DAY, Store, chunk_from_record, published_day
from index.types import Chunk

from .errors import UsageError

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

RRF_K = 60  # the usual reciprocal-rank-fusion constant


@dataclass(frozen=True)
class Filters:
    """Which articles may answer: by source (publisher or file path, case-insensitive substring), by
    published date (articles without a date are left out when a date bound is given) and by file
    (`file_ids`: only those files, e.g. the ones indexed since the last briefing). Each restricts."""

    source: str = ""
    since: str = ""
    until: str = ""
    file_ids: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("since", "until"):
            value = getattr(self, name)
            if value and not normalize_date(value):
                raise UsageError(f"--{name} {value!r} is not a date")

    def __bool__(self) -> bool:
        return bool(self.source or self.since or self.until or self.file_ids)

    def where(self, store: Store) -> dict | None:
        """A Chroma `where` clause, the source resolved against the manifest to file ids."""
        clauses: list[dict] = []
        if self.source:
            needle = self.source.lower()
            ids = [r.file_id for r in store.current_records().values()
                   if needle in r.path.lower() or any(needle in (a.get("publisher") or "").lower() for a in r.articles)]
            clauses.append({FILE_ID: {"$in": ids or ["-none-"]}})
        if self.file_ids:
            clauses.append({FILE_ID: {"$in": list(self.file_ids)}})
        if self.since:
            clauses.append({PUBLISHED_DAY: {"$gte": published_day(normalize_date(self.since))}})
        if self.until:
            clauses.append({PUBLISHED_DAY: {"$lte": published_day(normalize_date(self.until))}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused (reciprocal rank)
    dense: float = 0.0  # cosine similarity to the question, when the dense side found it
    lexical: float = 0.0  # BM25 score, when the lexical side found it


class Retriever:
    """Dense + lexical candidates over one store, fused by reciprocal rank."""

    def __init__(self, store: Store, embeddings: "Embeddings", k_dense: int = 50, k_lexical: int = 50):
        self.store = store
        self.embeddings = embeddings
        self.k_dense = k_dense
        self.k_lexical = k_lexical

    def search(self, question: str, filters: Filters = Filters(), k: int = 12, vector=None) -> list[Hit]:
        """The k best chunks for the question (`vector`: its embedding, when the caller has it)."""
        where = filters.where(self.store) if filters else None
        total = self.store.count()
        if not total:
            return []
        if vector is None:
            vector = self.embeddings.embed_query(question)
        got = self.store.chunks.query(query_embeddings=[vector], n_results=min(self.k_dense, total), where=where,
                                      include=["documents", "metadatas", "distances"])
        hits: dict[str, Hit] = {}
        # equal distances (the same text in two articles) rank by chunk id, not by the order they were stored
        dense = sorted(zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]),
                       key=lambda r: (round(r[3], 5), r[0]))
        for rank, (cid, doc, meta, dist) in enumerate(dense):
            hits[cid] = Hit(chunk_from_record(cid, doc or "", meta or {}), 1 / (RRF_K + rank), dense=1 - dist)
        lexical = self.store.lexical().search(question, self.k_lexical * (5 if where else 1))
        missing = [cid for cid, _ in lexical if cid not in hits]
        fetched = {}
        if missing:
            got = self.store.chunks.get(ids=missing, where=where, include=["documents", "metadatas"])
            fetched = {cid: chunk_from_record(cid, doc or "", meta or {})
                       for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        rank = 0
        for cid, score in lexical:
            if cid in hits:
                hit = hits[cid]
            elif cid in fetched:
                hit = hits[cid] = Hit(fetched[cid], 0.0)
            else:
                continue  # filtered out
            hit.score += 1 / (RRF_K + rank)
            hit.lexical = score
            rank += 1
            if rank >= self.k_lexical:
                break
        return sorted(hits.values(), key=lambda h: (-h.score, h.chunk.id))[:k]


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever (Documents carry the chunk's metadata and id)."""

    retriever: Any
    filters: Filters = Filters()
    k: int = 8

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=h.chunk.text, id=h.chunk.id,
                         metadata={"chunk_id": h.chunk.id, "kind": h.chunk.kind, "source": h.chunk.source,
                                   "title": h.chunk.title, "section": h.chunk.section, "score": h.score})
                for h in self.retriever.search(query, self.filters, self.k)]
