"""Stage 5, the check: what an answer says must rest on what it cites. For every answer, each marker
has its citation, each citation is used, and each citation quotes its chunk exactly (a failure turns
the answer into a decline, never a misquote). For an LLM's words, `verify` keeps a sentence only when
its words and numbers are in the passages it cites. Both the grounded composer and the LLM layer rely
on this module; it relies on neither."""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from index.lexical import tokenize

from .sentences import is_instruction, sentences
from .types import Answer

if TYPE_CHECKING:
    from index.store import Store
    from index.types import Chunk

log = logging.getLogger(__name__)
MIN_OVERLAP = 0.7  # share of an LLM sentence's content words that its cited passages must hold
_MARKER = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_PIECES = re.compile(r"(?<=[.!?:”\"])\s+")


def _quotes_exactly(text: str, chunk: "Chunk") -> bool:
    """Each sentence a citation quotes is in its chunk, word for word (lines it joins may have been broken)."""
    if chunk.kind == "table_row":
        return text == chunk.text
    source = " ".join(chunk.text.split())
    return all(" ".join(piece.split()) in source for piece in _PIECES.split(text) if piece.strip())


def check(answer: Answer, store: "Store") -> Answer:
    """The answer if every marker and citation holds; else a decline that keeps its citations as related."""
    if not answer.answered:
        return answer
    used = {int(m) for m in _MARKER.findall(answer.answer)}
    cites = [c for c in answer.citations if c.marker in used]
    chunks = {c.id: c for c in store.get_chunks([c.chunk_id for c in cites])} if cites else {}
    wrong = sorted(used - {c.marker for c in cites}) + [c.marker for c in cites if c.chunk_id not in chunks
                                                        or not _quotes_exactly(c.text, chunks[c.chunk_id])]
    if not cites or wrong:
        log.warning("answer to %r failed its check (markers %s); declined", answer.question, wrong)
        return replace(answer, answered=False, related=[replace(c, marker=0) for c in answer.citations[:3]],
                       answer="The answer could not be checked against its sources.", citations=[], conflicts=[])
    return replace(answer, citations=cites)


def passage_text(chunk: "Chunk") -> str:
    """A chunk as a model sees it: sentences addressed to an assistant are withheld."""
    if not is_instruction(chunk.text):
        return chunk.text
    return " ".join("[withheld: text addressed to an AI assistant]" if is_instruction(u) else u
                    for u in sentences(chunk.text))


def verify(text: str, chunks: list["Chunk"]) -> list[tuple[str, list[int], list[str]]]:
    """The supported sentences of an LLM's text: (sentence without markers, passage numbers, quotes)."""
    kept = []
    for raw in sentences(text.replace("\n", " ")) if text.strip() else ():
        numbers = [int(m) for m in _MARKER.findall(raw)]
        body = re.sub(r"\s*\[\d+\]", "", raw).strip()
        cited = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(chunks)]  # drop passages not given
        words = set(tokenize(body))
        if not cited or not words:
            continue
        source = " ".join(passage_text(chunks[n - 1]) for n in cited)
        if len(words & set(tokenize(source))) / len(words) < MIN_OVERLAP:
            continue
        if any(num not in source for num in _NUMBER.findall(body)):
            continue
        # keep only the cited passages that share words with the sentence, each quoted by its best unit
        useful = [n for n in cited if words & set(tokenize(passage_text(chunks[n - 1])))]
        quotes = [_best_unit(body, chunks[n - 1]) for n in useful]
        kept.append((body, useful, quotes))
    return kept


def _best_unit(body: str, chunk: "Chunk") -> str:
    if chunk.kind == "table_row":
        return chunk.text
    words = set(tokenize(body))
    units = [u for u in sentences(chunk.text) if not is_instruction(u)]
    return max(units, key=lambda u: len(words & set(tokenize(u)))).removeprefix("- ") if units else chunk.text
