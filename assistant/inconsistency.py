"""Inconsistencies inside one article: one person given two titles, an office left unnamed at first and
named later, or two sentences that differ in one value only. Each is (what it is about, [(value, Ref)])."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from index.types import Chunk

from .textscan import frame, is_year, last_years, variant
from .units import Ref, Unit, by_article

Disagreement = tuple[str, list[tuple[str, Ref]]]  # what it is about, and each value with what it rests on

_TITLE = (r"(?:(?:Vice|Deputy|Prime|Foreign|Finance|Defen[cs]e|Chief)\s+)?(?:President|Minister|Chancellor|Secretary|"
          r"Senator|Governor|Mayor|Premier|Ambassador|Speaker|Chair(?:man|woman)?|King|Queen)"
          r"(?:\s+of\s+(?:the\s+)?[A-Z][a-z]+)?")
_MENTION = re.compile(r"(?:\b(?P<qual>(?i:former|ex-|then-|late|acting|interim|outgoing|incoming))\s*)?"
                      r"(?P<place>(?:(?!(?:The|A|An)\s)[A-Z][\w.’'-]*\s+){0,2}?)\b(?P<title>" + _TITLE + r")\b"
                      r"(?:\s+(?P<name>(?:[A-Z][a-z]+\s+){0,2}[A-Z][a-z]+))?")
_QUALIFIER = {"ex-": "former", "then-": "former", "late": "former"}


def inconsistencies(units: list[Unit], unnamed: bool = True) -> list[Disagreement]:
    """Every inconsistency inside an article: titles and offices first, then restated values (`unnamed`:
    an office unnamed at first and named later counts too; it is no contradiction, but a briefing notes it)."""
    return _mentions(units, unnamed) + _restated(units)


@dataclass(frozen=True)
class _Mention:
    text: str  # as written: "former U.S. President Donald Trump"
    title: str  # qualifier and office, normalised: "former president"
    office: str  # as written: "President"
    place: str  # "U.S.", "Japan’s", or ""
    name: str
    ref: Ref


def _mentions(units: list[Unit], unnamed: bool = True) -> list[Disagreement]:
    """A person given two titles ("former President Trump", "President Trump"), or an office mentioned
    unnamed first and named later ("Japan’s Prime Minister" ... "Prime Minister Shinzo Abe")."""
    found = []
    for article_units in by_article(units):
        quotes: dict[str, Unit] = {}
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
            if unnamed and not first.name and named:
                found.append((f"the {first.office}: unnamed at first, named later in the same article",
                              [(first.text, first.ref), (named.text, named.ref)]))
    return found


def _restated(units: list[Unit]) -> list[Disagreement]:
    """Two sentences that differ in one value only. Not when the value is a year, or the paragraphs are
    about different periods, or the frame recurs (a per-segment template)."""
    found = []
    for group in by_article(units):
        if len(group) < 2:
            continue
        similar = process.cdist([u.text for u in group], [u.text for u in group], scorer=fuzz.ratio,
                                score_cutoff=75) > 0
        np.fill_diagonal(similar, False)
        period = _periods(group)
        for i, j in zip(*np.nonzero(np.triu(similar))):
            a, b = group[i], group[j]
            values = variant(a.text, b.text)
            if values and not any(is_year(v) for v in values) and similar[i].sum() == similar[j].sum() == 1 \
                    and period[a] == period[b]:
                found.append((frame(a.text, values[0]) + " (within one article)",
                              [(values[0], (a.chunk, a.quote)), (values[1], (b.chunk, b.quote))]))
    return found


def _periods(group: list[Unit]) -> dict[Unit, tuple[str, ...]]:
    """Per unit of one article, the years of the last line before it that names any ("Fiscal Year 2018
    Compared with Fiscal Year 2017"): the period its paragraph is about."""
    periods, last = {}, ()
    by_chunk: dict[str, tuple[Chunk, list[Unit]]] = {}
    for u in sorted(group, key=lambda u: u.position):
        by_chunk.setdefault(u.chunk.id, (u.chunk, []))[1].append(u)
    for chunk, chunk_units in by_chunk.values():
        for u in chunk_units:
            periods[u] = last_years(chunk.text[:chunk.text.find(u.quote)]) or last
        last = last_years(chunk.text) or last
    return periods
