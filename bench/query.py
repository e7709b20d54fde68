"""Answer latency and memory at 1k, 10k and 100k chunks (grounded mode), side by side in one run.

The corpus is grown from real articles: seeds/ and the TAT-QA dev corpus (279 files, 2,985 chunks).
A size below that takes whole files in order (seeds first). A size above it adds variant copies of
every file, and this part is synthetic:
  - copy v of a file (v = 1, 2, ...) is the real file with its years moved back by v, its other
    numbers scaled by 1 + v/50 (same format: "1,496.5", "£59.1m") and " — edition v" added to its
    title; the words are the real text. Copies are written as files and chunked by the real
    parser and chunker, so ids, metadata and the BM25 index are what `briefing index` would make;
  - copies are not embedded: each chunk of a copy reuses the vector of the real chunk it was made
    from, plus Gaussian noise (sigma 0.01 per dimension, renormalised) so no two vectors are equal.
Everything is written through `Store.write_files` and `Store.refresh_lexical`, as `briefing index`
writes it. Only the real files' chunks are embedded (once for all sizes).

Queries: a fixed random sample of the questions of both dev packs (seed_dev.jsonl, tatqa_dev)
whose article is in the index, plus the unanswerable ones, asked through `Answerer.ask`. Each size
is measured in its own subprocess with the model loaded before the clock starts; "cold" is that
process's first question (Chroma's HNSW and the BM25 index load then), the percentiles are over
every question asked after it. Peak RSS is that subprocess's (ru_maxrss).

    python bench/query.py [--sizes 1000,10000,100000] [--embedders onnx,torch] [--queries 150] [--keep DIR]
                           [--profile N] [--json]
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import EVAL, ROOT, save  # bench/ is on sys.path when a bench script runs
TATQA = EVAL / "tatqa_dev"
BASE_ROOTS = (ROOT / "seeds", TATQA / "corpus")
PACKS = (EVAL / "seed_dev.jsonl", EVAL / "seed_chat_dev.jsonl", TATQA / "questions.jsonl")
MAX_BYTES = 20 * 2**20
GOAL_MS, GOAL_CHUNKS = 300, 10_000  # grounded p50 at 10k chunks, on 2 cores
NOISE = 0.01
OURS = (str(ROOT / "assistant"), str(ROOT / "index"))  # the project's code, for the profile

# a number with its thousands separators and decimals, alone or before a short unit ("59.1m", "12%"),
# never inside an identifier ("001e29d7")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?=[A-Za-z%]{0,2}\b)")


@dataclass(frozen=True)
class BaseFile:
    path: Path
    text: str
    title: str
    chunks: int


def rewrite_numbers(text: str, v: int) -> str:
    def sub(m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        value = int(whole.replace(",", ""))
        if not frac and "," not in whole and 1900 <= value <= 2099:  # a year
            return str(value - v)
        scaled = float(whole.replace(",", "") + frac) * (1 + v / 50)
        return f"{scaled:{',' if ',' in whole else ''}.{max(len(frac) - 1, 0)}f}"

    return _NUMBER.sub(sub, text)


def variant_text(base: BaseFile, v: int) -> str:
    """Copy v of a real file (v = 0: the file itself)."""
    if v == 0:
        return base.text
    text, title = rewrite_numbers(base.text, v), rewrite_numbers(base.title, v)
    return text.replace(title, f"{title} — edition {v}", 1) if title else text


def base_files() -> list[BaseFile]:
    from index.indexer import prepare
    from index.load import discover

    out = []
    for root in BASE_ROOTS:
        for path in discover([root])[0]:
            data = path.read_bytes()
            chunks, articles, _ = prepare(path, data, MAX_BYTES)
            out.append(BaseFile(path, data.decode("utf-8"), articles[0]["title"], len(chunks)))
    return out


def plan(base: list[BaseFile], size: int) -> list[tuple[int, int]]:
    """(base file index, copy number) of each file of an index of about `size` chunks."""
    out, total, v = [], 0, 0
    while total < size:
        for i, b in enumerate(base):
            out.append((i, v))
            total += b.chunks
            if total >= size:
                break
        v += 1
    return out


# ----- building ------------------------------------------------------------------------------------

def build(size: int, folder: Path, base: list[BaseFile], base_vectors) -> dict:
    """Write the files of one size under folder/corpus and index them into folder/index."""
    import numpy as np

    from index.chunk import MAX_WORDS
    from index.indexer import content_hash, prepare
    from index.load import file_id
    from index.store import PAGE, FileRecord, Store

    start = time.perf_counter()
    store = Store.open(folder / "index", rebuild=True)  # drops what an interrupted build left
    corpus = folder / "corpus"
    offsets = np.cumsum([0] + [b.chunks for b in base])
    rng = np.random.default_rng(size)
    batch, vectors, files, chunks = [], [], 0, 0

    def flush() -> None:
        store.write_files(batch, np.concatenate(vectors).tolist())
        batch.clear()
        vectors.clear()

    for i, v in plan(base, size):
        b = base[i]
        path = corpus / f"v{v:03d}" / b.path.name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = variant_text(b, v).encode("utf-8")
        path.write_bytes(data)
        file_chunks, articles, problems = prepare(path, data, MAX_BYTES)
        assert len(file_chunks) == b.chunks, f"copy {v} of {b.path.name} chunks differently"
        vecs = base_vectors[offsets[i]:offsets[i + 1]]
        if v:
            vecs = vecs + rng.normal(0, NOISE, vecs.shape).astype(vecs.dtype)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        now = time.time()
        batch.append((FileRecord(file_id=file_id(str(path)), path=str(path), root=str(corpus),
                                 hash=content_hash(data, MAX_WORDS), articles=tuple(articles), chunks=len(file_chunks),
                                 table_rows=sum(c.kind == "table_row" for c in file_chunks), added_at=now,
                                 indexed_at=now, problems=tuple(problems)), file_chunks))
        vectors.append(vecs)
        files += 1
        chunks += len(file_chunks)
        if sum(len(c) for _, c in batch) >= PAGE:
            flush()
    if batch:
        flush()
    lexical_start = time.perf_counter()
    store.refresh_lexical()
    built = {"chunks": store.count(), "files": files, "copies": plan(base, size)[-1][1],
             "build_s": round(time.perf_counter() - start, 1),
             "bm25_s": round(time.perf_counter() - lexical_start, 1)}
    assert built["chunks"] == chunks, built
    (folder / "built.json").write_text(json.dumps(built))
    return built


def embed_base(base: list[BaseFile]):
    import numpy as np

    from index.embed import make_embeddings
    from index.indexer import prepare

    texts = [c.embed_text() for b in base for c in prepare(b.path, b.text.encode("utf-8"), MAX_BYTES)[0]]
    start = time.perf_counter()
    vectors = np.asarray(make_embeddings().embed_documents(texts), dtype=np.float32)
    print(f"embedded the {len(texts)} real chunks in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return vectors


# ----- measuring (in a subprocess per size) --------------------------------------------------------

def questions_for(base: list[BaseFile], size: int, n: int) -> list[dict]:
    """A fixed sample of the dev questions whose article is indexed at this size, and unanswerable ones."""
    present = {base[i].path.name for i, v in plan(base, size) if v == 0}
    pool = []
    for pack in PACKS:
        for line in pack.read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            article = q.get("meta", {}).get("article")
            if article is None or article in present:
                pool.append(q)
    return random.Random(0).sample(pool, min(n, len(pool)))


def percentiles(values: list[float]) -> dict:
    import numpy as np

    return {"p50": round(float(np.percentile(values, 50)), 1), "p95": round(float(np.percentile(values, 95)), 1)}


class TimedEmbeddings:
    """The embedding model, timing each question's embedding (a part of retrieve_ms)."""

    def __init__(self, model):
        self.model = model
        self.spent_ms = 0.0

    def embed_query(self, text: str) -> list[float]:
        start = time.perf_counter()
        vector = self.model.embed_query(text)
        self.spent_ms += (time.perf_counter() - start) * 1000
        return vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:  # the sentences compared in meaning
        start = time.perf_counter()
        vectors = self.model.embed_documents(texts)
        self.spent_ms += (time.perf_counter() - start) * 1000
        return vectors


def measure(folder: Path, size: int, n: int, profile: int, embedder: str) -> dict:
    from assistant.answer import Answerer
    from index.embed import make_embeddings
    from index.store import Store

    questions = questions_for(base_files(), size, n)
    embeddings = TimedEmbeddings(make_embeddings(embedder))
    embeddings.embed_query("warm up the model")
    answerer = Answerer(Store.open(folder / "index"), embeddings)
    start = time.perf_counter()
    answerer.ask(questions[0]["question"], questions[0].get("history", []))
    cold_ms = (time.perf_counter() - start) * 1000
    answers, embed_ms = [], []
    for q in questions:
        embeddings.spent_ms = 0.0
        answers.append(answerer.ask(q["question"], q.get("history", [])))
        embed_ms.append(embeddings.spent_ms)
    result = {"questions": len(questions), "answered": sum(a.answered for a in answers), "cold_ms": round(cold_ms, 1),
              **{part: percentiles([a.timings[f"{part}_ms"] for a in answers])
                 for part in ("total", "retrieve", "select", "check")},
              "embed": percentiles(embed_ms)}
    if profile:
        result["profile"] = profiled(answerer, questions[:profile])
    result["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def profiled(answerer, questions: list[dict], top: int = 12) -> dict:
    """Where the time goes, in ms per question: the project's functions by cumulative time, and the
    functions anywhere by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for q in questions:
        answerer.ask(q["question"], q.get("history", []))
    profiler.disable()
    per_q = 1000 / len(questions)
    rows = [(file.startswith(OURS), {"function": f"{Path(file).name}:{line}:{name}", "calls": calls / len(questions),
                                     "cum_ms": round(cum * per_q, 1), "own_ms": round(own * per_q, 1)})
            for (file, line, name), (_, calls, own, cum, _) in pstats.Stats(profiler).stats.items()]
    return {"questions": len(questions),
            "ours_by_cumulative": sorted((r for ours, r in rows if ours), key=lambda r: -r["cum_ms"])[:top],
            "all_by_own": sorted((r for _, r in rows), key=lambda r: -r["own_ms"])[:top]}


# ----- the run -------------------------------------------------------------------------------------

def run_measure(folder: Path, size: int, n: int, profile: int, embedder: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", str(folder), "--sizes", str(size),
                          "--queries", str(n), "--profile", str(profile), "--embedder", embedder],
                         stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(rows: list[dict]) -> None:
    def pair(r: dict, part: str) -> str:
        return f"{r[part]['p50']:.0f} / {r[part]['p95']:.0f}"

    print(f"{'embedder':>8} {'chunks':>7} {'files':>5} {'build s':>7} {'qs':>4} {'cold ms':>8} {'total p50/p95':>14} "
          f"{'retrieve p50/p95':>17} {'(embed) p50/p95':>16} {'select p50/p95':>15} {'check p50':>11} "
          f"{'peak MiB':>8}")
    for r in rows:
        print(f"{r['embedder']:>8} {r['chunks']:7d} {r['files']:5d} {r['build_s']:7.0f} {r['questions']:4d} {r['cold_ms']:8.0f} "
              f"{pair(r, 'total'):>14} {pair(r, 'retrieve'):>17} {pair(r, 'embed'):>16} {pair(r, 'select'):>15} "
              f"{r['check']['p50']:11.0f} {r['peak_mib']:8d}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="index sizes in chunks, comma-separated")
    p.add_argument("--queries", type=int, default=150, help="questions asked per size")
    p.add_argument("--keep", type=Path, help="build the indexes here and reuse them on later runs "
                                                  "(delete it when the parser or chunker changes)")
    p.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N questions at the largest size")
    p.add_argument("--embedders", default="onnx", help="embedder backends measured on each size, side by side "
                                                      "(onnx,torch)")
    p.add_argument("--embedder", default="onnx", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.measure:
        print(json.dumps(measure(args.measure, sizes[0], args.queries, args.profile, args.embedder)))
        return 0

    started, load_start = time.perf_counter(), round(os.getloadavg()[0], 1)
    print(f"{os.cpu_count()} CPUs, load average {load_start}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        base = base_files()
        base_vectors = None
        rows = []
        for size in sizes:
            folder = root / f"chunks-{size}"
            if (folder / "built.json").is_file():
                built = json.loads((folder / "built.json").read_text())
            else:
                if base_vectors is None:
                    base_vectors = embed_base(base)
                built = build(size, folder, base, base_vectors)
                print(f"built {built['chunks']} chunks in {built['build_s']} s (BM25 {built['bm25_s']} s)",
                      file=sys.stderr, flush=True)
            for embedder in args.embedders.split(","):
                rows.append({"size": size, "embedder": embedder, **built,
                             **run_measure(folder, size, args.queries, args.profile if size == sizes[-1] else 0,
                                           embedder)})
    largest = rows[-1]
    goal = min(rows, key=lambda r: abs(r["chunks"] - GOAL_CHUNKS))  # the size nearest the goal's
    summary = {"cpus": os.cpu_count(), "embedders": args.embedders,
               "load_average_start": load_start, "load_average_end": round(os.getloadavg()[0], 1), "sizes": rows,
               "goal": {"p50_ms_at_most": GOAL_MS, "at_chunks": goal["chunks"],
                        "p50_ms": goal["total"]["p50"], "met": goal["total"]["p50"] <= GOAL_MS},
               "seconds": round(time.perf_counter() - started)}
    save("query", summary)
    if args.json:
        print(json.dumps(summary))
        return 0
    print_table(rows)
    verdict = "met" if summary["goal"]["met"] else "NOT met"
    print(f"goal p50 <= {GOAL_MS} ms at {goal['chunks']} chunks: {verdict} (p50 {goal['total']['p50']:.0f} ms)")
    if "profile" in largest:
        prof = largest["profile"]
        for title, key in (("project functions by cumulative time", "ours_by_cumulative"),
                           ("all functions by own time", "all_by_own")):
            print(f"cProfile, {prof['questions']} questions at {largest['chunks']} chunks, {title} (ms per question):")
            for r in prof[key]:
                print(f"  {r['cum_ms']:8.1f} cum {r['own_ms']:8.1f} own {r['calls']:9.1f} calls  {r['function']}")
    print(f"run: {summary['seconds']} s, load average {load_start} at the start, "
          f"{summary['load_average_end']} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
