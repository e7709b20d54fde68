"""Pages and feeds by URL for real: a real HTTP server on a free loopback port, the real CLI, the
real model and Chroma. Safe fetching: size limit, redirect loop, 404, timeout, private addresses."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import briefing, free_port

from index.store import Store
from index.web import Web

STORY = """<!doctype html><html><head><title>Brindisport port reopens | Harbour Times</title>
<meta name="author" content="Ada Quill"><meta property="og:site_name" content="Harbour Times">
<meta property="article:published_time" content="2025-03-04T08:00:00Z"></head><body>
<nav>Home | World | Business</nav><article><h1>Brindisport port reopens after nine-day strike</h1>
<p>The port of Brindisport reopened on Monday after a nine-day strike by dockworkers ended with a pay deal,
the harbour authority said. Ships that had waited offshore began to unload within hours.</p>
<h2>Cargo volumes</h2><p>Monthly figures from the harbour authority:</p>
<table><tr><th>Month</th><th>Containers</th><th>Ships</th></tr>
<tr><td>January</td><td>41,200</td><td>310</td></tr><tr><td>February</td><td>12,900</td><td>95</td></tr></table>
<p>Union leader Marta Solis said the agreement gives dockworkers a 4% rise in 2025.</p></article>
<footer>Copyright Harbour Times</footer></body></html>"""

FULL = " ".join(["The ferry line between Tolvern and Saltmere will add a night crossing from June, its operator"
                 " said, after passenger numbers rose 18% last year."] * 6)


def page(title: str, text: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p>"
            f"<p>{text}</p></article></body></html>")


def rss(items: list[tuple[str, str, str, str]]) -> str:
    body = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{date}</pubDate>"
                   + (f"<content:encoded><![CDATA[<p>{full}</p>]]></content:encoded>" if full else "")
                   + "</item>" for t, link, date, full in items)
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>Coast Wire</title><link>http://x/</link><description>d</description>{body}"
            "</channel></rss>")


ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Post</title>
<id>urn:valley</id><updated>2025-05-02T10:00:00Z</updated><entry><title>Dam inspection finds no cracks</title>
<id>urn:valley:1</id><link href="/dam.html"/><updated>2025-05-02T10:00:00Z</updated>
<published>2025-05-01T09:30:00Z</published><summary>Short teaser.</summary></entry></feed>"""


class Site:
    """Routes -> (status, content type, body); a route may be changed while the server runs."""

    def __init__(self):
        self.routes: dict[str, tuple[int, str, str]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                site.hits.append(self.path)
                if self.path == "/slow":
                    time.sleep(3)
                if self.path == "/loop":
                    self.send_response(302)
                    self.send_header("Location", "/loop")
                    self.end_headers()
                    return
                status, kind, body = site.routes.get(self.path, (404, "text/plain", "not found"))
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (size limit, timeout)
                    pass

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"


@pytest.fixture
def site():
    s = Site()
    s.routes.update({
        "/story.html": (200, "text/html; charset=utf-8", STORY),
        "/rss.xml": (200, "application/rss+xml", rss([
            ("Night ferry to Saltmere", "/ferry.html", "Tue, 06 May 2025 07:00:00 GMT", FULL),
            ("Market hall to reopen", "/market.html", "Mon, 05 May 2025 12:00:00 GMT", "")])),
        "/market.html": (200, "text/html", page("Market hall to reopen", "The Tolvern market hall reopens on "
                                                "June 2 after a two-year restoration costing 3.1 million euros.")),
        "/atom.xml": (200, "application/atom+xml", ATOM),
        "/dam.html": (200, "text/html", page("Dam inspection finds no cracks", "Engineers inspected the Valley "
                                             "dam for eleven days and found no cracks in the wall.")),
        "/big.html": (200, "text/html", page("Big", "word " * 20000)),
        "/image.png": (200, "image/png", "not an article"),
    })
    yield s
    s.server.shutdown()


def index_json(*args: str, env: dict | None = None) -> dict:
    out = briefing("index", *args, "--json", env=env)
    assert out.stdout, out.stderr
    return json.loads(out.stdout)


def test_a_page_by_url_is_indexed_with_its_metadata_and_replaced_when_it_changes(site, tmp_path):
    ix = str(tmp_path / "ix")
    report = index_json(f"{site.url}/story.html", "--index-dir", ix)
    assert report["added"] == 1 and not report["skipped"]
    answer = json.loads(briefing("ask", "How many ships called in February?", "--index-dir", ix, "--json").stdout)
    cited = answer["citations"][0]
    assert "95" in answer["answer"] and cited["kind"] == "table_row" and cited["url"] == f"{site.url}/story.html"
    assert cited["published_at"].startswith("2025-03-04") and "nav" not in cited["text"]
    assert index_json(f"{site.url}/story.html", "--index-dir", ix)["unchanged"] == 1  # same page: nothing to do
    site.routes["/story.html"] = (200, "text/html", STORY.replace("4% rise", "5% rise"))
    again = index_json(f"{site.url}/story.html", "--index-dir", ix)
    assert again["updated"] == 1 and again["articles"] == 1  # replaced, not added beside


def test_rss_and_atom_items_are_indexed_with_their_dates(site, tmp_path):
    ix = str(tmp_path / "ix")
    report = index_json(f"{site.url}/rss.xml", f"{site.url}/atom.xml", "--index-dir", ix)
    assert report["added"] == 3 and not report["skipped"]
    assert "/ferry.html" not in site.hits  # the feed carried the ferry story's full text: its page is not fetched
    records = Store.open(tmp_path / "ix").records().values()
    dated = {a["title"]: a["published_at"][:10] for r in records for a in r.articles}
    assert dated == {"Night ferry to Saltmere": "2025-05-06", "Market hall to reopen": "2025-05-05",
                     "Dam inspection finds no cracks": "2025-05-01"}
    answer = json.loads(briefing("ask", "When does the market hall reopen?", "--index-dir", ix, "--json").stdout)
    assert "June 2" in answer["answer"] and answer["citations"][0]["url"].endswith("/market.html")


def test_a_watch_cycle_picks_up_one_new_item_and_a_briefing_of_what_is_new_covers_it(site, tmp_path):
    ix = str(tmp_path / "ix")
    first = briefing("watch", f"{site.url}/rss.xml", "--once", "--index-dir", ix)
    assert first.returncode == 0 and "2 new or changed" in first.stdout, first.stderr
    assert briefing("brief", "--since-last", "--index-dir", ix).returncode == 0  # the analyst has read these
    site.hits.clear()
    site.routes["/harbour.html"] = (200, "text/html", page("Harbour fees to rise", "Harbour fees in Tolvern will "
                                                           "rise 7% from July, the council decided on Tuesday."))
    site.routes["/rss.xml"] = (200, "application/rss+xml", rss([
        ("Harbour fees to rise", "/harbour.html", "Wed, 07 May 2025 09:00:00 GMT", ""),
        ("Night ferry to Saltmere", "/ferry.html", "Tue, 06 May 2025 07:00:00 GMT", FULL),
        ("Market hall to reopen", "/market.html", "Mon, 05 May 2025 12:00:00 GMT", "")]))
    second = briefing("watch", f"{site.url}/rss.xml", "--once", "--index-dir", ix)
    assert "1 new or changed: Harbour fees to rise (1 added, 0 updated)" in second.stdout, second.stdout
    assert site.hits == ["/rss.xml", "/harbour.html"]  # the items seen before are not fetched again
    new = json.loads(briefing("brief", "--since-last", "--index-dir", ix, "--json").stdout)
    assert {c["title"] for c in new["citations"]} == {"Harbour fees to rise"}  # "only what is new": that item
    third = briefing("watch", f"{site.url}/rss.xml", "--once", "--index-dir", ix)
    assert "nothing new" in third.stdout


def test_bad_urls_are_each_reported_and_the_rest_indexed(site, tmp_path):
    ix = str(tmp_path / "ix")
    report = index_json(f"{site.url}/story.html", f"{site.url}/big.html", f"{site.url}/loop", f"{site.url}/missing",
                        f"{site.url}/slow", f"{site.url}/image.png", "ftp://example.com/x", "--index-dir", ix,
                        "--max-file-mb", "0.05", env={"BRIEFING_FETCH_TIMEOUT": "1"})
    reasons = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in report["skipped"]}
    assert report["added"] == 1
    assert "limit" in reasons["big.html"] and "redirects" in reasons["loop"] and "404" in reasons["missing"]
    assert "timeout" in reasons["slow"] and "content type image/png" in reasons["image.png"]
    assert "http and https" in reasons["x"]


def test_private_addresses_are_refused_when_the_app_is_exposed(site, tmp_path):
    exposed = Web(tmp_path / "web", 2**20, private=False)
    got = exposed.fetch_all([f"{site.url}/story.html", "http://localhost:9/", "http://169.254.169.254/latest/"])
    assert not got.files and site.hits == []
    assert all("private or local address" in reason for _, reason in got.failed) and len(got.failed) == 3
    loopback_app = Web(tmp_path / "web", 2**20, private=True)  # the app on 127.0.0.1, or the CLI
    assert loopback_app.fetch_all([f"{site.url}/story.html"]).files
    with pytest.raises(Exception, match="user name or password"):
        from index.web import fetch

        fetch("http://user:secret@example.com/", max_bytes=2**20)


def test_the_app_watching_a_feed_lists_what_arrived_and_refuses_private_urls_when_exposed(site, tmp_path, embeddings):
    from assistant.app import Services
    from assistant.config import Settings

    store = Store.open(tmp_path / "ix")
    services = Services(Settings(index_dir=tmp_path / "ix"), store, embeddings)
    stop = services.watch([f"{site.url}/rss.xml"], every=0.2)
    try:
        deadline = time.time() + 60
        while len(services.arrivals) < 2 and time.time() < deadline:
            time.sleep(0.1)
        assert sorted(a[17:] for a in services.arrivals) == ["Market hall to reopen", "Night ferry to Saltmere"]
        time.sleep(1)  # more polls: nothing new arrives twice
        assert len(services.arrivals) == 2 and store.count()
    finally:
        stop.set()
    services.exposed = True  # `briefing serve --host 0.0.0.0`: a loopback URL is refused, by URL, with the reason
    report = services.index_urls([f"{site.url}/story.html"])
    assert report["skipped"] == [{"path": f"{site.url}/story.html", "reason": report["skipped"][0]["reason"]}]
    assert "private or local address" in report["skipped"][0]["reason"]
