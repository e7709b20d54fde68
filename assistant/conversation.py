"""The conversation a question continues: earlier turns as question/answer pairs, and a follow-up made
standalone ("And the U.S.?" after a question about Japan's role becomes "What is the U.S. role in
Security Cooperation?"; "What did he say?" after an answer naming Shinzo Abe asks what Shinzo Abe
said). A follow-up is read against the previous question AND its answer: the articles that answer
cited are the ones it is about. Rule-based; the LLM rewrites instead when one is configured."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .language import parse

_LEAD = re.compile(r"^\s*(?:and|but|also|so|ok(?:ay)?|then)?\s*(?:what|how)\s+about\s+|^\s*(?:and|but|also|so|then)\s+",
                   re.I)
_PREPOSITION = re.compile(r"^(for|in|on|at|of|during|from|with|about)\s+", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_QUESTION_WORD = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how|is|are|was|were|does|did|do|can|"
                            r"could|will|would|should|list|name|describe|explain|tell|summari[sz]e)\b", re.I)
_PRONOUN = re.compile(r"\b(it|its|they|their|them|this|that|these|those|he|she|his|her|him)\b", re.I)
CONTEXT_WORDS = 40  # of the previous question a follow-up keeps
SHORT = 5  # words of a question that names nothing of its own and so continues the conversation
_PERSONAL = re.compile(r"\b(he|she|him|his|her)\b", re.I)
# a proper name in the previous question: capitalised words (with U.S.-style acronyms), possessive kept
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b((?:[A-Z][\w.\-]*|[A-Z]\.(?:[A-Z]\.)+)(?:\s+(?:of\s+)?[A-Z][\w.\-]*)*)(['’]s)?")
_FULL = re.compile(r"(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|does|did|do|can|could|will|"
                   r"would|should|has|have|had)\b", re.I)  # a follow-up that is a whole question
# "What is the [proposed action] for cybersecurity?", "What is Japan's role in [innovation]?"
_THING = re.compile(r"^\s*(?:what|which|who)\s+(?:is|are|was|were)\s+the\s+(.+?)\s+(?:for|in|of|on|at|during|from|"
                    r"with|about)\s", re.I)
_PLACE = re.compile(r"\s(?:for|in|on|at|during|from|with|about)\s+(?:the\s+)?([^?]+?)\s*\??\s*$", re.I)


@dataclass(frozen=True)
class Turn:
    """One earlier turn: the question, the answer given (when known) and the articles it cited."""

    question: str  # as understood (a follow-up made standalone), so the next follow-up keeps its topic
    answer: str = ""
    articles: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return bool(self.answer)


def turns_of(history) -> list[Turn]:
    """Earlier turns from what a caller passes: plain questions, [question, answer] pairs, or
    {"question", "answer", "citations"} objects (the JSON of `briefing ask --json`)."""
    turns = []
    for h in history or ():
        if isinstance(h, Turn):
            turns.append(h)
        elif isinstance(h, str):
            if h.strip():
                turns.append(Turn(h.strip()))
        elif isinstance(h, dict) and str(h.get("question") or "").strip():
            cites = h.get("citations") or []
            articles = tuple(dict.fromkeys(str(c.get("chunk_id", "")).split("#")[0] for c in cites if c.get("chunk_id")))
            turns.append(Turn(str(h.get("standalone_question") or h["question"]).strip(),
                              str(h.get("answer") or "") if h.get("answered", True) else "", articles))
        elif isinstance(h, (list, tuple)) and h and str(h[0]).strip():
            turns.append(Turn(str(h[0]).strip(), str(h[1]) if len(h) > 1 and h[1] else ""))
    return turns


def leaning(question: str) -> str:
    """How a question leans on the conversation: "yes" when it opens with "and", "so", "what about" or
    points back ("it", "she"); "maybe" when it is a few words with no question word ("And the U.S.?",
    "japan security role") or short and naming nothing of its own ("What was the score?", "List the
    proposed actions."), which may continue the conversation or stand alone; else ""."""
    q = question.strip()
    words = q.rstrip("?.! ").split()
    if _LEAD.match(q) or _PRONOUN.search(q) and len(words) <= 8:
        return "yes"
    names = [w for w in words[1:] if w[:1].isupper() or any(ch.isdigit() for ch in w)]
    # a longer question that points back ("who are they trying to claw the money back from") may name what "they"
    # are itself ("how did the union react when they were told")
    return "maybe" if len(words) <= 3 and not _QUESTION_WORD.search(q) or len(words) <= SHORT and not names \
        or _PRONOUN.search(q) else ""


def _person(turn: Turn) -> str:
    """The person the previous turn is about: named in its answer (first), else in its question."""
    for text in (turn.answer, turn.question):
        people = [e.text for e in parse(text).entities if e.label == "PERSON"] if text else []
        if people:
            return people[0]
    return ""


def resolve(question: str, turns: list[Turn]) -> str:
    """A standalone question from a follow-up and the conversation's earlier turns (newest last)."""
    previous = turns[-1] if turns else None
    if previous is None or not leaning(question):
        return question
    if _PERSONAL.search(question) and (person := _person(previous)):  # "What did he say?": the person named
        return _PERSONAL.sub(lambda m: person + ("’s" if m.group(1).lower() in ("his",) else ""), question, count=1)
    return condense(question, previous.question)


_TOPIC = re.compile(r"\b(?:about|with|regarding|concerning|over)\s+(?!(?:it|this|that|them)\b)(\S.*)$", re.I)


def topic(question: str) -> str:
    """What a question is about, for a follow-up that points back to it with a pronoun: the thing after
    "about", "with", "over" ("what worries seafarers about [northbrae's new ammonia ships]", "can you sum up
    what's going on with [the hallaskar volcano]"), not what it asked of that thing; else the whole question."""
    m = _TOPIC.search(question)
    return m.group(1) if m else question


def condense(question: str, previous: str) -> str:
    """A follow-up made standalone against the previous question (as it was understood: a chain of
    follow-ups keeps the first one's topic, within CONTEXT_WORDS)."""
    previous = " ".join(previous.split()[:CONTEXT_WORDS])
    focus = _LEAD.sub("", question.strip()).rstrip("?! ").strip()
    if focus.endswith(".") and not re.search(r"\b[A-Z]\.$", focus):
        focus = focus[:-1]
    if _PRONOUN.search(question) and not _LEAD.match(question) or _FULL.match(focus) and len(focus.split()) > 3:
        # "What is its outcome?", "So how many people came?": a question of its own, on the earlier topic
        return f"{question.rstrip()} ({topic(previous).strip()})"
    if not focus:
        return previous
    if _YEAR.search(focus) and _YEAR.search(previous):  # "And in 2018?": the period changes
        years = _YEAR.findall(focus)
        return _YEAR.sub(lambda m: years.pop(0) if len(years) > 1 else years[0], previous)
    if focus == focus.lower():  # a common noun phrase takes the place of one of the same kind
        thing = _THING.match(previous)
        if focus.startswith("the ") and thing:  # "And the expected outcome?" after "What is the proposed action for X?"
            return previous[:thing.start(1)] + focus[4:] + previous[thing.end(1):]
        place = _PLACE.search(previous)
        if place and not _YEAR.search(place.group(1)):  # "What about trade relations?", "And for innovation?"
            return previous[:place.start(1)] + _PREPOSITION.sub("", focus) + previous[place.end(1):]
    names = [m for m in _NAME.finditer(previous) if m.group(1).lower() not in focus.lower()]
    prep = _PREPOSITION.match(focus)
    if prep:  # "And for Innovation?": the name after a preposition changes
        focus = focus[prep.end():]
        names = [m for m in names if re.search(r"\b(for|in|on|at|of|during|from|with|about)\s+$",
                                               previous[:m.start()], re.I)]
    if not names:
        return f"{previous.rstrip('?. ')} {focus}?"
    target = names[0]
    before = previous[:target.start()]
    if re.search(r"['’]s$", focus) and before.endswith("the "):
        before = before[:-4]  # "the U.S. role" -> "Japan’s role"
    # the name is replaced with its possessive dropped ("Japan’s role" -> "the U.S. role")
    return before + focus + previous[target.end():]
