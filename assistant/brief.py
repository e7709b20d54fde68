"""Briefings: a one-page summary of the corpus, or of one topic, in which every line is cited.

Grounded (the default, no LLM): the briefing says only what the articles say, verbatim.
  1. Candidates: every chunk (for a topic, the chunks hybrid retrieval finds about it) with the
     vectors Chroma stores. Units are their sentences, and each list as its introducing line with
     the items' heads.
  2. Centrality of a unit: its chunk's similarity to the topic (or to the candidates' centroid), its
     words' tf-idf similarity to the candidates' vocabulary, and how early it comes in its article.
  3. Themes: the sections of a single article; across articles, sections clustered by their stored
     vectors (spherical k-means), named by a heading they share or by their most distinctive words.
  4. The bottom line, then the key points theme by theme in turn, are picked MMR-style (central and
     not redundant with what is already said) until the word budget is spent. The same sentence in
     another article (a wire copy) is merged into the point, citing both.
  5. Disagreements: across articles of the same story, a sentence repeated with one value changed;
     inside one article, two sentences that differ in one value only, one person given two titles,
     or an office left unnamed at first and named later.
  6. Key figures (the most relevant table rows, with their headers), a timeline (published dates and
     dates stated in sentences) and, for a topic, gaps: its words, dates or figures the articles lack.
With an LLM, the model writes the bottom line and key points from numbered passages and each of its
sentences is kept only if it passes the answer verification (`llm.verify`); the rest stays grounded.
"""
from __future__ import annotations

import datetime
import difflib
import html
import json
import logging
import math
import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from rapidfuzz import fuzz, process

from index.lexical import tokenize
from index.stopwords import STOPWORDS
from index.store import FILE_ID, PAGE, Store, chunk_from_record
from index.types import Chunk

from .answer import MIN_SUPPORT, Citations, find_conflicts
from .errors import UsageError
from .evidence import Evidence, analyze, is_instruction, sentences
from .retrieval import Filters, Hit, Retriever
from .types import Citation, Conflict

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)
MIN_WORDS = 20
MAX_THEMES = 6
MAX_POINTS = 4  # per theme
MAX_ROWS = 6  # per table
MAX_PASSAGES = 12  # given to an LLM
SHARE = {"bottom": 0.3, "disagreements": 0.25, "timeline": 0.15, "gaps": 0.15}  # of --words, at most
LOG = "briefs.json"  # in the index folder: when each topic was last briefed, for --since-last

Progress = Callable[[str], None]
Ref = tuple[Chunk, str]  # a chunk and the exact text of it that is cited


def check_words(words: int) -> None:
    if words < MIN_WORDS:
        raise UsageError(f"--words {words}: a briefing needs at least {MIN_WORDS} words")


# ----- the briefing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Point:
    text: str
    markers: tuple[int, ...]

    def as_json(self) -> dict:
        return {"text": self.text, "markers": list(self.markers)}


@dataclass(frozen=True)
class Theme:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Figure:
    """Rows of one table, with its headers; each row is (cells, marker)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], int], ...]


@dataclass(frozen=True)
class Event:
    date: str  # ISO: YYYY-MM-DD or YYYY-MM
    text: str
    markers: tuple[int, ...]


@dataclass(frozen=True)
class Source:
    source: str
    title: str
    published_at: str
    url: str
    publisher: str
    markers: tuple[int, ...]


@dataclass
class Briefing:
    """The parts of a briefing, each omitted (empty) when there is nothing to say."""

    title: str
    topic: str
    mode: str  # "grounded", "llm", or "llm-fallback" (nothing the LLM wrote passed verification)
    bottom_line: list[Point] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)
    disagreements: list[Conflict] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    words: int = 0  # of prose: bottom line, points, timeline, disagreements, gaps

    def as_json(self) -> dict:
        return {"title": self.title, "topic": self.topic, "mode": self.mode,
                "bottom_line": [p.as_json() for p in self.bottom_line],
                "themes": [{"name": t.name, "points": [p.as_json() for p in t.points]} for t in self.themes],
                "figures": [{"caption": f.caption, "headers": list(f.headers),
                             "rows": [{"cells": list(cells), "marker": m} for cells, m in f.rows]}
                            for f in self.figures],
                "timeline": [{"date": e.date, "text": e.text, "markers": list(e.markers)} for e in self.timeline],
                "disagreements": [c.as_json() for c in self.disagreements],
                "gaps": list(self.gaps),
                "sources": [{"source": s.source, "title": s.title, "published_at": s.published_at, "url": s.url,
                             "publisher": s.publisher, "markers": list(s.markers)} for s in self.sources],
                "citations": [c.as_json() for c in self.citations], "words": self.words}

    def to_markdown(self) -> str:
        """Markers as [n]; sources and the quoted references at the end."""
        refs = _md_refs
        out = [f"# {self.title}", "", f"*{_meta(self)}*", ""]
        if self.bottom_line:
            out += ["**Bottom line.** " + " ".join(f"{p.text} {refs(p.markers)}" for p in self.bottom_line), ""]
        if self.themes:
            out += ["## Key points", ""]
            for t in self.themes:
                out += [f"### {t.name}", ""] + [f"- {p.text} {refs(p.markers)}" for p in t.points] + [""]
        if self.figures:
            out += ["## Key figures", ""]
            for f in self.figures:
                out += [f"**{f.caption}**", "", _md_row(f.headers + ("Source",)),
                        "|" + "---|" * (len(f.headers) + 1)]
                out += [_md_row(cells + (f"[{m}]",)) for cells, m in f.rows] + [""]
        if self.timeline:
            out += ["## Timeline", ""] + [f"- **{e.date}** {e.text} {refs(e.markers)}" for e in self.timeline] + [""]
        if self.disagreements:
            out += ["## Where sources disagree", ""]
            out += [f"- **{c.about}**: " + " vs ".join(f"“{v}” [{m}]" for v, m in c.values) for c in self.disagreements]
            out += [""]
        if self.gaps:
            out += ["## Gaps", ""] + [f"- {g}" for g in self.gaps] + [""]
        if self.sources:
            out += ["## Sources", ""]
            for s in self.sources:
                about = ", ".join(p for p in (s.publisher, s.published_at[:10], s.url) if p)
                out.append(f"- {refs(s.markers)} *{s.title or Path(s.source).name}*" + (f" — {about}" if about else "")
                           + f" (`{s.source}`)")
            out += ["", "## References", ""]
            out += [f"[{c.marker}] “{' '.join(c.text.split())}” — "
                    + " › ".join(dict.fromkeys(p for p in (c.title, c.section) if p)) for c in self.citations]
        return "\n".join(out).rstrip() + "\n"

    def to_html(self) -> str:
        """One self-contained page (inline CSS, no scripts, no external assets). All article text is
        escaped: it is data, and markup in it must never run."""
        e, refs = html.escape, _html_refs
        body = [f"<h1>{e(self.title)}</h1>", f'<p class="meta">{e(_meta(self))}</p>']
        if self.bottom_line:
            body.append('<p class="bottom"><strong>Bottom line.</strong> '
                        + " ".join(f"{e(p.text)}{refs(p.markers)}" for p in self.bottom_line) + "</p>")
        if self.themes:
            body.append("<h2>Key points</h2>")
            for t in self.themes:
                body.append(f"<h3>{e(t.name)}</h3><ul>"
                            + "".join(f"<li>{e(p.text)}{refs(p.markers)}</li>" for p in t.points) + "</ul>")
        if self.figures:
            body.append("<h2>Key figures</h2>")
            for f in self.figures:
                head = "".join(f"<th>{e(h)}</th>" for h in f.headers) + "<th>Source</th>"
                rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + f"<td>{refs([m])}</td></tr>"
                               for cells, m in f.rows)
                body.append(f"<table><caption>{e(f.caption)}</caption><thead><tr>{head}</tr></thead>"
                            f"<tbody>{rows}</tbody></table>")
        if self.timeline:
            body.append("<h2>Timeline</h2><ul>" + "".join(
                f"<li><strong>{e(ev.date)}</strong> {e(ev.text)}{refs(ev.markers)}</li>" for ev in self.timeline)
                + "</ul>")
        if self.disagreements:
            body.append("<h2>Where sources disagree</h2><ul>" + "".join(
                f"<li><strong>{e(c.about)}</strong>: "
                + " vs ".join(f"“{e(v)}”{refs([m])}" for v, m in c.values) + "</li>" for c in self.disagreements)
                + "</ul>")
        if self.gaps:
            body.append("<h2>Gaps</h2><ul>" + "".join(f"<li>{e(g)}</li>" for g in self.gaps) + "</ul>")
        if self.sources:
            body.append("<h2>Sources</h2><ul>" + "".join(
                f"<li>{refs(s.markers)} <em>{e(s.title or Path(s.source).name)}</em>"
                + "".join(f", {e(p)}" for p in (s.publisher, s.published_at[:10]) if p)
                + (f", {_link(s.url)}" if s.url else "") + f" <code>{e(s.source)}</code></li>"
                for s in self.sources) + "</ul>")
            body.append('<h2>References</h2><ol class="refs">' + "".join(
                f'<li id="c{c.marker}" value="{c.marker}"><blockquote>{e(c.text)}</blockquote>'
                f"<cite>{e(' › '.join(dict.fromkeys(p for p in (c.title, c.section) if p)))}</cite></li>"
                for c in self.citations) + "</ol>")
        return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv='
                '"Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(self.title)}</title>'
                f"<style>{_CSS}</style></head>\n<body><main>\n" + "\n".join(body) + "\n</main></body></html>\n")


_CSS = ("body{font:16px/1.5 system-ui,sans-serif;color:#222;max-width:48rem;margin:2rem auto;padding:0 1rem}"
        "h2{font-size:1.2rem;border-bottom:1px solid #ddd;margin-top:2rem}h3{font-size:1rem;margin-bottom:0}"
        ".meta{color:#666}sup a{text-decoration:none;font-size:.75em}table{border-collapse:collapse;margin:.5rem 0}"
        "caption{text-align:left;font-weight:600}th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
        "th{background:#f5f5f5}blockquote{margin:0;white-space:pre-line}cite{color:#666;font-size:.9em}"
        "code{font-size:.85em}")


def _meta(b: Briefing) -> str:
    dates = sorted(s.published_at[:10] for s in b.sources if s.published_at)
    span = f" · {dates[0]} to {dates[-1]}" if len(set(dates)) > 1 else (f" · {dates[0]}" if dates else "")
    return f"{len(b.sources)} source{'s' * (len(b.sources) != 1)} cited{span} · {b.words} words · {b.mode}"


def _md_refs(markers) -> str:
    return " ".join(f"[{m}]" for m in markers)


def _html_refs(markers) -> str:
    return "".join(f'<sup><a href="#c{m}">[{m}]</a></sup>' for m in markers)


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _link(url: str) -> str:
    """A link only for http(s) addresses: a `javascript:` URL in an article stays text."""
    e = html.escape
    return f'<a href="{e(url)}">{e(url)}</a>' if url.startswith(("http://", "https://")) else e(url)


def count_words(text: str) -> int:
    return len(text.split())


# ----- units and what is picked ---------------------------------------------------------------------

@dataclass(eq=False)
class _Unit:
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


@dataclass
class _Item:
    """A line of the briefing before markers are numbered."""

    text: str
    refs: list[Ref]


@dataclass
class _Plan:
    bottom: list[_Item] = field(default_factory=list)
    themes: list[tuple[str, list[_Item]]] = field(default_factory=list)
    figures: list[list[Chunk]] = field(default_factory=list)
    timeline: list[tuple[str, _Item]] = field(default_factory=list)
    disagreements: list[tuple[str, list[tuple[str, Ref]]]] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    def words(self, *parts: str) -> int:
        counts = {"bottom": sum(count_words(i.text) for i in self.bottom),
                  "points": sum(count_words(i.text) for _, items in self.themes for i in items),
                  "timeline": sum(count_words(i.text) for _, i in self.timeline),
                  "disagreements": sum(_conflict_words(a, vs) for a, vs in self.disagreements),
                  "gaps": sum(count_words(g) for g in self.gaps)}
        return sum(counts[p] for p in parts or counts)


def _conflict_words(about: str, values: list) -> int:
    return count_words(about) + sum(count_words(v) for v, _ in values)


# a sentence that leans on the one before or after it ("It will ...", "The following table ...") reads badly alone
_DANGLING = re.compile(r"(?:It|This|That|These|Those|They|He|She|Such|As such|However|Additionally|Therefore|Thus)\b"
                       r"|.*\b(?:following|below|above)\b")
# a sentence of running text (not a heading, a fragment or a footnote): capital first, closing punctuation last
_SENTENCE = re.compile(r"^(?![(\[][\divxa-f]{1,4}[)\]])[\"“‘'A-Z0-9(].*[.!?][\"”’')]?$", re.S)
_ORDER = re.compile(r"#s(\d+)\.([pl])(\d+)$")


def _statements(chunk: Chunk) -> list[tuple[str, str, int]]:
    """(what the briefing may say, the source text it rests on, sentence number) of a text or list chunk."""
    lines = [ln.strip() for ln in chunk.text.split("\n") if ln.strip()]
    if chunk.kind == "list" and len(lines) > 1 and lines[0].endswith(":"):
        items = [ln.removeprefix("- ") for ln in lines[1:] if not is_instruction(ln)]
        heads = [i.split(":", 1)[0] if ":" in i[:60] else i.rstrip(".") for i in items]
        return [(f"{lines[0]} {'; '.join(heads)}.", chunk.text, 0)] if heads else []
    units = [(s.removeprefix("- "), n) for n, s in enumerate(sentences(chunk.text))]
    return [(s, s, n) for s, n in units if 5 <= count_words(s) <= 60 and _SENTENCE.match(s) and not s.isupper()
            and not is_instruction(s)]


def _units(chunks: list[Chunk]) -> list[_Unit]:
    units = []
    for c in chunks:
        if c.kind == "table_row":
            continue
        m = _ORDER.search(c.id)
        block = (int(m.group(3)) - 1 + 0.5 * (m.group(2) == "l")) if m else 0
        for text, quote, n in _statements(c):
            units.append(_Unit(c, text, quote, c.section_index + 0.6 * block + 0.3 * n, frozenset(tokenize(text))))
    return units


def _similarity(a: _Unit, b: _Unit) -> float:
    shared = len(a.tokens & b.tokens)
    return shared / math.sqrt(len(a.tokens) * len(b.tokens)) if shared else 0.0


# ----- disagreements ---------------------------------------------------------------------------------

_LABEL = re.compile(r"\b(?:Note|Item|Section|Part|Chapter|Table|Figure|Exhibit|Appendix|page|No\.)$", re.I)  # "Note 12"
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_YEARS = re.compile(r"\b(?:19|20)\d\d\b")


def _is_value(words: list[str], at_start: bool) -> bool:
    return any(any(ch.isdigit() for ch in w) or (w[:1].isupper() and not (at_start and i == 0))
               for i, w in enumerate(words))


def _variant(a: str, b: str) -> tuple[str, str] | None:
    """(value in a, value in b) when two sentences say the same thing but for one value (a number, a
    date, a name): "reopened on Monday" / "reopened on Tuesday". Two changed places mean two facts."""
    wa, wb = a.split(), b.split()
    ops = [op for op in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes() if op[0] != "equal"]
    if len(ops) != 1 or ops[0][0] != "replace":
        return None
    _, i1, i2, j1, j2 = ops[0]
    if max(i2 - i1, j2 - j1) > 3 or len(wa) - (i2 - i1) < 5:
        return None
    va, vb = " ".join(wa[i1:i2]).strip(".,;:"), " ".join(wb[j1:j2]).strip(".,;:")
    if va == vb or not (_is_value(wa[i1:i2], i1 == 0) and _is_value(wb[j1:j2], j1 == 0)) \
            or _LABEL.search(" ".join(wa[:i1])):
        return None
    return va, vb


def _frame(text: str, value: str) -> str:
    """What a value is about: the words before it, "The Harbor Bridge reopened to traffic on …"."""
    before = text[:text.find(value)].split()[-7:] if value in text else text.split()[:7]
    return " ".join(before) + " …"


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,.]*", text)


_TITLE = (r"(?:(?:Vice|Deputy|Prime|Foreign|Finance|Defen[cs]e|Chief)\s+)?(?:President|Minister|Chancellor|Secretary|"
          r"Senator|Governor|Mayor|Premier|Ambassador|Speaker|Chair(?:man|woman)?|King|Queen)"
          r"(?:\s+of\s+(?:the\s+)?[A-Z][a-z]+)?")
_MENTION = re.compile(r"(?:\b(?P<qual>(?i:former|ex-|then-|late|acting|interim|outgoing|incoming))\s*)?"
                      r"(?P<place>(?:(?!(?:The|A|An)\s)[A-Z][\w.’'-]*\s+){0,2}?)\b(?P<title>" + _TITLE + r")\b"
                      r"(?:\s+(?P<name>(?:[A-Z][a-z]+\s+){0,2}[A-Z][a-z]+))?")
_QUALIFIER = {"ex-": "former", "then-": "former", "late": "former"}


def _by_article(units: list[_Unit]) -> list[list[_Unit]]:
    groups: dict[str, list[_Unit]] = defaultdict(list)
    for u in units:
        groups[u.chunk.article_id].append(u)
    return list(groups.values())


@dataclass(frozen=True)
class _Mention:
    text: str  # as written: "former U.S. President Donald Trump"
    title: str  # qualifier and office, normalised: "former president"
    office: str  # as written: "President"
    place: str  # "U.S.", "Japan’s", or ""
    name: str
    ref: Ref


def _mentions(units: list[_Unit]) -> list[tuple[str, list[tuple[str, Ref]]]]:
    """Inside one article: a person given two titles ("former President Trump", "President Trump"),
    or an office mentioned unnamed first and named later ("Japan’s Prime Minister" ... "Prime Minister
    Shinzo Abe")."""
    found = []
    for article_units in _by_article(units):
        quotes: dict[str, _Unit] = {}
        for u in sorted(article_units, key=lambda u: u.position):
            quotes.setdefault(u.quote, u)
        mentions = []
        for quote, u in quotes.items():
            for m in _MENTION.finditer(quote):
                qual = (m.group("qual") or "").lower()
                mentions.append(_Mention(m.group(0).strip(), f"{_QUALIFIER.get(qual, qual)} {m.group('title').lower()}"
                                         .strip(), m.group("title"), m.group("place").strip(), m.group("name") or "",
                                         (u.chunk, quote)))
        people: dict[str, dict[str, _Mention]] = defaultdict(dict)  # surname -> title -> first mention
        for mt in mentions:
            if mt.name:
                people[mt.name.split()[-1]].setdefault(mt.title, mt)
        for titles in people.values():
            if len(titles) > 1:
                who = max((mt.name for mt in titles.values()), key=len)
                found.append((f"{who}: two titles in one article", [(mt.text, mt.ref) for mt in titles.values()]))
        offices: dict[str, list[_Mention]] = defaultdict(list)
        for mt in mentions:
            offices[mt.office.lower()].append(mt)
        for same in offices.values():
            first = same[0]
            # the first naming of the office in the same place ("Japan’s"), or where one leaves it unsaid
            named = next((mt for mt in same if mt.name and len({mt.place, first.place} - {""}) < 2), None)
            if not first.name and named:
                found.append((f"the {first.office}: unnamed at first, named later in the same article",
                              [(first.text, first.ref), (named.text, named.ref)]))
    return found


def _restated(units: list[_Unit]) -> list[tuple[str, list[tuple[str, Ref]]]]:
    """Inside one article: two sentences that differ in one value only. Not when the value is a year,
    or the paragraphs are about different periods, or the frame recurs (a per-segment template)."""
    found = []
    for group in _by_article(units):
        if len(group) < 2:
            continue
        similar = process.cdist([u.text for u in group], [u.text for u in group], scorer=fuzz.ratio,
                                score_cutoff=75) > 0
        np.fill_diagonal(similar, False)
        period = _periods(group)
        for i, j in zip(*np.nonzero(np.triu(similar))):
            a, b = group[i], group[j]
            values = _variant(a.text, b.text)
            if values and not any(_YEAR.match(v) for v in values) and similar[i].sum() == similar[j].sum() == 1 \
                    and period[a] == period[b]:
                found.append((_frame(a.text, values[0]) + " (within one article)",
                              [(values[0], (a.chunk, a.quote)), (values[1], (b.chunk, b.quote))]))
    return found


def _periods(group: list[_Unit]) -> dict[_Unit, tuple[str, ...]]:
    """Per unit of one article, the years of the last line before it that names any ("Fiscal Year 2018
    Compared with Fiscal Year 2017"): the period its paragraph is about."""
    periods, last = {}, ()
    by_chunk: dict[str, tuple[Chunk, list[_Unit]]] = {}
    for u in sorted(group, key=lambda u: u.position):
        by_chunk.setdefault(u.chunk.id, (u.chunk, []))[1].append(u)
    for chunk, chunk_units in by_chunk.values():
        for u in chunk_units:
            periods[u] = _last_years(chunk.text[:chunk.text.find(u.quote)]) or last
        last = _last_years(chunk.text) or last
    return periods


def _last_years(text: str) -> tuple[str, ...]:
    lines = [ln for ln in re.split(r"\n|(?<=[.!?])\s", text) if _YEARS.search(ln)]
    return tuple(_YEARS.findall(lines[-1])) if lines else ()


# ----- dates -----------------------------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE = re.compile(rf"\b(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)"
                   rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH}),?\s+(?P<y2>(?:19|20)\d\d)"
                   rf"|(?P<m3>{_MONTH})\s+(?P<y3>(?:19|20)\d\d)|(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d))\b")


def _stated_dates(text: str) -> list[str]:
    """ISO dates stated in a sentence: days ("31 March 2019", "March 5, 2024") and months ("May 2024")."""
    out = []
    for m in _DATE.finditer(text):
        n = next(i for i in "1234" if m.group(f"y{i}"))
        month = m.group(f"m{n}")
        month = int(month) if month.isdigit() else _MONTHS.index(month[:3].lower()) + 1
        day = int(m.group(f"d{n}")) if n != "3" else 1
        try:
            iso = datetime.date(int(m.group(f"y{n}")), month, day).isoformat()
        except ValueError:  # "February 30, 2024"
            continue
        out.append(iso[:7] if n == "3" else iso)
    return list(dict.fromkeys(out))


# ----- the briefer -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Among(Filters):
    """Filters narrowed to some files (those new or changed since the last briefing)."""

    file_ids: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return True

    def where(self, store: Store) -> dict:
        clause = {FILE_ID: {"$in": list(self.file_ids) or ["-none-"]}}
        base = super().where(store)
        return clause if base is None else {"$and": [base, clause]}


@dataclass
class Briefer:
    """Briefings over one store. `llm` is optional: without it briefings are grounded."""

    store: Store
    embeddings: "Embeddings"
    llm: "BaseChatModel | None" = None

    def __post_init__(self):
        self.retriever = Retriever(self.store, self.embeddings)

    def brief(self, topic: str | None = None, filters: Filters = Filters(), words: int = 300,
              since_last: bool = False, on_progress: Progress | None = None) -> Briefing:
        """A briefing on `topic` (None: every indexed article) in at most `words` words of prose."""
        check_words(words)
        say = on_progress or (lambda _: None)
        topic = " ".join((topic or "").split())
        started = time.time()
        key = json.dumps([topic.lower(), filters.source.lower(), filters.since, filters.until])
        history = self._history()
        if since_last and key in history:
            new = [r.file_id for r in self.store.records().values()
                   if r.status == "ok" and r.indexed_at > history[key]]
            filters = _Among(filters.source, filters.since, filters.until, tuple(new))
        say("finding the articles")
        chunks, vectors, about = self._candidates(topic, filters)
        if not chunks:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(history.get(key, started)))
            gap = (f"Nothing is new or changed since the previous briefing ({when})." if isinstance(filters, _Among)
                   else "No indexed article matches the filters.")
            briefing = self._assemble(_Plan(gaps=[gap]), topic, chunks, "grounded")
        elif not about:
            gap = f"The indexed articles do not cover “{topic}”."
            briefing = self._assemble(_Plan(gaps=[gap if count_words(gap) <= words else "Not covered."]), topic, [],
                                      "grounded")
        else:
            say("choosing the key points")
            plan = self._plan(topic, chunks, vectors, words)
            mode = "grounded"
            if self.llm is not None:
                say("writing with the LLM")
                mode = self._write(plan, topic, words)
            briefing = self._assemble(plan, topic, chunks, mode)
        self._remember(key, started)
        return briefing

    # ----- candidates --------------------------------------------------------------------------------

    def _candidates(self, topic: str, filters: Filters) -> tuple[list[Chunk], np.ndarray, bool]:
        """Chunks to brief from, their stored vectors, and whether they are about the topic at all."""
        if not topic:
            chunks, vectors = self._fetch(where=filters.where(self.store) if filters else None)
            return chunks, vectors, True
        hits = self.retriever.search(topic, filters, k=60)
        query = analyze(topic, self.store.lexical())
        cover = {h.chunk.id: query.coverage(set(tokenize(h.chunk.embed_text()))) for h in hits}
        best, top_dense = max(cover.values(), default=0.0), max((h.dense for h in hits), default=0.0)
        # about the topic: most of what the best chunk covers of it, or nearly as close in meaning
        kept = [h.chunk for h in hits
                if cover[h.chunk.id] >= max(MIN_SUPPORT, 0.6 * best) or h.dense >= 0.8 * top_dense]
        chunks, vectors = self._fetch(ids=[c.id for c in kept]) if kept else ([], np.zeros((0, 1)))
        return chunks, vectors, best >= MIN_SUPPORT

    def _fetch(self, where: dict | None = None, ids: list[str] | None = None) -> tuple[list[Chunk], np.ndarray]:
        chunks, vectors = [], []
        offset = 0
        while True:
            page = {"limit": None, "offset": None} if ids else {"limit": PAGE, "offset": offset}
            got = self.store.chunks.get(ids=ids, where=where, include=["documents", "metadatas", "embeddings"], **page)
            for cid, doc, meta, vec in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"]):
                chunks.append(chunk_from_record(cid, doc or "", meta or {}))
                vectors.append(vec)
            if ids or len(got["ids"]) < PAGE:
                break
            offset += PAGE
        return chunks, np.asarray(vectors, dtype=np.float32).reshape(len(chunks), -1 if chunks else 0)

    # ----- the grounded plan -------------------------------------------------------------------------

    def _plan(self, topic: str, chunks: list[Chunk], vectors: np.ndarray, words: int) -> _Plan:
        plan = _Plan()
        lexical = self.store.lexical()
        query = analyze(topic, lexical) if topic else None
        ref = np.asarray(self.embeddings.embed_query(topic)) if topic else vectors.mean(axis=0)
        sims = vectors @ (ref / (np.linalg.norm(ref) or 1.0))
        low, high = float(sims.min()), float(sims.max())
        relevance = {c.id: (float(s) - low) / ((high - low) or 1.0) for c, s in zip(chunks, sims)}
        if query:
            for c in chunks:
                relevance[c.id] = 0.5 * relevance[c.id] + 0.5 * query.coverage(set(tokenize(c.embed_text())))
        units = _units(chunks)
        idf = {t: lexical.idf(t) for u in units for t in u.tokens}
        profile = Counter()
        for u in units:
            profile.update({t: idf[t] for t in u.tokens})
        norm = math.sqrt(sum(v * v for v in profile.values())) or 1.0
        for u in units:
            weight = math.sqrt(sum(idf[t] ** 2 for t in u.tokens)) or 1.0
            central = sum(idf[t] * profile[t] for t in u.tokens) / (weight * norm)
            u.score = (0.35 * relevance[u.chunk.id] + 0.35 * central + 0.3 * u.early
                       + 0.1 * (u.chunk.kind == "list") - 0.3 * bool(_DANGLING.match(u.text))
                       + (0.5 * query.coverage(u.tokens) if query else 0.0))
        top = max((u.score for u in units), default=1.0) or 1.0
        for u in units:
            u.score /= top
        single = len({c.article_id for c in chunks}) == 1
        groups = _themes(units, chunks, vectors, single, max(2, min(MAX_THEMES, words // 60)))
        pool = set(units)
        said: list[_Unit] = []
        found: list[tuple[str, list[tuple[str, Ref]]]] = []  # disagreements not yet admitted

        def take(u: _Unit) -> _Item:
            pool.discard(u)
            said.append(u)
            return _Item(u.text, [(u.chunk, u.quote)] + self._twins(u, pool, found))

        def admit() -> None:
            said = {(about, tuple(v for v, _ in values)) for about, values in plan.disagreements}
            for about, values in sorted(found, key=lambda d: -_weight(d, relevance)):
                cost = _conflict_words(about, values)
                if plan.words("disagreements") + cost <= SHARE["disagreements"] * words \
                        and plan.words() + cost <= words and (about, tuple(v for v, _ in values)) not in said:
                    plan.disagreements.append((about, values))
                    said.add((about, tuple(v for v, _ in values)))  # copies of an article say it again
            found.clear()

        # the bottom line: one article's lead, or the best of the three main themes; its first sentence
        # may take the whole budget, the others the bottom line's share
        for group in [units] * 3 if single else groups[:3]:
            room = min(SHARE["bottom"] * words - plan.words("bottom") if plan.bottom else words, words - plan.words())
            if (u := _best([u for u in group if u in pool], said, room, lead=1.0)):
                plan.bottom.append(take(u))
        if single:  # in the article's order
            position = {id(i): u.position for i, u in zip(plan.bottom, said)}
            plan.bottom.sort(key=lambda i: position[id(i)])
        found += _mentions(units) + _restated(units)
        admit()
        plan.timeline = _timeline(units, min(SHARE["timeline"] * words, words - plan.words()))
        if query:
            gaps = _gaps(topic, units, chunks)
            room = min(SHARE["gaps"] * words, words - plan.words())
            plan.gaps = [g for n, g in enumerate(gaps) if sum(map(count_words, gaps[:n + 1])) <= room]
        plan.themes = [("", []) for _ in groups]
        picked: list[list[_Unit]] = [[] for _ in groups]
        for _ in range(MAX_POINTS):  # theme by theme in turn, the best remaining point of each
            for group, (_, items), chosen in zip(groups, plan.themes, picked):
                if (u := _best([u for u in group if u in pool], said, words - plan.words())):
                    items.append(take(u))
                    chosen.append(u)
        themes = []
        for (_, items), chosen, group in zip(plan.themes, picked, groups):
            if items:
                order = sorted(range(len(items)), key=lambda n: chosen[n].position if single else n)
                themes.append((_name(chosen, group, single, idf), [items[n] for n in order]))
        plan.themes = themes
        admit()
        plan.figures = _figures(chunks, relevance, single, max(1, min(4, words // 100)))
        return plan

    def _twins(self, u: _Unit, pool: set[_Unit], found: list) -> list[Ref]:
        """The same sentence in other articles: a copy is merged (its citation returned); a copy with
        one value changed, in an article of the same story, is a disagreement (added to `found`).
        Both leave the pool."""
        others = [v for v in pool if v.chunk.article_id != u.chunk.article_id]
        merged = []
        for _, score, i in process.extract(u.text, [v.text for v in others], scorer=fuzz.ratio, score_cutoff=75,
                                           limit=None):
            v = others[i]
            values = _variant(u.text, v.text)
            if values and self._same_story(u, v):
                found.append((_frame(u.text, values[0]), [(values[0], (u.chunk, u.quote)),
                                                          (values[1], (v.chunk, v.quote))]))
                pool.discard(v)
            elif not values and score >= 90 and _numbers(u.text) == _numbers(v.text):
                merged.append((v.chunk, v.quote))
                pool.discard(v)
        return merged

    def _same_story(self, a: _Unit, b: _Unit) -> bool:
        """As in answering (`find_conflicts`): the same frame with another value, in an article that
        shares most of its words."""
        ev = [Evidence(Hit(u.chunk, 1.0), u.text, u.quote, 1.0, 1.0, score=1.0) for u in (a, b)]
        return bool(find_conflicts(self.store, ev[0], ev[1:]))

    # ----- LLM ---------------------------------------------------------------------------------------

    def _write(self, plan: _Plan, topic: str, words: int) -> str:
        """Replace the plan's bottom line and points by the LLM's verified sentences; the mode."""
        from .llm import passage_text, verify
        from .prompts import render

        chunks = list({c.id: c for i in plan.bottom + [i for _, items in plan.themes for i in items]
                       for c, _ in i.refs}.values())[:MAX_PASSAGES]
        budget = words - plan.words("timeline", "disagreements", "gaps")
        headers = [" — ".join(p for p in (c.publisher, c.published_at[:10], c.title, c.section) if p) for c in chunks]
        passages = "\n\n".join(f"[{n}] ({h})\n{passage_text(c)}" for n, (h, c) in enumerate(zip(headers, chunks), 1))
        try:
            out = self.llm.invoke(render("brief", topic=topic or "everything in the passages", words=str(budget),
                                         passages=passages)).content
        except Exception as e:  # a server that is down or refuses: the grounded briefing stands
            log.warning("the LLM failed (%s); briefing without it", str(e)[:200])
            return "llm-fallback"
        bottom: list[_Item] = []
        themes: list[tuple[str, list[_Item]]] = []
        for line in (out if isinstance(out, str) else "").splitlines():
            line = line.strip().replace("**", "")
            if (m := re.match(r"(?i)bottom\s+line\s*[:.]\s*(.*)", line)):
                line, into = m.group(1), bottom
            elif line.startswith("#"):
                themes.append((line.lstrip("#").strip(), []))
                continue
            else:
                line = re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", line)
                into = themes[-1][1] if themes else bottom
            kept = [_Item(body, [(chunks[n - 1], q) for n, q in zip(cited, quotes)])
                    for body, cited, quotes in (verify(line, chunks) if line else [])
                    if not any(fuzz.partial_ratio(body.strip("()[] ."), h) >= 90 for h in headers)]  # an echo
            if into is bottom:  # a sentence each
                bottom += kept
            elif kept:  # a bullet of one or two sentences
                into.append(_Item(" ".join(i.text for i in kept), [ref for i in kept for ref in i.refs]))
        if not bottom and not any(its for _, its in themes):
            return "llm-fallback"
        room = budget
        for i in bottom + [i for _, its in themes for i in its]:  # the word budget, in the order written
            room -= count_words(i.text)
            if room < 0:
                i.refs = []
        plan.bottom = [i for i in bottom if i.refs]
        plan.themes = [(name, kept) for name, its in themes if (kept := [i for i in its if i.refs])]
        return "llm"

    # ----- numbering and sources ---------------------------------------------------------------------

    def _assemble(self, plan: _Plan, topic: str, chunks: list[Chunk], mode: str) -> Briefing:
        cites = Citations()

        def mark(refs: list[Ref]) -> tuple[int, ...]:
            return tuple(dict.fromkeys(cites.mark(c, q) for c, q in refs))

        bottom = [Point(i.text, mark(i.refs)) for i in plan.bottom]
        themes = [Theme(name, tuple(Point(i.text, mark(i.refs)) for i in items)) for name, items in plan.themes]
        figures = []
        for rows in plan.figures:
            headers = [h for h in rows[0].row if any(r.row.get(h) for r in rows)]
            figures.append(Figure(rows[0].caption or rows[0].section or rows[0].title, tuple(headers),
                                  tuple((tuple(r.row.get(h, "") for h in headers), mark([(r, r.text)])[0])
                                        for r in rows)))
        timeline = [Event(date, i.text, mark(i.refs)) for date, i in plan.timeline]
        disagreements = [Conflict(about, tuple((v, mark([ref])[0]) for v, ref in values))
                         for about, values in plan.disagreements]
        citations = cites.build()
        by_article: dict[str, list[Citation]] = defaultdict(list)
        for c in citations:
            by_article[c.chunk_id.split("#")[0]].append(c)
        publisher = {c.article_id: c.publisher for c in chunks}
        sources = [Source(cs[0].source, cs[0].title, cs[0].published_at, cs[0].url, publisher.get(aid, ""),
                          tuple(c.marker for c in cs)) for aid, cs in by_article.items()]
        articles = {c.article_id: c.title for c in chunks}
        title = (f"Briefing: {topic}" if topic else f"Briefing: {next(iter(articles.values()))}" if len(articles) == 1
                 else f"Briefing: {len(articles)} articles")
        return Briefing(title=title, topic=topic, mode=mode, bottom_line=bottom, themes=themes, figures=figures,
                        timeline=timeline, disagreements=disagreements, gaps=plan.gaps, sources=sources,
                        citations=citations, words=plan.words())

    # ----- since last time ---------------------------------------------------------------------------

    def _history(self) -> dict[str, float]:
        try:
            return json.loads((self.store.lexical_dir.parent / LOG).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _remember(self, key: str, at: float) -> None:
        path = self.store.lexical_dir.parent / LOG
        history = {**self._history(), key: at}
        tmp = path.with_name(f".{LOG}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps(history, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:  # a read-only index still briefs; only --since-last loses its mark
            log.warning("cannot record the briefing time in %s: %s", path, e.strerror)


# ----- selection helpers -----------------------------------------------------------------------------

def _best(pool: list[_Unit], said: list[_Unit], room: float, lead: float = 0.0) -> _Unit | None:
    """MMR: the most central unit (plus `lead` times how early it comes) that fits `room` words and
    does not repeat what is said."""
    best, value = None, -math.inf
    for u in pool:
        if count_words(u.text) > room:
            continue
        redundancy = max((_similarity(u, s) for s in said), default=0.0)
        if redundancy < 0.5 and (v := u.score + lead * u.early - 0.7 * redundancy) > value:
            best, value = u, v
    return best


def _weight(disagreement: tuple[str, list[tuple[str, Ref]]], relevance: dict[str, float]) -> float:
    return max(relevance.get(c.id, 0.0) for _, (c, _) in disagreement[1])


def _themes(units: list[_Unit], chunks: list[Chunk], vectors: np.ndarray, single: bool,
            k: int) -> list[list[_Unit]]:
    """Units grouped by theme, best first: the sections of a single article in its order, or sections
    of several articles clustered by their vectors, the most central cluster first."""
    blocks: dict[tuple[str, int], list[_Unit]] = defaultdict(list)
    for u in units:
        blocks[(u.chunk.article_id, u.chunk.section_index)].append(u)
    keys = sorted(blocks, key=lambda b: -max(u.score for u in blocks[b]))
    if not keys:
        return []
    if single:
        groups = [blocks[b] for b in sorted(keys, key=lambda b: b[1])]
    else:
        row = {c.id: i for i, c in enumerate(chunks)}
        x = np.stack([vectors[[row[i] for i in {u.chunk.id for u in blocks[b]}]].mean(axis=0) for b in keys])
        labels = _kmeans(x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-9), min(k, round(math.sqrt(len(keys)))))
        groups = [[u for b, label in zip(keys, labels) if label == n for u in blocks[b]] for n in dict.fromkeys(labels)]
        groups.sort(key=lambda g: -(max(u.score for u in g) + 0.1 * math.log2(len({u.chunk.article_id for u in g}))))
    return [sorted(g, key=lambda u: -u.score) for g in groups]


def _kmeans(x: np.ndarray, k: int, rounds: int = 20) -> list[int]:
    """Spherical k-means, seeded by the first row (the most central block) and then farthest points."""
    k = max(1, min(k, len(x)))
    centers = [0]
    for _ in range(1, k):
        centers.append(int(np.argmin((x @ x[centers].T).max(axis=1))))
    c = x[centers]
    labels = np.zeros(len(x), dtype=int)
    for _ in range(rounds):
        labels = (x @ c.T).argmax(axis=1)
        new = np.stack([x[labels == n].mean(axis=0) if (labels == n).any() else c[n] for n in range(k)])
        new /= np.linalg.norm(new, axis=1, keepdims=True).clip(1e-9)
        if np.allclose(new, c):
            break
        c = new
    return labels.tolist()


def _name(points: list[_Unit], group: list[_Unit], single: bool, idf: dict[str, float]) -> str:
    """A theme's name: the heading most of its points come under, else the title of their one article,
    else the words its units share that weigh most (idf)."""
    heading, n = Counter(u.chunk.section or ("Lead" if single else u.chunk.title) for u in points).most_common(1)[0]
    if single or n * 2 > len(points):
        return heading
    if len({u.chunk.article_id for u in points}) == 1 and points[0].chunk.title:
        return points[0].chunk.title
    df = Counter(w for u in group for w in {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", u.text)}
                 if w not in STOPWORDS)
    weight = {w: n * idf.get(next(iter(tokenize(w)), ""), 0.0) for w, n in df.items()}
    return ", ".join(sorted(weight, key=lambda w: -weight[w])[:3]).capitalize()


def _timeline(units: list[_Unit], room: float) -> list[tuple[str, _Item]]:
    """Dated events: each article's first sentence on its published date, and sentences stating a date."""
    events: dict[tuple[str, str], _Unit] = {}
    first: dict[str, _Unit] = {}
    for u in sorted(units, key=lambda u: u.position):
        if u.chunk.published_at:
            first.setdefault(u.chunk.article_id, u)
        for date in _stated_dates(u.text)[:1]:
            events[(date, u.text)] = u
    for u in first.values():
        events.setdefault((u.chunk.published_at[:10], u.text), u)
    chosen, used = [], 0
    for (date, text), u in sorted(events.items(), key=lambda kv: -kv[1].score):
        if used + count_words(text) <= room and len(chosen) < 8:
            chosen.append((date, _Item(text, [(u.chunk, u.quote)])))
            used += count_words(text)
    return sorted(chosen, key=lambda e: e[0])


def _gaps(topic: str, units: list[_Unit], chunks: list[Chunk]) -> list[str]:
    """What the articles found about a topic do not say: its words they never use, when, how much."""
    gaps = []
    seen = set().union(*(set(tokenize(c.embed_text())) for c in chunks))
    missing = [w for w in re.findall(r"[\w’'-]+", topic) if (s := tokenize(w)) and s[0] not in seen]
    if missing:
        gaps.append("Nothing in the articles mentions " + ", ".join(f"“{w}”" for w in missing) + ".")
    if not any(c.published_at for c in chunks) and not any(_stated_dates(u.text) for u in units):
        gaps.append(f"No dates: the articles do not say when, about “{topic}”.")
    if not any(_numbers(u.text) for u in units) and not any(c.kind == "table_row" for c in chunks):
        gaps.append(f"No figures: the articles give no amounts or counts about “{topic}”.")
    return gaps


def _figures(chunks: list[Chunk], relevance: dict[str, float], single: bool, n: int) -> list[list[Chunk]]:
    """The most relevant tables, each as its most relevant rows in table order (group headings left out)."""
    tables: dict[tuple[str, int], list[Chunk]] = defaultdict(list)
    for c in chunks:
        if c.kind == "table_row" and sum(bool(v) for v in c.row.values()) >= 2 and not is_instruction(c.text):
            tables[(c.article_id, c.table_index)].append(c)
    best = {t: max(relevance[r.id] for r in rows) for t, rows in tables.items()}
    rank = {t: sum(best[o] > best[t] for o in tables if o[0] == t[0]) for t in tables}  # within its article
    chosen = sorted(tables, key=lambda t: (rank[t], -best[t]))[:n]  # one table per article first
    if single:
        chosen.sort(key=lambda t: t[1])
    return [sorted(sorted(tables[t], key=lambda r: -relevance[r.id])[:MAX_ROWS], key=lambda r: r.row_index)
            for t in chosen]
