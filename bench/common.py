"""What every benchmark shares: the project importable, the offline environment set before any
heavy import, and where results are written."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
from index.environment import set_offline  # noqa: E402

set_offline()


def save(name: str, summary: dict) -> Path:
    """Write a benchmark's figures to bench/results/<name>.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(summary, indent=2))
    return path
