"""Briefing time on the seed corpus and on a 300-article corpus: TAT-QA dev's 278 report excerpts plus
22 news articles (copies of the seed and of the test articles under other names, as wire copies are).

Each corpus is indexed first (untimed: bench/index.py measures indexing). Then, in one process with
the model loaded before the clock starts, the first and the median of --runs runs of:
  corpus   `Briefer.brief()`: every article, grounded, 300 words
  topic    `Briefer.brief(TOPIC)`: hybrid retrieval first, grounded, 300 words
and end to end as a user runs it, `briefing brief --json` once (process start and model load included).

    python bench/brief.py [--runs N]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, save  # bench/ is on sys.path when a bench script runs
TATQA = ROOT.parent / "shared" / "eval" / "tatqa_dev" / "corpus"
NEWS = [next((ROOT / "seeds").glob("*.txt"))] + [
    ROOT / "tests" / "data" / name for name in ("wire_a.md", "wire_b.md", "injection.txt", "page.html")]


def make_corpora(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (folder, topic)"""
    seeds = tmp / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    big = tmp / "corpus-300"
    shutil.copytree(TATQA, big)
    for n in range(300 - len(list(big.iterdir()))):
        src = NEWS[n % len(NEWS)]
        shutil.copy(src, big / f"news-{n:02d}-{src.name}")
    return {"seeds": (seeds, "security cooperation"), "300 articles": (big, "goodwill impairment")}


def timed(fn, runs: int) -> tuple[float, float, object]:
    """Seconds of the first run (cold caches, as in a fresh process), the median of all, and the result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times), result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()

    from assistant.brief import Briefer
    from index.embed import make_embeddings
    from index.indexer import run_index
    from index.store import Store

    embeddings = make_embeddings()
    embeddings.embed_query("warm up")
    results = {"cpus": os.cpu_count(), "runs": args.runs, "corpora": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (folder, topic) in make_corpora(Path(tmp)).items():
            index_dir = Path(tmp) / f"index-{folder.name}"
            store = Store.open(index_dir)
            report = run_index(store, [folder], lambda: embeddings, max_bytes=20 * 2**20)
            briefer = Briefer(store, embeddings)
            row = {"files": len(list(folder.iterdir())), "articles": report.articles, "chunks": report.chunks}
            for kind, call in (("corpus", lambda: briefer.brief()), ("topic", lambda: briefer.brief(topic))):
                first, median, b = timed(call, args.runs)
                row[kind] = {"topic": b.topic, "first_s": round(first, 3), "median_s": round(median, 3),
                             "words": b.words, "citations": len(b.citations), "sources": len(b.sources),
                             "disagreements": len(b.disagreements)}
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "assistant.cli", "brief", "--index-dir", str(index_dir),
                                  "--json"], capture_output=True, text=True, check=True, cwd=ROOT)
            row["cli_seconds"] = round(time.perf_counter() - start, 2)
            assert json.loads(out.stdout)["words"] <= 300
            results["corpora"][name] = row
            print(f"{name:13} {row['articles']:4d} articles {row['chunks']:5d} chunks | "
                  f"corpus {row['corpus']['first_s']:.2f} s, then {row['corpus']['median_s']:.2f} s "
                  f"({row['corpus']['words']} words, {row['corpus']['citations']} citations) | "
                  f"topic {row['topic']['first_s']:.2f} s, then {row['topic']['median_s']:.2f} s "
                  f"({row['topic']['words']} words, {row['topic']['citations']} citations) | "
                  f"`briefing brief` end to end {row['cli_seconds']:.1f} s", flush=True)
    save("brief", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
