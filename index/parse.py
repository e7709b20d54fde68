"""Article -> Document: recover title, sections, paragraphs, lists and tables.

Three readers produce the same stream of raw blocks (PDF and Word files arrive as blocks, read by
index/documents.py, each with its page), and one assembler turns that stream into
sections:
- plain text (the seed's shape, also JSON bodies): headings are standalone short lines with no closing
  punctuation (or `#` lines), `- `/`1.` items are lists, `|` lines with a `|---|` rule are tables;
- markdown: markdown-it-py's block tokens; tables are read from their own source lines so that ragged
  rows are seen, not silently cut;
- HTML: trafilatura's main-content XML (scripts, styles and navigation are gone); headings,
  paragraphs, lists and `<table>` rows with colspans spread over their columns.
"""
from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field, replace

from .errors import InputError
from .types import Article, Block, Document, ListBlock, Paragraph, Section, Table

TERMINAL = tuple('.!?:;,"”’)…')
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,3}[.)])\s+(.*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_NUMBER = re.compile(r"^[\s$€£¥(]*[-+−]?[\d.,]+\s*%?[)\s]*(million|billion|thousand|m|bn|k)?$", re.I)
_YEAR = re.compile(r"^(fy\s?|fiscal\s)?(19|20)\d\d[a-z]?$", re.I)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # control characters XML does not allow
_UNIT_NOTE = re.compile(r"^\(?\s*(?:[$€£¥]\s*)?(?:in|amounts? in|dollars in)\b.{0,40}\)?$", re.I)


@dataclass
class _Raw:
    """The reader's output: blocks in order, plus the parts that could not be kept."""

    blocks: list[tuple] = field(default_factory=list)  # ("h", level, text) | ("p", text) | ("l", items) | ("t", header, rows, numbers)
    problems: list[str] = field(default_factory=list)
    tables: int = 0


def parse(article: Article) -> Document:
    """Recover the structure of one article; raises InputError when it has no text at all."""
    if article.blocks:  # PDF and Word: read into blocks when loaded (index/documents.py)
        raw = _Raw(blocks=list(article.blocks))
    else:
        raw = {"text": _read_text, "markdown": _read_markdown, "html": _read_html}[article.format](article.body)
    title, sections = _assemble(raw.blocks, article.title)
    if not any(s.blocks for s in sections):
        raise InputError("no article text found" + (" in the HTML" if article.format == "html" else ""))
    return Document(article=article, title=title, sections=tuple(sections), problems=tuple(raw.problems))


# ----- plain text ---------------------------------------------------------------------------------

def _is_heading_line(line: str, prev_closed: bool, next_line: str | None) -> bool:
    words = line.split()
    if not prev_closed or next_line is None or not 1 <= len(words) <= 20 or len(line) > 160:
        return False
    if line.endswith(TERMINAL) or not (line[0].isupper() or line[0].isdigit()):
        return False
    long_words = [w for w in words if sum(c.isalpha() for c in w) >= 4]
    capitalized = sum(w[0].isupper() or w[0].isdigit() for w in long_words)
    set_off = not next_line.strip()
    return set_off or not long_words or capitalized / len(long_words) >= 0.6


def _read_text(body: str) -> _Raw:
    raw = _Raw()
    lines = [ln.rstrip() for ln in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    para: list[str] = []
    items: list[str] = []
    prev_closed = True  # did the previous line end a block (blank, punctuation, heading, list, table)?

    def flush() -> None:
        if para:
            raw.blocks.append(("p", " ".join(para)))
            para.clear()
        if items:
            raw.blocks.append(("l", list(items)))
            items.clear()

    i = 0
    while i < len(lines):
        line = lines[i].strip()
        nxt = next((ln for ln in lines[i + 1:i + 2]), None)
        if not line:
            flush()
            prev_closed = True
        elif line.startswith("|") and nxt is not None and _TABLE_RULE.match(nxt):
            flush()
            j = i + 2
            while j < len(lines) and lines[j].strip().startswith("|"):
                j += 1
            _add_pipe_table(raw, lines[i:j], inline=None)
            i, prev_closed = j, True
            continue
        elif m := _LIST_ITEM.match(line):
            if para:
                flush()
            items.append(m.group(1).strip())
            prev_closed = True
        elif items and lines[i].startswith(("  ", "\t")):
            items[-1] += " " + line  # an item's continuation line
        elif m := _MD_HEADING.match(line):
            flush()
            raw.blocks.append(("h", len(m.group(1)), m.group(2)))
            prev_closed = True
        elif _is_heading_line(line, prev_closed, nxt):
            flush()
            raw.blocks.append(("h", 2, line))
            prev_closed = True
        else:
            if items:
                flush()
            if para and para[-1].endswith(TERMINAL):
                flush()  # one paragraph per line, the seed's shape
            para.append(line)
            prev_closed = line.endswith(TERMINAL)
        i += 1
    flush()
    return raw


# ----- tables (shared) -----------------------------------------------------------------------------

def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)]


def _add_pipe_table(raw: _Raw, lines: list[str], inline) -> None:
    """A pipe table from its source lines: header, rule, rows. Ragged rows are reported, not guessed."""
    render = inline or (lambda s: s)
    header = [render(c) for c in _split_row(lines[0])]
    rows, numbers = [], []
    for n, line in enumerate(lines[2:], 1):
        cells = [render(c) for c in _split_row(line)]
        if len(cells) > len(header) and any(cells[len(header):]):
            raw.problems.append(f"table {raw.tables + 1} row {n}: {len(cells)} cells under {len(header)} "
                                "headers (ragged row); row left out")
            continue
        rows.append(cells)
        numbers.append(n)
    raw.blocks.append(("t", header, rows, numbers))
    raw.tables += 1


def _is_header_like(row: list[str]) -> bool:
    """A data row that is really a header: no row label (or only a unit note such as "(in thousands)"),
    and only years or words in its cells."""
    cells = [c for c in row[1:] if c]
    if not cells or not all(_YEAR.match(c) or not _NUMBER.match(c) for c in cells):
        return False
    return not row[0] or (bool(_UNIT_NOTE.match(row[0])) and any(_YEAR.match(c) for c in cells))


def _groups(rows: list[list[str]]) -> list[str]:
    """Each row's group: the label of the nearest row above it that has a label and no other cell
    ("Deferred tax assets:" over "Inventory", "Accrued expenses", ...). A group heading has none."""
    out, current = [], ""
    for r in rows:
        heading = bool(r[0]) and len(r) > 1 and not any(r[1:])
        out.append("" if heading else current)
        if heading:
            current = r[0].rstrip(":").strip()
    return out


def _spread(row: list[str]) -> list[str]:
    """Spread a spanning header label over the empty cells beside it (left label first)."""
    out = list(row)
    for i in range(1, len(out)):
        if not out[i]:
            left = next((out[j] for j in range(i - 1, 0, -1) if row[j]), "")
            right = next((row[j] for j in range(i + 1, len(row)) if row[j]), "")
            out[i] = left or right
    return out


def _build_tables(header: list[str], rows: list[list[str]], numbers: list[int], caption: str) -> list[Table]:
    """The table; or, where header lines come again below data rows (quarters of "Fiscal 2019", then
    quarters of "Fiscal 2018" under their own header), one table per header block."""
    width = max([len(header)] + [len(r) for r in rows])
    pad = lambda r: (list(r) + [""] * width)[:width]  # noqa: E731  short rows get empty cells (GFM)
    first, rows, numbers = _take_header([pad(header)], [pad(r) for r in rows], list(numbers))
    blocks: list[tuple[list[list[str]], list[list[str]], list[int]]] = [(first, [], [])]
    for i, (row, n) in enumerate(zip(rows, numbers)):
        head, body, nums = blocks[-1]
        if _is_header_like(row) and body and _repeats_header(rows, i, first):
            blocks.append(([row], [], []))
        elif _is_header_like(row) and not body and len(blocks) > 1:
            head.append(row)
        else:
            body.append(row)
            nums.append(n)
    tables = []
    for i, (head, body, nums) in enumerate(blocks):
        if i:  # a later block; where only its top line came again ("Fiscal 2018"), the first's lines go below
            head, body, nums = _take_header(head + first[len(head):], body, nums)
        names = []
        for col in range(width):
            parts: list[str] = []
            for r in [_spread(r) if k < len(head) - 1 else r for k, r in enumerate(head)]:
                if r[col] and r[col] not in parts:
                    parts.append(r[col])
            names.append(" ".join(parts))
        kept = [(r, n) for r, n in zip(body, nums) if any(r)]
        if kept:
            tables.append(Table(headers=tuple(names), rows=tuple(tuple(r) for r, _ in kept), caption=caption,
                                row_numbers=tuple(n for _, n in kept),
                                groups=tuple(_groups([r for r, _ in kept]))))
    return tables


def _take_header(header_rows: list[list[str]], rows: list[list[str]], numbers: list[int]):
    """The header lines (the given ones and the data rows below them that are really header lines),
    and the rows and row numbers left."""
    header_rows, rows, numbers = list(header_rows), list(rows), list(numbers)
    width = len(header_rows[0])
    while rows and _is_header_like(rows[0]):
        header_rows.append(rows.pop(0))
        numbers.pop(0)
    last = header_rows[-1]
    mostly_empty = (not last[0] or _UNIT_NOTE.match(last[0])) and sum(map(bool, last[1:])) <= (width - 1) / 2
    if mostly_empty and rows and all(c and not _NUMBER.match(c) for c in rows[0]):
        # an empty header row, or one with only a unit note and a spanning label ("Payments Due by
        # Period"), over a row of column names
        header_rows.append(rows.pop(0))
        numbers.pop(0)
    return header_rows, rows, numbers


def _repeats_header(rows: list[list[str]], i: int, first: list[list[str]]) -> bool:
    """Do the header-like rows from `i` on come again as a header over more data rows: one of them is a
    line of the first header, or they name other years than it does?"""
    j = i
    while j < len(rows) and _is_header_like(rows[j]):
        j += 1
    block = rows[i:j]
    years = {y for r in first for c in r for y in _YEAR.findall(c)}
    again = any(r in first for r in block if any(r))
    other_years = years and any(y not in years for r in block for c in r for y in _YEAR.findall(c))
    return j < len(rows) and bool(again or other_years)


# ----- markdown ------------------------------------------------------------------------------------

def _read_markdown(body: str) -> _Raw:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(body)
    lines = body.splitlines()
    raw = _Raw()

    def inline(src: str) -> str:
        return _inline_text(md.parseInline(src)[0].children or [])

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            raw.blocks.append(("h", int(tok.tag[1]), _inline_text(tokens[i + 1].children or [])))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth, items, j = 1, [], i + 1
            while j < len(tokens) and depth:
                t = tokens[j]
                depth += t.nesting if t.type.endswith(("list_open", "list_close")) else 0
                if t.type == "inline":
                    items.append(_inline_text(t.children or []))
                j += 1
            raw.blocks.append(("l", [x for x in items if x]))
            i = j
            continue
        if tok.type == "table_open" and tok.map:
            start, end = tok.map
            _add_pipe_table(raw, lines[start:end], inline)
            while tokens[i].type != "table_close":
                i += 1
        elif tok.type == "inline" and tokens[i - 1].type == "paragraph_open":
            text = _inline_text(tok.children or [])
            if text:
                raw.blocks.append(("p", text))
        elif tok.type in ("fence", "code_block"):
            if tok.content.strip():
                raw.blocks.append(("p", " ".join(tok.content.split())))
        elif tok.type == "html_block":
            text = _strip_tags(tok.content)
            if text:
                raw.blocks.append(("p", text))
        i += 1
    return raw


def _inline_text(children) -> str:
    out: list[str] = []
    for t in children:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif t.type == "image":
            out.append(t.content or "")
        elif t.type == "html_inline":
            continue  # markup in an article is data, never rendered
    return " ".join("".join(out).split())


def _strip_tags(markup: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]*>", " ", markup)).split())


# ----- HTML ----------------------------------------------------------------------------------------

def _read_html(body: str) -> _Raw:
    import trafilatura
    from lxml import etree

    raw = _Raw()
    body = _NOT_XML.sub(" ", body)  # lxml refuses these characters when it edits a tree
    try:
        xml = trafilatura.extract(body, output_format="xml", include_tables=True, include_formatting=False,
                                  include_links=False, include_comments=False, favor_recall=True)
        root = etree.fromstring(xml.encode("utf-8")) if xml else None
    except Exception:  # trafilatura and lxml raise many types on malformed markup: read it the plain way
        root = None
    if root is None:
        return _read_html_fallback(body, raw)
    main = root.find("main")
    for el in (main if main is not None else root):
        text = " ".join("".join(el.itertext()).split())
        if el.tag == "head":
            level = int((el.get("rend") or "h2")[1:] or 2) if (el.get("rend") or "").startswith("h") else 2
            raw.blocks.append(("h", level, text))
        elif el.tag == "list":
            items = [" ".join("".join(it.itertext()).split()) for it in el.iter("item")]
            raw.blocks.append(("l", [x for x in items if x]))
        elif el.tag == "table":
            rows = [[" ".join("".join(c.itertext()).split()) for c in r.findall("cell")] for r in el.findall("row")]
            rows = [r for r in rows if r]
            if rows:
                raw.blocks.append(("t", rows[0], rows[1:], list(range(1, len(rows)))))
                raw.tables += 1
        elif text:
            raw.blocks.append(("p", text))
    return raw


def _read_html_fallback(body: str, raw: _Raw) -> _Raw:
    """Very short pages trafilatura declines: the visible text of the body, block by block."""
    from lxml import html as lhtml

    try:
        tree = lhtml.fromstring(body)
    except Exception as e:  # lxml raises several types for unusable input
        raise InputError(f"malformed HTML: {e}") from None
    for bad in tree.xpath("//script|//style|//nav|//header|//footer|//aside|//form|//noscript|//template"):
        if bad.getparent() is not None:
            bad.drop_tree()
        else:  # the page is nothing but that element
            return raw
    for el in tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "blockquote"):
        text = " ".join(el.text_content().split())
        if text:
            raw.blocks.append(("h", int(el.tag[1]), text) if el.tag[0] == "h" else ("p", text))
    return raw


# ----- assembling sections -------------------------------------------------------------------------

def _split_last_sentence(text: str) -> tuple[str, str]:
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'])", text.strip())
    return " ".join(sentences[:-1]), sentences[-1]


def _last_sentence(text: str, max_words: int = 40) -> str:
    return " ".join(_split_last_sentence(text)[1].split()[-max_words:])


def _assemble(blocks: list[tuple], given_title: str) -> tuple[str, list[Section]]:
    title = given_title.strip()
    sections: list[tuple[str, list[Block]]] = [("", [])]
    first_heading = ""
    page = 0
    for n, blk in enumerate(blocks):
        kind = blk[0]
        current = sections[-1][1]
        if kind == "page":
            page = blk[1]
        elif kind == "h":
            level, text = blk[1], blk[2]
            if not text:
                continue
            at_start = len(sections) == 1 and not current
            if at_start and (text == title or (level == 1 and not title)):
                title = text  # the headline, not a section
                continue
            first_heading = first_heading or text
            sections.append((text, []))
        elif kind == "p":
            current.append(Paragraph(blk[1], page))
        elif kind == "l":
            intro = ""
            if current and isinstance(current[-1], Paragraph) and current[-1].text.endswith(":"):
                # the sentence that introduces the list goes with it; what comes before stays a paragraph
                last = current.pop()
                before, intro = _split_last_sentence(last.text)
                if before:
                    current.append(Paragraph(before, last.page))
            if blk[1]:
                current.append(ListBlock(items=tuple(blk[1]), intro=intro, page=page))
        elif kind == "t":
            caption = ""
            if current and isinstance(current[-1], Paragraph) and current[-1].text.endswith(":"):
                caption = _last_sentence(current[-1].text)
            current.extend(replace(t, page=page) for t in _build_tables(blk[1], blk[2], blk[3], caption))
    title = title or first_heading
    return title, [Section(h, tuple(b)) for h, b in sections if b]
