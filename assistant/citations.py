"""Citation markers: numbered in order of first use, one citation per chunk quoting exactly what the
answer used of it. Shared by the grounded composer, the LLM path and briefings."""
from __future__ import annotations

import re

from index.types import Chunk

from .types import Citation

_SOURCE_MARKER = re.compile(r"\s*\[\d+\]")


class Citations:
    """Markers in order of first use; one citation per chunk, quoting what the answer used of it."""

    def __init__(self) -> None:
        self._by_chunk: dict[str, tuple[int, Chunk, list[str]]] = {}

    def mark(self, chunk: Chunk, quote: str) -> int:
        if chunk.id not in self._by_chunk:
            self._by_chunk[chunk.id] = (len(self._by_chunk) + 1, chunk, [])
        marker, _, quotes = self._by_chunk[chunk.id]
        if quote not in quotes and not any(quote in q for q in quotes):
            quotes[:] = [q for q in quotes if q not in quote] + [quote]
        return marker

    def build(self) -> list[Citation]:
        out = []
        for marker, chunk, quotes in self._by_chunk.values():
            text = chunk.text if chunk.kind == "table_row" else _join_in_source_order(chunk.text, quotes)
            out.append(Citation.of(chunk, text, marker))
        return out


def _join_in_source_order(source: str, quotes: list[str]) -> str:
    return " ".join(sorted(quotes, key=lambda q: source.find(q) if q in source else len(source)))


# a wire story's dateline: "OSLO, Feb 18 (Boreal Press Agency) - ", "HALSTROM, April 27 - "
_DATELINE = re.compile(r"^[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+)*,?(?:\s+[A-Z][a-z]{2,}\.?\s+\d{1,2})?(?:\s+\([^()]{1,40}\))?"
                       r"\s+[-–—]+\s+(?=[A-Z\"“])")


def clean(statement: str) -> str:
    """A statement without the reference markers its source text carries ("... since 2011 [2]."), which in
    an answer would read as its own citations, and without a wire story's dateline, which its citation shows
    (the place and day the story was filed, not what it says)."""
    return _DATELINE.sub("", _SOURCE_MARKER.sub("", statement).strip())


def sentence(statement: str, marker: int) -> str:
    """The statement, verbatim (its own closing punctuation kept, so quotes stay exact), then its marker."""
    body = clean(statement)
    if not body.endswith((".", "!", "?", "”", '"', ")")):
        body += "."
    return f"{body} [{marker}]"
