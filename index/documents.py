"""PDF and Word files -> the parser's blocks (headings, paragraphs, lists, tables), PDF blocks with their page.

PDF: pdfplumber (MIT; pdfminer.six underneath) gives every character with its font name and size and
finds ruled tables as cells, which is what recovering structure needs: a heading is a short line set
larger than the body text (or bold where the body is not), a paragraph ends at a wider gap between
lines, an indented first line or a short line that ends a sentence; a line opening with a bullet or
number is a list item; a table is rows of cells under the first row's header names. pypdf extracts
text without layout or tables; PyMuPDF is AGPL. There is no OCR here: a PDF with no text layer
(scanned pages) is skipped with that reason.

Word (.docx): python-docx, in document order: Title and Heading styles are headings, list styles and
numbered paragraphs are list items, a short paragraph in bold throughout is a heading, tables are rows.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

from .errors import InputError

Block = tuple  # ("h", level, text) | ("p", text) | ("l", [items]) | ("t", header, rows, numbers) | ("page", n)

_BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·*\-–—]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+(.*)$")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
# a file's Title property that is a file name ("Microsoft Word - memo.docx", "10811.exe", "905_Precinct_NoOU")
_FILENAME_TITLE = re.compile(r"^(?:microsoft (?:word|powerpoint) - )|\.(?:docx?|pdf|rtf|odt)$|^untitled|"
                             r"^[^\s]*(?:_[^\s]*|\.[a-z0-9]{2,4})$", re.I)
HEADING_SIZE = 1.15  # a line this many times the body text's size (or more) may be a heading
HEADING_WORDS = 20  # ... and has at most this many words
PARAGRAPH_GAP = 1.4  # a gap between lines this many times the usual one starts a paragraph


@dataclass
class Read:
    """What a PDF or Word file holds: its blocks in reading order and its properties."""

    blocks: list[Block]
    title: str = ""
    author: str = ""
    date: str = ""


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    return "" if _FILENAME_TITLE.search(title) else title


def _cells(row: list) -> list[str]:
    return [" ".join((c or "").split()) for c in row]


def _table(rows: list[list[str]]) -> Block | None:
    rows = [r for r in rows if any(r)]
    if len(rows) < 2 or max(len(r) for r in rows) < 2:
        return None
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return ("t", rows[0], rows[1:], list(range(1, len(rows))))


# ----- PDF -------------------------------------------------------------------------------------------

@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    bold: bool


def _open_pdf(data: bytes):
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018  # reads the page tree: a broken file fails here
        return pdf
    except Exception as e:  # pdfminer raises many types on broken files; pdfplumber wraps some
        cause = " ".join(f"{type(x).__name__} {x}" for x in (e, *e.args, e.__cause__, e.__context__) if x)
        if re.search(r"password|encrypt", cause, re.I):
            raise InputError("encrypted PDF: it needs a password to be read") from None
        inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else e  # pdfplumber wraps pdfminer's
        raise InputError(f"malformed PDF ({type(inner).__name__}{': ' + str(inner)[:120] if str(inner) else ''})") \
            from None


def read_pdf(data: bytes) -> Read:
    """The blocks of a PDF's text layer, in reading order, a ("page", n) before each page's."""
    pdf = _open_pdf(data)
    try:
        pages: list[tuple[int, list[_Line], list[tuple[float, Block]]]] = []
        images = 0
        for page in pdf.pages:
            images += len(page.images)
            found = page.find_tables()
            boxes = [t.bbox for t in found]
            tables = [(t.bbox[1], b) for t in found if (b := _table([_cells(r) for r in t.extract()]))]
            lines = []
            for ln in page.extract_text_lines(return_chars=True, strip=True):
                middle = (ln["top"] + ln["bottom"]) / 2
                if any(x0 - 1 <= ln["x0"] and ln["x1"] <= x1 + 1 and top <= middle <= bottom
                       for x0, top, x1, bottom in boxes):
                    continue  # a table's text: read as its cells
                chars = [c for c in ln["chars"] if c["text"].strip()]
                if not chars or _PAGE_NUMBER.match(ln["text"]):
                    continue
                lines.append(_Line(page.page_number, ln["top"], ln["bottom"], ln["x0"], ln["x1"],
                                   " ".join(ln["text"].split()), median(c["size"] for c in chars),
                                   sum(bool(_BOLD.search(c["fontname"])) for c in chars) > len(chars) / 2))
            pages.append((page.page_number, lines, tables))
        meta = pdf.metadata or {}
    except InputError:
        raise
    except Exception as e:  # a page pdfminer cannot lay out
        raise InputError(f"malformed PDF ({type(e).__name__}: {str(e)[:120]})") from None
    finally:
        pdf.close()
    every = [ln for _, lines, _ in pages for ln in lines]
    if not every and not any(t for _, _, t in pages):
        raise InputError("no text layer (a scanned or image-only PDF?): there is no OCR here" if images
                         else "no text in the PDF")
    blocks = _pdf_blocks(pages, every)
    date = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", str(meta.get("CreationDate", "")))
    # the headline set on the first page is the title (the file's Title property is often a file name)
    return Read(blocks, title="" if blocks[1:2] and blocks[1][:2] == ("h", 1) else _clean_title(str(meta.get("Title", ""))),
                author=str(meta.get("Author", "") or ""),
                date="-".join(g for g in date.groups() if g) if date else "")


def _pdf_blocks(pages, every: list[_Line]) -> list[Block]:
    sizes = Counter()
    for ln in every:
        sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    body_bold = sum(len(ln.text) for ln in every if ln.bold and round(ln.size, 1) == body) > \
        sum(len(ln.text) for ln in every if round(ln.size, 1) == body) / 2

    def heading(ln: _Line) -> bool:
        words = ln.text.split()
        return (len(words) <= HEADING_WORDS and any(ch.isalpha() for ch in ln.text) and not _BULLET.match(ln.text)
                and (ln.size >= body * HEADING_SIZE or ln.bold and not body_bold and not ln.text.endswith(".")))

    levels = sorted({round(ln.size, 1) for ln in every if heading(ln)}, reverse=True)
    gaps = [b.top - a.bottom for a, b in zip(every, every[1:])
            if a.page == b.page and not heading(a) and not heading(b) and 0 <= b.top - a.bottom < body * 2]
    usual_gap = median(gaps) if gaps else body * 0.3
    blocks: list[Block] = []
    for number, lines, tables in pages:
        blocks.append(("page", number))
        right = max((ln.x1 for ln in lines), default=0.0)
        left = min((ln.x0 for ln in lines), default=0.0)
        items = sorted([(ln.top, 0, ln) for ln in lines] + [(top, 1, t) for top, t in tables], key=lambda x: x[:2])
        para: list[str] = []
        bullets: list[str] = []
        prev: _Line | None = None

        def close() -> None:
            if para:
                blocks.append(("p", " ".join(para)))
                para.clear()
            if bullets:
                blocks.append(("l", list(bullets)))
                bullets.clear()

        for _, kind, item in items:
            if kind == 1:
                close()
                blocks.append(item)
                prev = None
                continue
            ln: _Line = item
            if heading(ln):
                close()
                level = levels.index(round(ln.size, 1)) + 1
                if blocks and blocks[-1][0] == "h" and blocks[-1][1] == level and prev is not None and heading(prev):
                    blocks[-1] = ("h", level, f"{blocks[-1][2]} {ln.text}")  # a heading wrapped over two lines
                else:
                    blocks.append(("h", level, ln.text))
                prev = ln
                continue
            bullet = _BULLET.match(ln.text)
            gap = ln.top - prev.bottom if prev is not None else 0.0
            new_para = prev is None or heading(prev) or gap > usual_gap * PARAGRAPH_GAP + 0.5 or \
                ln.x0 > left + body * 1.2 and not bullets or \
                prev.text.endswith((".", "!", "?", ":", "”", '"')) and prev.x1 < right - body * 4
            if bullet:
                if para:
                    close()
                bullets.append(bullet.group(1))
            elif bullets and not new_para:
                bullets[-1] = _join(bullets[-1], ln.text)  # an item's next line
            else:
                if new_para or bullets:
                    close()
                para[-1:] = [_join(para[-1], ln.text)] if para else [ln.text]
            prev = ln
        close()
    return blocks


def _join(before: str, after: str) -> str:
    """Two lines of one paragraph: a word broken at a hyphen stays joined."""
    return f"{before}{after}" if before.endswith("-") and after[:1].islower() else f"{before} {after}"


# ----- Word ------------------------------------------------------------------------------------------

def read_docx(data: bytes) -> Read:
    """The blocks of a .docx in document order."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as e:  # not a zip, no document part, broken XML
        raise InputError(f"malformed Word file ({type(e).__name__}: {str(e)[:120] or 'unreadable'})") from None
    blocks: list[Block] = []
    bullets: list[str] = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:tbl"):
            rows = []
            for row in Table(el, doc).rows:
                seen, cells = set(), []
                for cell in row.cells:  # a merged cell is returned once per grid column it spans
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(" ".join(cell.text.split()))
                rows.append(cells)
            if bullets:
                blocks.append(("l", bullets))
                bullets = []
            if (table := _table(rows)) is not None:
                blocks.append(table)
            continue
        if el.tag != qn("w:p"):
            continue
        p = Paragraph(el, doc)
        text = " ".join(p.text.split())
        if not text:
            continue
        style = (p.style.name if p.style is not None else "") or ""
        numbered = el.pPr is not None and el.pPr.numPr is not None
        if numbered or style.lower().startswith("list"):
            bullets.append(text)
            continue
        if bullets:
            blocks.append(("l", bullets))
            bullets = []
        level = _docx_heading(style, p, text)
        blocks.append(("h", level, text) if level else ("p", text))
    if bullets:
        blocks.append(("l", bullets))
    if not blocks:
        raise InputError("no text in the Word file")
    props = doc.core_properties
    when = props.created or props.modified
    return Read(blocks, title="" if blocks[0][:2] == ("h", 1) else _clean_title(props.title or ""),
                author=props.author or "",
                date=when.isoformat() if when else "")


def _docx_heading(style: str, p, text: str) -> int:
    """The heading level of a Word paragraph, 0 when it is body text."""
    if style == "Title":
        return 1
    m = re.match(r"heading\s*(\d)", style, re.I)
    if m:
        return int(m.group(1)) + 1  # Heading 1 sits under the Title
    runs = [r for r in p.runs if r.text.strip()]
    if runs and all(r.bold for r in runs) and len(text.split()) <= HEADING_WORDS // 2 and not text.endswith("."):
        return 4
    return 0
