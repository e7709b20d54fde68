"""The app against a live server on a free loopback port, driven through gradio_client as any API
user (or the page) would: the seed index, uploads, markup in articles, logins, concurrent users."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from conftest import SEEDS, briefing, concurrently, free_port
from gradio_client import Client, handle_file
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.app import Services, build, check_exposure, launch, read_auth
from assistant.config import Settings
from assistant.errors import UsageError
from assistant.ui.library import save_uploads, stored_name
from index.indexer import run_index
from index.store import Store

pytestmark = pytest.mark.slow  # every test here talks to a live server

QUESTION = "What is Japan’s role in security cooperation?"
ROW = ("Focus Area: Security Cooperation; Japan’s Role: Host joint military exercises; "
       "U.S. Role: Provide strategic intelligence")
HIT = "<tr class=\"hit\"><td>Security Cooperation</td><td>Host joint military exercises</td>"
TRAM = """---
title: City approves night trams
source: Riverside Courier
date: 2025-05-02
---
# Night service

The city council approved night trams on Line 4, running every 20 minutes until 3 a.m. from September.
"""
MARKUP = """Lighthouse <script>window.__pwned = 1</script> reopens
The old lighthouse reopens on Friday <img src=x onerror="window.__pwned = 2"> after two years of repairs.
"""


def serve_app(index_dir: Path, embeddings, llm=None, auth=None, extra: tuple[Path, ...] = ()
              ) -> tuple[str, Services, object]:
    """Index the seeds (and `extra` articles) into `index_dir` (once) and serve the app there on a free
    loopback port."""
    store = Store.open(index_dir)
    run_index(store, [SEEDS, *extra], lambda: embeddings, max_bytes=2**24)
    services = Services(Settings(index_dir=index_dir), store, embeddings, llm)
    demo = build(services)
    port = free_port()
    launch(demo, services, "127.0.0.1", port, auth=auth, block=False)
    return f"http://127.0.0.1:{port}/", services, demo


@pytest.fixture(scope="module")
def app(tmp_path_factory, embeddings):
    url, services, demo = serve_app(tmp_path_factory.mktemp("app") / "index", embeddings)
    yield url, services
    demo.close()


@pytest.fixture
def client(app):
    return Client(app[0], verbose=False)


def test_ask_cites_the_table_row_with_the_json_of_the_cli(app, client):
    got = client.predict(QUESTION, api_name="/ask")  # the question alone
    assert got["answered"] and got["mode"] == "grounded"
    [cite] = got["citations"]
    assert (cite["kind"], cite["text"]) == ("table_row", ROW)
    cli = briefing("ask", QUESTION, "--json", "--index-dir", app[1].store.location)
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    assert {k: v for k, v in got.items() if k != "timings"} == {k: v for k, v in expected.items() if k != "timings"}


def test_ask_takes_history_and_filters(client):
    follow = client.predict("And the U.S.?", [QUESTION], api_name="/ask")
    assert "Provide strategic intelligence" in follow["answer"]
    assert follow["standalone_question"] != "And the U.S.?"
    assert not client.predict(QUESTION, source="no such outlet", api_name="/ask")["answered"]
    with pytest.raises(Exception, match="is not a date"):
        client.predict(QUESTION, since="someday", api_name="/ask")


def test_chat_renders_chips_the_highlighted_row_follow_ups_and_declines(client):
    messages, sources, box = client.predict(QUESTION, "", "", "", "grounded", api_name="/chat")
    answer = messages[-1]["content"][0]["text"]
    # the short answer first, on a line of its own; its row and column under it
    assert answer.startswith('<span class="short-answer">Host joint military exercises</span>\n\n')
    assert "Security Cooperation — Japan’s Role" in answer
    assert '<a class="chip" href="#c1-1">1</a>' in answer
    assert 'id="c1-1"' in sources and HIT in sources and box == ""
    messages, sources, _ = client.predict("And the U.S.?", "", "", "", "grounded", api_name="/chat")
    assert "Provide strategic intelligence" in messages[-1]["content"][0]["text"]  # the session kept the history
    assert sources.index("Q2: And the U.S.?") < sources.index("Q1: ")  # latest first
    messages, sources, _ = client.predict("Who won the 1998 chess olympiad?", "", "", "", "grounded", api_name="/chat")
    declined = messages[-1]["content"][0]["text"]
    assert "Not in the articles" in declined and "chip" not in declined
    assert "Declined" in sources and 'class="src-card related"' in sources


def test_a_text_citation_shows_its_paragraph_with_the_quoted_sentences_marked(client):
    messages, sources, _ = client.predict("What do the recommendations say about intelligence sharing?", "", "", "",
                                          "grounded", api_name="/chat")
    assert "deepen intelligence sharing" in messages[-1]["content"][0]["text"]
    [passage] = re.findall(r'<div class="passage">(.*?)</div>', sources, re.S)
    [marked] = re.findall(r"<mark>(.*?)</mark>", passage, re.S)
    assert "deepen intelligence sharing" in marked
    assert "To fortify the alliance" in passage and passage.replace(f"<mark>{marked}</mark>", "").strip()  # context


def test_brief_endpoint_returns_a_cited_briefing(client):
    got = client.predict("Japan security cooperation", api_name="/brief")  # the topic alone
    assert got["topic"] == "Japan security cooperation" and got["bottom_line"]
    markers = {c["marker"] for c in got["citations"]}
    assert all(set(p["markers"]) <= markers for p in got["bottom_line"])


def test_uploaded_article_is_indexed_then_answers_and_can_be_removed(app, client, tmp_path):
    upload = tmp_path / "night trams.md"
    upload.write_text(TRAM, encoding="utf-8")
    report = client.predict([handle_file(str(upload))], api_name="/index")
    assert (report["added"], report["skipped"]) == (1, [])
    got = client.predict("How often will the night trams on Line 4 run?", api_name="/ask")
    assert got["answered"] and "every 20 minutes" in got["answer"]
    stored = Path(got["citations"][0]["source"])
    assert stored.parent == app[1].uploads.resolve() and stored.name.startswith("night_trams-")
    [record] = [r for r in app[1].store.records().values() if r.path == str(stored)]
    assert app[1].remove(record.file_id) == stored.name
    assert not stored.exists()
    assert not client.predict("How often will the night trams on Line 4 run?", api_name="/ask")["answered"]


def test_markup_in_an_article_is_shown_as_text(client, tmp_path):
    upload = tmp_path / "lighthouse.txt"
    upload.write_text(MARKUP, encoding="utf-8")
    assert client.predict([handle_file(str(upload))], api_name="/index")["added"] == 1
    messages, sources, _ = client.predict("When does the old lighthouse reopen?", "", "", "", "grounded",
                                          api_name="/chat")
    answer = messages[-1]["content"][0]["text"]
    assert "Friday" in answer and "&lt;img src=x onerror=" in answer
    assert "&lt;script&gt;" in sources and "&lt;img src=x onerror=&quot;" in sources
    for html in (answer, sources):
        assert "<script" not in html and "<img" not in html


def test_uploads_get_safe_names_and_limits(client, tmp_path):
    for hostile in ("../../etc/passwd.txt", "..\\..\\boot.ini.md", ".hidden.txt", "a/b/<x>.json"):
        name = stored_name(hostile, b"data")
        assert "/" not in name and "\\" not in name and not name.startswith(".") and ".." not in name
    assert stored_name("report.TXT", b"a") != stored_name("report.TXT", b"b")
    (tmp_path / "tool.exe").write_bytes(b"MZ\x00")
    (tmp_path / "big.txt").write_text("word " * 500)
    (tmp_path / "ok.md").write_text(TRAM)
    saved, refused = save_uploads([str(tmp_path / n) for n in ("tool.exe", "big.txt", "ok.md")],
                                  tmp_path / "uploads", max_bytes=1000)
    assert [p.parent for p in saved] == [tmp_path / "uploads"]
    assert [(s.path, s.reason.split(" ")[0]) for s in refused] == [("tool.exe", "unsupported"), ("big.txt", "file")]
    assert "over the" in refused[1].reason
    with pytest.raises(Exception, match="Invalid file type"):  # the server refuses it before the app sees it
        client.predict([handle_file(str(tmp_path / "tool.exe"))], api_name="/index")


def test_indexing_does_not_hold_up_concurrent_chats(client, tmp_path):
    feed = tmp_path / "wire.jsonl"
    feed.write_text("".join(json.dumps({"title": f"Harbour report {i}", "source": "Wire",
                                        "body": f"Report {i}: the harbour handled {i * 7} ships in week {i}. "
                                                "Cranes, berths and pilots were all busy." * 3}) + "\n"
                            for i in range(400)), encoding="utf-8")
    job = Client(client.src, verbose=False).submit([handle_file(str(feed))], api_name="/index")
    while job.status().code.name not in ("PROCESSING", "FINISHED"):
        time.sleep(0.05)
    answers, errors = concurrently(8, lambda: Client(client.src, verbose=False).predict(QUESTION, api_name="/ask"))
    assert not job.done(), "the upload finished before the chats: make the feed bigger"
    assert not errors and len(answers) == 8 and all(a["citations"][0]["text"] == ROW for a in answers)
    assert job.result()["added"] == 1


def test_llm_mode_streams_then_shows_the_checked_answer(tmp_path, embeddings):
    fake = FakeListChatModel(responses=["Japan hosts joint military exercises [1]."] * 2)
    url, _, demo = serve_app(tmp_path / "index", embeddings, llm=fake)
    try:
        job = Client(url, verbose=False).submit(QUESTION, "", "", "", "llm", api_name="/chat")
        final = job.result()
        steps = [o[0][-1]["content"][0]["text"] for o in job.outputs()]
    finally:
        demo.close()
    assert steps[1:6] == ["J", "Ja", "Jap", "Japa", "Japan"]  # token by token (the fake model's are characters)
    assert "Host joint military exercises" in final[1]
    assert "every sentence checked" in final[0][-1]["content"][0]["text"]


def test_a_login_is_required_when_configured(tmp_path, embeddings):
    url, _, demo = serve_app(tmp_path / "index", embeddings, auth=[("ana", "s3cret")])
    try:
        with pytest.raises(Exception):
            Client(url, verbose=False).predict(QUESTION, api_name="/ask")
        got = Client(url, auth=("ana", "s3cret"), verbose=False).predict(QUESTION, api_name="/ask")
    finally:
        demo.close()
    assert got["citations"][0]["text"] == ROW


def test_a_non_loopback_host_is_refused_without_a_login(tmp_path):
    started = time.perf_counter()
    run = briefing("serve", "--host", "0.0.0.0", "--index-dir", str(tmp_path / "index"), env={"BRIEFING_AUTH": ""})
    assert run.returncode == 2 and "BRIEFING_AUTH" in run.stderr and "--insecure" in run.stderr
    assert time.perf_counter() - started < 20  # refused before any model loads
    for host in ("127.0.0.1", "localhost", "::1"):
        check_exposure(host, None, insecure=False)
    check_exposure("0.0.0.0", [("ana", "s3cret")], insecure=False)
    check_exposure("192.168.1.5", None, insecure=True)
    logins = tmp_path / "logins"
    logins.write_text("# team\nana:s3cret\nbo:pa:ss\n")
    assert read_auth(str(logins)) == [("ana", "s3cret"), ("bo", "pa:ss")]
    with pytest.raises(UsageError, match="user:password"):
        read_auth("no-colon")
