"""PDF and Word files for real: made in the test (fpdf2, python-docx), read by pdfplumber and
python-docx, indexed with the real model and answered with page numbers in the citations."""
from __future__ import annotations

import json

import pytest
from conftest import briefing

from index.indexer import prepare

MB = 2**20
LEAD = ("The port of Brindisport reopened on Monday after a nine-day strike by dockworkers, the harbour "
        "authority said. Traffic returned to normal within two days.")
MEASURES = ["A 4% pay rise for all dockworkers in 2025.", "Two extra rest days per month.",
            "A joint safety committee that meets every quarter."]
TABLE = [["Month", "Containers", "Ships"], ["January", "41,200", "310"], ["February", "12,900", "95"],
         ["March", "44,800", "332"]]
OUTLOOK = "Analysts at Norvel Bank expect volumes to grow 6% this year."


def make_pdf(path, encrypt: bool = False):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("report_final_v2.pdf")  # a file name as the Title property: the headline wins

    def put(text, style="", size=11, height=6, after=0):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after)

    pdf.add_page()
    put("Harbour traffic recovers after strike", "B", 20, 10, 4)
    put(LEAD, after=3)
    put("What changed", "B", 15, 8, 2)
    put("The agreement includes three measures:")
    for item in MEASURES:
        put(f"- {item}")
    pdf.ln(3)
    put("Cargo volumes", "B", 15, 8, 2)
    pdf.set_font("Helvetica", "", 11)
    with pdf.table() as table:
        for cells in TABLE:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.add_page()
    put("Outlook", "B", 15, 8, 2)
    put(OUTLOOK)
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.output(str(path))
    return path


def make_docx(path):
    import docx

    doc = docx.Document()
    doc.add_heading("Harbour traffic recovers after strike", 0)
    doc.add_paragraph(LEAD)
    doc.add_heading("What changed", 1)
    doc.add_paragraph("The agreement includes three measures:")
    for item in MEASURES:
        doc.add_paragraph(item, style="List Bullet")
    doc.add_heading("Cargo volumes", 1)
    table = doc.add_table(rows=0, cols=3)
    for cells in TABLE:
        for cell, value in zip(table.add_row().cells, cells):
            cell.text = value
    doc.add_heading("Outlook", 1)
    doc.add_paragraph(OUTLOOK)
    doc.save(str(path))
    return path


def make_scanned_pdf(path):
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "A scanned page: pixels, no text layer", fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("maker", [make_pdf, make_docx])
def test_pdf_and_word_keep_headings_lists_and_table_rows(tmp_path, maker):
    path = maker(tmp_path / ("report.pdf" if maker is make_pdf else "memo.docx"))
    chunks, articles, problems = prepare(path, path.read_bytes(), 20 * MB)
    assert not problems and len(articles) == 1
    assert {c.title for c in chunks} == {"Harbour traffic recovers after strike"}
    by_section = {c.section: c for c in chunks}
    assert set(by_section) == {"", "What changed", "Cargo volumes", "Outlook"}
    assert by_section[""].text == LEAD
    listed = next(c for c in chunks if c.kind == "list")
    assert listed.text == "The agreement includes three measures:\n" + "\n".join(f"- {m}" for m in MEASURES)
    rows = [c for c in chunks if c.kind == "table_row"]
    assert [c.row for c in rows] == [dict(zip(TABLE[0], r)) for r in TABLE[1:]]
    assert rows[1].text == "Month: February; Containers: 12,900; Ships: 95" and rows[1].headers == tuple(TABLE[0])
    if maker is make_pdf:
        assert [c.page for c in chunks if c.section != "Outlook"] == [1] * (len(chunks) - 1)
        assert by_section["Outlook"].page == 2
    else:
        assert {c.page for c in chunks} == {0}  # Word has no fixed pages


def test_pdf_citations_name_the_page(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    make_pdf(folder / "report.pdf")
    make_docx(folder / "memo.docx")
    ix = str(tmp_path / "ix")
    assert briefing("index", str(folder), "--index-dir", ix).returncode == 0
    out = briefing("ask", "How many ships called in February?", "--index-dir", ix, "--source", "report", "--json")
    answer = json.loads(out.stdout)
    cited = answer["citations"][0]
    assert "95" in answer["answer"] and cited["kind"] == "table_row" and cited["page"] == 1
    out = briefing("ask", "What growth do analysts expect?", "--index-dir", ix, "--source", "report")
    assert "6%" in out.stdout and "Outlook — page 2" in out.stdout


def test_unreadable_pdfs_are_skipped_by_name_with_the_reason(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    make_scanned_pdf(folder / "scan.pdf")
    make_pdf(folder / "locked.pdf", encrypt=True)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    make_docx(folder / "memo.docx")
    out = briefing("index", str(folder), "--index-dir", str(tmp_path / "ix"), "--json")
    report = json.loads(out.stdout)
    reasons = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in report["skipped"]}
    assert report["added"] == 1 and set(reasons) == {"scan.pdf", "locked.pdf", "broken.pdf", "broken.docx"}
    assert "no text layer" in reasons["scan.pdf"] and "OCR" in reasons["scan.pdf"]
    assert "encrypted" in reasons["locked.pdf"]
    assert reasons["broken.pdf"].startswith("malformed PDF") and reasons["broken.docx"].startswith("malformed Word")
