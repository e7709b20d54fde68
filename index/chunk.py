"""Document -> Chunk: paragraphs packed within their section, lists whole, one chunk per table row.

Sizes suit all-MiniLM-L6-v2, which reads at most 256 word pieces (and was trained on 128): a text
chunk holds at most `max_words` words (about 1.3 word pieces each), plus the title and section the
embedder sees with it. A paragraph longer than that is split at sentence boundaries (pysbd).
"""
from __future__ import annotations

from functools import lru_cache

from .types import Chunk, Document, ListBlock, Paragraph, Table

MAX_WORDS = 120


def row_text(headers: tuple[str, ...], cells: tuple[str, ...]) -> str:
    """`Header: cell; Header: cell`; a cell under an unnamed column (the row label) stands alone."""
    return "; ".join(f"{h}: {c}" if h else c for h, c in zip(headers, cells) if c)


def row_dict(headers: tuple[str, ...], cells: tuple[str, ...]) -> dict[str, str]:
    """Header -> cell; unnamed or repeated headers get a position so no cell is lost."""
    out: dict[str, str] = {}
    for i, (h, c) in enumerate(zip(headers, cells), 1):
        key = h or f"Column {i}"
        if key in out:
            key = f"{key} ({i})"
        out[key] = c
    return out


WINDOW = 3000  # characters pysbd reads at once: its time grows with the square of what it reads


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _sentences(text: str) -> list[str]:
    """pysbd's sentences of `text`, read a window at a time, so that a paragraph of thousands of
    sentences (a transcript on one line) takes seconds, not hours: each window's last sentence, maybe
    cut by the window's end, is read again at the start of the next."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        window = text[pos:pos + WINDOW]
        spans = _segmenter().segment(window)
        if pos + WINDOW >= len(text):
            out.extend(s.sent for s in spans)
            break
        if len(spans) > 1 and spans[-1].start > 0:
            out.extend(s.sent for s in spans[:-1])
            pos += spans[-1].start
        else:  # one sentence longer than the window: cut it between words
            cut = window.rfind(" ") if " " in window.strip() else -1
            cut = cut if cut > 0 else len(window)
            out.append(window[:cut])
            pos += cut
    return out


def _pieces(text: str, max_words: int) -> list[str]:
    """A paragraph as pieces of at most `max_words` words, split between sentences where possible."""
    if len(text.split()) <= max_words:
        return [text]
    out: list[str] = []
    for sentence in (s.strip() for s in _sentences(text)):
        words = sentence.split()
        while len(words) > max_words:  # a run-on "sentence" (a huge line): cut between words
            out.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if words:
            out.append(" ".join(words))
    return out


def _pack(texts: list[str], max_words: int, sep: str = "\n") -> list[str]:
    packs: list[list[str]] = []
    size = 0
    for text in texts:
        n = len(text.split())
        if packs and size + n <= max_words:
            packs[-1].append(text)
            size += n
        else:
            packs.append([text])
            size = n
    return [sep.join(p) for p in packs]


def chunk(doc: Document, max_words: int = MAX_WORDS) -> list[Chunk]:
    """The citable units of one article, in reading order, with deterministic ids."""
    a = doc.article
    base = dict(article_id=a.article_id, source=a.source, title=doc.title, url=a.url, publisher=a.publisher,
                published_at=a.published_at, author=a.author)
    chunks: list[Chunk] = []
    first = 0 if doc.sections and not doc.sections[0].heading else 1
    n_table = 0
    for s_index, section in enumerate(doc.sections, first):
        where = dict(base, section=section.heading, section_index=s_index)
        n_para = n_list = 0
        pending: list[str] = []
        page = 0  # a chunk stays on one page: a citation names it

        def flush() -> None:
            nonlocal n_para
            for text in _pack(pending, max_words):
                n_para += 1
                chunks.append(Chunk(id=f"{a.article_id}#s{s_index}.p{n_para}", kind="text", text=text, page=page,
                                    **where))
            pending.clear()

        for block in section.blocks:
            if isinstance(block, Paragraph):
                if block.page != page:
                    flush()
                    page = block.page
                pending.extend(_pieces(block.text, max_words))
                continue
            flush()
            page = block.page
            if isinstance(block, ListBlock):
                items = [f"- {item}" for item in block.items]
                budget = max_words - len(block.intro.split())
                for part in _pack(items, max(budget, max_words // 2)):
                    n_list += 1
                    text = f"{block.intro}\n{part}" if block.intro else part
                    chunks.append(Chunk(id=f"{a.article_id}#s{s_index}.l{n_list}", kind="list", text=text, page=page,
                                        **where))
            elif isinstance(block, Table):
                n_table += 1
                groups = block.groups or ("",) * len(block.rows)
                for cells, number, group in zip(block.rows, block.row_numbers, groups):
                    chunks.append(Chunk(id=f"{a.article_id}#t{n_table}.r{number}", kind="table_row",
                                        text=row_text(block.headers, cells), headers=block.headers,
                                        row=row_dict(block.headers, cells), table_index=n_table,
                                        row_index=number, caption=block.caption, group=group, page=page,
                                        **where))
        flush()
    return chunks
