"""The environment every entry point (CLI, tests, benchmarks) sets before the heavy imports: models
never download, Chroma and Gradio send no telemetry, the model loader draws no progress bars."""
from __future__ import annotations

import os

OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}


def set_offline() -> None:
    """Set each variable unless the caller has set it already."""
    for name, value in OFFLINE.items():
        os.environ.setdefault(name, value)
