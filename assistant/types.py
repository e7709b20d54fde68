"""Data types of answering: Citation, Conflict, Answer (the JSON contract of `briefing ask --json`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from index.types import Chunk


@dataclass(frozen=True)
class Citation:
    """One numbered source: the exact text an answer sentence rests on, and where it is."""

    marker: int
    kind: str  # "text" or "table_row"
    text: str
    source: str  # the article's file path
    title: str
    section: str
    url: str
    published_at: str
    chunk_id: str
    row: dict[str, str] | None = None
    page: int = 0  # PDF: the page of the cited text

    @classmethod
    def of(cls, chunk: Chunk, text: str, marker: int = 0) -> Citation:
        return cls(marker=marker, kind="table_row" if chunk.kind == "table_row" else "text", text=text,
                   source=chunk.source, title=chunk.title, section=chunk.section, url=chunk.url,
                   published_at=chunk.published_at, chunk_id=chunk.id,
                   row=dict(chunk.row) if chunk.kind == "table_row" else None, page=chunk.page)

    def as_json(self) -> dict:
        out = asdict(self)
        if self.row is None:
            out.pop("row")
        if not self.page:
            out.pop("page")
        return out


@dataclass(frozen=True)
class ConflictSide:
    """One side of a disagreement: a value, the articles that state it and the independent sources among
    them (copies of one wire story count once), their publishers and dates."""

    value: str
    markers: tuple[int, ...]  # one citation per independent source
    articles: int
    sources: int
    publishers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # ISO dates of its articles, oldest first
    later: bool = False  # the later report, which says it corrects an earlier one
    corrects: bool = False  # a report that names the other side's value as the one it replaces, of whatever date
    day: str = ""  # the day a value said relative to its article's date names ("Tuesday": "11 March")

    def as_json(self) -> dict:
        return asdict(self) | {"markers": list(self.markers), "publishers": list(self.publishers),
                               "dates": list(self.dates)}

    def describe(self, refs=lambda markers: "".join(f"[{m}]" for m in markers)) -> str:
        """"430 (2 articles, 1 source [1]: Valley Courier, 4 May 2024)"; `refs` writes the markers."""
        count = f"{self.articles} article{'s' * (self.articles > 1)}" if self.articles == self.sources else \
            f"{self.articles} articles, {self.sources} source{'s' * (self.sources > 1)}"
        said = ", ".join(p for p in (", ".join(self.publishers), when(self.dates)) if p)
        value = f"{self.value} ({self.day})" if self.day else self.value
        return f"{value} ({count} {refs(self.markers)}{': ' + said if said else ''})"


def when(dates) -> str:
    """"3 May 2024", "2 and 3 May 2024": the days articles were published."""
    days = []
    for iso in dates:
        try:
            days.append(date.fromisoformat(iso[:10]))
        except ValueError:
            continue
    said = [f"{d.day} {d:%b %Y}" for d in sorted(set(days))]
    return " and ".join(said) if len(said) <= 2 else f"{said[0]} to {said[-1]}"


@dataclass(frozen=True)
class Conflict:
    """Sources that give different values for the asked fact."""

    about: str  # what the values are of, e.g. "Harbor Bridge reopening — day"
    values: tuple[tuple[str, int], ...]  # (value, citation marker)
    sides: tuple[ConflictSide, ...] = ()  # across articles: every side weighed

    def as_json(self) -> dict:
        out = {"about": self.about, "values": [{"value": v, "marker": m} for v, m in self.values]}
        if self.sides:
            out["sides"] = [s.as_json() for s in self.sides]
        return out


@dataclass
class Answer:
    question: str
    answered: bool
    answer: str
    mode: str  # "grounded", "llm", or "llm-fallback" (the LLM's answer failed verification)
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)  # closest passages, when declined
    conflicts: list[Conflict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""  # the question after resolving a follow-up against history
    short: str = ""  # a fact question's short answer (a name, date, figure or cell), verbatim from a citation

    def as_json(self) -> dict:
        out = {"question": self.question, "answered": self.answered, "answer": self.answer, "mode": self.mode,
               "citations": [c.as_json() for c in self.citations],
               "related": [c.as_json() for c in self.related],
               "conflicts": [c.as_json() for c in self.conflicts],
               "timings": {k: round(v, 1) for k, v in self.timings.items()}}
        if self.short:
            out["short_answer"] = self.short
        if self.standalone_question and self.standalone_question != self.question:
            out["standalone_question"] = self.standalone_question
        return out
