"""The embedders for real: the int8 ONNX export against sentence-transformers on torch, the index's
record of which one made its vectors, identical chunks embedded once, progress, a lean cold start."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, ROOT, SEED_FILE
from langchain_core.embeddings import Embeddings

from index import embed
from index.errors import StoreError
from index.indexer import IndexProgress, run_index
from index.store import CHECKED, EMBEDDER, Store

MB = 2**20
TEXTS = ["Japan's trade ministry said exports to China fell 4.1% in March.",
         "Revenue | 2019: $1,496.5 | 2018: $1,371.6",
         "The ferry captain, who has worked the route for 31 years, said the storm was the worst he had seen."]


@pytest.fixture(scope="module")
def torch_embeddings():
    return embed.make_embeddings("torch")


class Counting(Embeddings):
    """The real embedder, counting the texts it is given."""

    def __init__(self, inner):
        self.inner, self.name, self.texts = inner, inner.name, []

    def embed_documents(self, texts):
        self.texts += texts
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


class Rotated(Counting):
    """Another embedder in effect: the real vectors with their dimensions rotated."""

    name = "rotated:test"

    def __init__(self, inner):
        super().__init__(inner)
        self.name = "rotated:test"

    def embed_documents(self, texts):
        return np.roll(np.asarray(self.inner.embed_documents(texts)), 1, axis=1).tolist()


def index(store, paths, embeddings, progress=None):
    return run_index(store, [Path(p) for p in paths], lambda: embeddings, max_bytes=20 * MB, progress=progress)


def test_onnx_vectors_match_torch_and_are_normalised(embeddings, torch_embeddings):
    a = np.asarray(embeddings.embed_documents(TEXTS))
    b = np.asarray(torch_embeddings.embed_documents(TEXTS))
    assert embeddings.name.startswith("onnx-") and torch_embeddings.name.startswith("torch:")
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-4)
    assert (a * b).sum(axis=1).min() > 0.98
    assert np.allclose(embeddings.embed_query(TEXTS[0]), a[0], atol=1e-5)  # batching and padding change nothing
    assert embeddings.embed_documents([]) == []


def test_an_index_records_its_embedder_and_accepts_a_checked_other(tmp_path, embeddings, torch_embeddings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_FILE, corpus)
    store = Store.open(tmp_path / "ix")
    index(store, [corpus], torch_embeddings)  # an index made on torch ...
    assert store.chunks.metadata[EMBEDDER] == torch_embeddings.name
    store.check_embedder(embeddings)  # ... answers ONNX queries: same vectors within tolerance, checked once
    assert embeddings.name in store.chunks.metadata[CHECKED]
    again = Store.open(tmp_path / "ix")
    again.check_embedder(embeddings)
    assert again.chunks.metadata[EMBEDDER] == torch_embeddings.name


def test_an_index_made_by_another_embedder_is_refused_with_what_to_do(tmp_path, embeddings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_FILE, corpus)
    store = Store.open(tmp_path / "ix")
    index(store, [corpus], embeddings)
    with pytest.raises(StoreError, match=r"another embedder.*--embedder onnx, or re-index with --rebuild"):
        store.check_embedder(Rotated(embeddings))
    with pytest.raises(StoreError, match="another embedder"):  # and again: a refusal is not recorded as checked
        Store.open(tmp_path / "ix").check_embedder(Rotated(embeddings))


def test_identical_chunks_are_embedded_once(tmp_path, embeddings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.md", "b.md", "c.md"):  # three copies of one wire story
        shutil.copy(DATA / "wire_a.md", corpus / name)
    counting = Counting(embeddings)
    report = index(Store.open(tmp_path / "ix"), [corpus], counting)
    assert report.chunks == 3 * len(counting.texts) and len(set(counting.texts)) == len(counting.texts)


def test_progress_counts_files_and_chunks_and_estimates_the_time_left(corpus, tmp_path, embeddings):
    seen: list[IndexProgress] = []
    report = index(Store.open(tmp_path / "ix"), [corpus], embeddings, seen.append)
    last = seen[-1]
    assert last.files_done == last.files_total == report.added and last.bytes_left == 0
    assert last.chunks <= report.chunks and [s.files_done for s in seen] == sorted(s.files_done for s in seen)
    assert f"{last.files_done}/{last.files_total} files · " in last.line()
    halfway = IndexProgress(10, 40, "x", 300, 60.0, bytes_done=1000, bytes_left=3000)
    assert halfway.seconds_left == 180 and halfway.line().endswith("5 chunks/s · about 3 min 00 s left")


def test_the_onnx_export_is_cached_per_model_package_and_recipe(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_MODEL_CACHE", str(tmp_path))
    first = embed.model_cache()
    assert first.parent == tmp_path / "onnx"
    monkeypatch.setattr(embed, "RECIPE", "another-recipe")
    assert embed.model_cache() != first  # a changed recipe (or package, or ONNX Runtime) makes a new export


def test_cli_embedder_flag_and_a_lean_cold_ask(tmp_path):
    """`ask` on the ONNX backend loads neither torch nor Gradio nor the OpenAI client; `--embedder torch`
    answers from the same index."""
    ix = str(tmp_path / "ix")
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "index", str(SEED_FILE), "--index-dir", ix],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    probe = ("import sys, json; from assistant.cli import main; "
             f"main(['ask', 'What worries Japan about China?', '--index-dir', {ix!r}, '--json']); "
             "print(json.dumps([m for m in ('torch', 'transformers', 'sentence_transformers', 'gradio', "
             "'langchain_openai') if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert json.loads(lines[0])["citations"] and json.loads(lines[-1]) == []
    torch = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "What worries Japan about China?",
                            "--index-dir", ix, "--embedder", "torch", "--json"], capture_output=True, text=True, cwd=ROOT)
    assert torch.returncode == 0, torch.stderr
    assert json.loads(torch.stdout)["citations"]
