"""Indexing for real: the packaged embedding model, Chroma embedded and as a server, the CLI."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import ROOT, SEED_FILE, SHARED, briefing

from index.indexer import prepare, run_index
from index.store import Store

MB = 2**20


def index(store: Store, paths, embeddings):
    return run_index(store, [Path(p) for p in paths], lambda: embeddings, max_bytes=20 * MB)


def no_model():
    raise AssertionError("the embedding model was loaded although nothing needed embedding")


def test_index_holds_every_article_and_table_row(corpus, tmp_path, embeddings):
    store = Store.open(tmp_path / "ix")
    report = index(store, [corpus], embeddings)
    # seed 1 + wire_a 1 + feed.json 2 + lines.jsonl 2 (one bad line) + page.html 1
    assert (report.articles, report.added, report.unchanged, report.removed) == (7, 5, 0, 0)
    assert report.table_rows == 9 + 2 + 2
    assert report.chunks == store.count()
    assert [s.reason[:20] for s in report.skipped] == ["line 2: invalid JSON"]

    row = next(c for c in store.iter_chunks() if "Security Cooperation" in c.text)
    assert row.kind == "table_row" and row.source == str(corpus / SEED_FILE.name)
    assert row.row["Japan’s Role"] == "Host joint military exercises"
    hits = store.chunks.query(query_embeddings=[embeddings.embed_query("who hosts joint military exercises")],
                              n_results=3)
    assert row.id in hits["ids"][0]
    assert store.lexical().search("joint military exercises security cooperation", 3)[0][0] == row.id


def test_rerun_touches_only_what_changed(corpus, tmp_path, embeddings):
    store = Store.open(tmp_path / "ix")
    index(store, [corpus], embeddings)
    before = {c.id: c.text for c in store.iter_chunks()}

    report = run_index(store, [corpus], no_model, max_bytes=20 * MB)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 5, 0)
    assert {c.id: c.text for c in store.iter_chunks()} == before

    wire = corpus / "wire_a.md"
    wire.write_text(wire.read_text().replace("$42 million", "$45 million").replace("| Paving | $3m | $4m |\n", ""))
    (corpus / "page.html").unlink()
    (corpus / "new.txt").write_text("Ferry service resumes\n\nThe ferry to the island resumed service on Sunday.\n")
    report = index(store, [corpus], embeddings)
    assert (report.added, report.updated, report.unchanged, report.removed) == (1, 1, 3, 1)
    after = {c.id: c.text for c in store.iter_chunks()}
    assert not any("page.html" in c.source for c in store.iter_chunks())
    assert not any("Paving" in t for t in after.values())
    assert any("$45 million" in t for t in after.values()) and not any("$42 million" in t for t in after.values())
    assert any("ferry to the island" in t for t in after.values())
    assert report.chunks == len(after) == store.count()
    top = store.lexical().search("ferry island service", 1)[0][0]
    assert "ferry to the island" in after[top]

    # no paths: refresh every folder indexed before
    (corpus / "new.txt").unlink()
    report = run_index(store, [], no_model, max_bytes=20 * MB)
    assert (report.removed, report.unchanged) == (1, 4)


def test_rebuild_starts_over(corpus, tmp_path, embeddings):
    store = Store.open(tmp_path / "ix")
    index(store, [corpus], embeddings)
    (corpus / "feed.json").unlink()
    store = Store.open(tmp_path / "ix", rebuild=True)
    assert store.count() == 0 and not store.records()
    report = index(store, [corpus], embeddings)
    assert (report.added, report.articles) == (4, 5)


def test_foreign_folder_is_refused(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    r = briefing("stats", "--index-dir", str(folder))
    assert r.returncode == 1 and "not a Briefing index" in r.stderr and "Traceback" not in r.stderr
    assert (folder / "thesis.docx").read_text() == "precious"


def test_bad_inputs_are_each_reported_and_the_rest_indexed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder)
    (folder / "empty.txt").write_text("  \n\n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02garbage\x00" * 50)
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (folder / "undecodable.txt").write_bytes(bytes(range(128, 256)) * 40)
    (folder / "huge.txt").write_text("All work and no play makes a dull report. " * 40_000)
    (folder / "broken.json").write_text('{"title": "x", "body": "unterminated')
    (folder / "shape.json").write_text('[1, 2, 3]')
    (folder / "broken.html").write_text("<html><body><div><script>var a=1;</script></div>")
    (folder / "ragged.md").write_text("Text before.\n\n| A | B |\n|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 |\n")
    (folder / "legacy.txt").write_bytes("Café owners in Zürich said prices rose – again.".encode("cp1252"))
    r = briefing("index", str(folder), "--index-dir", str(tmp_path / "ix"), "--json", "--max-file-mb", "1")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    reasons = {Path(s["path"]).name: s["reason"] for s in out["skipped"]}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["photo.png"].startswith("unsupported file type")
    assert reasons["undecodable.txt"].startswith("not UTF-8")
    assert "over the 1 MiB limit" in reasons["huge.txt"]
    assert reasons["broken.json"].startswith("invalid JSON at line 1")
    assert "expected an article object" in reasons["shape.json"]
    assert reasons["broken.html"].startswith("no article text found")
    assert "ragged row" in reasons["ragged.md"]
    assert (out["added"], out["articles"], out["table_rows"]) == (3, 3, 10)  # seed, ragged.md, legacy.txt
    assert "Traceback" not in r.stderr

    r = briefing("chunks", str(folder / "legacy.txt"), "--json")
    assert json.loads(r.stdout)["text"] == "Café owners in Zürich said prices rose – again."


def test_exit_codes_and_messages(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.md").write_text("")
    r = briefing("index", str(bad), "--index-dir", str(tmp_path / "ix"))
    assert r.returncode == 1 and "skipped" in r.stderr and "empty file" in r.stderr
    r = briefing("index", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "ix"))
    assert r.returncode == 2 and "no such file or folder" in r.stderr and "Traceback" not in r.stderr
    r = briefing("index", "--index-dir", str(tmp_path / "fresh"))
    assert r.returncode == 2 and "nothing indexed yet" in r.stderr
    r = briefing("stats", env={"BRIEFING_INDEX_DIR": str(tmp_path / "ix"), "BRIEFING_MAX_FILE_MB": "lots"})
    assert r.returncode == 2 and "BRIEFING_MAX_FILE_MB" in r.stderr
    r = briefing("index", "--bogus")
    assert r.returncode == 2


def test_chunks_command_shows_rows_with_headers():
    r = briefing("chunks", str(SEED_FILE), "--json")
    assert r.returncode == 0, r.stderr
    chunks = [json.loads(line) for line in r.stdout.splitlines()]
    row = next(c for c in chunks if c["kind"] == "table_row" and "Security Cooperation" in c["text"])
    assert row["row"]["Japan’s Role"] == "Host joint military exercises"
    assert row["section"].startswith("Japan Prime Minister")
    assert {c["kind"] for c in chunks} == {"text", "list", "table_row"}
    human = briefing("chunks", str(SEED_FILE)).stdout
    assert "Japan’s Role: Host joint military exercises" in human


def _files_committed(sqlite: Path) -> int:
    """How many manifest records say "ok", read straight from Chroma's SQLite file (read-only, so the
    indexer being watched is not disturbed); 0 while the file is missing or locked."""
    if not sqlite.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{sqlite}?mode=ro", uri=True, timeout=0.1)) as con:
            return con.execute("SELECT count(*) FROM embedding_metadata "
                               "WHERE key = 'status' AND string_value = 'ok'").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eval/tatqa_dev/corpus").is_dir(), reason="shared eval packs absent")
def test_kill_9_mid_run_leaves_a_serving_index_and_the_next_run_completes(tmp_path, embeddings):
    corpus = tmp_path / "reports"
    corpus.mkdir()
    for p in sorted((SHARED / "eval/tatqa_dev/corpus").glob("*.md"))[:200]:
        shutil.copy(p, corpus)
    expected = sum(len(prepare(p.resolve(), p.read_bytes(), 20 * MB)[0]) for p in corpus.glob("*.md"))
    ix = tmp_path / "ix"
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "index", str(corpus), "--index-dir", str(ix)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not _files_committed(ix / "chroma" / "chroma.sqlite3"):
        time.sleep(0.05)  # wait until one batch is in, then kill while the next is being written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    store = Store.open(ix)
    committed = [r for r in store.records().values() if r.status == "ok"]
    assert 0 < len(committed) < 200
    hits = store.chunks.query(query_embeddings=[embeddings.embed_query("revenue")], n_results=3)
    assert len(hits["ids"][0]) == 3
    assert store.lexical().search("revenue", 3)
    del store

    r = briefing("index", str(corpus), "--index-dir", str(ix), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["chunks"] == expected and out["articles"] == 200
    assert out["unchanged"] == len(committed) and out["added"] + out["updated"] + out["unchanged"] == 200


@pytest.mark.slow
def test_server_mode_against_chroma_run(chroma_server, corpus, tmp_path, embeddings):
    r = briefing("index", str(corpus), "--chroma-url", chroma_server, "--index-dir", str(tmp_path / "cache"), "--json")
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout)
    assert (first["articles"], first["added"]) == (7, 5)

    r = briefing("index", str(corpus), "--json", env={"BRIEFING_CHROMA_URL": chroma_server,
                                                    "BRIEFING_INDEX_DIR": str(tmp_path / "cache")})
    assert json.loads(r.stdout)["unchanged"] == 5

    store = Store.open(tmp_path / "other-cache", chroma_server)  # another machine's view of the same server
    assert store.count() == first["chunks"]
    hits = store.chunks.query(query_embeddings=[embeddings.embed_query("Japan hosts joint military exercises")],
                              n_results=3, include=["documents"])
    assert any("Host joint military exercises" in d for d in hits["documents"][0])
    assert "Security Cooperation" in " ".join(store.get_chunks([store.lexical().search("security cooperation")[0][0]])[0].text.split())

    r = briefing("stats", "--json", "--chroma-url", chroma_server)
    assert json.loads(r.stdout)["articles"] == 7

    r = briefing("stats", "--chroma-url", "http://127.0.0.1:9")
    assert r.returncode == 1 and "cannot reach the Chroma server" in r.stderr
