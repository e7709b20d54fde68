"""The indexing run: find files, skip what is unchanged, parse and chunk the rest, embed, store."""
from __future__ import annotations

import fcntl
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .chunk import MAX_WORDS, chunk
from .errors import InputError, StoreError
from .load import discover, file_id, load_file, read_bytes
from .parse import parse
from .store import FileRecord, Store
from .types import Chunk, Skipped

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.embeddings import Embeddings

# Bump when parsing or chunking changes what a file yields: every file is then re-indexed once.
PARSER_VERSION = "4"
BATCH_CHUNKS = 1024  # chunks written to the store together
PROGRESS_CHUNKS = 128  # texts embedded between two progress reports


@dataclass(frozen=True)
class IndexProgress:
    """Where a run stands: files done of all found, chunks embedded, and the time left, estimated from
    the bytes of the files still to read at the rate of the bytes read so far (unchanged files cost
    nothing and are not counted)."""

    files_done: int
    files_total: int
    path: str  # the file just done, or the one being embedded
    chunks: int  # embedded so far in this run
    seconds: float
    bytes_done: int
    bytes_left: int

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        if not self.bytes_done or self.seconds < 1:
            return None
        return self.bytes_left * self.seconds / self.bytes_done

    def line(self) -> str:
        """"120/769 files · 3,012 chunks · 41 chunks/s · about 9 min left"."""
        left = self.seconds_left
        eta = "" if left is None else f" · about {_duration(left)} left"
        return (f"{self.files_done}/{self.files_total} files · {self.chunks:,} chunks · "
                f"{self.chunks_per_s:.0f} chunks/s{eta}")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(seconds, 1):.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 10 else f"{minutes} min"


Progress = Callable[[IndexProgress], None]


@dataclass
class IndexReport:
    """What a run did (files) and what the index holds after it."""

    articles: int = 0
    chunks: int = 0
    table_rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict:
        return {"articles": self.articles, "chunks": self.chunks, "table_rows": self.table_rows,
                "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed, "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
                "seconds": round(self.seconds, 3)}

    @property
    def indexed(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass
class _Prepared:
    record: FileRecord
    chunks: list[Chunk]
    is_new: bool  # was not fully in the index before
    replaces: bool  # may have chunks of an older version in the store
    size: int  # bytes on disk, for the time left


def content_hash(data: bytes, max_words: int) -> str:
    """The file's identity in the manifest: its bytes and how they are cut into chunks."""
    return f"{hashlib.sha256(data).hexdigest()[:32]}:p{PARSER_VERSION}w{max_words}"


def prepare(path: Path, data: bytes, max_bytes: int, max_words: int = MAX_WORDS) -> tuple[list[Chunk], list[dict], list[str]]:
    """Chunks, article summaries and problems of one file; InputError when it yields nothing."""
    loaded = load_file(path, max_bytes, data)
    chunks: list[Chunk] = []
    articles: list[dict] = []
    problems = list(loaded.problems)
    for article in loaded.articles:
        try:
            doc = parse(article)
        except InputError as e:
            problems.append(f"{article.article_id}: {e}" if len(loaded.articles) > 1 else str(e))
            continue
        problems.extend(doc.problems)
        article_chunks = chunk(doc, max_words)
        chunks.extend(article_chunks)
        articles.append({"id": article.article_id, "title": doc.title, "publisher": article.publisher,
                         "published_at": article.published_at, "url": article.url,
                         "chunks": len(article_chunks),
                         "table_rows": sum(c.kind == "table_row" for c in article_chunks)})
    if not chunks:
        raise InputError("; ".join(problems[:3]) or "no article text found")
    return chunks, articles, problems


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@contextmanager
def writer_lock(store: Store):
    """One writer at a time per embedded index (a Chroma server takes concurrent idempotent writers)."""
    if "://" in store.location:
        yield
        return
    path = Path(store.location) / "write.lock"
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another indexer is writing to {store.location}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_index(store: Store, paths: list[Path], embeddings: Callable[[], "Embeddings"], *, max_bytes: int,
              max_words: int = MAX_WORDS, progress: Progress | None = None) -> IndexReport:
    """Bring the index up to date with `paths` (or, with none, with every folder indexed before).

    `embeddings` is called only when something needs embedding, so an unchanged re-run never loads
    the model.
    """
    started = time.perf_counter()
    report = IndexReport()
    with writer_lock(store):
        records = store.records()
        roots = [p.resolve() for p in paths] or sorted({Path(r.root) for r in records.values()})
        found, report.skipped = discover(roots)
        by_path = {r.path: r for r in records.values()}
        kept_paths = {str(p) for p in found}  # files not to remove, even when unreadable now
        todo: list[_Prepared] = []
        total = len(found)
        done = 0
        model: "Embeddings | None" = None

        sizes = {p: _size(p) for p in found}
        read = {"bytes_done": 0, "bytes_left": sum(sizes.values()), "chunks": 0}
        work_started = time.perf_counter()
        known: dict[bytes, "np.ndarray"] = {}  # text digest -> vector: identical chunks are embedded once

        def report_progress(path: str) -> None:
            if progress:
                progress(IndexProgress(done, total, path, read["chunks"], time.perf_counter() - work_started,
                                       read["bytes_done"], read["bytes_left"]))

        def embed(texts: list[str], path: str) -> list[list[float]]:
            nonlocal model
            import numpy as np

            if model is None:
                model = embeddings()
                store.check_embedder(model)
            digests = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
            new = list({d: t for d, t in zip(digests, texts) if d not in known}.items())
            for start in range(0, len(new), PROGRESS_CHUNKS):
                part = new[start:start + PROGRESS_CHUNKS]
                for (d, _), v in zip(part, model.embed_documents([t for _, t in part])):
                    known[d] = np.asarray(v, dtype=np.float32)
                read["chunks"] += len(part)
                report_progress(path)
            return [known[d].tolist() for d in digests]

        def flush() -> None:
            nonlocal done
            if not todo:
                return
            vectors = embed([c.embed_text() for p in todo for c in p.chunks], todo[-1].record.path)
            store.write_files([(p.record, p.chunks) for p in todo], vectors,
                              replacing={p.record.file_id for p in todo if p.replaces})
            for p in todo:
                report.added += p.is_new
                report.updated += not p.is_new
                done += 1
                read["bytes_done"] += p.size
                read["bytes_left"] -= p.size
                report_progress(p.record.path)
            todo.clear()

        for path, root in found.items():
            spath = str(path)
            prev = by_path.get(spath)
            try:
                data = read_bytes(path, max_bytes)
                fhash = content_hash(data, max_words)
                if prev and prev.hash == fhash and prev.status == "ok":
                    report.unchanged += 1
                    done += 1
                    read["bytes_left"] -= sizes[path]
                    report_progress(spath)
                    continue
                chunks, articles, problems = prepare(path, data, max_bytes, max_words)
            except InputError as e:
                note = "; the version indexed before is kept" if prev and prev.status == "ok" else ""
                report.skipped.append(Skipped(spath, f"{e}{note}"))
                done += 1
                read["bytes_done"] += sizes[path]
                read["bytes_left"] -= sizes[path]
                report_progress(spath)
                continue
            report.skipped.extend(Skipped(spath, p) for p in problems)
            now = time.time()
            record = FileRecord(file_id=file_id(spath), path=spath, root=str(root), hash=fhash,
                                articles=tuple(articles), chunks=len(chunks),
                                table_rows=sum(c.kind == "table_row" for c in chunks),
                                added_at=prev.added_at if prev else now, indexed_at=now,
                                problems=tuple(problems))
            todo.append(_Prepared(record, chunks, is_new=prev is None or prev.status != "ok",
                                  replaces=prev is not None, size=sizes[path]))
            if sum(len(p.chunks) for p in todo) >= BATCH_CHUNKS:
                flush()
        flush()

        for rec in records.values():
            under_root = any(rec.path == str(r) or rec.path.startswith(str(r) + os.sep) for r in roots)
            if under_root and rec.path not in kept_paths:
                store.remove_file(rec)
                report.removed += 1

        records = store.records()
        store.refresh_lexical(records)
    ok = [r for r in records.values() if r.status == "ok"]
    report.articles = sum(len(r.articles) for r in ok)
    report.table_rows = sum(r.table_rows for r in ok)
    report.chunks = store.count()
    report.seconds = time.perf_counter() - started
    return report
