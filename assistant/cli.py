"""The `briefing` command. Domain errors become one-line messages; exit 0 ok, 1 nothing usable, 2 usage."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from index.environment import set_offline

from .config import Settings
from .errors import BriefingError, InputError, UsageError

PROGRESS_LOG_S = 30  # `briefing index` with stderr not a terminal: a progress line this often


def _store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index-dir", type=Path, help="index folder (default .briefing/, env BRIEFING_INDEX_DIR)")
    p.add_argument("--chroma-url", help="use a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000 "
                                        "(env BRIEFING_CHROMA_URL)")
    p.add_argument("--embedder", choices=("onnx", "torch"),
                   help="onnx (default: int8 on ONNX Runtime) or torch (sentence-transformers; env BRIEFING_EMBEDDER)")


def _answer_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", default="", help="only articles whose publisher or file path contains this")
    p.add_argument("--since", default="", help="only articles published on or after this date")
    p.add_argument("--until", default="", help="only articles published on or before this date")
    p.add_argument("--llm", help="gguf:/path/model.gguf or openai:<base-url>#<model> (env BRIEFING_LLM); "
                                 "default: the grounded composer, no LLM")


def _turn(value: str):
    """A --history value: a plain question, or a JSON question/answer pair or object."""
    if value.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not valid JSON: {value[:60]}") from None
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Cited answers and briefings over your news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="index article files and folders (only what changed)")
    p.add_argument("paths", nargs="*", metavar="PATH|URL",
                   help=".txt .md .html .json .jsonl .pdf .docx files or folders, web pages or RSS/Atom feeds by "
                        "URL; none: refresh every folder indexed before")
    _store_flags(p)
    p.add_argument("--rebuild", action="store_true", help="start the index over")
    p.add_argument("--max-file-mb", type=float, help="skip larger files (default 20, env BRIEFING_MAX_FILE_MB)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("watch", help="poll news feeds and index what is new or changed")
    p.add_argument("feeds", nargs="+", metavar="FEED_URL", help="RSS or Atom feeds (or pages) to poll")
    p.add_argument("--every", default="30m", help="how often: 90s, 30m, 2h (default 30m)")
    p.add_argument("--once", action="store_true", help="poll once and exit (for cron)")
    _store_flags(p)
    p.add_argument("--max-file-mb", type=float, help="largest page or item (default 20, env BRIEFING_MAX_FILE_MB)")

    p = sub.add_parser("ask", help="ask a question; the answer cites its sources")
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    _store_flags(p)
    _answer_flags(p)
    p.add_argument("--history", action="append", default=[], metavar="TURN", type=_turn,
                   help="an earlier turn of the conversation, for follow-ups (repeat, oldest first): its question, "
                        "or the question and the answer given as JSON: '[\"question\", \"answer\"]' or "
                        "'{\"question\": ..., \"answer\": ...}' (the JSON of ask --json will do)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON (one object per line with -)")

    p = sub.add_parser("eval", help="run an eval pack and print its metrics")
    p.add_argument("pack", type=Path, help="a questions .jsonl (over the index), or a folder with questions.jsonl "
                                           "and corpus/ (indexed first, into a temporary index unless --index-dir)")
    _store_flags(p)
    _answer_flags(p)
    p.add_argument("--answers", type=Path, help="also write the answers here (JSON lines)")
    p.add_argument("--show-misses", action="store_true", help="list each question scored wrong")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")

    p = sub.add_parser("brief", help="a one-page briefing on the corpus or a topic; every point cited")
    p.add_argument("topic", nargs="?", default="", metavar="TOPIC", help="what to brief on; none: every article")
    _store_flags(p)
    _answer_flags(p)
    p.add_argument("--words", type=int, default=300, metavar="N",
                   help="at most N words of prose: bottom line, key points, timeline, disagreements and gaps "
                        "(tables, sources and references are not counted); default 300")
    p.add_argument("--since-last", action="store_true",
                   help="only articles new or changed since the previous briefing of this topic")
    p.add_argument("--out", type=Path, metavar="FILE.md|FILE.html",
                   help="write the briefing to a Markdown file or a self-contained HTML page")
    p.add_argument("--json", action="store_true", help="print the briefing's parts as JSON")

    p = sub.add_parser("stats", help="what an index holds")
    _store_flags(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("chunks", help="show how a file is parsed and chunked, without indexing it")
    p.add_argument("file", type=Path)
    p.add_argument("--max-file-mb", type=float)
    p.add_argument("--json", action="store_true", help="one JSON object per chunk")

    p = sub.add_parser("serve", help="open the app in the browser: chat, briefings, library")
    _store_flags(p)
    p.add_argument("--llm", help="gguf:/path/model.gguf or openai:<base-url>#<model> (env BRIEFING_LLM), "
                                 "offered beside the grounded mode")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--auth", default=os.environ.get("BRIEFING_AUTH", ""), metavar="USER:PASSWORD|FILE",
                   help="require a login (env BRIEFING_AUTH); needed for a --host other than loopback")
    p.add_argument("--insecure", action="store_true", help="allow a non-loopback --host without a login")
    p.add_argument("--max-file-mb", type=float, help="largest upload (default 20, env BRIEFING_MAX_FILE_MB)")
    p.add_argument("--watch", action="append", default=[], metavar="FEED_URL",
                   help="poll this feed while serving and index what arrives (repeatable)")
    p.add_argument("--every", default="30m", help="how often --watch polls (default 30m)")
    return parser


def main(argv: list[str] | None = None) -> int:
    set_offline()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load(**{k: getattr(args, k, None) for k in ("index_dir", "chroma_url", "max_file_mb", "llm", "embedder")})
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
    from index.indexer import IndexReport
    from index.web import Web, is_url

    urls = [p for p in args.paths if is_url(p)]
    paths = [Path(p) for p in args.paths if not is_url(p)]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    store = _open_store(settings, rebuild=args.rebuild)
    if not args.paths and not store.records():
        raise UsageError("nothing indexed yet: give the files or folders to index, e.g. `briefing index seeds/`")
    failed = []
    if urls:
        fetched = Web(settings.index_dir / "web", settings.max_bytes).fetch_all(urls)
        paths += fetched.files
        failed = fetched.skipped
    # every URL failed and no path given: nothing to index (not a refresh of every folder)
    report = IndexReport() if urls and not paths else _index(settings, store, paths)
    report.skipped = failed + report.skipped
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        for s in report.skipped:
            print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
        print(f"{report.articles} articles, {report.chunks} chunks ({report.table_rows} table rows) in the index; "
              f"files: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
              f"{report.removed} removed, {len(report.skipped)} skipped; {report.seconds:.1f} s")
    return 0 if report.indexed else 1


def _index(settings: Settings, store, paths: list[Path]):
    """One indexing run with a progress bar (a terminal) or a progress line every PROGRESS_LOG_S (a log)."""
    from index.embed import make_embeddings
    from index.indexer import run_index

    bar, logged = None, time.monotonic()

    def progress(step) -> None:
        nonlocal bar, logged
        if not sys.stderr.isatty():  # a log, not a terminal: a line now and then, never a silent run
            if time.monotonic() - logged >= PROGRESS_LOG_S:
                logged = time.monotonic()
                print(f"indexing: {step.line()}", file=sys.stderr, flush=True)
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=step.files_total, unit="file", desc="indexing", file=sys.stderr, leave=False,
                       bar_format="{desc} {bar} {postfix}")
        bar.update(step.files_done - bar.n)
        bar.set_postfix_str(f"{step.line()} · {Path(step.path).name[-30:]}")

    report = run_index(store, paths, lambda: make_embeddings(settings.embedder), max_bytes=settings.max_bytes,
                       max_words=settings.max_words, progress=progress)
    if bar is not None:
        bar.close()
    return report


def every_seconds(value: str) -> float:
    """"90s", "30m", "2h" or a number of minutes, in seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", str(value), re.I)
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"--every {value}: expected a duration such as 90s, 30m or 2h")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "": 60}[m.group(2).lower()]


def cmd_watch(args, settings: Settings) -> int:
    from index.web import Web, is_url

    bad = [u for u in args.feeds if not is_url(u)]
    if bad:
        raise UsageError(f"not a URL: {', '.join(bad)}")
    every = every_seconds(args.every)
    store = _open_store(settings)
    web = Web(settings.index_dir / "web", settings.max_bytes)
    while True:
        fetched = web.fetch_all(args.feeds, only_new=True)
        for s in fetched.skipped:
            print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
        stamp = time.strftime("%Y-%m-%d %H:%M")
        if fetched.files:
            report = _index(settings, store, fetched.files)
            print(f"{stamp} {len(fetched.new)} new or changed: {'; '.join(fetched.new[:5])}"
                  f"{' ...' if len(fetched.new) > 5 else ''} ({report.added} added, {report.updated} updated)",
                  flush=True)
        else:
            print(f"{stamp} nothing new", flush=True)
        if args.once:
            return 0
        time.sleep(every)


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
            obj = {"id": c.id, "kind": c.kind, "section": c.section, "text": c.text} | ({"page": c.page} if c.page else {})
            if c.kind == "table_row":
                obj["row"] = c.row
            if c.group:
                obj["group"] = c.group
            print(json.dumps(obj, ensure_ascii=False))
        else:
            print(f"[{c.id}] {c.kind}" + (f" · {c.section}" if c.section else "") + (f" · {c.group}" if c.group else ""))
            print("  " + c.text.replace("\n", "\n  ") + "\n")
    return 0


def _answerer(settings: Settings, store=None):
    from index.embed import make_embeddings

    from .answer import Answerer

    llm = None
    if settings.llm:
        from .llm import make_llm

        llm = make_llm(settings.llm)
    store = store or _open_store(settings)
    if not store.count():
        raise UsageError(f"the index at {store.location} is empty: run `briefing index PATH` first")
    embeddings = make_embeddings(settings.embedder)
    store.check_embedder(embeddings)
    return Answerer(store, embeddings, llm=llm)


def _filters(args):
    from .retrieval import Filters

    return Filters(source=args.source, since=args.since, until=args.until)


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.as_json(), ensure_ascii=False), flush=True)
        return
    print(answer.answer)
    for c in answer.citations or answer.related:
        where = " — ".join(dict.fromkeys(p for p in (c.title, c.section, f"page {c.page}" if c.page else "") if p))
        label = f"[{c.marker}]" if c.marker else "  -"
        print(f"\n{label} {where}\n    “{c.text}”\n    {c.source}" + (f"  {c.url}" if c.url else ""))
    print(flush=True)


def cmd_ask(args, settings: Settings) -> int:
    filters = _filters(args)
    answerer = _answerer(settings)
    if args.question != "-":
        _print_answer(answerer.ask(args.question, args.history, filters), args.json)
        return 0
    history = list(args.history)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):  # {"question": ..., "history": [...]} for scripted conversations
            obj = json.loads(line)
            answer = answerer.ask(obj["question"], obj.get("history", []), filters)
        else:  # one conversation: each answer is a turn the next question may follow up
            answer = answerer.ask(line, history, filters)
            history.append(answer.as_json())
        _print_answer(answer, args.json)
    return 0


def cmd_brief(args, settings: Settings) -> int:
    from .brief import Briefer, check_words

    check_words(args.words)
    if args.out and args.out.suffix.lower() not in (".md", ".markdown", ".html", ".htm"):
        raise UsageError(f"--out {args.out}: expected a .md or .html file")
    filters = _filters(args)
    answerer = _answerer(settings)
    progress = (lambda step: print(f"{step} ...", file=sys.stderr)) if sys.stderr.isatty() else None
    briefing = Briefer(answerer.store, answerer.embeddings, answerer.llm).brief(
        args.topic, filters, args.words, args.since_last, progress)
    if args.out:
        html = args.out.suffix.lower() in (".html", ".htm")
        args.out.write_text(briefing.to_html() if html else briefing.to_markdown(), encoding="utf-8")
        print(f"wrote {args.out}: {briefing.words} words, {len(briefing.citations)} citations", file=sys.stderr)
    if args.json:
        print(json.dumps(briefing.as_json(), ensure_ascii=False))
    elif not args.out:
        print(briefing.to_markdown())
    return 0


def cmd_eval(args, settings: Settings) -> int:
    import tempfile

    from index.embed import make_embeddings
    from index.indexer import run_index

    from .score import read_jsonl, report, score

    pack = args.pack
    questions_file = pack / "questions.jsonl" if pack.is_dir() else pack
    if not questions_file.is_file():
        raise UsageError(f"no questions at {questions_file}")
    questions = read_jsonl(str(questions_file))
    with tempfile.TemporaryDirectory() as tmp:
        store = None
        if pack.is_dir() and (pack / "corpus").is_dir():
            index_dir = Path(tmp) / "index" if args.index_dir is None and not settings.chroma_url else settings.index_dir
            from index.store import Store

            store = Store.open(index_dir, settings.chroma_url or None)
            print(f"indexing {pack / 'corpus'} ...", file=sys.stderr)
            run_index(store, [pack / "corpus"], lambda: make_embeddings(settings.embedder), max_bytes=settings.max_bytes,
                      max_words=settings.max_words)
        answerer = _answerer(settings, store)
        filters = _filters(args)
        answers = []
        for n, q in enumerate(questions, 1):
            answers.append(answerer.ask(q["question"], q.get("history", []), filters).as_json())
            if sys.stderr.isatty():
                print(f"\r{n}/{len(questions)} questions", end="", file=sys.stderr)
    if args.answers:
        args.answers.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), encoding="utf-8")
    metrics, misses = score(questions, answers)
    latencies = sorted(a["timings"]["total_ms"] for a in answers)
    metrics["p50_ms"] = round(latencies[len(latencies) // 2], 1) if latencies else None
    report(metrics, misses, args.json, args.show_misses)
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from .app import serve

    return serve(settings, args.host, args.port, args.auth, args.insecure, args.watch, every_seconds(args.every))


COMMANDS = {"index": cmd_index, "ask": cmd_ask, "eval": cmd_eval, "stats": cmd_stats, "chunks": cmd_chunks,
            "brief": cmd_brief, "serve": cmd_serve, "watch": cmd_watch}

if __name__ == "__main__":
    sys.exit(main())
