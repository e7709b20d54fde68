"""Web pages and news feeds: fetched safely, saved as article files under the index, then indexed.

A page (`briefing index https://...`) is saved as `<index>/web/<host>-<hash>.json`: an article object
(url, title, author, published date and site from trafilatura's metadata, the page's HTML as its body),
read by the loader like any JSON article; a PDF or Word file by URL keeps its type, its URL beside it in
a hidden `.url` file. The name depends on the URL only, so fetching a URL again replaces its article
when the page changed and changes nothing when it did not (the indexer compares contents).

A feed (RSS or Atom, read by feedparser) is fetched the same way; each item becomes an article: its own
text when the feed carries the full story (`content:encoded`, Atom content), else its page, fetched,
with the item's published date either way. `watch` remembers what each feed held
(`<index>/web/feeds.json`: item ids and their updated dates, the feed's ETag and Last-Modified), so a
poll fetches only new or changed items.

Fetching: http and https only, no credentials (a URL with user:password is refused, no cookies are
kept), a User-Agent that names us, a timeout, a size limit read as the body streams, at most
MAX_REDIRECTS redirects each checked again, and only the content types we read. With `private=False`
(the app listening beyond loopback) a URL whose host resolves to a loopback, private, link-local or
reserved address is refused, before the request and at every redirect.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .errors import InputError
from .types import Skipped

USER_AGENT = "Briefing/0.1 (local news briefing assistant; +https://github.com/)"
TIMEOUT_S = float(os.environ.get("BRIEFING_FETCH_TIMEOUT", "20"))  # seconds per request
MAX_REDIRECTS = 5
FULL_TEXT_WORDS = 80  # a feed item whose own text has this many words is the story; shorter is a teaser
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml",
              "application/feed+json")
DOCUMENT_TYPES = {"application/pdf": ".pdf",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}
TEXT_TYPES = {"text/plain": ".txt", "text/markdown": ".md", "application/json": ".json"}


def is_url(value: str) -> bool:
    """A URL rather than a path (any scheme: one we do not fetch is reported as such)."""
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", str(value), re.I))


@dataclass
class Page:
    """A fetched response: the URL it ended at, its content type and its bytes."""

    url: str
    content_type: str
    data: bytes
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


def _check_host(url: str, private: bool) -> None:
    parts = urlsplit(url)
    if not parts.scheme:
        raise InputError("not a URL: expected http:// or https://")
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"only http and https URLs are fetched, not {parts.scheme or 'this'}")
    if parts.username or parts.password:
        raise InputError("a URL with a user name or password is not fetched (no credentials are sent)")
    if not parts.hostname:
        raise InputError("no host in the URL")
    if private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as e:
        raise InputError(f"cannot resolve {parts.hostname}: {e.strerror or e}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise InputError(f"{parts.hostname} resolves to a private or local address ({address}): refused "
                             "while the app is open to the network")


def fetch(url: str, *, max_bytes: int, private: bool = True, timeout: float = TIMEOUT_S,
          etag: str = "", last_modified: str = "") -> Page:
    """GET `url` safely (see the module's notes); raises InputError with the reason."""
    import httpx

    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
               "application/atom+xml,application/xml;q=0.9,application/pdf,text/plain;q=0.8,*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                _check_host(url, private)
                with client.stream("GET", url, headers=headers) as r:
                    if r.is_redirect:
                        url = urljoin(url, r.headers.get("location", ""))
                        continue
                    if r.status_code == 304:
                        return Page(url, "", b"", etag, last_modified, not_modified=True)
                    if r.status_code >= 400:
                        raise InputError(f"HTTP {r.status_code} {r.reason_phrase}".strip())
                    kind = r.headers.get("content-type", "").split(";")[0].strip().lower()
                    if not _readable(kind):
                        raise InputError(f"content type {kind or 'missing'} is not a page, feed or document we read")
                    size = int(r.headers.get("content-length") or 0)
                    if size > max_bytes:
                        raise InputError(f"{size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit")
                    data = bytearray()
                    for part in r.iter_bytes():
                        data += part
                        if len(data) > max_bytes:
                            raise InputError(f"over the {max_bytes / 2**20:.0f} MiB limit")
                    return Page(str(r.url), kind, bytes(data), r.headers.get("etag", ""),
                                r.headers.get("last-modified", ""))
            raise InputError(f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        raise InputError(f"no answer within {timeout:.0f} s (timeout)") from None
    except httpx.HTTPError as e:
        raise InputError(f"cannot fetch: {type(e).__name__} {e}".strip()) from None


def _readable(kind: str) -> bool:
    return kind in HTML_TYPES or kind in FEED_TYPES or kind in DOCUMENT_TYPES or kind in TEXT_TYPES


def is_feed(page: Page) -> bool:
    if page.content_type in FEED_TYPES and page.content_type != "application/feed+json":
        return True
    head = page.data[:2000].lstrip().lower()
    return page.content_type in ("text/xml", "application/xml", "text/html") and (
        b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head)


def _name(url: str) -> str:
    host = re.sub(r"[^a-z0-9]+", "-", (urlsplit(url).hostname or "page").lower()).strip("-")[:40]
    return f"{host}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:12]}"


def _write(path: Path, data: bytes) -> bool:
    """Write atomically; False when the file already holds exactly this."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def _iso(struct) -> str:
    if not struct:
        return ""
    return datetime(*struct[:6], tzinfo=timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def save_page(page: Page, folder: Path, url: str, extra: dict | None = None) -> Path:
    """A fetched page as an article file under `folder`, named by `url` (the URL asked for)."""
    name = _name(url)
    if page.content_type in DOCUMENT_TYPES or page.content_type in TEXT_TYPES:
        suffix = DOCUMENT_TYPES.get(page.content_type) or TEXT_TYPES[page.content_type]
        path = folder / f"{name}{suffix}"
        _write(path, page.data)
        _write(folder / f".{path.name}.url", url.encode("utf-8"))
        return path
    from .load import decode, html_metadata

    html = decode(page.data)
    meta = html_metadata(html)
    article = {"url": page.url, "title": meta["title"], "author": meta["author"], "published_at": meta["published_at"],
               "source": meta["publisher"] or urlsplit(page.url).hostname or "", "body": html}
    article.update({k: v for k, v in (extra or {}).items() if v})
    path = folder / f"{name}.json"
    _write(path, json.dumps(article, ensure_ascii=False).encode("utf-8"))
    return path


# ----- feeds -----------------------------------------------------------------------------------------

@dataclass
class Fetched:
    """What fetching some URLs gave: article files to index, and each URL that failed, with its reason."""

    files: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    new: list[str] = field(default_factory=list)  # titles or URLs of the items that arrived

    @property
    def skipped(self) -> list[Skipped]:
        """The failed URLs as an index report lists skipped files."""
        return [Skipped(url, reason) for url, reason in self.failed]


def _item_id(entry) -> str:
    return entry.get("id") or entry.get("link") or entry.get("title", "")


def _full_text(entry) -> str:
    for content in entry.get("content") or []:
        value = content.get("value", "")
        if len(re.sub(r"<[^>]+>", " ", value).split()) >= FULL_TEXT_WORDS:
            return value
    return ""


class Web:
    """Fetching into one index's web folder, with the feeds' state."""

    def __init__(self, folder: Path, max_bytes: int, private: bool = True, timeout: float = TIMEOUT_S):
        self.folder, self.max_bytes, self.private, self.timeout = folder, max_bytes, private, timeout
        self.state_file = folder / "feeds.json"

    def _state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def fetch_all(self, urls: list[str], only_new: bool = False) -> Fetched:
        """Fetch each URL (a page, a document or a feed); one URL's failure never stops the others.
        `only_new`: a feed's items seen before with the same updated date are left alone."""
        out = Fetched()
        state = self._state()
        for url in urls:
            try:
                known = state.get(url, {})
                page = fetch(url, max_bytes=self.max_bytes, private=self.private, timeout=self.timeout,
                             etag=known.get("etag", "") if only_new else "",
                             last_modified=known.get("last_modified", "") if only_new else "")
                if page.not_modified:
                    continue
                if is_feed(page):
                    state[url] = self._feed(url, page, known if only_new else {}, out)
                else:
                    out.files.append(save_page(page, self.folder, url))
                    out.new.append(url)
            except InputError as e:
                out.failed.append((url, str(e)))
        if state:
            _write(self.state_file, json.dumps(state, indent=1).encode("utf-8"))
        return out

    def _feed(self, url: str, page: Page, known: dict, out: Fetched) -> dict:
        import feedparser

        parsed = feedparser.parse(page.data)
        if parsed.bozo and not parsed.entries:
            raise InputError(f"not a readable feed ({type(parsed.bozo_exception).__name__})")
        seen = dict(known.get("items", {}))
        folder = self.folder / _name(url)
        publisher = parsed.feed.get("title", "")
        for entry in parsed.entries:
            item, updated = _item_id(entry), entry.get("updated", entry.get("published", ""))
            if not item or seen.get(item) == updated:
                continue
            link = entry.get("link", "")
            extra = {"title": entry.get("title", ""), "published_at": _iso(entry.get("published_parsed")
                                                                           or entry.get("updated_parsed")),
                     "author": entry.get("author", ""), "source": publisher}
            try:
                text = _full_text(entry)
                if text:
                    body = {"url": link, "body": text, **extra}
                    path = folder / f"{_name(item)}.json"
                    _write(path, json.dumps(body, ensure_ascii=False).encode("utf-8"))
                elif link:
                    path = save_page(fetch(urljoin(url, link), max_bytes=self.max_bytes, private=self.private,
                                           timeout=self.timeout), folder, item, extra)
                else:
                    raise InputError("the item has neither its text nor a link")
            except InputError as e:
                out.failed.append((link or item, str(e)))
                continue
            seen[item] = updated
            out.files.append(path)
            out.new.append(entry.get("title") or link)
        return {"items": seen, "etag": page.etag, "last_modified": page.last_modified}
