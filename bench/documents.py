"""Real-world PDF and Word files through the parser: what each yields (chunks by kind, pages, title,
seconds) or the reason it is skipped, and any crash (there must be none).

    python bench/documents.py DIR      # e.g. the tests/pdfs folder of github.com/jsvine/pdfplumber
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from common import save  # bench/ is on sys.path when a bench script runs

from index.errors import InputError
from index.indexer import prepare


def main() -> int:
    folder = Path(sys.argv[1])
    outcome: Counter = Counter()
    rows = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".pdf", ".docx")):
        start = time.perf_counter()
        try:
            chunks, _, problems = prepare(path, path.read_bytes(), 20 * 2**20)
            kinds = Counter(c.kind for c in chunks)
            row = {"file": path.name, "chunks": dict(kinds), "pages": max((c.page for c in chunks), default=0),
                   "title": chunks[0].title if chunks else "", "problems": problems}
            outcome["read"] += 1
        except InputError as e:
            row = {"file": path.name, "skipped": str(e)}
            outcome["skipped"] += 1
        except Exception as e:  # a crash: the bug this bench looks for
            row = {"file": path.name, "crash": f"{type(e).__name__}: {e}"}
            outcome["crashed"] += 1
        row["seconds"] = round(time.perf_counter() - start, 2)
        rows.append(row)
        print(row, flush=True)
    print(dict(outcome))
    save("documents", {"folder": str(folder), "outcome": dict(outcome), "files": rows})
    return 1 if outcome["crashed"] else 0


if __name__ == "__main__":
    sys.exit(main())
