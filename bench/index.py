"""Indexing throughput and memory, side by side in one run, on the same chunks.

Each variant runs in its own subprocess (its peak memory is its own), the model loaded before the
clock starts, on exactly the texts `briefing index` embeds for the corpus:
  torch     sentence-transformers on PyTorch, batch 64 (its default-sized batches: the ceiling the
            issue measured) and at TORCH_BATCH, its best batch here
  onnx      the int8 ONNX export on ONNX Runtime (the default embedder), encode only
  briefing  the indexing run in-process with the default embedder: parse, chunk, embed, Chroma, BM25
  naive     (--naive) LangChain's usual recipe: RecursiveCharacterTextSplitter + HuggingFaceEmbeddings
            + Chroma.from_documents
then the mean and lowest cosine between the two backends' vectors of every text, and, end to end as
a user runs it, `briefing index` on a fresh index and again on the unchanged corpus (wall time,
chunks/s, word pieces/s, peak memory of the process).

    python bench/index.py                         # the news articles in tests/data and seeds/
    python bench/index.py --corpus DIR [--limit-files N] [--cli-only] [--cli-embedders onnx,torch] [--naive]
    python bench/index.py --sweep                 # batch size and thread count of both backends
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, save  # bench/ is on sys.path when a bench script runs

NEWS = [ROOT / "seeds", ROOT / "tests" / "data" / "probe" / "corpus", ROOT / "tests" / "data" / "conflicts" / "corpus"]
MAX_BYTES = 20 * 2**20


def files_of(corpus: list[Path], limit: int | None) -> list[Path]:
    from index.load import discover

    return sorted(discover(corpus)[0])[:limit]


def texts_of(files: list[Path]) -> list[str]:
    from index.indexer import prepare

    return [c.embed_text() for p in files for c in prepare(p, p.read_bytes(), MAX_BYTES)[0]]


def word_pieces(texts: list[str]) -> int:
    """Word pieces the model reads (its tokenizer, truncated at 256 as both backends do)."""
    from tokenizers import Tokenizer

    from index.embed import model_path

    tok = Tokenizer.from_file(str(Path(model_path()) / "tokenizer.json"))
    tok.enable_truncation(256)
    return sum(len(e.ids) for e in tok.encode_batch(texts))


def _encode(embeddings, texts: list[str], save_to: str | None) -> dict:
    import numpy as np

    start = time.perf_counter()
    vectors = embeddings.embed_documents(texts)
    seconds = time.perf_counter() - start
    if save_to:
        np.save(save_to, np.asarray(vectors, dtype=np.float32))
    return {"chunks": len(texts), "seconds": seconds}


def variant_torch(files, texts, save_to, batch=64, threads=0):
    from index.embed import TorchEmbeddings

    if threads:
        import torch
        torch.set_num_threads(threads)
    return _encode(TorchEmbeddings(batch_size=batch), texts, save_to)


def variant_onnx(files, texts, save_to, batch=None, threads=0):
    from index.embed import ONNX_BATCH, OnnxEmbeddings, model_path, onnx_model

    return _encode(OnnxEmbeddings(onnx_model(), Path(model_path()), batch or ONNX_BATCH, threads), texts, save_to)


def variant_briefing(files, texts, save_to, **_):
    from index.embed import make_embeddings
    from index.indexer import run_index
    from index.store import Store

    embeddings = make_embeddings()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"  # the selected files only, linked
        corpus.mkdir()
        for i, p in enumerate(files):
            shutil.copyfile(p, corpus / f"{i:05d}_{p.name}")
        store = Store.open(Path(tmp) / "ix")
        start = time.perf_counter()
        report = run_index(store, [corpus], lambda: embeddings, max_bytes=MAX_BYTES)
        return {"chunks": report.chunks, "seconds": time.perf_counter() - start}


def variant_naive(files, texts, save_to, **_):
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.embed import model_path

    embeddings = HuggingFaceEmbeddings(model_name=model_path(), model_kwargs={"device": "cpu"})
    docs = [Document(p.read_text(encoding="utf-8", errors="replace"), metadata={"source": str(p)}) for p in files]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
        Chroma.from_documents(splits, embeddings, persist_directory=tmp, collection_name="naive")
        return {"chunks": len(splits), "seconds": time.perf_counter() - start}


VARIANTS = {"torch": variant_torch, "onnx": variant_onnx, "briefing": variant_briefing, "naive": variant_naive}


def run_variant(args, name: str, save_to: str | None = None, **options) -> dict:
    """One variant in a fresh process; its stdout's last line is its figures."""
    cmd = [sys.executable, __file__, "--variant", name, "--options", json.dumps(options), *_corpus_args(args)]
    if save_to:
        cmd += ["--save-to", save_to]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"variant {name} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["chunks_per_s"] = round(result["chunks"] / result["seconds"], 1)
    return result


def _corpus_args(args) -> list[str]:
    out = [a for c in args.corpus for a in ("--corpus", str(c))]
    return out + (["--limit-files", str(args.limit_files)] if args.limit_files else [])


def cli_index(files: list[Path], pieces: int, embedder: str) -> dict:
    """`briefing index` as a user runs it, fresh then unchanged, with its process's peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for i, p in enumerate(files):
            shutil.copyfile(p, corpus / f"{i:05d}_{p.name}")
        runs = []
        for _ in range(2):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, "--measure-cli", str(corpus), str(Path(tmp) / "ix"), embedder],
                                 capture_output=True, text=True, cwd=ROOT)
            if out.returncode:
                raise SystemExit(f"briefing index failed:\n{out.stderr[-3000:]}")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["wall_s"] = round(time.perf_counter() - start, 2)
            runs.append(result)
    first, rerun = runs
    report = first["report"]
    return {"first_run_s": first["wall_s"], "unchanged_rerun_s": rerun["wall_s"],
            "chunks": report["chunks"], "chunks_per_s": round(report["chunks"] / first["wall_s"], 1),
            "word_pieces_per_s": round(pieces / first["wall_s"]), "peak_mib": first["peak_mib"],
            "rerun_peak_mib": rerun["peak_mib"], "unchanged": rerun["report"]["unchanged"],
            "skipped": len(report.get("skipped", []))}


def measure_cli(corpus: str, index_dir: str, embedder: str) -> int:
    """Run the CLI as a child and report its peak RSS (this wrapper holds nothing itself)."""
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "index", corpus, "--index-dir", index_dir, "--json",
                          "--embedder", embedder],
                         capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr)
        return out.returncode
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"report": json.loads(out.stdout), "peak_mib": round(peak)}))
    return 0


def cosines(a_file: str, b_file: str) -> dict:
    import numpy as np

    a, b = np.load(a_file), np.load(b_file)
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4),
            "p01": round(float(np.percentile(cos, 1)), 4)}


def sweep(args) -> dict:
    rows = {}
    for threads in (1, 2):
        for batch in (1, 2, 4, 8, 16, 32):
            rows[f"onnx b{batch} t{threads}"] = run_variant(args, "onnx", batch=batch, threads=threads)
    for batch in (8, 16, 32, 64):
        rows[f"torch b{batch}"] = run_variant(args, "torch", batch=batch)
    for name, r in rows.items():
        print(f"{name:14} {r['chunks_per_s']:7.1f} chunks/s", flush=True)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, action="append", help="a folder of articles (repeatable)")
    p.add_argument("--limit-files", type=int, help="the first N files (sorted by path)")
    p.add_argument("--cli-only", action="store_true", help="only `briefing index` end to end (a big corpus)")
    p.add_argument("--naive", action="store_true", help="also LangChain's usual recipe")
    p.add_argument("--sweep", action="store_true", help="batch sizes and threads of both backends")
    p.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    p.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    p.add_argument("--save-to", help=argparse.SUPPRESS)
    p.add_argument("--cli-embedders", default="onnx", help="`briefing index --embedder` runs, e.g. onnx,torch")
    p.add_argument("--measure-cli", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure_cli:
        return measure_cli(*args.measure_cli)
    args.corpus = [c.resolve() for c in (args.corpus or NEWS)]
    files = files_of(args.corpus, args.limit_files)
    if args.variant:
        texts = [] if args.variant in ("briefing", "naive") else texts_of(files)
        result = VARIANTS[args.variant](files, texts, args.save_to, **json.loads(args.options))
        result["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return 0

    from index.embed import ONNX_BATCH, TORCH_BATCH

    texts = texts_of(files)
    pieces = word_pieces(texts)
    words = sum(len(p.read_text(encoding="utf-8", errors="replace").split()) for p in files)
    print(f"corpus: {', '.join(map(str, args.corpus))}: {len(files)} files, {words:,} words, {len(texts):,} chunks "
          f"({len(set(texts)):,} distinct), {pieces:,} word pieces ({pieces / max(len(texts), 1):.0f} a chunk); "
          f"{os.cpu_count()} CPUs", flush=True)
    summary: dict = {"cpus": os.cpu_count(), "files": len(files), "words": words, "chunks": len(texts),
                     "distinct_chunks": len(set(texts)), "word_pieces": pieces}
    if args.sweep:
        summary["sweep"] = sweep(args)
        save("index_sweep", summary)
        return 0
    if not args.cli_only:
        results: dict[str, dict] = {}
        with tempfile.TemporaryDirectory() as tmp:
            torch_vec, onnx_vec = f"{tmp}/torch.npy", f"{tmp}/onnx.npy"
            plan = [("torch_b64", "torch", torch_vec, {"batch": 64}),
                    (f"torch_b{TORCH_BATCH}", "torch", None, {"batch": TORCH_BATCH}),
                    (f"onnx_b{ONNX_BATCH}", "onnx", onnx_vec, {}),
                    ("briefing", "briefing", None, {})] + ([("naive", "naive", None, {})] if args.naive else [])
            for label, name, save_to, options in plan:
                results[label] = r = run_variant(args, name, save_to, **options)
                print(f"{label:10} {r['chunks']:6d} chunks {r['seconds']:7.1f} s {r['chunks_per_s']:7.1f} chunks/s "
                      f"peak {r['peak_mib']} MiB", flush=True)
            summary["cosine_onnx_vs_torch"] = cos = cosines(torch_vec, onnx_vec)
        ceiling = results["torch_b64"]["chunks_per_s"]
        summary["variants"] = results
        summary["vs_torch_ceiling"] = {k: round(r["chunks_per_s"] / ceiling, 2) for k, r in results.items()}
        print(f"cosine ONNX vs torch over {len(texts)} chunks: mean {cos['mean']}, 1st percentile {cos['p01']}, "
              f"lowest {cos['min']}")
        print("throughput / torch ceiling (batch 64): " +
              ", ".join(f"{k} {v:.2f}x" for k, v in summary["vs_torch_ceiling"].items()))
    for embedder in args.cli_embedders.split(","):
        summary[f"cli_{embedder}"] = cli = cli_index(files, pieces, embedder)
        print(f"`briefing index --embedder {embedder}` end to end: {cli['first_run_s']:.1f} s for {cli['chunks']:,} "
              f"chunks (model load included): {cli['chunks_per_s']} chunks/s, {cli['word_pieces_per_s']:,} word "
              f"pieces/s, peak {cli['peak_mib']} MiB; unchanged re-run {cli['unchanged_rerun_s']:.1f} s", flush=True)
    save("index_cli" if args.cli_only else "index", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
