"""HTML for the app: answers with citation chips, each cited passage shown in its article, briefings.

Everything that comes from an article passes through `esc` (HTML) or `md_text` (markdown, for the
chat bubbles) before it reaches a component, so markup in an article is shown as text, never run.
A chip is a link to its source card (`#<scope>-<marker>`); the page script in `HEAD` opens the card,
highlights it and scrolls it into view.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from index.store import Store

MARKER = re.compile(r"\[(\d+)\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")

EMPTY_SOURCES = ('<p class="hint">Sources appear here: each cited passage in its article, the cited '
                 'sentences or table row highlighted. Click a numbered chip to jump to its source.</p>')

CSS = """
.chip { display: inline-block; min-width: 1.5em; padding: 0 .45em; margin: 0 .15em; border-radius: 999px;
        background: #e0e7ff; color: #3730a3 !important; font-size: .8em; font-weight: 600; line-height: 1.5;
        text-align: center; text-decoration: none !important; cursor: pointer; }
.chip:hover { background: #c7d2fe; }
.badge { display: inline-block; padding: .1em .6em; border-radius: 6px; font-size: .8em; font-weight: 600; }
.badge.declined { background: #fef3c7; color: #92400e; }
.badge.conflict { background: #fee2e2; color: #991b1b; }
.badge.mode { background: #f1f5f9; color: #475569; font-weight: 400; }
.side-value { font-weight: 700; }
.src-turn > summary { cursor: pointer; font-weight: 600; margin: .4em 0; }
.src-card { border: 1px solid var(--border-color-primary, #ddd); border-radius: 8px; padding: .6em .8em;
            margin: .5em 0; scroll-margin: 80px; overflow-x: auto; }
.src-card.related { border-style: dashed; }
.src-card.active { outline: 3px solid #6366f1; }
.src-head { font-size: .9em; margin-bottom: .4em; }
.src-head .meta { color: var(--body-text-color-subdued, #666); }
.passage { white-space: pre-wrap; line-height: 1.5; }
.src-card mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.src-card table { border-collapse: collapse; font-size: .85em; width: 100%; }
.src-card th, .src-card td { border: 1px solid var(--border-color-primary, #ddd); padding: .25em .4em;
                             text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.src-card tr.hit td { background: #fde68a; font-weight: 600; }
.src-card caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: .3em; }
.short-answer { font-weight: 700; font-size: 1.05em; }
.gone { color: #991b1b; }
.hint { color: var(--body-text-color-subdued, #666); }
.briefing h2 { margin-top: 0; }
.briefing table { border-collapse: collapse; margin: .5em 0; }
.briefing th, .briefing td { border: 1px solid var(--border-color-primary, #ddd); padding: .25em .5em; }
"""

# One listener for the whole page (chips live in the chat bubbles and in the briefing).
HEAD = """<script>
document.addEventListener("click", (e) => {
  const chip = e.target.closest && e.target.closest("a.chip");
  const card = chip && document.getElementById((chip.getAttribute("href") || "").slice(1));
  if (!card) return;
  e.preventDefault();
  e.stopPropagation();
  document.querySelectorAll(".src-card.active").forEach((c) => c.classList.remove("active"));
  for (let d = card.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  card.classList.add("active");
  card.scrollIntoView({block: "center"});
}, true);
</script>"""


# Bidi embeddings, overrides and isolates in article text would make the page show characters in
# another order than the text holds (a "5.4$" with an override shows as "$4.5"): they are not shown.
_BIDI_CONTROLS = dict.fromkeys([0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069])


def esc(text) -> str:
    return html.escape(str(text or "").translate(_BIDI_CONTROLS))


def md_text(text: str) -> str:
    """Text for a markdown component that shows literally: HTML escaped, markdown punctuation backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text.translate(_BIDI_CONTROLS), quote=False))


def chip(scope: str, marker: int | str) -> str:
    return f'<a class="chip" href="#{scope}-{marker}">{marker}</a>'


def with_chips(text: str, scope: str, escape=md_text) -> str:
    """The text escaped, each `[n]` marker turned into a chip that leads to source n."""
    parts = MARKER.split(text)
    return "".join(chip(scope, part) if i % 2 else escape(part) for i, part in enumerate(parts))


def cited(text: str, markers, scope: str) -> str:
    """HTML of a briefing point: its text, then a chip for each marker the text does not show itself."""
    shown = {int(m) for m in MARKER.findall(text)}
    return with_chips(text, scope, esc) + "".join(chip(scope, m) for m in markers if int(m) not in shown)


# ----- chat ---------------------------------------------------------------------------------------------

def answer_markdown(answer: dict, scope: str) -> str:
    """The assistant's chat bubble: the answer with chips; a declined answer looks clearly different."""
    if not answer["answered"]:
        return f'<span class="badge declined">Not in the articles</span>\n\n{md_text(answer["answer"])}'
    lead = '<span class="badge conflict">Sources disagree</span>\n\n' if answer.get("conflicts") else ""
    mode = {"llm": "LLM, every sentence checked against its sources",
            "llm-fallback": "the LLM's answer failed the check: grounded answer shown"}.get(answer["mode"])
    notes = [mode] if mode else []
    if answer.get("standalone_question"):  # a follow-up, as it was understood
        notes.append(f"read as: {md_text(answer['standalone_question'])}")
    tail = "".join(f'\n\n<span class="badge mode">{n}</span>' for n in notes)
    text, short = answer["answer"], answer.get("short_answer", "")
    sides = next((c["sides"] for c in answer.get("conflicts") or [] if c.get("sides")), None)
    if sides:  # each side on a line of its own: value, how many articles and sources, who and when, chips
        later = max(text.find(" The later report"), text.find(" The correcting report"))
        body = "".join(_side(side, scope) for side in sides) + ("\n\n" + with_chips(text[later + 1:], scope)
                                                                if later >= 0 else "")
    elif short and text.startswith(short):  # the short answer first, on a line of its own; the quote under it
        body = f'<span class="short-answer">{md_text(short)}</span>\n\n' + with_chips(text[len(short):].lstrip(" .;"),
                                                                                        scope)
    else:
        body = with_chips(text, scope)
    return lead + body + tail


def _side(side: dict, scope: str) -> str:
    n, k = side["articles"], side["sources"]
    count = f"{n} article{'s' * (n > 1)}" + (f", {k} source{'s' * (k > 1)}" if k != n else "")
    who = ", ".join(side["publishers"])
    when = " and ".join(side["dates"][:1] + side["dates"][1:][-1:])
    later = ' <span class="badge mode">later report</span>' if side.get("later") else \
        ' <span class="badge mode">correcting report</span>' if side.get("corrects") else ""
    facts = " · ".join(md_text(x) for x in (count, who, when) if x)
    value = f'{side["value"]} ({side["day"]})' if side.get("day") else side["value"]
    return (f'- <span class="side-value">{md_text(value)}</span> · {facts}'
            f'{"".join(chip(scope, m) for m in side["markers"])}{later}\n')


def turn_sources(store: Store, answer: dict, scope: str) -> str:
    """The cards of one answer: its citations, or the related passages of a declined answer."""
    if answer["answered"]:
        return "".join(source_card(store, c, f"{scope}-{c['marker']}", chip(scope, c["marker"]))
                       for c in answer["citations"])
    cards = "".join(source_card(store, c, f"{scope}-r{i}", '<span class="badge declined">related</span>',
                                related=True) for i, c in enumerate(answer["related"], 1))
    if not cards:
        return '<p class="hint">Declined: nothing in the index is close to this question.</p>'
    return '<p class="hint">Declined: no passage answers this. The closest ones:</p>' + cards


def sources_panel(turns: list[dict]) -> str:
    """Every turn's sources, the latest first and open."""
    if not turns:
        return EMPTY_SOURCES
    parts = []
    for n, turn in reversed(list(enumerate(turns, 1))):
        is_open = " open" if n == len(turns) else ""
        parts.append(f'<details class="src-turn"{is_open}><summary>Q{n}: {esc(turn["question"])}</summary>'
                     f'{turn["sources"]}</details>')
    return "".join(parts)


# ----- one source in its context ------------------------------------------------------------------------

def source_card(store: Store, cite: dict, card_id: str, label: str, related: bool = False) -> str:
    """A cited passage in its article: the paragraph with the cited sentences marked, or the whole
    table with the cited row highlighted; title, section, date and link above it."""
    found = store.get_chunks([cite["chunk_id"]])
    if not found:
        body = f'<p class="gone">No longer in the index.</p><div class="passage">{esc(cite["text"])}</div>'
    elif found[0].kind == "table_row":
        body = _table(store, found[0])
    else:
        body = _passage(found[0].text, cite["text"])
    publisher = found[0].publisher if found else ""
    return (f'<div class="src-card{" related" if related else ""}" id="{card_id}">'
            f'{_card_head(cite, label, publisher)}{body}</div>')


def _card_head(cite: dict, label: str, publisher: str) -> str:
    meta = [esc(cite["section"])] if cite.get("section") and cite["section"] != cite.get("title") else []
    meta += [f"page {int(cite['page'])}"] if cite.get("page") else []
    meta += [esc(x) for x in (publisher, (cite.get("published_at") or "")[:10]) if x]
    url = cite.get("url") or ""
    if url.startswith(("https://", "http://")):  # never a javascript: or data: link from an article
        meta.append(f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>')
    else:
        meta.append(esc(Path(cite.get("source") or "").name))
    return (f'<div class="src-head">{label} <b>{esc(cite.get("title") or "Untitled")}</b>'
            f'<br><span class="meta">{" · ".join(meta)}</span></div>')


def _table(store: Store, row) -> str:
    rows = store.table_rows(row.article_id, row.table_index)
    head = "".join(f"<th>{esc(h)}</th>" for h in row.headers)
    body, group = [], ""
    for r in rows:
        if r.group and r.group != group:  # the heading row that groups the rows below it
            body.append(f'<tr><td colspan="{len(row.headers)}"><i>{esc(r.group)}</i></td></tr>')
        group = r.group
        cells = "".join(f"<td>{esc(v)}</td>" for v in r.row.values())
        body.append(f'<tr class="hit">{cells}</tr>' if r.id == row.id else f"<tr>{cells}</tr>")
    caption = f"<caption>{esc(row.caption)}</caption>" if row.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _passage(text: str, quote: str) -> str:
    out, pos = [], 0
    for start, end in _spans(text, quote):
        out += [esc(text[pos:start]), "<mark>", esc(text[start:end]), "</mark>"]
        pos = end
    out.append(esc(text[pos:]))
    return f'<div class="passage">{"".join(out)}</div>'


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where the quoted sentences are in the passage. A citation joins verbatim sentences in source
    order, so each piece is looked for after the previous one; spans only whitespace apart are merged."""
    found, pos = [], 0
    for piece in filter(None, (p.strip() for p in _SENTENCE_END.split(quote))):
        at = text.find(piece, pos)
        if at < 0:
            at = text.find(piece)
        if at >= 0:
            found.append((at, at + len(piece)))
            pos = at + len(piece)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# ----- briefings ----------------------------------------------------------------------------------------

def briefing_html(store: Store, b: dict, scope: str = "b") -> str:
    """A briefing (its JSON) with chips, then its sources in context."""
    out = [f'<div class="briefing"><h2>{esc(b["title"])}</h2>']
    if b.get("bottom_line"):
        out.append("<h3>Bottom line</h3>" + _points(b["bottom_line"], scope))
    for theme in b.get("themes", []):
        out.append(f"<h3>{esc(theme['name'])}</h3>" + _points(theme["points"], scope))
    for fig in b.get("figures", []):
        head = "".join(f"<th>{esc(h)}</th>" for h in fig["headers"]) + "<th></th>"
        rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r["cells"])
                       + f"<td>{chip(scope, r['marker'])}</td></tr>" for r in fig["rows"])
        out.append(f"<table><caption>{esc(fig.get('caption'))}</caption><thead><tr>{head}</tr></thead>"
                   f"<tbody>{rows}</tbody></table>")
    for key, heading in (("timeline", "Timeline"), ("disagreements", "Where sources disagree")):
        if b.get(key):
            out.append(f"<h3>{heading}</h3>" + _points(b[key], scope))
    if b.get("gaps"):
        out.append("<h3>Not covered by the articles</h3><ul>" + "".join(f"<li>{esc(g)}</li>" for g in b["gaps"])
                   + "</ul>")
    cards = "".join(source_card(store, c, f"{scope}-{c['marker']}", chip(scope, c["marker"])) for c in b["citations"])
    out.append(f"<h3>Sources</h3>{cards}</div>")
    return "".join(out)


def _points(items: list, scope: str) -> str:
    return "<ul>" + "".join(f"<li>{_point(p, scope)}</li>" for p in items) + "</ul>"


def _point(p: dict, scope: str) -> str:
    """A point or timeline event (text and markers), or a disagreement (what about, and each value)."""
    if "values" in p:
        values = " vs ".join(f"“{esc(v['value'])}” {chip(scope, v['marker'])}" for v in p["values"])
        return f"<b>{esc(p['about'])}</b>: {values}"
    lead = f"<b>{esc(p['date'])}</b> " if p.get("date") else ""
    return lead + cited(p["text"], p["markers"], scope)
