"""Indexing throughput and memory, side by side in one run, on one corpus (default: TAT-QA dev).

Each variant runs in its own subprocess (so its peak memory is its own), with the model loaded
before the clock starts:
  ceiling   plain SentenceTransformer.encode of exactly the texts `briefing index` embeds
  briefing  the indexing run in-process: parse, chunk, embed, Chroma writes, BM25
  naive     LangChain's usual recipe: RecursiveCharacterTextSplitter + HuggingFaceEmbeddings +
            Chroma.from_documents
and, end to end as a user runs it, the `briefing index` command on a fresh index and again on the
unchanged corpus.

    python bench/index.py [--corpus DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, save  # bench/ is on sys.path when a bench script runs
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "tatqa_dev" / "corpus"


def files_of(corpus: Path) -> list[Path]:
    from index.load import discover

    return list(discover([corpus])[0])


def variant_ceiling(corpus: Path) -> dict:
    from sentence_transformers import SentenceTransformer

    from index.embed import model_path
    from index.indexer import prepare

    texts = [c.embed_text() for p in files_of(corpus) for c in prepare(p, p.read_bytes(), 20 * 2**20)[0]]
    model = SentenceTransformer(model_path(), device="cpu")
    start = time.perf_counter()
    model.encode(texts, batch_size=64, normalize_embeddings=True)
    return {"chunks": len(texts), "seconds": time.perf_counter() - start}


def variant_briefing(corpus: Path) -> dict:
    from index.embed import make_embeddings
    from index.indexer import run_index
    from index.store import Store

    embeddings = make_embeddings()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "ix")
        start = time.perf_counter()
        report = run_index(store, [corpus], lambda: embeddings, max_bytes=20 * 2**20)
        return {"chunks": report.chunks, "seconds": time.perf_counter() - start}


def variant_naive(corpus: Path) -> dict:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.embed import model_path

    embeddings = HuggingFaceEmbeddings(model_name=model_path(), model_kwargs={"device": "cpu"})
    docs = [Document(p.read_text(encoding="utf-8", errors="replace"), metadata={"source": str(p)})
            for p in files_of(corpus)]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
        Chroma.from_documents(splits, embeddings, persist_directory=tmp, collection_name="naive")
        return {"chunks": len(splits), "seconds": time.perf_counter() - start}


VARIANTS = {"ceiling": variant_ceiling, "briefing": variant_briefing, "naive": variant_naive}


def run_variant(name: str, corpus: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--variant", name, "--corpus", str(corpus)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed_cli(*args: str) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return time.perf_counter() - start, json.loads(out.stdout)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.variant:
        result = VARIANTS[args.variant](args.corpus.resolve())
        result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    corpus = args.corpus.resolve()
    print(f"corpus: {corpus} ({len(files_of(corpus))} files); {os.cpu_count()} CPUs", flush=True)
    results: dict[str, dict] = {}
    for name in ("ceiling", "briefing", "naive"):
        results[name] = r = run_variant(name, corpus)
        print(f"{name:9} {r['chunks']:6d} chunks {r['seconds']:7.1f} s {r['chunks'] / r['seconds']:7.1f} chunks/s "
              f"peak {r['peak_mib']:.0f} MiB", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        first, report = timed_cli("index", str(corpus), "--index-dir", tmp, "--json")
        rerun, again = timed_cli("index", str(corpus), "--index-dir", tmp, "--json")
    assert again["unchanged"] == report["added"], again
    ratio = results["briefing"]["chunks"] / results["briefing"]["seconds"] / (
        results["ceiling"]["chunks"] / results["ceiling"]["seconds"])
    summary = {
        "cpus": os.cpu_count(), "corpus_files": len(files_of(corpus)), "variants": results,
        "briefing_vs_ceiling": round(ratio, 3),
        "cli_first_run_s": round(first, 2), "cli_unchanged_rerun_s": round(rerun, 2),
        "rerun_speedup": round(first / rerun, 1), "cli_chunks": report["chunks"],
    }
    print(f"briefing / ceiling throughput: {ratio:.1%}")
    print(f"`briefing index` end to end: first run {first:.1f} s ({report['chunks']} chunks, model load included), "
          f"unchanged re-run {rerun:.2f} s: {first / rerun:.0f}x faster")
    save("index", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
