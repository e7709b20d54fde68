"""Units: the statements a briefing may make, each with the exact source text it rests on. A unit is
a sentence verbatim, or a list as its introducing line and its items' heads."""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from index.lexical import tokenize
from index.types import Chunk

from .sentences import count_words, is_instruction, sentences

Ref = tuple[Chunk, str]  # a chunk and the exact text of it that is cited

# a sentence of running text (not a heading, a fragment or a footnote): capital first, closing punctuation last
_SENTENCE = re.compile(r"^(?![(\[][\divxa-f]{1,4}[)\]])[\"“‘'A-Z0-9(].*[.!?][\"”’')]?$", re.S)
_ORDER = re.compile(r"#s(\d+)\.([pl])(\d+)$")


@dataclass(eq=False)
class Unit:
    chunk: Chunk
    text: str  # what the briefing says: a sentence verbatim, or a list as its intro and items' heads
    quote: str  # the exact source text it rests on
    position: float  # how far into its article (0 for the first sentence of the lead)
    tokens: frozenset[str]
    score: float = 0.0

    @property
    def early(self) -> float:
        """1 for the first sentence of an article, less the later it comes (news says what matters first)."""
        return 1 / (1 + 0.5 * self.position)


def units_of(chunks: list[Chunk]) -> list[Unit]:
    """The units of the text and list chunks, placed in their articles."""
    out = []
    for c in chunks:
        if c.kind == "table_row":
            continue
        m = _ORDER.search(c.id)
        block = (int(m.group(3)) - 1 + 0.5 * (m.group(2) == "l")) if m else 0
        for text, quote, n in _statements(c):
            out.append(Unit(c, text, quote, c.section_index + 0.6 * block + 0.3 * n, frozenset(tokenize(text))))
    return out


def _statements(chunk: Chunk) -> list[tuple[str, str, int]]:
    """(what the briefing may say, the source text it rests on, sentence number) of a text or list chunk."""
    lines = [ln.strip() for ln in chunk.text.split("\n") if ln.strip()]
    if chunk.kind == "list" and len(lines) > 1 and lines[0].endswith(":"):
        items = [ln.removeprefix("- ") for ln in lines[1:] if not is_instruction(ln)]
        heads = [i.split(":", 1)[0] if ":" in i[:60] else i.rstrip(".") for i in items]
        return [(f"{lines[0]} {'; '.join(heads)}.", chunk.text, 0)] if heads else []
    found = [(s.removeprefix("- "), n) for n, s in enumerate(sentences(chunk.text))]
    return [(s, s, n) for s, n in found if 5 <= count_words(s) <= 60 and _SENTENCE.match(s) and not s.isupper()
            and not is_instruction(s)]


def similarity(a: Unit, b: Unit) -> float:
    """Cosine similarity of two units' word sets."""
    shared = len(a.tokens & b.tokens)
    return shared / math.sqrt(len(a.tokens) * len(b.tokens)) if shared else 0.0


def by_article(units: list[Unit]) -> list[list[Unit]]:
    groups: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        groups[u.chunk.article_id].append(u)
    return list(groups.values())
