"""Files -> Article: find article files, decode them safely, read the usual news fields.

Encoding: UTF-8 (a BOM is honoured, UTF-16/32 too when their BOM is present); otherwise
Windows-1252 when the text reads cleanly in it; otherwise the best guess of charset-normalizer when
it is confident; otherwise the file is skipped as undecodable. Files with NUL bytes are binary.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import InputError
from .types import Article, Format, Skipped

TEXT_SUFFIXES: dict[str, Format] = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
                                    ".html": "html", ".htm": "html"}
FEED_SUFFIXES = {".json", ".jsonl"}
DOCUMENT_SUFFIXES: dict[str, Format] = {".pdf": "pdf", ".docx": "docx"}  # read as blocks (documents.py)
SUPPORTED = frozenset(TEXT_SUFFIXES) | FEED_SUFFIXES | frozenset(DOCUMENT_SUFFIXES)

TITLE_KEYS = ("title", "headline", "name")
BODY_KEYS = ("body", "text", "content", "article", "body_html", "html", "description")
URL_KEYS = ("url", "link", "href")
PUBLISHER_KEYS = ("source", "publisher", "site", "site_name", "outlet", "domain")
DATE_KEYS = ("published_at", "publishedAt", "published", "date", "pubDate", "datetime", "created_at")
AUTHOR_KEYS = ("author", "authors", "byline", "creator")

_MAGIC = {b"%PDF": "a PDF", b"PK\x03\x04": "a ZIP/Office file", b"\x89PNG": "a PNG image",
          b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x7fELF": "an executable"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Loaded:
    """What one file yielded: its articles, and the parts of it that could not be read."""

    articles: list[Article]
    problems: list[str]


def discover(paths: list[Path]) -> tuple[dict[Path, Path], list[Skipped]]:
    """Article files under `paths` (folders recurse; hidden entries are ignored), each with the path
    it was found under, sorted; plus the files of types we do not read."""
    found: dict[Path, Path] = {}
    skipped: list[Skipped] = []
    for root in paths:
        if not root.exists():
            continue
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in candidates:
            rel = p.relative_to(root) if p != root else Path(p.name)
            if any(part.startswith(".") for part in rel.parts[:-1]) or (p != root and p.name.startswith(".")):
                continue
            if p.suffix.lower() in SUPPORTED:
                found.setdefault(p.resolve(), root.resolve())
            else:
                skipped.append(Skipped(str(p.resolve()), f"unsupported file type '{p.suffix or p.name}'"
                                       f" (supported: {', '.join(sorted(SUPPORTED))})"))
    return dict(sorted(found.items())), skipped


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing empty and oversized files."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit "
                             "(BRIEFING_MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}") from None
    if not data.strip():
        raise InputError("empty file")
    return data


def decode(data: bytes) -> str:
    """Bytes -> text (see the module docstring for the fallback order)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise InputError(f"starts with a {encoding} byte-order mark but is not valid {encoding}") from None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"binary file ({what}), not an article")
    if b"\x00" in data[:65536]:
        raise InputError("binary file (contains NUL bytes), not an article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 0.05 * min(len(text), 65536):
        raise InputError("binary file (mostly control characters), not an article")
    return text


def _decode_legacy(data: bytes) -> str:
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    try:  # the legacy encoding of most Western news sites; short texts defeat statistical guessing
        text = data.decode("cp1252")
        if mess_ratio(text[:65536], 0.2) < 0.2:
            return text
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise InputError("not UTF-8, and no other text encoding fits (binary or corrupt?)")
    return str(best)


def file_id(path: str) -> str:
    """Stable key of a file in the manifest."""
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def article_id(path: Path, n: int | None = None) -> str:
    """Readable, deterministic id: the file stem, a short hash of the full path (stems repeat across
    folders), and the article's position in a feed file."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:60] or "article"
    base = f"{stem}-{file_id(str(path))[:6]}"
    return base if n is None else f"{base}.{n}"


def load_file(path: Path, max_bytes: int, data: bytes | None = None) -> Loaded:
    """Read one file (or its bytes, already read) into articles; raises InputError when nothing in it
    is usable."""
    data = read_bytes(path, max_bytes) if data is None else data
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        return Loaded([_document_article(path, data, DOCUMENT_SUFFIXES[suffix])], [])
    text = decode(data)
    if suffix in FEED_SUFFIXES:
        return _load_feed(path, text, jsonl=suffix == ".jsonl")
    fmt = TEXT_SUFFIXES[suffix]
    if fmt == "html":
        return Loaded([_html_article(path, text)], [])
    title, meta, body = _front_matter(text) if fmt == "markdown" else ("", {}, text)
    if not body.strip():
        raise InputError("no article text (only front matter)")
    return Loaded([Article(source=str(path), article_id=article_id(path), body=body, format=fmt, title=title,
                           url=meta.get("url", ""), publisher=meta.get("source", ""),
                           published_at=normalize_date(meta.get("date", "")), author=meta.get("author", ""))], [])


def _document_article(path: Path, data: bytes, fmt: Format) -> Article:
    from .documents import read_docx, read_pdf

    if not data:
        raise InputError("empty file")
    read = read_pdf(data) if fmt == "pdf" else read_docx(data)
    try:  # a document fetched by URL keeps its URL beside it (index/web.py)
        url = path.with_name(f".{path.name}.url").read_text(encoding="utf-8").strip()
    except OSError:
        url = ""
    return Article(source=str(path), article_id=article_id(path), body="", format=fmt, title=read.title, url=url,
                   author=read.author, published_at=normalize_date(read.date), blocks=tuple(read.blocks))


def html_metadata(html: str) -> dict[str, str]:
    """A page's title, url, publisher, published_at and author (trafilatura), "" where unknown."""
    import trafilatura

    try:
        meta = trafilatura.extract_metadata(html)
    except Exception:  # htmldate asserts on some malformed trees ("<math><html>"); the fields are optional
        meta = None
    get = (lambda name: (getattr(meta, name, None) or "")) if meta else (lambda name: "")
    return {"title": get("title"), "url": get("url"), "publisher": get("sitename"),
            "published_at": normalize_date(get("date")), "author": get("author")}


def _html_article(path: Path, html: str) -> Article:
    if "<" not in html:
        raise InputError("not HTML: no markup found")
    return Article(source=str(path), article_id=article_id(path), body=html, format="html", **html_metadata(html))


_TOO_DEEP = "invalid JSON: nested too deeply to be an article"


def _load_feed(path: Path, text: str, jsonl: bool) -> Loaded:
    problems: list[str] = []
    if jsonl:
        items: list[object] = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as e:
                problems.append(f"line {n}: invalid JSON ({e.msg})")
                items.append(None)
            except RecursionError:
                problems.append(f"line {n}: {_TOO_DEEP}")
                items.append(None)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
        except RecursionError:  # json's parser recurses once per [ or {
            raise InputError(_TOO_DEEP) from None
        if isinstance(data, dict) and isinstance(data.get("articles"), list):
            data = data["articles"]  # the common {"articles": [...]} wrapper of news APIs
        items = data if isinstance(data, list) else [data]
    where = "line" if jsonl else "item"
    articles: list[Article] = []
    for n, item in enumerate(items, 1):
        if item is None:
            continue
        try:
            articles.append(_feed_article(path, item, n if len(items) > 1 else None))
        except InputError as e:
            problems.append(f"{where} {n}: {e}" if len(items) > 1 else str(e))
    if not articles:
        raise InputError("; ".join(problems[:3]) or "no articles in the file")
    return Loaded(articles, problems)


def _feed_article(path: Path, item: object, n: int | None) -> Article:
    if not isinstance(item, dict):
        raise InputError(f"expected an article object, got {type(item).__name__}")
    body = _first(item, BODY_KEYS)
    if not body.strip():
        raise InputError(f"no article text (none of the fields {', '.join(BODY_KEYS[:3])})")
    fmt: Format = "html" if re.search(r"</?(p|div|h[1-6]|table|ul|ol|br|article)\b", body, re.I) else "text"
    return Article(source=str(path), article_id=article_id(path, n), body=body, format=fmt,
                   title=_first(item, TITLE_KEYS), url=_first(item, URL_KEYS), publisher=_first(item, PUBLISHER_KEYS),
                   published_at=normalize_date(_first(item, DATE_KEYS)), author=_first(item, AUTHOR_KEYS))


def _first(item: dict, keys: tuple[str, ...]) -> str:
    """The first non-empty field among `keys`, as text (NewsAPI's {"name": ...} and lists included)."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("name") or value.get("title") or ""
        if isinstance(value, list):
            value = ", ".join(str(v.get("name", "") if isinstance(v, dict) else v) for v in value)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _front_matter(text: str) -> tuple[str, dict[str, str], str]:
    """Simple `key: value` YAML front matter of markdown exports."""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not m:
        return "", {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    meta.setdefault("date", meta.get("published_at", meta.get("published", "")))
    meta.setdefault("url", meta.get("link", ""))
    meta.setdefault("source", meta.get("publisher", ""))
    return meta.get("title", ""), meta, text[m.end():]


def normalize_date(value: str, languages: tuple[str, ...] | None = None) -> str:
    """An ISO 8601 date (or date-time) for a published date in any common format; "" if unknown.
    `languages`: the languages to read it in (None: guessed, which costs seconds the first time)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        import dateparser

        dt = dateparser.parse(value, languages=list(languages) if languages else None,
                              settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
        if dt is None:
            return ""
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.date().isoformat() if dt.time() == datetime.min.time() else dt.isoformat(timespec="seconds")
