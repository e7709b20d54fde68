"""Settings: defaults, then environment (BRIEFING_*), then command-line flags; built once, passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import UsageError


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path(".briefing")  # BRIEFING_INDEX_DIR
    chroma_url: str = ""  # BRIEFING_CHROMA_URL: use a `chroma run` server instead of the embedded store
    max_file_mb: float = 20.0  # BRIEFING_MAX_FILE_MB: larger files are skipped
    max_words: int = 120  # BRIEFING_MAX_WORDS: words per text chunk (the embedder reads ~256 word pieces)
    embedder: str = "onnx"  # BRIEFING_EMBEDDER: "onnx" (int8 ONNX Runtime) or "torch" (sentence-transformers)
    llm: str = ""  # BRIEFING_LLM: gguf:/path/model.gguf or openai:<base-url>#<model>; "" = grounded only

    @classmethod
    def load(cls, env: dict[str, str] | None = None, **flags) -> Settings:
        """Defaults, overridden by BRIEFING_<NAME> variables, overridden by flags that are not None."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(f"BRIEFING_{f.name.upper()}")
            if raw not in (None, ""):
                values[f.name] = _convert(f.name, raw, f.type)
        settings = replace(cls(), **values)
        return replace(settings, **{k: v for k, v in flags.items() if v is not None})

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)


def _convert(name: str, raw: str, kind: str):
    try:
        if kind == "Path":
            return Path(raw)
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
    except ValueError:
        raise UsageError(f"BRIEFING_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
