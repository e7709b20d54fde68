"""The store: Chroma (embedded or a `chroma run` server) holds chunks and a manifest of files; a BM25
index beside it is derived from the chunks and rebuilt whenever the manifest changes.

Crash safety comes from the order of writes for one file, each idempotent:
  1. the file's manifest record is written as `pending` (with the new content hash);
  2. its chunks are upserted under deterministic ids (a re-run overwrites, never duplicates);
  3. chunks of the file that carry another hash (an older version) are deleted;
  4. the record is written as `ok`: the commit point.
A kill between any two steps leaves every chunk id unique and the record not `ok`, so the next run
redoes that file. The manifest lives in Chroma too, so several indexers and apps that share a
Chroma server share it. Every manifest write also renews a generation token (one small record), so a
reader learns whether anything changed with one lookup by id instead of reading every file record.
"""
from __future__ import annotations

import errno
import hashlib
import json
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from pathlib import Path
from urllib.parse import urlparse

from .embed import DIMENSIONS, MODEL_NAME
from .errors import StoreError
from .lexical import VERSION as LEXICAL_VERSION
from .lexical import LexicalIndex
from .types import Chunk

SCHEMA = 1
CHUNKS = "briefing_chunks"
# HNSW search breadth: Chroma's default (100) misses some true top-30 neighbours even at a few hundred
# chunks, so answers would depend on the order chunks were inserted; 400 finds them all there
EF_SEARCH = 400
FILES = "briefing_files"
GENERATION = "~generation"  # the manifest record renewed on every manifest write
MARKER = "briefing-index.json"
PAGE = 2000
EMBEDDER = "embedder"  # collection metadata: the embedder (backend and model) that made the vectors
CHECKED = "embedders_checked"  # others found to give the same vectors, "|"-separated
LEGACY_EMBEDDER = "torch"  # indexes made before the field existed were made by sentence-transformers on torch
EMBEDDER_SAMPLE = 16  # stored chunks re-embedded to compare another embedder with the index's
# The mean cosine between stored vectors and another embedder's vectors of the same texts: int8 ONNX
# against torch gives 0.992-0.994 (bench/index.py; single chunks down to 0.975); another model far less
EMBEDDER_TOLERANCE = 0.98

# chunk metadata keys
FILE_ID = "file_id"
FILE_HASH = "file_hash"
ARTICLE_ID = "article_id"
KIND = "kind"
SOURCE = "source"
TITLE = "title"
SECTION = "section"
SECTION_INDEX = "section_index"
URL = "url"
PUBLISHER = "publisher"
PUBLISHED_AT = "published_at"
PUBLISHED_DAY = "published_day"  # int YYYYMMDD, for range filters (Chroma compares numbers only)
AUTHOR = "author"
HEADERS = "headers"  # JSON list
ROW = "row"  # JSON object header -> cell
TABLE_INDEX = "table_index"
ROW_INDEX = "row_index"
CAPTION = "caption"
GROUP = "group"
PAGE_NUMBER = "page"  # PDF chunks only


def per_generation(maxsize: int):
    """A cache of `fn(store, generation, *key)` that holds one index generation's results: a new
    generation empties it (what older ones gave would only hold memory as the index grows)."""
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)
        seen = [""]

        @wraps(fn)
        def call(store, generation: str, *key):
            if generation != seen[0]:
                cached.cache_clear()
                seen[0] = generation
            return cached(store, generation, *key)

        call.cache_info = cached.cache_info
        return call
    return wrap


def published_day(iso: str) -> int | None:
    digits = iso[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


def chunk_metadata(c: Chunk, fid: str, fhash: str) -> dict:
    meta = {FILE_ID: fid, FILE_HASH: fhash, ARTICLE_ID: c.article_id, KIND: c.kind, SOURCE: c.source,
            TITLE: c.title, SECTION: c.section, SECTION_INDEX: c.section_index, URL: c.url,
            PUBLISHER: c.publisher, PUBLISHED_AT: c.published_at, AUTHOR: c.author}
    if (day := published_day(c.published_at)) is not None:
        meta[PUBLISHED_DAY] = day
    if c.page:
        meta[PAGE_NUMBER] = c.page
    if c.kind == "table_row":
        meta.update({HEADERS: json.dumps(list(c.headers), ensure_ascii=False),
                     ROW: json.dumps(c.row, ensure_ascii=False), TABLE_INDEX: c.table_index,
                     ROW_INDEX: c.row_index, CAPTION: c.caption, GROUP: c.group})
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    """The Chunk a stored record was made from."""
    is_row = meta.get(KIND) == "table_row"
    return Chunk(id=chunk_id, kind=meta.get(KIND, "text"), text=text, article_id=meta.get(ARTICLE_ID, ""),
                 source=meta.get(SOURCE, ""), title=meta.get(TITLE, ""), section=meta.get(SECTION, ""),
                 section_index=int(meta.get(SECTION_INDEX, 0)), url=meta.get(URL, ""),
                 publisher=meta.get(PUBLISHER, ""), published_at=meta.get(PUBLISHED_AT, ""),
                 author=meta.get(AUTHOR, ""),
                 headers=tuple(json.loads(meta[HEADERS])) if is_row else (),
                 row=json.loads(meta[ROW]) if is_row else {},
                 table_index=int(meta.get(TABLE_INDEX, 0)), row_index=int(meta.get(ROW_INDEX, 0)),
                 caption=meta.get(CAPTION, ""), group=meta.get(GROUP, ""), page=int(meta.get(PAGE_NUMBER, 0)))


@dataclass(frozen=True)
class FileRecord:
    """One indexed file in the manifest."""

    file_id: str
    path: str
    root: str  # the folder (or file) it was found under, for noticing deletions
    hash: str  # content hash + parser version
    status: str = "pending"  # pending -> ok; "removing" while its chunks are deleted
    articles: tuple[dict, ...] = ()  # {"id", "title", "publisher", "published_at", "url"}
    chunks: int = 0
    table_rows: int = 0
    added_at: float = 0.0
    indexed_at: float = 0.0
    problems: tuple[str, ...] = field(default=())

    def metadata(self) -> dict:
        return {"path": self.path, "root": self.root, "hash": self.hash, "status": self.status,
                "articles": json.dumps(list(self.articles), ensure_ascii=False), "chunks": self.chunks,
                "table_rows": self.table_rows, "added_at": self.added_at, "indexed_at": self.indexed_at,
                "problems": json.dumps(list(self.problems), ensure_ascii=False)}

    @classmethod
    def from_metadata(cls, file_id: str, m: dict) -> FileRecord:
        return cls(file_id=file_id, path=m.get("path", ""), root=m.get("root", ""), hash=m.get("hash", ""),
                   status=m.get("status", "pending"), articles=tuple(json.loads(m.get("articles") or "[]")),
                   chunks=int(m.get("chunks", 0)), table_rows=int(m.get("table_rows", 0)),
                   added_at=float(m.get("added_at", 0)), indexed_at=float(m.get("indexed_at", 0)),
                   problems=tuple(json.loads(m.get("problems") or "[]")))


_WRITES = frozenset({"add", "upsert", "update", "delete", "modify"})


@lru_cache(maxsize=1)
def _failures() -> tuple[type[BaseException], ...]:
    """What Chroma raises when its server is gone or its files cannot be read or written."""
    import sqlite3

    import httpx
    from chromadb.errors import InternalError, NotFoundError

    return httpx.TransportError, sqlite3.Error, OSError, InternalError, NotFoundError


class _Guarded:
    """A Chroma collection whose failures (a server gone mid-session, a damaged or full disk) raise
    StoreError with one line naming the index, instead of the client library's exception."""

    def __init__(self, collection, location: str):
        self._collection = collection
        self._location = location

    def __getattr__(self, name: str):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except _failures() as e:
                raise StoreError(_failure(self._location, name in _WRITES, e)) from None

        return call


def _failure(location: str, writing: bool, e: BaseException) -> str:
    detail = " ".join(str(e).split())[:200] or e.__class__.__name__
    if "://" in location:
        return (f"the Chroma server at {location} failed or is unreachable ({e.__class__.__name__}: {detail}); "
                "is `chroma run` up? Try again once it is")
    return (f"cannot {'write to' if writing else 'read'} the index at {location}: {detail}; if the disk is full, "
            "free space and run again; if the index is damaged, run `briefing index --rebuild`")


def _placeholder_vector(file_id: str) -> list[float]:
    """The manifest collection is never searched; a small distinct vector keeps its HNSW graph sane."""
    digest = hashlib.sha1(file_id.encode()).digest()
    return [digest[0] / 255.0, digest[1] / 255.0]


class Store:
    """Chunks, manifest and lexical index of one Briefing index."""

    def __init__(self, client, lexical_dir: Path, location: str):
        self.client = client
        self.location = location
        self.lexical_dir = lexical_dir
        self._lexical: tuple[str, LexicalIndex] | None = None
        self._lexical_lock = threading.Lock()
        self._manifest: tuple[str, dict[str, FileRecord], str] | None = None  # generation, records, fingerprint
        try:
            self.chunks = client.get_or_create_collection(
                CHUNKS, embedding_function=None, configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}},
                metadata={"embedding_model": MODEL_NAME, "dimensions": DIMENSIONS, "schema": SCHEMA})
            self.files = client.get_or_create_collection(FILES, embedding_function=None)
        except Exception as e:  # chromadb raises many types; the user needs one message
            raise StoreError(f"cannot open the index at {location}: {e}") from None
        self.chunks, self.files = _Guarded(self.chunks, location), _Guarded(self.files, location)
        if (self.chunks.configuration.get("hnsw") or {}).get("ef_search", EF_SEARCH) < EF_SEARCH:  # an older index
            self.chunks.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
        meta = self.chunks.metadata or {}
        if meta.get("embedding_model", MODEL_NAME) != MODEL_NAME or int(meta.get("schema", SCHEMA)) != SCHEMA:
            raise StoreError(f"the index at {location} was built with another model or format "
                             f"({meta.get('embedding_model')}, schema {meta.get('schema')}); run with --rebuild")

    # ----- the embedder ----------------------------------------------------------------------------

    def check_embedder(self, embeddings) -> None:
        """Use `embeddings` with this index only if its vectors are the index's own: the embedder that
        made them (recorded), one checked before, or one whose vectors of a sample of stored chunks
        are on average within EMBEDDER_TOLERANCE of the stored ones; else say how to go on. An empty index is
        stamped with `embeddings`."""
        name = getattr(embeddings, "name", "")
        meta = dict(self.chunks.metadata or {})
        made_by = meta.get(EMBEDDER, LEGACY_EMBEDDER)
        if not name or name == made_by or name in meta.get(CHECKED, "").split("|"):
            return
        sample = self.chunks.get(limit=EMBEDDER_SAMPLE, include=["documents", "metadatas", "embeddings"])
        if not sample["ids"]:
            self.chunks.modify(metadata={**meta, EMBEDDER: name, CHECKED: ""})
            return
        import numpy as np

        texts = [chunk_from_record(cid, doc or "", m or {}).embed_text()
                 for cid, doc, m in zip(sample["ids"], sample["documents"], sample["metadatas"])]
        cosines = (np.asarray(sample["embeddings"]) * np.asarray(embeddings.embed_documents(texts))).sum(axis=1)
        if cosines.mean() < EMBEDDER_TOLERANCE:
            backend = made_by.split(":")[0].split("-")[0]
            raise StoreError(f"the index at {self.location} was made by another embedder ({made_by}) whose vectors "
                             f"differ from this one's ({name}, mean cosine {cosines.mean():.3f} < {EMBEDDER_TOLERANCE}): "
                             f"use --embedder {backend}, or re-index with --rebuild")
        self.chunks.modify(metadata={**meta, CHECKED: "|".join(filter(None, [meta.get(CHECKED, ""), name]))})

    # ----- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, index_dir: Path, chroma_url: str | None = None, rebuild: bool = False) -> Store:
        """Open (or create) the index: embedded under `index_dir`, or on the Chroma server at `chroma_url`."""
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False, allow_reset=True)
        index_dir = Path(index_dir)
        if chroma_url:
            client = _http_client(chroma_url, settings)
            host = urlparse(chroma_url)
            lexical_dir = index_dir / f"lexical-{host.hostname}-{host.port or 8000}"
            location = chroma_url
        else:
            _claim_dir(index_dir, rebuild)
            import chromadb

            if rebuild and _damaged(index_dir / "chroma" / "chroma.sqlite3"):
                shutil.rmtree(index_dir / "chroma")  # ours (checked above) and past opening: start it over
            try:
                client = chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=settings)
            except Exception as e:
                raise StoreError(f"cannot open the index at {index_dir}: {e}; run with --rebuild "
                                 "to start it over") from None
            lexical_dir = index_dir / "lexical"
            location = str(index_dir)
        if rebuild:
            for name in (CHUNKS, FILES):
                try:
                    client.delete_collection(name)
                except Exception:  # absent already
                    pass
            shutil.rmtree(lexical_dir, ignore_errors=True)
        return cls(client, lexical_dir, location)

    # ----- manifest --------------------------------------------------------------------------------

    def records(self) -> dict[str, FileRecord]:
        """Every file record, read from Chroma now (writers use this)."""
        got = self.files.get(include=["metadatas"])
        return {fid: FileRecord.from_metadata(fid, m or {}) for fid, m in zip(got["ids"], got["metadatas"])
                if fid != GENERATION}

    def generation(self) -> str:
        """A token that changes with every manifest write ("" for an index written before it existed)."""
        got = self.files.get(ids=[GENERATION], include=["metadatas"])
        return str((got["metadatas"][0] or {}).get("token", "")) if got["ids"] else ""

    def current_records(self) -> dict[str, FileRecord]:
        """The file records, re-read only when the generation changed (readers on the hot path use this)."""
        return self._current()[1]

    def _current(self) -> tuple[str, dict[str, FileRecord], str]:
        generation = self.generation()
        cached = self._manifest
        if generation and cached and cached[0] == generation:
            return cached
        records = self.records()
        current = (generation, records, self.fingerprint(records))
        if generation:
            self._manifest = current
        return current

    def _renew_generation(self) -> None:
        self.files.upsert(ids=[GENERATION], embeddings=[_placeholder_vector(GENERATION)],
                          metadatas=[{"token": uuid.uuid4().hex}])

    def _put_records(self, recs: list[FileRecord], status: str) -> None:
        recs = [FileRecord(**{**r.__dict__, "status": status}) for r in recs]
        self.files.upsert(ids=[r.file_id for r in recs], embeddings=[_placeholder_vector(r.file_id) for r in recs],
                          metadatas=[r.metadata() for r in recs])
        self._renew_generation()

    def write_files(self, batch: list[tuple[FileRecord, list[Chunk]]], vectors: list[list[float]],
                    replacing: set[str] = frozenset()) -> None:
        """Replace the chunks of several files (steps 1-4 of the module docstring, each done for the
        whole batch). `replacing`: ids of the files that may have chunks of an older version."""
        self._put_records([rec for rec, _ in batch], "pending")
        rows = [(rec, c) for rec, chunks in batch for c in chunks]
        for i in range(0, len(rows), PAGE):
            part = rows[i:i + PAGE]
            self.chunks.upsert(ids=[c.id for _, c in part], embeddings=vectors[i:i + PAGE],
                               documents=[c.text for _, c in part],
                               metadatas=[chunk_metadata(c, rec.file_id, rec.hash) for rec, c in part])
        for rec, _ in batch:
            if rec.file_id in replacing:
                self.chunks.delete(where={"$and": [{FILE_ID: rec.file_id}, {FILE_HASH: {"$ne": rec.hash}}]})
        self._put_records([rec for rec, _ in batch], "ok")

    def remove_file(self, rec: FileRecord) -> None:
        self._put_records([rec], "removing")
        self.chunks.delete(where={FILE_ID: rec.file_id})
        self.files.delete(ids=[rec.file_id])
        self._renew_generation()

    def fingerprint(self, records: dict[str, FileRecord] | None = None) -> str:
        """Changes whenever any file's content or state changes."""
        if records is None:
            return self._current()[2]
        state = sorted(f"{r.file_id}:{r.hash}:{r.status}" for r in records.values())
        return hashlib.sha1("\n".join(state).encode()).hexdigest()[:16]

    # ----- reading ---------------------------------------------------------------------------------

    def count(self) -> int:
        return self.chunks.count()

    def iter_chunks(self, where: dict | None = None):
        """Every stored chunk, in pages."""
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], where=where, limit=PAGE, offset=offset)
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                yield chunk_from_record(cid, doc or "", meta or {})
            if len(got["ids"]) < PAGE:
                return
            offset += PAGE

    def article_chunks(self, article_id: str) -> tuple[Chunk, ...]:
        """One article's chunks in reading order (cached until the index changes: answering reads the same few
        articles several times per question)."""
        return _article_chunks(self, self.generation(), article_id)

    def table_rows(self, article_id: str, table_index: int) -> list[Chunk]:
        """The rows of one table, in order."""
        where = {"$and": [{ARTICLE_ID: article_id}, {TABLE_INDEX: table_index}, {KIND: "table_row"}]}
        return sorted(self.iter_chunks(where), key=lambda c: c.row_index)

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        got = self.chunks.get(ids=ids, include=["documents", "metadatas"])
        by_id = {cid: chunk_from_record(cid, doc or "", meta or {})
                 for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def refresh_lexical(self, records: dict[str, FileRecord] | None = None) -> None:
        """Build and save the lexical index for the current state, unless it is on disk already."""
        if not (self.lexical_dir / f"{self.fingerprint(records)}-t{LEXICAL_VERSION}").is_dir():
            self.lexical(records)

    def lexical(self, records: dict[str, FileRecord] | None = None) -> LexicalIndex:
        """The BM25 index matching the chunks now in Chroma (rebuilt and saved when stale)."""
        fp = f"{self.fingerprint(records)}-t{LEXICAL_VERSION}"
        if self._lexical and self._lexical[0] == fp:
            return self._lexical[1]
        with self._lexical_lock:  # the app's threads that find it stale wait for one build, not one each
            if self._lexical and self._lexical[0] == fp:
                return self._lexical[1]
            folder = self.lexical_dir / fp
            index = None
            if folder.is_dir():
                try:
                    index = LexicalIndex.load(folder)
                except (OSError, ValueError, KeyError):
                    shutil.rmtree(folder, ignore_errors=True)
            if index is None:
                # in id order, not Chroma's insertion order: writers sharing a server insert in any order,
                # and BM25 breaks score ties by position, so the same chunks must give the same index
                chunks = sorted(self.iter_chunks(), key=lambda c: c.id)
                index = LexicalIndex.build([c.id for c in chunks], [c.embed_text() for c in chunks])
                try:
                    index.save(folder)
                except OSError as e:
                    # the folder was there when ours was renamed into place: another process saved the
                    # same fingerprint (and may have removed it since, for a newer one); ours serves as well
                    if e.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                        raise
                for old in list(self.lexical_dir.iterdir()):
                    if old.name != fp and not old.name.startswith(".tmp-"):
                        shutil.rmtree(old, ignore_errors=True)
            self._lexical = (fp, index)
            return index


def _http_client(url: str, settings):
    import chromadb

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise StoreError(f"not a Chroma server URL: {url!r} (expected http://host:port)")
    try:
        client = chromadb.HttpClient(host=parsed.hostname, port=parsed.port or 8000,
                                     ssl=parsed.scheme == "https", settings=settings)
        client.heartbeat()
    except Exception as e:
        raise StoreError(f"cannot reach the Chroma server at {url}: {e.__class__.__name__}; "
                         "is `chroma run` up?") from None
    return client


def _damaged(db: Path) -> bool:
    """Whether Chroma's SQLite file fails SQLite's own check (overwritten, truncated)."""
    if not db.exists():
        return False
    import sqlite3
    from contextlib import closing

    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
            return con.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    except sqlite3.Error:
        return True


def _claim_dir(index_dir: Path, rebuild: bool) -> None:
    """Refuse a folder that holds something else than a Briefing index (never delete it)."""
    marker = index_dir / MARKER
    if index_dir.exists() and not index_dir.is_dir():
        raise StoreError(f"{index_dir} is a file, not an index folder; choose another --index-dir")
    if index_dir.is_dir() and any(index_dir.iterdir()) and not marker.exists():
        if not rebuild or any(p.name not in ("chroma", "lexical") for p in index_dir.iterdir()):
            raise StoreError(f"{index_dir} is not a Briefing index (it holds other files); "
                             "choose an empty or new --index-dir")
    index_dir.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        marker.write_text(json.dumps({"schema": SCHEMA, "embedding_model": MODEL_NAME,
                                      "created_at": time.time()}), encoding="utf-8")


@per_generation(maxsize=256)
def _article_chunks(store: Store, generation: str, article_id: str) -> tuple[Chunk, ...]:
    return tuple(sorted(store.iter_chunks(where={ARTICLE_ID: article_id}), key=lambda c: (c.section_index, c.id)))
