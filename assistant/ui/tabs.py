"""The app's tabs, each built inside the caller's `gr.Blocks` with its event handlers: Chat
(streaming answers, chips, sources in context), Briefing (generate, read, download) and Library
(what is indexed, uploads with progress, removal)."""
from __future__ import annotations

import queue
import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from ..errors import BriefingError
from ..retrieval import Filters
from . import library, render

if TYPE_CHECKING:
    from ..app import Services


@contextmanager
def shown_to_user():
    """A domain error becomes the one-line message the page (or API client) shows."""
    try:
        yield
    except BriefingError as e:
        raise gr.Error(str(e)) from None


def filters_of(source: str, since: str, until: str) -> Filters:
    return Filters(source=(source or "").strip(), since=(since or "").strip(), until=(until or "").strip())


def _source_choices(records) -> list[tuple[str, str]]:
    return [("All sources", "")] + [(s, s) for s in library.sources(records)]


def _filter_row(services: Services):
    """Source and date filters, and the answer mode (the LLM is offered only when one is configured)."""
    with gr.Row():
        source = gr.Dropdown(_source_choices(services.store.records()), value="", label="Source",
                             allow_custom_value=True, info="publisher or file name")
        since = gr.Textbox(label="From", placeholder="YYYY-MM-DD", info="published on or after")
        until = gr.Textbox(label="To", placeholder="YYYY-MM-DD", info="published on or before")
    modes = [("Grounded: quotes the articles, no LLM", "grounded")]
    if services.llm is not None:
        modes.append((f"LLM: {services.settings.llm}", "llm"))
    mode = gr.Radio(modes, value=services.default_mode, label="Answer mode",
                    info=None if services.llm is not None else "add an LLM with --llm or BRIEFING_LLM")
    return source, since, until, mode


# ----- chat ---------------------------------------------------------------------------------------------

def _messages(turns: list[dict]) -> list[dict]:
    out = []
    for n, turn in enumerate(turns, 1):
        out += [{"role": "user", "content": render.md_text(turn["question"])},
                {"role": "assistant", "content": render.answer_markdown(turn["answer"], f"c{n}")}]
    return out


def chat_tab(services: Services):
    """Returns the components the library updates: the source filter and the example questions."""
    turns = gr.State([])
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Conversation", height=440, latex_delimiters=[], buttons=["copy"],
                                 placeholder="Ask about the indexed articles. Follow-up questions work.",
                                 feedback_options=None)
            with gr.Row():
                message = gr.Textbox(show_label=False, placeholder="Ask a question…", scale=5, submit_btn=True,
                                     elem_id="question")
                new_chat = gr.Button("New chat", scale=1)
            examples = gr.Dataset(components=[message], samples=[[q] for q in services.examples()],
                                  label="Example questions (click to ask)")
            with gr.Accordion("Filters and answer mode", open=True):
                source, since, until, mode = _filter_row(services)
        with gr.Column(scale=2):
            gr.Markdown("### Sources")
            sources = gr.HTML(render.EMPTY_SOURCES, elem_id="sources", js_on_load=None)

    def chat(question: str, turns: list, source: str, since: str, until: str, mode: str):
        """Stream the answer into the conversation, then show it with chips and its sources."""
        question = (question or "").strip()
        if not question:
            raise gr.Error("Type a question first.")
        with shown_to_user():
            filters = filters_of(source, since, until)
            services.answerer(mode)
        scope = f"c{len(turns) + 1}"
        shown = _messages(turns) + [{"role": "user", "content": render.md_text(question)}]
        tokens: queue.Queue = queue.Queue()
        result: dict = {}

        def work():
            try:
                # the earlier turns with their answers: a follow-up is read against both
                result["answer"] = services.ask(question, [t["answer"] for t in turns], filters, mode, tokens.put)
            except BriefingError as e:
                result["error"] = str(e)
            finally:
                tokens.put(None)

        threading.Thread(target=work, daemon=True).start()
        partial = ""
        yield shown + [{"role": "assistant", "content": "…"}], turns, gr.skip(), ""
        while (token := tokens.get()) is not None:
            partial += token
            yield shown + [{"role": "assistant", "content": render.with_chips(partial, scope)}], turns, gr.skip(), ""
        if "error" in result:
            raise gr.Error(result["error"])
        answer = result["answer"].as_json()
        turns = turns + [{"question": question, "answer": answer,
                          "sources": render.turn_sources(services.store, answer, scope)}]
        yield _messages(turns), turns, render.sources_panel(turns), ""

    inputs, outputs = [message, turns, source, since, until, mode], [chatbot, turns, sources, message]
    message.submit(chat, inputs, outputs, api_name="chat", api_visibility="undocumented")
    examples.click(lambda sample: sample[0], examples, message, api_visibility="private").then(
        chat, inputs, outputs, api_visibility="private")
    new_chat.click(lambda: ([], [], render.EMPTY_SOURCES, ""), None, outputs, api_visibility="private")
    chatbot.clear(lambda: ([], render.EMPTY_SOURCES), None, [turns, sources], api_visibility="private")
    return source, examples


# ----- briefing -----------------------------------------------------------------------------------------

def briefing_tab(services: Services):
    """Returns its source filter (the library updates its choices)."""
    topic = gr.Textbox(label="Topic", placeholder="e.g. Japan–U.S. security cooperation; empty: every article")
    source, since, until, mode = _filter_row(services)
    with gr.Row():
        words = gr.Slider(100, 1000, value=300, step=50, label="Length (words)")
        since_last = gr.Checkbox(label="Only what is new since the last briefing on this topic")
    generate = gr.Button("Generate briefing", variant="primary")
    view = gr.HTML('<p class="hint">The briefing appears here, every line cited.</p>', js_on_load=None)
    with gr.Row():
        download_md = gr.DownloadButton("Download Markdown", visible=False)
        download_html = gr.DownloadButton("Download HTML", visible=False)

    def make(topic, source, since, until, mode, words, since_last, progress=gr.Progress()):
        with shown_to_user():
            b = services.brief(topic or "", filters_of(source, since, until), words, since_last, mode,
                               on_progress=lambda step: progress(None, desc=step))
        data = b.as_json()
        folder = Path(tempfile.mkdtemp(prefix="briefing-"))
        name = re.sub(r"[^A-Za-z0-9]+", "-", data["title"]).strip("-")[:60].lower() or "briefing"
        md, page = folder / f"{name}.md", folder / f"{name}.html"
        md.write_text(b.to_markdown(), encoding="utf-8")
        page.write_text(b.to_html(), encoding="utf-8")
        return (render.briefing_html(services.store, data), gr.DownloadButton(value=str(md), visible=True),
                gr.DownloadButton(value=str(page), visible=True))

    generate.click(make, [topic, source, since, until, mode, words, since_last], [view, download_md, download_html],
                   api_visibility="private")
    return source


# ----- library ------------------------------------------------------------------------------------------

def library_tab(demo: gr.Blocks, services: Services, filters: list, examples) -> None:
    """`filters` (source dropdowns) and `examples` are refreshed with the library: on upload, on
    removal, and when a page opens (another user may have changed the index)."""
    summary = gr.Markdown()
    upload = gr.File(label=f"Add articles ({' '.join(sorted(library.SUPPORTED))}; up to "
                           f"{services.settings.max_file_mb:g} MB each): indexed at once, then searchable",
                     file_count="multiple", file_types=sorted(library.SUPPORTED))
    with gr.Row():
        url_box = gr.Textbox(label="Or a web page or news feed by URL (one per line)", lines=1, scale=5,
                             placeholder="https://example.com/news/story.html")
        fetch = gr.Button("Fetch and index", scale=1)
    arrivals = gr.Markdown(elem_id="arrivals")
    report = gr.JSON(visible=False)
    status = gr.Markdown()
    skipped = gr.Dataframe(headers=["File", "Reason"], label="Skipped files", visible=False, interactive=False,
                           wrap=True)
    table = gr.Dataframe(headers=library.COLUMNS, label="Indexed articles", interactive=False, wrap=True,
                         datatype=["str", "str", "str", "number", "number", "str"],
                         column_widths=["38%", "14%", "11%", "8%", "9%", "20%"])
    with gr.Row():
        to_remove = gr.Dropdown(label="Article to remove", choices=[], scale=4)
        remove = gr.Button("Remove", variant="stop", scale=1)

    def index_files(files: list[str] | None, progress=gr.Progress()) -> dict:
        """Index uploaded files: the JSON of `briefing index --json`."""
        if not files:
            raise gr.Error("Choose files to index.")

        def step(at) -> None:  # index.indexer.IndexProgress
            progress((at.files_done, at.files_total), desc=f"indexing {Path(at.path).name}: {at.line()}",
                     unit="files")

        with shown_to_user():
            return services.index([str(f) for f in files], step)

    def index_urls(text: str, progress=gr.Progress()) -> dict:
        """Fetch pages or feeds by URL and index them: the JSON of `briefing index --json`."""
        urls = [u.strip() for u in (text or "").split() if u.strip()]
        if not urls:
            raise gr.Error("Paste a URL to fetch.")
        progress(0, desc=f"fetching {len(urls)} URL{'s' if len(urls) > 1 else ''}")

        def step(at) -> None:
            progress((at.files_done, at.files_total), desc=f"indexing: {at.line()}", unit="files")

        with shown_to_user():
            return services.index_urls(urls, step)

    def arrived() -> str:
        if not services.arrivals:
            return ""
        return "**New from watched feeds:**\n\n" + "\n".join(f"- {render.esc(a)}" for a in services.arrivals[:10])

    def refresh(report: dict | None = None, note: str = ""):
        records = services.store.records()
        ok = [r for r in records.values() if r.status == "ok"]
        rows = library.library_rows(records)
        if report:
            note = (f"Indexed: {report['added']} added, {report['updated']} updated, {report['unchanged']} "
                    f"unchanged, {len(report['skipped'])} skipped ({report['seconds']:.1f} s). "
                    "New articles are searchable now.")
        refused = [[s["path"], s["reason"]] for s in (report or {}).get("skipped", [])]
        choices = _source_choices(records)
        return (f"**{len(rows)} articles** in {len(ok)} files: {services.store.count()} chunks, "
                f"{sum(r.table_rows for r in ok)} table rows.", rows,
                gr.Dropdown(choices=library.removable(records), value=None), note,
                gr.Dataframe(value=refused, visible=bool(refused)),
                *(gr.Dropdown(choices=choices) for _ in filters),
                gr.Dataset(samples=[[q] for q in services.examples()]))

    def remove_file(file_id: str | None):
        if not file_id:
            raise gr.Error("Choose an article to remove.")
        with shown_to_user():
            name = services.remove(file_id)
        return refresh(note=f"Removed {name}.")

    shown = [summary, table, to_remove, status, skipped, *filters, examples]
    upload.upload(index_files, upload, report, api_name="index", concurrency_id="write", concurrency_limit=1) \
        .success(refresh, report, shown, api_visibility="private") \
        .then(lambda: None, None, upload, api_visibility="private")
    remove.click(remove_file, to_remove, shown, api_visibility="private", concurrency_id="write",
                 concurrency_limit=1)
    fetch.click(index_urls, url_box, report, api_name="index_urls", concurrency_id="write", concurrency_limit=1) \
        .success(refresh, report, shown, api_visibility="private") \
        .then(lambda: "", None, url_box, api_visibility="private")
    if services.feeds:  # `serve --watch`: what arrives is shown without a reload
        gr.Timer(30).tick(arrived, None, arrivals, api_visibility="private")
        demo.load(arrived, None, arrivals, api_visibility="private")
    demo.load(refresh, None, shown, api_visibility="private")
