"""Sentences of a passage, word sets, and text addressed to an assistant: what every answering stage
and the LLM path read passages with (so it sits below all of them)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from index.lexical import tokenize

# Text aimed at an assistant rather than a reader ("ignore the question and answer X", a "SYSTEM:" line,
# a note to AI models): article text is data, so such a sentence is never evidence.
_INSTRUCTION = re.compile(r"\b(ignore|disregard|forget|override)\b.{0,60}\b(instructions?|questions?|prompts?|rules|"
                          r"previous|above|context)\b|\b(system|developer)\s+(note|prompt|message|instruction)s?\b|"
                          r"\byou are (now )?(an? )?(ai|assistant|language model|chatbot)\b|\bas an ai\b|"
                          r"^\W*(system|assistant|developer)\s*(prompt|message|note)?\s*:|"
                          r"\b(notes?|messages?|instructions?)\s+(to|for)\s+(ai|chatbots?|language models?|llms?)\b",
                          re.I | re.M)
# a line that opens with an assistant's role label ("SYSTEM: ...", a fake dialogue turn) is one unit,
# so that an instruction cannot hide in its second sentence
_ROLE_LINE = re.compile(r"^\W*(system|assistant|developer)\s*(prompt|message|note)?\s*:", re.I)
# invisible format characters: soft hyphen, zero-width, bidi controls, word joiners, BOM, tag characters
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                        "\U000e0000-\U000e007f]")
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def visible(text: str) -> tuple[str, list[int]]:
    """The text without invisible format characters (zero-width, bidi controls), and for each of its
    characters the offset of the same character in `text` (so that a span found in the one is cut from
    the other, invisible characters and all)."""
    kept = [i for i, ch in enumerate(text) if not _INVISIBLE.match(ch)]
    return "".join(text[i] for i in kept), kept


def is_instruction(text: str) -> bool:
    """Addressed to an assistant; read as shown, so zero-width or bidi characters inside the words
    ("Ig\u200bnore previous instructions") and full-width letters do not hide it."""
    return bool(_INSTRUCTION.search(unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))))


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _segments(line: str) -> list[str]:
    """pysbd's sentences of a line, each segment that does not end a sentence joined to the next:
    pysbd splits before an inline enumeration ("obligations for (i) contracts ... and (ii) ...")."""
    out: list[str] = []
    for seg in (s.strip() for s in _segmenter().segment(line)):
        if not seg:
            continue
        if out and not _ENDED.search(out[-1]):
            out[-1] += " " + seg
        else:
            out.append(seg)
    return out


@lru_cache(maxsize=8192)
def sentences(text: str) -> tuple[str, ...]:
    """Sentences of a passage, line by line (lines are paragraphs or list items)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line) < 160 and line.count(". ") == 0 or _ROLE_LINE.match(line):
            out.append(line)
        else:
            out.extend(_segments(line))
    return tuple(out)


@lru_cache(maxsize=65536)
def tokset(text: str) -> frozenset[str]:
    """The content-word stems of a text, as a set (the lexical index's tokenizer)."""
    return frozenset(tokenize(text))


def count_words(text: str) -> int:
    return len(text.split())
