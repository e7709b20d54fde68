"""Cold start: a first `briefing ask` from a new process, `briefing serve` until its first page, and
the app's peak memory on a 10k-chunk index.

  ask     median and spread of N cold `briefing ask "question"` runs on the seed index (the
          console script, as a user runs it), then N runs of the same steps in-process, timed
          one by one: interpreter start, imports, store open, model load, embedder check, answer
          (the first question loads the spaCy model, the BM25 index and Chroma's HNSW)
  serve   seconds from starting `briefing serve` until its first page answers (N runs)
  memory  (--big DIR, a 10k-chunk index, e.g. `bench/query.py --sizes 10000 --keep DIR` makes
          DIR/chunks-10000/index) `briefing serve` on it asked Q questions through /ask; its
          peak RSS (VmHWM)

    python bench/cold.py [--runs 5] [--big DIR/chunks-10000/index] [--questions 20]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import EVAL, ROOT, save  # bench/ is on sys.path when a bench script runs

QUESTION = "What worries Japan about China?"
CLI = [str(Path(sys.executable).parent / "briefing")]


def phases(index_dir: str, question: str) -> dict:
    """The steps of `briefing ask` in this fresh process, each timed (mirrors cli._answerer)."""
    marks = {"start": time.perf_counter()}
    from assistant.answer import Answerer
    from assistant.config import Settings
    from index.embed import make_embeddings
    from index.store import Store
    marks["imports"] = time.perf_counter()
    settings = Settings.load(index_dir=index_dir)
    store = Store.open(settings.index_dir)
    store.count()
    marks["store open"] = time.perf_counter()
    embeddings = make_embeddings(settings.embedder)
    marks["model load"] = time.perf_counter()
    store.check_embedder(embeddings)
    marks["embedder check"] = time.perf_counter()
    Answerer(store, embeddings).ask(question)
    marks["answer"] = time.perf_counter()
    names = list(marks)
    return {b: marks[b] - marks[a] for a, b in zip(names, names[1:])}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(index_dir: str) -> tuple[subprocess.Popen, str, float]:
    """`briefing serve` on a free port; seconds until GET / answers 200."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(CLI + ["serve", "--index-dir", index_dir, "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return proc, url, time.perf_counter() - start
        except OSError:
            if proc.poll() is not None or time.perf_counter() - start > 300:
                raise SystemExit("briefing serve did not come up")
            time.sleep(0.1)


def peak_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


def questions(n: int) -> list[str]:
    qs = []
    for pack in (EVAL / "seed_chat_dev.jsonl", EVAL / "tatqa_dev" / "questions.jsonl"):
        qs += [json.loads(line)["question"] for line in pack.read_text().splitlines() if line.strip()][:n]
    return qs[:n]


def med(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--big", type=Path, help="a 10k-chunk index to measure the app's memory on")
    p.add_argument("--questions", type=int, default=20)
    p.add_argument("--phases", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phases:
        print(json.dumps(phases(*args.phases)))
        return 0

    summary: dict = {"cpus": os.cpu_count(), "load_average_start": round(os.getloadavg()[0], 1)}
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(CLI + ["index", "seeds", "--index-dir", tmp], cwd=ROOT, check=True, capture_output=True)
        walls, steps = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(CLI + ["ask", QUESTION, "--index-dir", tmp], cwd=ROOT, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
        for _ in range(args.runs):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, "--phases", tmp, QUESTION], cwd=ROOT, check=True,
                                 capture_output=True, text=True)
            wall = time.perf_counter() - start
            step = json.loads(out.stdout.strip().splitlines()[-1])
            steps.append({"interpreter and exit": wall - sum(step.values()), **step})
        summary["ask_wall_s"] = med(walls)
        summary["ask_steps_s"] = {k: round(statistics.median(s[k] for s in steps), 2) for k in steps[0]}
        print(f"cold `briefing ask` on the seed index, {args.runs} runs: median {statistics.median(walls):.2f} s "
              f"(min {min(walls):.2f}, max {max(walls):.2f})")
        print("  where the time goes (medians): " +
              ", ".join(f"{k} {v:.2f} s" for k, v in summary["ask_steps_s"].items()))
        firsts = []
        for _ in range(args.runs):
            proc, _, seconds = start_serve(tmp)
            proc.terminate()
            proc.wait(timeout=30)
            firsts.append(seconds)
        summary["serve_first_page_s"] = med(firsts)
        print(f"`briefing serve` until its first page answers: median {statistics.median(firsts):.1f} s "
              f"(min {min(firsts):.1f}, max {max(firsts):.1f})")
    if args.big:
        from gradio_client import Client

        from index.store import Store

        chunks = Store.open(args.big).count()
        proc, url, seconds = start_serve(str(args.big))
        try:
            client = Client(url, verbose=False)
            asked = questions(args.questions)
            for q in asked:
                client.predict(q, api_name="/ask")
            summary["big"] = {"chunks": chunks, "first_page_s": round(seconds, 1), "questions": len(asked),
                              "peak_mib": peak_mib(proc.pid)}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(f"`briefing serve` on {chunks:,} chunks: first page {seconds:.1f} s; peak RSS after {len(asked)} "
              f"questions {summary['big']['peak_mib']} MiB")
    summary["load_average_end"] = round(os.getloadavg()[0], 1)
    save("cold", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
