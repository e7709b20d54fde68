"""The `briefing` command. Domain errors become one-line messages; exit 0 ok, 1 nothing usable, 2 usage."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .config import Settings
from .errors import BriefingError, InputError, UsageError


def _store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index-dir", type=Path, help="index folder (default .briefing/, env BRIEFING_INDEX_DIR)")
    p.add_argument("--chroma-url", help="use a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000 "
                                        "(env BRIEFING_CHROMA_URL)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Cited answers and briefings over your news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="index article files and folders (only what changed)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help=".txt .md .html .json .jsonl files or folders; none: refresh every folder indexed before")
    _store_flags(p)
    p.add_argument("--rebuild", action="store_true", help="start the index over")
    p.add_argument("--max-file-mb", type=float, help="skip larger files (default 20, env BRIEFING_MAX_FILE_MB)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("stats", help="what an index holds")
    _store_flags(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("chunks", help="show how a file is parsed and chunked, without indexing it")
    p.add_argument("file", type=Path)
    p.add_argument("--max-file-mb", type=float)
    p.add_argument("--json", action="store_true", help="one JSON object per chunk")
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load(**{k: getattr(args, k, None) for k in ("index_dir", "chroma_url", "max_file_mb")})
        return COMMANDS[args.command](args, settings)
    except UsageError as e:
        print(f"briefing: error: {e}", file=sys.stderr)
        return 2
    except BriefingError as e:
        print(f"briefing: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("briefing: interrupted; the index keeps what was committed, run again to finish", file=sys.stderr)
        return 130


def _open_store(settings: Settings, rebuild: bool = False):
    from index.store import Store

    return Store.open(settings.index_dir, settings.chroma_url or None, rebuild=rebuild)


def cmd_index(args, settings: Settings) -> int:
    from index.embed import make_embeddings
    from index.indexer import run_index

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    store = _open_store(settings, rebuild=args.rebuild)
    if not args.paths and not store.records():
        raise UsageError("nothing indexed yet: give the files or folders to index, e.g. `briefing index seeds/`")
    bar = None

    def progress(done: int, total: int, path: str) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="file", desc="indexing", file=sys.stderr, leave=False)
        bar.update(done - bar.n)
        bar.set_postfix_str(Path(path).name[-30:], refresh=False)

    report = run_index(store, args.paths, make_embeddings, max_bytes=settings.max_bytes,
                       max_words=settings.max_words, progress=progress if sys.stderr.isatty() else None)
    if bar is not None:
        bar.close()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        for s in report.skipped:
            print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
        print(f"{report.articles} articles, {report.chunks} chunks ({report.table_rows} table rows) in the index; "
              f"files: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
              f"{report.removed} removed, {len(report.skipped)} skipped; {report.seconds:.1f} s")
    return 0 if report.indexed else 1


def cmd_stats(args, settings: Settings) -> int:
    store = _open_store(settings)
    records = [r for r in store.records().values() if r.status == "ok"]
    articles = [a for r in records for a in r.articles]
    dates = sorted(a["published_at"][:10] for a in articles if a.get("published_at"))
    publishers: dict[str, int] = {}
    for a in articles:
        if a.get("publisher"):
            publishers[a["publisher"]] = publishers.get(a["publisher"], 0) + 1
    stats = {"index": store.location, "files": len(records), "articles": len(articles), "chunks": store.count(),
             "table_rows": sum(r.table_rows for r in records), "sources": dict(sorted(publishers.items())),
             "date_range": [dates[0], dates[-1]] if dates else None}
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        print(f"index       {stats['index']}\nfiles       {stats['files']}\narticles    {stats['articles']}\n"
              f"chunks      {stats['chunks']}\ntable rows  {stats['table_rows']}")
        print("sources     " + (", ".join(f"{k} ({v})" for k, v in publishers.items()) or "-"))
        print("dates       " + (" to ".join(stats["date_range"]) if dates else "-"))
    return 0


def cmd_chunks(args, settings: Settings) -> int:
    from index.indexer import prepare
    from index.load import read_bytes

    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    path = args.file.resolve()
    try:
        chunks, _, problems = prepare(path, read_bytes(path, settings.max_bytes), settings.max_bytes,
                                      settings.max_words)
    except InputError as e:
        raise BriefingError(f"{args.file}: {e}") from None
    for problem in problems:
        print(f"{args.file}: {problem}", file=sys.stderr)
    for c in chunks:
        if args.json:
            obj = {"id": c.id, "kind": c.kind, "section": c.section, "text": c.text}
            if c.kind == "table_row":
                obj["row"] = c.row
            print(json.dumps(obj, ensure_ascii=False))
        else:
            print(f"[{c.id}] {c.kind}" + (f" · {c.section}" if c.section else ""))
            print("  " + c.text.replace("\n", "\n  ") + "\n")
    return 0


COMMANDS = {"index": cmd_index, "stats": cmd_stats, "chunks": cmd_chunks}

if __name__ == "__main__":
    sys.exit(main())
