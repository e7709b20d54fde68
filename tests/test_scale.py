"""Scale-out for real: one `chroma run` server filled by two `briefing index --chroma-url` processes at
once, served by two `briefing serve --chroma-url` processes (each with its own lexical cache), and
every answer identical to an embedded index of the same files. Also what lets that hold: the lexical
index does not depend on the order writers inserted chunks, and an app's many sessions share one
rebuild of it after a change."""
from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SEED_FILE, SHARED, concurrently, free_port, wait_until_up
from gradio_client import Client

from assistant.answer import Answerer
from assistant.retrieval import Filters
from index.indexer import run_index
from index.lexical import LexicalIndex
from index.store import Store

REPORTS = 30  # TAT-QA reports, 15 per half
CLI = [sys.executable, "-m", "assistant.cli"]
# (question, history, source, since, until): questions of every kind, some filtered
ASKED = [
    ("On which day did the Harbor Bridge reopen?", [], "", "", ""),  # a conflict between the two halves
    ("On which day did the Harbor Bridge reopen?", [], "bay times", "", ""),
    ("How much did the Harbor Bridge repairs cost?", [], "", "", ""),
    ("And the U.S.?", ["What is Japan’s role in Security Cooperation?"], "", "", ""),
    ("How much will rail fares rise?", [], "", "", "2024-03-31"),
    ("How much will rail fares rise?", [], "", "2024-03-10", ""),
    ("Is the ferry service cancelled?", [], "", "", ""),
    ("Who won the 1998 chess olympiad?", [], "", "", ""),
]


@pytest.fixture
def processes():
    """Subprocesses started by the test, stopped at its end whatever happens."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
    for proc in started:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def two_halves(folder: Path) -> tuple[Path, Path]:
    """The seed, the small test articles and TAT-QA reports, split in two folders."""
    a, b = folder / "a", folder / "b"
    a.mkdir(parents=True)
    b.mkdir()
    shutil.copy(SEED_FILE, a)
    for name in ("wire_a.md", "feed.json", "page.html"):
        shutil.copy(DATA / name, a)
    for name in ("wire_b.md", "injection.txt", "lines.jsonl"):  # wire_b.md disagrees with wire_a.md
        shutil.copy(DATA / name, b)
    reports = sorted((SHARED / "eval/tatqa_dev/corpus").glob("*.md"))[:REPORTS]
    for n, report in enumerate(reports):
        shutil.copy(report, a if n % 2 == 0 else b)
    return a, b


def questions(a: Path, b: Path) -> list[tuple]:
    seeds = [(json.loads(line)["question"], [], "", "", "")
             for line in (SHARED / "eval/seed_dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    names = {p.name for p in [*a.glob("tatqa-*.md"), *b.glob("tatqa-*.md")]}
    reports = [(q["question"], [], "", "", "") for q in map(json.loads, (SHARED / "eval/tatqa_dev/questions.jsonl")
                                                             .read_text(encoding="utf-8").splitlines())
               if q["meta"].get("article") in names]
    return seeds + ASKED + reports[:30]


def forget_lexical(store: Store) -> None:
    for folder in store.lexical_dir.iterdir():
        shutil.rmtree(folder)


def test_the_same_files_indexed_in_either_order_rank_alike(tmp_path, embeddings):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"  # the same article twice: every score ties
    shutil.copy(SEED_FILE, one)
    shutil.copy(SEED_FILE, two)
    stores = [Store.open(tmp_path / "first"), Store.open(tmp_path / "second")]
    for store, order in zip(stores, ([one, two], [two, one])):
        for path in order:
            run_index(store, [path], lambda: embeddings, max_bytes=2**24)
    question = "Japan security cooperation joint military exercises"
    first, second = (store.lexical().search(question, 5) for store in stores)
    assert first == second and {cid.split("-")[0] for cid, _ in first} == {"one", "two"}


def test_sessions_that_find_the_lexical_index_stale_wait_for_one_rebuild(tmp_path, embeddings, monkeypatch):
    run_index(Store.open(tmp_path / "ix"), [SEED_FILE], lambda: embeddings, max_bytes=2**24)
    app = Store.open(tmp_path / "ix")  # an app's view, its lexical cache gone (as after another writer's change)
    forget_lexical(app)
    builds = []
    build = LexicalIndex.build.__func__

    def slow_build(cls, ids, texts):
        builds.append(len(ids))
        time.sleep(0.3)  # long enough for every session to find the index stale
        return build(cls, ids, texts)

    monkeypatch.setattr(LexicalIndex, "build", classmethod(slow_build))
    got, errors = concurrently(16, app.lexical)
    assert not errors and len(builds) == 1 and len(got) == 16 and all(g is got[0] for g in got)


def test_a_lexical_cache_folder_that_another_process_saved_first_is_no_error(tmp_path, embeddings, monkeypatch):
    run_index(Store.open(tmp_path / "ix"), [SEED_FILE], lambda: embeddings, max_bytes=2**24)
    app = Store.open(tmp_path / "ix")
    forget_lexical(app)

    def raced(self, folder):  # the rename found the folder there, and it has been removed since
        raise OSError(errno.ENOTEMPTY, "Directory not empty", str(folder))

    monkeypatch.setattr(LexicalIndex, "save", raced)
    assert "Security Cooperation" in app.get_chunks([app.lexical().search("security cooperation")[0][0]])[0].text


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eval/tatqa_dev/corpus").is_dir(), reason="shared eval packs absent")
def test_two_indexers_and_two_apps_on_one_chroma_server_answer_as_the_embedded_index(tmp_path, embeddings,
                                                                                       processes):
    a, b = two_halves(tmp_path / "corpus")
    asked = questions(a, b)
    port = free_port()
    chroma = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(tmp_path / "chroma"),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes.append(chroma)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/api/v2/heartbeat", chroma)

    # two machines' indexers, one half each, started together; each has its own lexical cache
    indexers = [subprocess.Popen(CLI + ["index", str(half), "--chroma-url", url, "--index-dir",
                                        str(tmp_path / f"indexer-{half.name}"), "--json"],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for half in (a, b)]
    processes.extend(indexers)
    # meanwhile the embedded index of the same files, in the other order (b's files first): the
    # server's order depends on which indexer writes first, and answers must not
    embedded = Store.open(tmp_path / "embedded")
    for half in (b, a):
        run_index(embedded, [half], lambda: embeddings, max_bytes=2**24)
    for proc, half in zip(indexers, (a, b)):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert json.loads(out)["added"] == len(list(half.iterdir()))

    servers = []
    for n in (1, 2):
        app_port = free_port()
        servers.append((f"http://127.0.0.1:{app_port}/", tmp_path / f"app-{n}"))
        processes.append(subprocess.Popen(CLI + ["serve", "--chroma-url", url, "--index-dir", str(servers[-1][1]),
                                                 "--port", str(app_port)],
                                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    shared = Store.open(tmp_path / "test-cache", url)
    records = shared.records()
    assert len(records) == len(embedded.records()) and {r.status for r in records.values()} == {"ok"}
    assert shared.count() == embedded.count()
    answerer = Answerer(embedded, embeddings)
    expected = [answerer.ask(q, history, Filters(source, since, until)).as_json()
                for q, history, source, since, until in asked]
    for expected_answer in expected:
        expected_answer.pop("timings")

    for (app_url, _), proc in zip(servers, processes[-2:]):
        wait_until_up(app_url + "gradio_api/info", proc)

    def ask_all(app_url: str) -> list[dict]:
        client = Client(app_url, verbose=False)
        got = []
        for q, history, source, since, until in asked:
            answer = client.predict(q, history, source=source, since=since, until=until, api_name="/ask")
            answer.pop("timings")
            got.append(answer)
        return got

    with ThreadPoolExecutor(2) as pool:
        per_app = list(pool.map(ask_all, [app_url for app_url, _ in servers]))
    for got in per_app:
        for want, answer in zip(expected, got):
            assert answer == want, want["question"]

    # both halves answer through either app: the conflict cites one article of each indexer
    conflict = per_app[0][asked.index(ASKED[0])]
    assert conflict["conflicts"] and {Path(c["source"]).parent.name for c in conflict["citations"]} == {"a", "b"}
    assert sum(answer["answered"] for answer in expected) >= len(asked) * 0.6
    # the lexical index is per machine: each app built its own cache beside its --index-dir
    for _, cache in servers:
        assert any(cache.glob("lexical-127.0.0.1-*/*/ids.json"))
