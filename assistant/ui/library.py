"""The article library: uploads checked and stored under safe names, and what the index holds."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from index.load import SUPPORTED
from index.store import FileRecord
from index.types import Skipped

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
COLUMNS = ["Title", "Source", "Published", "Chunks", "Table rows", "File"]


def stored_name(original: str, data: bytes) -> str:
    """A safe name for an upload: the base name's stem in safe characters (no path, no leading dot),
    made unique by a hash of the content, and the allowed suffix lower-cased."""
    name = original.replace("\\", "/").rsplit("/", 1)[-1]
    stem, suffix = os.path.splitext(name)
    stem = _UNSAFE.sub("_", stem).strip("_-")[:60] or "article"
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:10]}{suffix.lower()}"


def save_uploads(paths: list[str], folder: Path, max_bytes: int) -> tuple[list[Path], list[Skipped]]:
    """Copy uploaded files into `folder` under safe names; refuse other types and oversized files."""
    saved: list[Path] = []
    refused: list[Skipped] = []
    folder.mkdir(parents=True, exist_ok=True)
    for path in map(Path, paths):
        if path.suffix.lower() not in SUPPORTED:
            refused.append(Skipped(path.name, f"unsupported file type '{path.suffix or path.name}' "
                                              f"(supported: {', '.join(sorted(SUPPORTED))})"))
            continue
        size = path.stat().st_size
        if size > max_bytes:
            refused.append(Skipped(path.name, f"file is {size / 2**20:.1f} MiB, over the "
                                              f"{max_bytes / 2**20:g} MiB limit"))
            continue
        data = path.read_bytes()
        target = folder / stored_name(path.name, data)
        if not target.exists():
            tmp = target.with_name(f".{target.name}.part")
            tmp.write_bytes(data)
            tmp.replace(target)
        saved.append(target)
    return saved, refused


def library_rows(records: dict[str, FileRecord]) -> list[list]:
    """One row per indexed article, the newest first."""
    rows = [[a.get("title") or "Untitled", a.get("publisher") or "", (a.get("published_at") or "")[:10],
             a.get("chunks", rec.chunks), a.get("table_rows", rec.table_rows), Path(rec.path).name]
            for rec in records.values() if rec.status == "ok" for a in rec.articles]
    return sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)


def removable(records: dict[str, FileRecord]) -> list[tuple[str, str]]:
    """(label, file id) of each indexed file; a feed file goes with all its articles."""
    out = []
    for rec in records.values():
        if rec.status != "ok":
            continue
        titles = [a.get("title") or "Untitled" for a in rec.articles]
        label = titles[0] if len(titles) == 1 else f"{len(titles)} articles"
        out.append((f"{label} ({Path(rec.path).name})", rec.file_id))
    return sorted(out)


def sources(records: dict[str, FileRecord]) -> list[str]:
    """What the source filter can match: publishers and file names."""
    ok = [r for r in records.values() if r.status == "ok"]
    publishers = {a["publisher"] for r in ok for a in r.articles if a.get("publisher")}
    files = {Path(r.path).name for r in ok}
    return sorted(publishers) + sorted(files)
