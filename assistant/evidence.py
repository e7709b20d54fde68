"""The typed result of evidence selection: one candidate answer statement, the exact source text it
rests on, and the scores that chose it; and the check that evidence states the operation (a change,
an average) that a question asks for, since the composer quotes and never computes."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexical import tokenize
from index.types import Chunk

from .question import Question
from .retrieval import Hit
from .sentences import tokset


@dataclass
class Evidence:
    """One candidate answer statement and the source text it rests on."""

    hit: Hit
    statement: str  # what the answer says (no marker)
    quote: str  # the exact source text it rests on (the citation's text)
    support: float  # coverage of the question by the unit and its context (title, section, headers)
    focus: float  # coverage of the question by the unit alone
    score: float = 0.0
    phrase: float = 0.0  # share of the question's word pairs found in the unit, in order
    label: float = 0.0  # table rows: how well the row label matches the question
    article: float = 0.0  # coverage of the question by all retrieved chunks of the same article
    meaning: float = 0.0  # cosine of the question and the statement's best sentence (the embedder's)
    rank: int = 0  # of the chunk in the fused retrieval
    values: tuple[str, ...] = ()  # the asked values (cells), for spotting conflicts
    about: str = ""  # what the values are of (row label and columns)
    p: float = 0.0  # how likely it answers the question (`answerability`)
    features: dict[str, float] | None = None  # ... and why: what the model weighed
    answer_in: str = ""  # the sentence of the statement that gives the asked name, date or figure, when it is known

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk


def context(chunk: Chunk) -> frozenset[str]:
    """The words of what a chunk sits in: its article's title, its section, its table's caption."""
    return tokset(" ".join((chunk.title, chunk.section, chunk.caption)))


# A question that asks for a derived quantity (a change, an average, a ratio) is answered only by a
# source that states that quantity: the composer quotes, it does not compute.
OPERATIONS = frozenset(tokenize("change average difference increase decrease percentage percent growth ratio "
                                 "proportion"))
CHANGES = frozenset(tokenize("change difference increase decrease growth"))
# a source that says a figure "rose 3.6%" or "decreased by $2 million" states the change, whichever word
# the question used ("change", "increase", "growth")
_STATED_CHANGE = re.compile(r"\b(?:(?:increas|decreas|grew|grow|rose|rise|fell|fall|declin|chang|drop|gain|climb|jump|"
                            r"soar|slump|plung)\w*|up|down|higher|lower(?:ed)?)\s+"
                            r"(?:by\s+|of\s+)?(?:approximately\s+|about\s+|nearly\s+|almost\s+)?[$€£¥]?\s?\d", re.I)
PERCENT = " ".join(tokenize("percent percentage proportion"))  # what a "%" says
_PER_CENT = re.compile(r"%|\bper\s?cent\b")
PERCENT_WORDS = frozenset(tokenize("percent percentage proportion share margin rate"))
_NAMED_AVERAGE = re.compile(r"\bweighted[- ]average\b", re.I)  # a quantity's name, not an asked operation
_AVERAGE = frozenset(tokenize("average"))


def percent_said(text: str) -> str:
    """The text with what a "%" or "per cent" says written out, so "percentage" finds "a rise of 18%"."""
    return _PER_CENT.sub(f" % {PERCENT} ", text)


def unstated_operation(question: Question, ev: Evidence) -> str:
    """The operation the question asks for that the evidence and its context do not state, if any: one it
    names ("the change in revenue from 2018 to 2019"), not a verb ("what's changing in Norrvale's schools")."""
    chunk = ev.chunk
    text = " ".join((chunk.embed_text(), " ".join(chunk.headers)))
    if not _NAMED_AVERAGE.search(question.text):  # a "weighted average" figure is not the average of the years asked
        text = _NAMED_AVERAGE.sub(" ", text)
    tokens = tokset(percent_said(text))
    for t in question.terms:
        if t not in OPERATIONS or t not in question.own_terms or t in tokens \
                or question.answer_type != "amount" and re.search(rf"\b{t}\w*(?:ing|ed)\b", question.asked, re.I):
            continue
        # "the weighted average cost", "the average life expectancy in 2019": an average that is named, not
        # one to work out across the years asked
        if t in CHANGES and _STATED_CHANGE.search(ev.quote) or t in _AVERAGE and (
                _NAMED_AVERAGE.search(question.text) or len(question.years) == 1):
            continue
        return t
    return ""
