"""Reliability: the front door fuzzed, `kill -9` again and again, and broken surroundings.

- Fuzzing (hypothesis): random bytes, random and ragged tables, broken and deeply nested HTML, huge
  lines, odd encodings, JSON of the wrong shape and invisible Unicode go through the loaders, parser
  and chunker exactly as the indexer reads a file. Each input is either chunked or refused with an
  `InputError` whose message is one line; any other exception is a bug. The number of inputs run per
  property is printed when the module ends; `BRIEFING_FUZZ_EXAMPLES=N` runs N per property.
- Crash safety: an indexing run killed at twenty seeded random moments (and six times just before a
  write to Chroma), the index checked after each kill, and the last run compared with a clean run of
  the same files; the app killed while it indexes an upload, restarted, and the upload completed.
- Broken surroundings: a Chroma server stopped and restarted under the CLI and the app, a damaged or
  foreign index folder, a disk that fills up during a run.
"""
from __future__ import annotations

import codecs
import json
import os
import random
import re
import resource
import shutil
import signal
import statistics
import string
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, SEED_FILE, SHARED, briefing, free_port, wait_until_up
from gradio_client import Client, handle_file
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.answer import Answerer
from index.errors import InputError, StoreError
from index.indexer import prepare, run_index
from index.load import normalize_date, read_bytes
from index.store import CHUNKS, FILE_HASH, FILE_ID, Store
from index.types import Chunk

MB = 2**20
MAX_BYTES = 2 * MB

# ----- fuzzing the front door -----------------------------------------------------------------------

FUZZ = int(os.environ.get("BRIEFING_FUZZ_EXAMPLES", "0") or 0)
RAN: Counter = Counter()  # inputs run per property
SECONDS: Counter = Counter()  # wall time per property
ID = re.compile(r"#(s\d+\.[pl]\d+|t\d+\.r\d+)$")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u180e"
TEXT_SUFFIXES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl"]


def fuzz(default: int, scale: int = 1):
    """Hypothesis settings: `default` inputs per property, or BRIEFING_FUZZ_EXAMPLES // `scale`;
    no deadline (the CPUs are shared) and no example database left in the working tree."""
    return settings(max_examples=max(1, FUZZ // scale) if FUZZ else default, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example,
                                           HealthCheck.function_scoped_fixture])  # `timed` runs once per test


NOTES: list[str] = []  # what the crash tests did (seed, kill moments), printed with the fuzz figures


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    """After the module: how many generated inputs each property ran and how long it took, and what
    the crash tests did."""
    yield
    lines = []
    if RAN:
        lines.append("fuzzing the front door" + (f" (BRIEFING_FUZZ_EXAMPLES={FUZZ})" if FUZZ else ""))
        lines += [f"  {name}: {n} inputs, {SECONDS[name]:.1f} s" for name, n in RAN.items()]
        lines.append(f"  total: {sum(RAN.values())} generated inputs in {sum(SECONDS.values()):.1f} s")
    lines += NOTES
    if lines:
        capture = request.config.pluginmanager.getplugin("capturemanager")
        reporter = request.config.pluginmanager.getplugin("terminalreporter")
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)


@pytest.fixture
def timed(request):
    """The wall time of a fuzz test, for the figures."""
    started = time.perf_counter()
    yield
    SECONDS[request.node.name] += time.perf_counter() - started


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """The folder each generated file is written to before it is read."""
    return tmp_path_factory.mktemp("fuzz")


def one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message and "\r" not in message and len(message) < 600


def count(inputs: int = 1) -> None:
    RAN[os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split(" ")[0]] += inputs


def through_front_door(folder: Path, name: str, data: bytes) -> list[Chunk] | None:
    """What the indexer does with one file: read, load, parse and chunk it. The chunks, or None when
    the file is refused with an InputError; anything else raised fails the property."""
    count()
    path = folder / name
    path.write_bytes(data)
    try:
        chunks, _, problems = prepare(path, read_bytes(path, MAX_BYTES), MAX_BYTES)
    except InputError as e:
        assert one_line(str(e)), repr(str(e))
        return None
    assert chunks and all(one_line(p) for p in problems), problems
    assert len({c.id for c in chunks}) == len(chunks)  # each id is a primary key in Chroma
    for c in chunks:
        assert ID.search(c.id) and c.kind in ("text", "list", "table_row") and c.text.strip(), c
        if c.kind == "table_row":
            assert len(c.row) == len(c.headers)  # no cell lost, none invented
    return chunks


# strategies: the kinds of damage real article files come with

words = st.text(alphabet=string.ascii_letters, min_size=1, max_size=10)
sentences = st.lists(words, min_size=3, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
cells = st.text(alphabet=st.sampled_from(list("ab 12|\\-:$%().,") + list(INVISIBLE[:4])), max_size=8)


@st.composite
def pipe_tables(draw) -> str:
    """A pipe table as people type them: any column count, rule, ragged rows, missing outer pipes."""
    columns = draw(st.integers(0, 6))
    lead, trail = draw(st.booleans()), draw(st.booleans())

    def line(cs: list[str]) -> str:
        return ("|" if lead else "") + "|".join(cs) + ("|" if trail else "")

    header = draw(st.lists(cells, min_size=columns, max_size=columns))
    rule = line([draw(st.sampled_from(["---", ":--", "--:", ":-:", "-", ""])) for _ in range(max(columns, 1))])
    rows = draw(st.lists(st.lists(cells, max_size=8), max_size=8))
    before = draw(st.sampled_from(["", "Figures for the year:\n\n", "# Results\n\n", "Results\n\n", "Text.\n"]))
    after = draw(st.sampled_from(["", "\n", "\nAfter the table.\n", "\n| x |\n"]))
    return before + "\n".join([line(header), rule] + [line(r) for r in rows]) + after


TAGS = ["html", "head", "body", "title", "meta", "div", "p", "span", "b", "a", "br", "img", "h1", "h2", "ul", "ol",
        "li", "table", "thead", "tr", "td", "th", "script", "style", "nav", "footer", "article", "main", "iframe",
        "svg", "math", "template", "noscript", "form", "!--", "![CDATA["]
ATTRIBUTES = ["", " colspan=3", " colspan=-1", " colspan=999999", " rowspan=x", ' onerror="alert(1)"',
              " href=javascript:alert(1)", ' class="x', " lang=ar dir=rtl", ' content="2024-13-45"']


@st.composite
def html_soup(draw, depth: int = 0) -> str:
    """Nested, unclosed, misnested and truncated markup with text, scripts and odd attributes."""
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 5))
        if kind == 0 or depth > 12:
            parts.append(draw(st.one_of(st.text(max_size=40), sentences)))
        elif kind == 1:
            parts.append(f"<{draw(st.sampled_from(TAGS))}{draw(st.sampled_from(ATTRIBUTES))}>")
        elif kind == 2:
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
        elif kind == 3:
            parts.append(draw(st.sampled_from(["<", ">", "&", "&amp;", "&#0;", "&#xD800;", "&nbsp;", "<!DOCTYPE html>",
                                               "<?xml version='1.0'?>", "<p", "</", "\x0b", "\x1b", "\ufffe"])))
        else:
            tag = draw(st.sampled_from(TAGS))
            inner = draw(html_soup(depth + 1))
            parts.append(f"<{tag}>{inner}" + (f"</{tag}>" if draw(st.booleans()) else ""))
    return "".join(parts)


JSON_KEYS = ["title", "headline", "body", "text", "content", "html", "source", "url", "date", "published_at",
             "publishedAt", "author", "authors", "articles", "name"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40) | sentences,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=6),
                                                                inner, max_size=6),
    max_leaves=20)


def with_invisibles(text: str, data) -> str:
    """`text` with zero-width and bidi characters inserted at drawn places (inside words too)."""
    out = list(text)
    for _ in range(data.draw(st.integers(1, 8))):
        out.insert(data.draw(st.integers(0, len(out))), data.draw(st.sampled_from(INVISIBLE)))
    return "".join(out)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "mixed"]


def encode(text: str, encoding: str) -> bytes | None:
    if encoding == "mixed":  # a file pasted together from a UTF-8 and a Latin-1 source
        half = len(text) // 2
        return text[:half].encode("utf-8") + text[half:].encode("latin-1", "replace")
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


@fuzz(400)
@given(suffix=st.sampled_from(TEXT_SUFFIXES),
       data=st.one_of(st.binary(max_size=3000),
                      st.tuples(st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE,
                                                 b"%PDF-1.7", b"PK\x03\x04", b"\x89PNG\r\n", b"\xff\xd8\xff", b"{",
                                                 b"<html>", b"| a | b |\n|---|---|\n"]),
                                st.binary(max_size=2000)).map(b"".join)))
@example(suffix=".html", data=b"<math><html>")  # htmldate asserted on this tree
@example(suffix=".json", data=b"[" * 100_000)  # the JSON parser recursed past Python's limit
def test_random_bytes_are_chunked_or_refused(scratch, timed, suffix, data):
    """Bytes of any kind, behind any supported suffix: chunked, or refused with a one-line reason."""
    through_front_door(scratch, f"bytes{suffix}", data)


@fuzz(400)
@given(suffix=st.sampled_from(TEXT_SUFFIXES), text=st.one_of(st.text(max_size=800), sentences),
       encoding=st.sampled_from(ENCODINGS))
def test_text_in_odd_encodings_is_chunked_or_refused(scratch, timed, suffix, text, encoding):
    """Any Unicode text in UTF-8/16/32 with or without a BOM, Latin-1, Windows-1252, or a mix."""
    data = encode(text if suffix not in (".json", ".jsonl") else json.dumps({"title": "T", "body": text}), encoding)
    if data is not None:
        through_front_door(scratch, f"encoded{suffix}", data)


@fuzz(300)
@given(sentence=sentences, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
       accents=st.sampled_from(["", " Café in Zürich – naïve façade.", " Ελλάδα, 日本, Україна."]))
def test_unicode_with_a_byte_order_mark_reads_back_exactly(scratch, timed, sentence, encoding, accents):
    """Text in UTF-8 (with or without a BOM) or UTF-16/32 with a BOM is one passage, character for character."""
    chunks = through_front_door(scratch, "bom.txt", (sentence + accents).encode(encoding))
    assert chunks is not None and [c.text for c in chunks] == [sentence + accents]


@fuzz(300)
@given(table=pipe_tables(), suffix=st.sampled_from([".md", ".txt"]))
@example(table="| A | B |\n|---|---|\n| 1 | 2 | 3 |\n| 4 |\n", suffix=".md")
def test_random_and_ragged_tables_are_chunked_or_refused(scratch, timed, table, suffix):
    """Pipe tables with any column count, rule, ragged and escaped cells, in markdown and in plain text."""
    through_front_door(scratch, f"table{suffix}", table.encode())


@fuzz(200)
@given(suffix=st.sampled_from([".md", ".txt"]),
       headers=st.lists(st.text(alphabet=string.ascii_letters, min_size=1, max_size=8), min_size=2, max_size=6,
                        unique_by=str.lower),
       rows=st.lists(st.integers(0, 10**6), min_size=1, max_size=12), data=st.data())
def test_well_formed_tables_are_read_row_by_row(scratch, timed, suffix, headers, rows, data):
    """A regular table yields one chunk per data row, each reading as its headers with its own cells
    (so fuzzing checks the reading, not only the absence of a crash)."""
    body = [[f"Row {n}"] + [f"{(v * (i + 3)) % 9973}.{i}" for i in range(len(headers) - 1)] for n, v in enumerate(rows)]
    text = "Figures for the year:\n\n" + "\n".join(
        "| " + " | ".join(r) + " |" for r in [headers, ["---"] * len(headers)] + body) + "\n"
    chunks = through_front_door(scratch, f"regular{suffix}", text.encode())
    got = [c.row for c in chunks if c.kind == "table_row"]
    assert got == [dict(zip(headers, r)) for r in body]


@fuzz(300)
@given(markup=html_soup(), where=st.sampled_from([".html", ".htm", ".md", ".json"]))
@example(markup="<li><script></script>\x0b<table><br>", where=".html")  # lxml refused the control character
def test_broken_and_nested_html_is_chunked_or_refused(scratch, timed, markup, where):
    """Unclosed, misnested, deeply nested and truncated markup, as a page, inside markdown and as a
    JSON article's body."""
    if where == ".json":
        markup = json.dumps({"title": "Page", "body": markup})
    through_front_door(scratch, f"soup{where}", markup.encode("utf-8", "surrogatepass"))


@fuzz(12, scale=40)
@given(unit=st.sampled_from(["word ", "Sentence one. ", "a. ", "x", "| a ", "| a |\n", "- item\n  ", "1. ", "> ",
                             "[a](", "*a ", "<div>", "<b>x", "&amp;", "\u200b", "#"]),
       kib=st.integers(8, 160), suffix=st.sampled_from([".txt", ".md", ".html", ".json"]))
@example(unit="The council met on Monday and voted. ", kib=150, suffix=".txt")  # took minutes (pysbd)
def test_huge_lines_are_chunked_or_refused(scratch, timed, unit, kib, suffix):
    """One line of up to 160 KiB (a transcript without line breaks, a table of thousands of cells)."""
    text = unit * (kib * 1024 // len(unit))
    if suffix == ".json":
        text = json.dumps({"title": "Long", "body": text})
    chunks = through_front_door(scratch, f"huge{suffix}", text.encode())
    assert chunks is None or all(len(c.text.split()) <= 120 for c in chunks if c.kind == "text")


@fuzz(250)
@given(value=json_values, suffix=st.sampled_from([".json", ".jsonl"]), lines=st.lists(json_values, max_size=4))
@example(value={"title": [[1]], "body": {"name": None}, "date": 1e308}, suffix=".json", lines=[])
def test_json_of_the_wrong_shape_is_chunked_or_refused(scratch, timed, value, suffix, lines):
    """Numbers, nested lists, nulls, and wrong types for title, body, source and date."""
    if suffix == ".json":
        data = json.dumps(value)
    else:
        data = "\n".join(json.dumps(v) for v in [value, *lines])
    through_front_door(scratch, f"feed{suffix}", data.encode())


@fuzz(300)
@given(sentence=sentences, suffix=st.sampled_from([".txt", ".md", ".json"]), data=st.data())
def test_invisible_unicode_is_kept_and_never_breaks_reading(scratch, timed, sentence, suffix, data):
    """Zero-width and bidi characters inside words: the sentence is still one passage, with those
    characters kept (a citation is the exact source text), and nothing else changed."""
    text = with_invisibles(sentence, data)
    body = json.dumps({"title": "T", "body": text}) if suffix == ".json" else text
    chunks = through_front_door(scratch, f"invisible{suffix}", body.encode())
    assert chunks is not None and len(chunks) == 1
    visible = "".join(ch for ch in chunks[0].text if ch not in INVISIBLE)
    assert visible == sentence
    assert chunks[0].text.lstrip("\ufeff") == text.lstrip("\ufeff").strip()  # a leading U+FEFF is a BOM


@fuzz(100)
@given(value=st.one_of(st.text(max_size=30), st.integers().map(str), st.floats().map(str),
                       st.datetimes().map(lambda d: d.strftime("%d %B %Y %H:%M"))))
def test_any_published_date_becomes_iso_or_nothing(timed, value):
    """A date field holding anything: an ISO 8601 date, or "" when it is not a date."""
    count()
    got = normalize_date(value)
    assert got == "" or re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d)?", got), got


GOOD = {"good_one.md": "# Ferry timetable\n\nThe island ferry will run every 30 minutes from June 1.\n",
        "good_two.txt": "Budget approved\n\nThe council approved a budget of $12 million for the harbour.\n"}


@st.composite
def generated_files(draw) -> dict[str, bytes]:
    files = {}
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["bytes", "soup", "table", "json", "text", "other"]))
        if kind == "bytes":
            suffix, data = draw(st.sampled_from(TEXT_SUFFIXES)), draw(st.binary(max_size=800))
        elif kind == "soup":
            suffix, data = ".html", draw(html_soup()).encode("utf-8", "surrogatepass")
        elif kind == "table":
            suffix, data = draw(st.sampled_from([".md", ".txt"])), draw(pipe_tables()).encode()
        elif kind == "json":
            suffix, data = draw(st.sampled_from([".json", ".jsonl"])), json.dumps(draw(json_values)).encode()
        elif kind == "text":
            suffix = draw(st.sampled_from([".txt", ".md"]))
            data = encode(draw(st.text(max_size=300)), draw(st.sampled_from(ENCODINGS))) or b""
        else:
            suffix, data = draw(st.sampled_from([".pdf", ".docx", ".csv", ""])), draw(st.binary(max_size=100))
        files[f"gen{n:02d}{suffix}"] = data
    return files


@pytest.fixture(scope="module")
def index_store(tmp_path_factory) -> Store:
    """One embedded index that the generated folders are indexed into, one after the other."""
    return Store.open(tmp_path_factory.mktemp("generated-index") / "ix")


@fuzz(5, scale=50)
@given(files=generated_files())
def test_a_folder_of_generated_files_indexes_the_good_ones_and_lists_the_rest(tmp_path_factory, index_store,
                                                                             embeddings, timed, files):
    """`run_index` over a folder of generated files and two good articles: every file is indexed or
    listed under skipped with a one-line reason, the good ones are searchable, each indexed file holds
    exactly the chunks `prepare` makes of it, and a second run changes nothing (and loads no model)."""
    count(len(files))
    folder = tmp_path_factory.mktemp("generated")
    for name, data in {**files, **{k: v.encode() for k, v in GOOD.items()}}.items():
        (folder / name).write_bytes(data)
    report = run_index(index_store, [folder], lambda: embeddings, max_bytes=MAX_BYTES)

    records = {Path(r.path).name: r for r in index_store.records().values() if Path(r.path).parent == folder.resolve()}
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert all(one_line(reason) for reason in skipped.values()), skipped
    for name in [*files, *GOOD]:
        indexed = name in records and records[name].status == "ok"
        assert indexed or name in skipped, f"{name} neither indexed nor skipped"
        if indexed:
            path = folder.resolve() / name
            chunks = prepare(path, path.read_bytes(), MAX_BYTES)[0]
            stored = {c.id for c in index_store.iter_chunks(where={FILE_ID: records[name].file_id})}
            assert stored == {c.id for c in chunks}
    assert all(records[name].status == "ok" for name in GOOD)
    assert any("every 30 minutes" in c.text for c in index_store.get_chunks(
        [cid for cid, _ in index_store.lexical().search("island ferry every 30 minutes", 3)]))

    def no_model():
        raise AssertionError("the model was loaded although nothing changed")

    again = run_index(index_store, [folder], no_model, max_bytes=MAX_BYTES)
    assert (again.added, again.updated, again.unchanged) == (0, 0, report.indexed)


# ----- crash safety, repeated -----------------------------------------------------------------------

REPORTS = SHARED / "eval/tatqa_dev/corpus"
# questions the grounded answerer gets right from one of the first ten reports (checked on a clean index)
QUESTIONS = [("What was the maximum exposure to credit risk at 31 March 2019?", "£59.1m", "tatqa-001e29d7.md"),
             ("What was the fair value of cross currency swaps in 2018?", "1,429", "tatqa-03ef04b2.md")]
# the seed article's table row that answers QUESTION
QUESTION = "What is Japan’s role in security cooperation?"
ROW = ("Focus Area: Security Cooperation; Japan’s Role: Host joint military exercises; "
       "U.S. Role: Provide strategic intelligence")
SEED = 20240607
KILLS = 20  # at random moments
WRITE_KILLS = 6  # just before a random write to Chroma
needs_reports = pytest.mark.skipif(not REPORTS.is_dir(), reason="shared eval packs absent")

# A process that loads the model once, then forks one child per run; each child runs the real
# `briefing index` (assistant.cli.main) with that model, its output going to a log file. Twenty runs
# thus cost one model load, not twenty. The parent never runs the model itself: a child forked after
# torch has run would hang on torch's thread pool. A child told `die_at` N kills itself (SIGKILL) just
# before its N-th write to Chroma, to land where timed kills rarely do: between the steps of a batch.
FORKER = """
import json, os, signal, sys
import assistant.cli, index.embed, index.indexer
from chromadb.api.models.Collection import Collection
model = index.embed.make_embeddings()
index.embed.make_embeddings = lambda *args, **kwargs: model
index.indexer.BATCH_CHUNKS = int(sys.argv[1])  # small batches: many commit points in one run
print("ready", flush=True)
for line in sys.stdin:
    args, log, die_at = json.loads(line)
    pid = os.fork()
    if pid == 0:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        writes = [0]
        def dying(write):
            def call(self, *a, **k):
                writes[0] += 1
                if writes[0] == die_at:
                    os.kill(os.getpid(), signal.SIGKILL)
                return write(self, *a, **k)
            return call
        Collection.upsert, Collection.delete = dying(Collection.upsert), dying(Collection.delete)
        code = 1
        try:
            code = assistant.cli.main(args)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print("started", pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print("ended", os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0, flush=True)
"""


class Forker:
    """Drives FORKER: start a run, kill it, learn how it ended."""

    def __init__(self, batch_chunks: int):
        self.proc = subprocess.Popen([sys.executable, "-c", FORKER, str(batch_chunks)], cwd=ROOT, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout.readline() == "ready\n"

    def run(self, args: list[str], log: Path, kill_after: float | None = None, die_at: int = 0) -> tuple[bool, float]:
        """Run `briefing ARGS`; with `kill_after`, SIGKILL it then (if still running); with `die_at`, it
        kills itself before that write. Returns (killed, seconds it ran)."""
        self.proc.stdin.write(json.dumps([args, str(log), die_at]) + "\n")
        self.proc.stdin.flush()
        pid = int(self.proc.stdout.readline().split()[1])
        started = time.perf_counter()
        if kill_after is not None:
            while time.perf_counter() - started < kill_after and alive(pid):
                time.sleep(0.02)
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        signum = int(self.proc.stdout.readline().split()[1])
        return signum == signal.SIGKILL, time.perf_counter() - started

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def check_consistent(store: Store) -> Counter:
    """The invariants a kill must not break: every chunk belongs to a file in the manifest, and a file
    marked `ok` has exactly its chunks, all of its current version. Returns the records' statuses."""
    records = store.records()
    got = store.chunks.get(include=["metadatas"])
    versions: dict[str, Counter] = {}
    for meta in got["metadatas"]:
        versions.setdefault(meta[FILE_ID], Counter())[meta[FILE_HASH]] += 1
    assert set(versions) <= set(records), "chunks of a file that is not in the manifest"
    for r in records.values():
        if r.status == "ok":
            assert versions.get(r.file_id, Counter()) == Counter({r.hash: r.chunks}), Path(r.path).name
    return Counter(r.status for r in records.values())


def check_answers(store: Store, embeddings) -> None:
    """The index answers: every citation quotes a stored chunk, and a question about a committed
    report is answered from it."""
    answerer = Answerer(store, embeddings)
    committed = {Path(r.path).name for r in store.records().values() if r.status == "ok"}
    for question, fragment, name in QUESTIONS:
        a = answerer.ask(question)
        stored = {c.id: c.text for c in store.get_chunks([c.chunk_id for c in a.citations])}
        assert all("".join(c.text.split()) in "".join(stored[c.chunk_id].split()) for c in a.citations)
        if name in committed:
            assert a.answered and fragment in a.answer, (question, a.answer)
            assert any(Path(c.source).name == name for c in a.citations)


def revise(path: Path, original: str, round_: int, rng: random.Random) -> None:
    """A new version of a report: a note appended, and half the time a small table too (so that the
    next version has fewer chunks and older ones must go)."""
    table = f"\n| Round | Status |\n|---|---|\n| {round_} | re-issued |\n" if rng.random() < 0.5 else ""
    path.write_text(f"{original}\n\nThis excerpt was re-issued in round {round_}; its figures are unchanged.\n{table}",
                    encoding="utf-8")


def stored_chunks(store: Store) -> dict[str, tuple]:
    return {c.id: (c.text, c.kind, tuple(c.row.items()), c.section) for c in store.iter_chunks()}


@pytest.mark.slow
@needs_reports
def test_indexing_killed_at_twenty_random_moments_keeps_answering_and_ends_clean(tmp_path, embeddings):
    """Ten reports (about 130 chunks, committed 8 chunks at a time) are indexed, then twenty times: some
    reports are revised, held back or restored, `briefing index` runs and is SIGKILLed at a seeded random
    fraction of a run's length (that of the latest uninterrupted runs); six more runs are killed just
    before a random write to Chroma (a moment timed kills rarely hit). After each kill the index opens,
    is consistent (a file marked `ok` has exactly its current chunks, no chunk lacks a manifest record)
    and answers. A last, uninterrupted `briefing index` must then hold exactly the chunks (ids, texts,
    rows) of a clean run of the same files into a fresh index."""
    rng = random.Random(SEED)
    corpus, held, ix = tmp_path / "reports", tmp_path / "held", tmp_path / "ix"
    corpus.mkdir()
    held.mkdir()
    originals = {}
    for p in sorted(REPORTS.glob("*.md"))[:10]:
        originals[p.name] = p.read_text(encoding="utf-8")
        shutil.copy(p, corpus)
    args = ["index", str(corpus), "--index-dir", str(ix), "--json"]
    forker = Forker(batch_chunks=8)
    try:
        _, full = forker.run(args, tmp_path / "first.log")  # uninterrupted: the length of a whole run
        assert json.loads((tmp_path / "first.log").read_text().splitlines()[-1])["articles"] == 10
        lengths, moments, writes, outcomes = [full], [], [], Counter()
        for round_ in range(1, KILLS + WRITE_KILLS + 1):
            for name, text in originals.items():
                if (corpus / name).exists() and rng.random() < 0.5:
                    revise(corpus / name, text, round_, rng)
                if (held / name).exists() and rng.random() < 0.5:
                    shutil.move(held / name, corpus / name)
                elif (corpus / name).exists() and name not in {q[2] for q in QUESTIONS} and rng.random() < 0.05:
                    shutil.move(corpus / name, held / name)
            if round_ <= KILLS:
                moment = round(rng.random() * statistics.median(lengths[-3:]), 2)
                killed, ran = forker.run(args, tmp_path / f"run{round_}.log", kill_after=moment)
                moments.append(moment)
            else:
                write = rng.randint(1, 12)
                killed, ran = forker.run(args, tmp_path / f"run{round_}.log", die_at=write)
                writes.append(write)
            if not killed:
                lengths.append(ran)
            store = Store.open(ix)
            statuses = check_consistent(store)
            check_answers(store, embeddings)
            store.client.close()
            kind = "timed" if round_ <= KILLS else "at a write"
            outcomes[f"{kind}: killed" if killed else f"{kind}: finished first"] += 1
            outcomes[f"{kind}: killed, files left not ok"] += killed and statuses["ok"] < sum(statuses.values())
    finally:
        forker.close()
    NOTES.append(f"crash safety: seed {SEED}, runs of `briefing index` over 10 reports (first whole run {full:.1f} s), "
                 f"SIGKILL at {moments} s and before Chroma write number {writes}: {dict(outcomes)}")
    assert outcomes["timed: killed"] >= 1 and outcomes["at a write: killed, files left not ok"] >= 1

    for name in os.listdir(held):
        shutil.move(held / name, corpus / name)
    r = briefing("ask", QUESTIONS[0][0], "--json", "--index-dir", str(ix))  # the real CLI reads the killed index
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert all(c["text"] for c in json.loads(r.stdout)["citations"])
    r = briefing(*args)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    clean = Store.open(tmp_path / "clean")
    reference = run_index(clean, [corpus], lambda: embeddings, max_bytes=20 * MB)
    assert (out["articles"], out["chunks"], out["table_rows"]) == (10, reference.chunks, reference.table_rows)
    final = Store.open(ix)
    assert stored_chunks(final) == stored_chunks(clean)
    assert {r.path: r.hash for r in final.records().values()} == {r.path: r.hash for r in clean.records().values()}
    assert check_consistent(final) == Counter(ok=10)


def serve(index_dir: Path, log: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """`briefing serve` in a subprocess on a free loopback port; returns it and its URL once it answers."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--index-dir", str(index_dir),
                                 "--port", str(port), *extra], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url, proc, log)
    return proc, url


UPLOADS = 64  # reports in the upload: embedding them must outlast the kill's moment (up to 2 s) on a fast embedder


@pytest.mark.slow
@needs_reports
def test_app_killed_while_indexing_an_upload_restarts_answering_and_the_upload_completes(tmp_path, embeddings):
    """`briefing serve` is SIGKILLed while it indexes an uploaded batch of UPLOADS reports: once at a
    seeded random moment while it embeds them, then (restarted, the batch uploaded again) at a seeded
    moment just after it starts writing them. After each kill the index is consistent; restarted on it,
    the app answers from what it held, and uploading the batch once more ends with exactly the chunks a
    clean run of those files makes."""
    rng = random.Random(SEED)
    ix = tmp_path / "ix"
    store = Store.open(ix)
    run_index(store, [SEED_FILE], lambda: embeddings, max_bytes=20 * MB)
    before = set(stored_chunks(store))
    store.client.close()
    batch = [shutil.copy(p, tmp_path) for p in sorted(REPORTS.glob("*.md"))[:UPLOADS]]
    sqlite = ix / "chroma" / "chroma.sqlite3"
    kills = []
    for when in ("while embedding", "as it writes"):
        app, url = serve(ix, tmp_path / f"app-{len(kills)}.log")
        try:
            job = Client(url, verbose=False).submit([handle_file(p) for p in batch], api_name="/index")
            deadline = time.time() + 120
            while len(list((ix / "uploads").glob("*.md"))) < len(batch) and time.time() < deadline:
                time.sleep(0.05)  # the uploads are stored first, then indexed
            if when == "as it writes":
                unwritten = (sqlite.stat().st_size, sqlite.stat().st_mtime_ns)
                while (sqlite.stat().st_size, sqlite.stat().st_mtime_ns) == unwritten and time.time() < deadline:
                    time.sleep(0.005)
            moment = round(rng.uniform(0, 2 if when == "while embedding" else 0.05), 3)
            time.sleep(moment)
            assert not job.done(), "the upload was indexed before the kill: use a bigger batch"
        finally:
            app.kill()
            app.wait()
        store = Store.open(ix)
        kills.append(f"{when} (+{moment} s): manifest {dict(check_consistent(store))}")
        store.client.close()
    NOTES.append(f"app crash: `briefing serve` SIGKILLed indexing an upload of {UPLOADS} reports, {'; '.join(kills)}")

    app, url = serve(ix, tmp_path / "again.log")
    try:
        client = Client(url, verbose=False)
        got = client.predict(QUESTION, api_name="/ask")
        assert got["answered"] and got["citations"][0]["text"] == ROW
        report = client.predict([handle_file(p) for p in batch], api_name="/index")
    finally:
        app.terminate()
        app.wait(timeout=60)
    store = Store.open(ix)
    stored = sorted((ix / "uploads").glob("*.md"))
    expected = before | {c.id for p in stored for c in prepare(p, p.read_bytes(), 20 * MB)[0]}
    assert len(stored) == UPLOADS and set(stored_chunks(store)) == expected
    assert report["chunks"] == len(expected) and report["added"] + report["updated"] + report["unchanged"] == UPLOADS
    assert check_consistent(store) == Counter(ok=UPLOADS + 1)


# ----- broken surroundings --------------------------------------------------------------------------

def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """`chroma run` on `path` and a loopback port, once it answers."""
    proc = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path), "--host",
                             "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, seconds=60)
    return proc


@pytest.mark.slow
def test_chroma_server_stopped_mid_session_is_a_clear_error_and_both_recover_when_it_returns(tmp_path, embeddings):
    """A Chroma server dies under a running Answerer and a running app. Asking gives one line that
    names the server (a StoreError; the CLI's message, no traceback; the app's /ask error), the app keeps
    serving, and once `chroma run` is back on the same port and folder both answer again, unrestarted."""
    path, port = tmp_path / "chroma", free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_chroma(path, port)
    app = None
    try:
        store = Store.open(tmp_path / "cache", url)
        run_index(store, [SEED_FILE], lambda: embeddings, max_bytes=20 * MB)
        answerer = Answerer(store, embeddings)
        assert answerer.ask(QUESTION).citations[0].text == ROW
        app, app_url = serve(tmp_path / "app-cache", tmp_path / "app.log", "--chroma-url", url)
        client = Client(app_url, verbose=False)
        assert client.predict(QUESTION, api_name="/ask")["citations"][0]["text"] == ROW

        server.kill()
        server.wait()
        with pytest.raises(StoreError, match=re.escape(url)) as error:
            answerer.ask(QUESTION)
        assert one_line(str(error.value)) and "chroma run" in str(error.value)
        r = briefing("ask", QUESTION, "--chroma-url", url, "--index-dir", str(tmp_path / "cli-cache"))
        assert r.returncode == 1 and "Traceback" not in r.stderr
        [line] = r.stderr.strip().splitlines()
        assert line.startswith(f"briefing: error: cannot reach the Chroma server at {url}") and "chroma run" in line
        with pytest.raises(Exception, match=re.escape(url)):
            client.predict(QUESTION, api_name="/ask")
        assert app.poll() is None  # the app is still up

        server = start_chroma(path, port)  # back, same port and data
        assert answerer.ask(QUESTION).citations[0].text == ROW
        assert client.predict(QUESTION, api_name="/ask")["citations"][0]["text"] == ROW
    finally:
        if app is not None:
            app.terminate()
            app.wait(timeout=60)
        server.terminate()
        server.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "truncated", "another model"])
def test_a_damaged_or_foreign_index_is_named_and_rebuild_recovers(tmp_path, embeddings, damage):
    """Garbage over chroma.sqlite3, the file cut in half, or an index made with another embedding model:
    `briefing stats` and `briefing ask` say so in one line naming the folder and pointing at --rebuild
    (no traceback), and a rebuild (what `briefing index --rebuild` does) indexes and answers again."""
    ix = tmp_path / "ix"
    store = Store.open(ix)
    run_index(store, [SEED_FILE], lambda: embeddings, max_bytes=20 * MB)
    store.client.close()
    sqlite = ix / "chroma" / "chroma.sqlite3"
    if damage == "garbage":
        sqlite.write_bytes(random.Random(SEED).randbytes(64 * 1024))
    elif damage == "truncated":
        sqlite.write_bytes(sqlite.read_bytes()[: sqlite.stat().st_size // 2])
    else:
        import chromadb

        client = chromadb.PersistentClient(path=str(ix / "chroma"))
        client.get_collection(CHUNKS).modify(metadata={"embedding_model": "other/model", "dimensions": 768})
        client.close()
    for command in (["stats"], ["ask", QUESTION]):
        r = briefing(*command, "--index-dir", str(ix))
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        [line] = r.stderr.strip().splitlines()
        assert line.startswith("briefing: error: ") and str(ix) in line and "--rebuild" in line

    store = Store.open(ix, rebuild=True)
    run_index(store, [SEED_FILE], lambda: embeddings, max_bytes=20 * MB)
    assert Answerer(store, embeddings).ask(QUESTION).citations[0].text == ROW
    store.client.close()
    r = briefing("stats", "--index-dir", str(ix), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["files"] == 1


@pytest.mark.slow
@needs_reports
def test_a_full_disk_fails_the_run_with_a_message_and_the_index_keeps_answering(tmp_path, embeddings):
    """`briefing index` runs with a file-size limit (RLIMIT_FSIZE: writes past it fail as on a full
    disk) just above the index's size: it stops with one line that names the index and the disk, no
    traceback; the index is consistent and answers from what it held; the next run completes with the
    chunks of a clean run."""
    ix = tmp_path / "ix"
    store = Store.open(ix)
    run_index(store, [SEED_FILE], lambda: embeddings, max_bytes=20 * MB)
    before = set(stored_chunks(store))
    store.client.close()
    corpus = tmp_path / "reports"
    corpus.mkdir()
    for p in sorted(REPORTS.glob("*.md"))[:16]:
        shutil.copy(p, corpus)
    limit = max(p.stat().st_size for p in ix.rglob("*") if p.is_file()) + 64 * 1024

    def full_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), the process lives
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = subprocess.run([sys.executable, "-m", "assistant.cli", "index", str(corpus), "--index-dir", str(ix)],
                       cwd=ROOT, capture_output=True, text=True, preexec_fn=full_disk, timeout=600)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith(f"briefing: error: cannot write to the index at {ix}") and "disk is full" in line

    store = Store.open(ix)
    assert check_consistent(store)["ok"] >= 1
    assert Answerer(store, embeddings).ask(QUESTION).citations[0].text == ROW
    report = run_index(store, [corpus], lambda: embeddings, max_bytes=20 * MB)
    expected = before | {c.id for p in corpus.glob("*.md") for c in prepare(p.resolve(), p.read_bytes(), 20 * MB)[0]}
    assert report.chunks == len(expected) and set(stored_chunks(store)) == expected
    assert check_consistent(store) == Counter(ok=17)
