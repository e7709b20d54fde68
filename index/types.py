"""Data types at the seams of the index: Article -> Document (sections of blocks) -> Chunk."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["text", "markdown", "html", "pdf", "docx"]
ChunkKind = Literal["text", "list", "table_row"]


@dataclass(frozen=True)
class Article:
    """One article as loaded from a file: the raw body plus the usual news fields."""

    source: str  # absolute path of the file it came from
    article_id: str  # deterministic, readable: "<file-stem>" or "<file-stem>.<n>" for feeds
    body: str
    format: Format
    title: str = ""
    url: str = ""
    publisher: str = ""  # the news outlet ("source" in JSON feeds)
    published_at: str = ""  # ISO 8601 when known
    author: str = ""
    blocks: tuple[tuple, ...] = ()  # pdf, docx: the structure read from the file (body is "")


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int = 0  # PDF: the page it is on (0: a format without pages)


@dataclass(frozen=True)
class ListBlock:
    items: tuple[str, ...]
    intro: str = ""  # the sentence that introduces the list ("... include:")
    page: int = 0


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]  # merged header names, one per column
    rows: tuple[tuple[str, ...], ...]  # data rows, each as long as headers
    caption: str = ""  # the sentence that introduces the table, when there is one
    row_numbers: tuple[int, ...] = ()  # 1-based position of each row among the table's data rows
    groups: tuple[str, ...] = ()  # per row: the group heading above it ("Deferred tax assets:"), or ""
    page: int = 0


Block = Paragraph | ListBlock | Table


@dataclass(frozen=True)
class Section:
    heading: str  # "" for the lead, before the first heading
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """An article with its structure recovered."""

    article: Article
    title: str
    sections: tuple[Section, ...]
    problems: tuple[str, ...] = ()  # parts left out, each as a one-line reason

    @property
    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]


@dataclass(frozen=True)
class Chunk:
    """One citable unit: packed paragraphs, a list, or one table row."""

    id: str  # "<article-id>#s2.p1", "<article-id>#s3.l1", "<article-id>#t1.r3"
    kind: ChunkKind
    text: str  # exactly the source text (a table row reads "Header: cell; Header: cell")
    article_id: str
    source: str
    title: str
    section: str
    section_index: int
    url: str = ""
    publisher: str = ""
    published_at: str = ""
    author: str = ""
    headers: tuple[str, ...] = ()
    row: dict[str, str] = field(default_factory=dict)  # header -> cell, table rows only
    table_index: int = 0
    row_index: int = 0
    caption: str = ""
    group: str = ""  # table rows: the label of the heading row above it that groups it, if any
    page: int = 0  # PDF: the page the chunk is on (0: a format without pages)

    @property
    def opens_section(self) -> bool:
        """The first paragraphs of a section with a heading (ids number them from 1)."""
        return self.kind == "text" and bool(self.section) and self.id.endswith(".p1")

    def embed_text(self) -> str:
        """What the embedder and the lexical index see: the text in its article and section."""
        context = " — ".join(p for p in (self.title, self.section) if p)
        if self.kind == "table_row" and self.caption:
            context = f"{context}. {self.caption}" if context else self.caption
        text = f"{self.group} {self.text}" if self.group else self.text
        return f"{context}\n{text}" if context else text


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
