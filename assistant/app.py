"""The Gradio app: chat with clickable citations, briefings, and the article library; named API
endpoints (`/ask`, `/brief`, `/index`) that return the CLI's JSON.

One `Services` (store, embedding model, answerers) is shared by every session; Gradio runs each
event in a worker thread, so chats run side by side and an upload being indexed does not hold them
up. Writes to the index go one at a time.
"""
from __future__ import annotations

import ipaddress
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from index.environment import set_offline
from index.indexer import IndexReport, Progress, run_index, writer_lock
from index.store import KIND, Store, chunk_from_record
from index.types import Skipped

from .answer import Answerer
from .config import Settings
from .errors import UsageError
from .retrieval import Filters
from .types import Answer
from .ui import library, render

if TYPE_CHECKING:
    import gradio as gr
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from .briefing import Briefing

MODES = ("grounded", "llm")


@dataclass
class Services:
    """What every session shares: one store, one embedding model, an answerer per mode."""

    settings: Settings
    store: Store
    embeddings: "Embeddings"
    llm: "BaseChatModel | None" = None
    answerers: dict[str, Answerer] = field(init=False)

    def __post_init__(self):
        self.answerers = {"grounded": Answerer(self.store, self.embeddings)}
        if self.llm is not None:
            self.answerers["llm"] = Answerer(self.store, self.embeddings, llm=self.llm)
        self.uploads = Path(self.settings.index_dir).resolve() / "uploads"
        self._writing = threading.Lock()
        self._briefers: dict[str, object] = {}
        self._examples: tuple[str, list[str]] = ("", [])
        self.exposed = False  # listening beyond loopback: URLs to private addresses are refused
        self.feeds: list[str] = []  # watched (--watch)
        self.arrivals: list[str] = []  # what the watched feeds brought in, newest first

    def web(self):
        from index.web import Web

        return Web(Path(self.settings.index_dir).resolve() / "web", self.settings.max_bytes, private=not self.exposed)

    def index_urls(self, urls: list[str], progress: Progress | None = None, only_new: bool = False) -> dict:
        """Fetch pages, documents or feeds by URL and index what they gave: the JSON of `briefing index
        --json`, each URL that failed (or is none) under `skipped` with its reason."""
        fetched = self.web().fetch_all(urls, only_new=only_new)
        with self._writing:
            report = run_index(self.store, fetched.files, lambda: self.embeddings, max_bytes=self.settings.max_bytes,
                               max_words=self.settings.max_words, progress=progress) if fetched.files else self._held()
        report.skipped = fetched.skipped + report.skipped
        if only_new and fetched.new:
            stamp = time.strftime("%Y-%m-%d %H:%M")
            self.arrivals[:0] = [f"{stamp} {title}" for title in fetched.new]
            del self.arrivals[50:]
        return report.as_json()

    def watch(self, feeds: list[str], every: float) -> threading.Event:
        """Poll `feeds` every `every` seconds in a daemon thread, indexing what is new or changed, until
        the returned event is set."""
        self.feeds = list(feeds)
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    report = self.index_urls(feeds, only_new=True)
                    for s in report["skipped"]:
                        print(f"watch: skipped {s['path']}: {s['reason']}", flush=True)
                except Exception as e:  # one bad poll must not end the watch
                    print(f"watch: {type(e).__name__}: {e}", flush=True)
                stop.wait(every)

        threading.Thread(target=loop, name="briefing-watch", daemon=True).start()
        return stop

    @classmethod
    def open(cls, settings: Settings) -> Services:
        from index.embed import make_embeddings

        llm = None
        if settings.llm:
            from .llm import make_llm

            llm = make_llm(settings.llm)
        store = Store.open(settings.index_dir, settings.chroma_url or None)
        embeddings = make_embeddings(settings.embedder)
        store.check_embedder(embeddings)
        return cls(settings, store, embeddings, llm)

    @property
    def default_mode(self) -> str:
        return "llm" if self.llm is not None else "grounded"

    def answerer(self, mode: str) -> Answerer:
        mode = mode or self.default_mode
        if mode not in MODES:
            raise UsageError(f"mode {mode!r}: use grounded or llm")
        if mode not in self.answerers:
            raise UsageError("no LLM is configured: start with --llm or BRIEFING_LLM")
        return self.answerers[mode]

    def ask(self, question: str, history: list, filters: Filters, mode: str = "",
            on_token: Callable[[str], None] | None = None) -> Answer:
        if not question.strip():
            raise UsageError("ask a question")
        return self.answerer(mode).ask(question.strip(), history, filters, on_token)

    def brief(self, topic: str, filters: Filters, words: int, since_last: bool, mode: str = "",
              on_progress=None) -> "Briefing":
        from .brief import Briefer

        answerer = self.answerer(mode)  # validates the mode
        if not self.store.count():
            raise UsageError("the index is empty: add articles in the Library tab first")
        key = mode or self.default_mode
        if key not in self._briefers:
            self._briefers[key] = Briefer(self.store, self.embeddings, llm=answerer.llm)
        return self._briefers[key].brief(topic=topic.strip() or None, filters=filters, words=int(words),
                             since_last=since_last, on_progress=on_progress)

    def index(self, paths: list[str], progress: Progress | None = None) -> dict:
        """Store uploads under safe names and index them: the JSON of `briefing index --json`, the
        skipped files named by their upload names."""
        saved, refused = library.save_uploads(paths, self.uploads, self.settings.max_bytes)
        with self._writing:
            report = run_index(self.store, saved, lambda: self.embeddings, max_bytes=self.settings.max_bytes,
                               max_words=self.settings.max_words, progress=progress) if saved else self._held()
        report.skipped = refused + [Skipped(Path(s.path).name, s.reason) for s in report.skipped]
        return report.as_json()

    def _held(self) -> IndexReport:
        """A report of no work: what the index holds."""
        ok = [r for r in self.store.records().values() if r.status == "ok"]
        return IndexReport(articles=sum(len(r.articles) for r in ok), chunks=self.store.count(),
                           table_rows=sum(r.table_rows for r in ok))

    def remove(self, file_id: str) -> str:
        """Take a file's articles out of the index (and delete it when it was uploaded here)."""
        with self._writing, writer_lock(self.store):
            record = self.store.records().get(file_id)
            if record is None:
                raise UsageError("that article is no longer in the index")
            self.store.remove_file(record)
            self.store.refresh_lexical()
        path = Path(record.path)
        if path.parent == self.uploads:
            path.unlink(missing_ok=True)
        return path.name

    def examples(self, limit: int = 4) -> list[str]:
        """Questions as a person types them, built from what the index holds and checked to be answered:
        an overview, a table's cell ("What is the proposed action for cybersecurity?"), a person named;
        cached until the index changes."""
        fingerprint = self.store.fingerprint()
        if self._examples[0] == fingerprint:
            return self._examples[1]
        questions = ["What are the main points?"] + example_questions(self.store)
        answerer = self.answerers["grounded"]
        checked = [q for q in questions[:3 * limit] if answerer.ask(q).answered]
        self._examples = (fingerprint, checked[:limit])
        return self._examples[1]


def _plain(text: str) -> str:
    """A header or label as a person would type it: common nouns in lower case ("Proposed Action" ->
    "proposed action"), names kept ("Japan’s Role" -> "Japan’s role")."""
    from .language import parse

    parsed = parse(text)
    names = [(e.start, e.end) for e in parsed.entities if e.label in ("PERSON", "ORG", "GPE", "NORP", "LOC")]
    out = text
    for t in parsed.tokens:
        if not t.text.isupper() and not any(a <= t.start < b for a, b in names):
            out = out[:t.start] + t.text.lower() + out[t.start + len(t.text):]
    return out


def example_questions(store: Store) -> list[str]:
    """Candidate example questions from the index: a table cell by its column and row, one per table,
    and the first person a lead paragraph names."""
    from .language import parse

    got = store.chunks.get(where={KIND: "table_row"}, include=["documents", "metadatas"], limit=300)
    rows = [chunk_from_record(cid, doc or "", meta or {})
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])]
    out: dict[tuple[str, int], str] = {}
    for row in rows:
        label = next(iter(row.row.values()), "")
        if len(row.headers) > 1 and row.headers[1] and label and not any(ch.isdigit() for ch in row.headers[1]):
            header = _plain(row.headers[1])
            owned = re.match(r"\S+['’]s\b", header)  # "Japan’s role in trade relations", "the proposed action for X"
            out.setdefault((row.article_id, row.table_index),
                           f"What is {header} in {_plain(label)}?" if owned else
                           f"What is the {header} for {_plain(label)}?")
    questions = list(out.values())[:2]
    leads = store.chunks.get(where={KIND: "text"}, include=["documents"], limit=20)
    for text in leads["documents"]:
        people = [e.text for e in parse(text or "").entities if e.label == "PERSON" and " " in e.text]
        if people:
            questions.append(f"Who is {people[0]}?")
            break
    return questions


# ----- safety -------------------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_auth(value: str) -> list[tuple[str, str]]:
    """`user:password`, or the path of a file of such lines (blank lines and # comments ignored)."""
    lines = Path(value).read_text(encoding="utf-8").splitlines() if Path(value).is_file() else [value]
    pairs = []
    for line in (s.strip() for s in lines):
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not (sep and user and password):
            raise UsageError("BRIEFING_AUTH must be user:password, or a file of user:password lines")
        pairs.append((user, password))
    if not pairs:
        raise UsageError(f"no user:password line in {value}")
    return pairs


def check_exposure(host: str, auth: list | None, insecure: bool) -> None:
    """Refuse to serve beyond this machine without a login, unless told to."""
    if not is_loopback(host) and not auth and not insecure:
        raise UsageError(f"--host {host} is reachable from other machines: set BRIEFING_AUTH=user:password "
                         "(or --auth FILE of user:password lines), or pass --insecure to serve without a login")


# ----- the app ------------------------------------------------------------------------------------------

def build(services: Services) -> "gr.Blocks":
    """The app: Chat, Briefing and Library tabs, and the API endpoints `/ask`, `/brief` and `/index`."""
    import gradio as gr

    from .ui import tabs

    with gr.Blocks(title="Briefing", analytics_enabled=False) as demo:
        gr.Markdown("# Briefing\nAsk questions about your news articles: every answer cites the passage or "
                    "table row it comes from. Click a numbered chip to see the source in its article.")
        with gr.Tab("Chat"):
            chat_source, examples = tabs.chat_tab(services)
        with gr.Tab("Briefing"):
            brief_source = tabs.briefing_tab(services)
        with gr.Tab("Library"):
            tabs.library_tab(demo, services, [chat_source, brief_source], examples)

        def ask(question: str, history: list | None = None, source: str = "", since: str = "",
                until: str = "", mode: str = "") -> dict:
            """Answer a question with citations (the JSON of `briefing ask --json`). `history`: the earlier
            turns, oldest first: questions, [question, answer] pairs or {"question", "answer"} objects."""
            with tabs.shown_to_user():
                return services.ask(question, history or [], tabs.filters_of(source, since, until), mode).as_json()

        def brief(topic: str = "", source: str = "", since: str = "", until: str = "", words: int = 300,
                  since_last: bool = False, mode: str = "") -> dict:
            """A briefing on a topic, or on every article (the JSON of `briefing brief --json`)."""
            with tabs.shown_to_user():
                return services.brief(topic, tabs.filters_of(source, since, until), words, since_last,
                                      mode).as_json()

        gr.api(ask, api_name="ask")
        gr.api(brief, api_name="brief")
    return demo


def launch(demo: "gr.Blocks", services: Services, host: str = "127.0.0.1", port: int | None = None,
           auth: list[tuple[str, str]] | None = None, block: bool = True):
    """Serve the app: never a public share link; uploads capped at the largest indexable file."""
    demo.queue(default_concurrency_limit=None)
    return demo.launch(server_name=host, server_port=port, auth=auth, share=False, prevent_thread_lock=not block,
                       max_file_size=services.settings.max_bytes, css=render.CSS, head=render.HEAD,
                       footer_links=["api"], quiet=not block)


def serve(settings: Settings, host: str, port: int, auth: str = "", insecure: bool = False,
          watch: list[str] | None = None, every: float = 1800.0) -> int:
    """`briefing serve`: check the exposure first (before any model loads), then serve until stopped."""
    set_offline()
    pairs = read_auth(auth) if auth else None
    check_exposure(host, pairs, insecure)
    services = Services.open(settings)
    services.exposed = not is_loopback(host)
    if watch:
        services.watch(watch, every)
    if not services.store.count():
        print(f"the index at {services.store.location} is empty: add articles in the Library tab")
    try:
        launch(build(services), services, host, port, pairs)
    except OSError as e:  # Gradio's "Cannot find empty port"
        raise UsageError(f"cannot listen on {host}:{port} ({str(e).split('.')[0]}): choose another --port") from None
    return 0
