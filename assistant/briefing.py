"""The Briefing: a one-page summary in which every line is cited, and its forms: JSON (the contract of
`briefing brief --json`), Markdown, and one self-contained HTML page."""
from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from pathlib import Path

from .types import Citation, Conflict, ConflictSide


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
            out += [f"- **{c.about}**: " + (" · ".join(s.describe() + _settled(s) for s in c.sides) if c.sides else
                                             " vs ".join(f"“{v}” [{m}]" for v, m in c.values))
                    for c in self.disagreements]
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
            out += [f"[{c.marker}] “{' '.join(c.text.split())}” — {_where(c)}" for c in self.citations]
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
                + (" · ".join(_html_side(s) + _settled(s) for s in c.sides) if c.sides else
                   " vs ".join(f"“{e(v)}”{refs([m])}" for v, m in c.values)) + "</li>" for c in self.disagreements)
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
                f"<cite>{e(_where(c))}</cite></li>"
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


def _settled(side: ConflictSide) -> str:
    """What settles a side: the later report, which says it corrects an earlier one; or a report of any date that names
    the value it replaces."""
    return ", the later report, which says it corrects an earlier one" if side.later else \
        ", the correcting report, which names the value it replaces" if side.corrects else ""


def _html_side(side: ConflictSide) -> str:
    """A side's description with its text escaped and its markers linked."""
    escaped = replace(side, value=html.escape(side.value), publishers=tuple(map(html.escape, side.publishers)))
    return escaped.describe(_html_refs)


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _where(c: Citation) -> str:
    """Where a cited text is: its article's title › its section."""
    return " › ".join(dict.fromkeys(p for p in (c.title, c.section) if p))


def _link(url: str) -> str:
    """A link only for http(s) addresses: a `javascript:` URL in an article stays text."""
    e = html.escape
    return f'<a href="{e(url)}">{e(url)}</a>' if url.startswith(("http://", "https://")) else e(url)
