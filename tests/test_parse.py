"""Structure recovery and chunking, format by format, on the seed and on small articles."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DATA, SEED_FILE, SHARED

from index.chunk import chunk
from index.indexer import prepare
from index.load import load_file
from index.parse import parse
from index.types import ListBlock

MB = 2**20


def doc_of(path: Path, n: int = 0):
    return parse(load_file(path.resolve(), 20 * MB).articles[n])


def test_seed_has_lead_four_sections_and_three_tables_of_three_rows():
    doc = doc_of(SEED_FILE)
    assert doc.sections[0].heading == ""
    assert doc.sections[0].blocks[0].text.startswith("TOKYO – Japan’s Prime Minister has reaffirmed")
    assert [s.heading for s in doc.sections[1:]] == [
        "Japan Prime Minister Emphasizes Strengthened Ties with Trump Following U.S.-China Discussions",
        "Analysis of Japan’s Strategic Position Amid U.S.-China Diplomatic Engagements",
        "Recommendations for Enhancing Japan-U.S. Collaboration in Response to Regional Challenges",
        "Insights and Conclusions",
    ]
    assert [len(t.rows) for t in doc.tables] == [3, 3, 3]
    assert doc.tables[0].headers == ("Focus Area", "Japan’s Role", "U.S. Role")
    assert doc.title.startswith("Japan Prime Minister Emphasizes")
    lists = [b for s in doc.sections for b in s.blocks if isinstance(b, ListBlock)]
    assert lists[0].intro == "Key areas emphasized for enhanced collaboration include:"
    assert lists[0].items[0].startswith("Trade and Investment")


def test_seed_table_row_is_one_chunk_that_reads_with_its_headers():
    chunks = chunk(doc_of(SEED_FILE))
    rows = [c for c in chunks if c.kind == "table_row"]
    assert len(rows) == 9
    security = next(c for c in rows if "Security Cooperation" in c.text)
    assert security.text == ("Focus Area: Security Cooperation; Japan’s Role: Host joint military exercises; "
                             "U.S. Role: Provide strategic intelligence")
    assert security.row == {"Focus Area": "Security Cooperation", "Japan’s Role": "Host joint military exercises",
                            "U.S. Role": "Provide strategic intelligence"}
    assert security.id.endswith("#t1.r2")
    assert security.section.startswith("Japan Prime Minister Emphasizes")
    assert security.section in security.embed_text()


def test_chunk_ids_are_deterministic_and_unique():
    a, b = chunk(doc_of(SEED_FILE)), chunk(doc_of(SEED_FILE))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert all(re.search(r"#(s\d+\.[pl]\d+|t\d+\.r\d+)$", c.id) for c in a)


def test_long_paragraphs_are_split_between_sentences(tmp_path):
    sentence = "The committee met again on Tuesday to discuss the harbour budget in detail. "
    path = tmp_path / "long.txt"
    path.write_text(sentence * 40, encoding="utf-8")
    chunks = chunk(doc_of(path), max_words=120)
    assert len(chunks) > 1
    assert all(len(c.text.split()) <= 120 for c in chunks)
    assert all(c.text.endswith("detail.") for c in chunks)


def test_markdown_front_matter_headings_and_table():
    doc = doc_of(DATA / "wire_a.md")
    a = doc.article
    assert (doc.title, a.publisher, a.published_at, a.url) == (
        "Harbor bridge reopens after repairs", "Coastal Herald", "2024-03-05", "https://example.com/bridge-a")
    assert [s.heading for s in doc.sections] == ["", "Costs"]
    rows = [c for c in chunk(doc) if c.kind == "table_row"]
    assert rows[0].text == "Item: Steel work; 2023: $10m; 2024: $12m"
    assert rows[0].section == "Costs"


def test_html_drops_navigation_and_scripts_and_merges_spanning_headers():
    doc = doc_of(DATA / "page.html")
    text = " ".join(c.text for c in chunk(doc))
    assert "tracking" not in text and "Sport" not in text and "color: red" not in text
    assert doc.title == "City council passes budget"
    assert doc.article.published_at.startswith("2024-01-15") and doc.article.author == "Jane Doe"
    assert "Spending by department" in [s.heading for s in doc.sections]
    rows = [c for c in chunk(doc) if c.kind == "table_row"]
    assert [r.text for r in rows] == ["Department: Education; Budget (millions) 2023: 410; Budget (millions) 2024: 455",
                                      "Department: Transport; Budget (millions) 2023: 220; Budget (millions) 2024: 230"]
    lists = [c for c in chunk(doc) if c.kind == "list"]
    assert "- Schools get new roofs" in lists[0].text


def test_year_row_under_a_spanning_header_is_merged_into_header_names(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("# Report\n\nSales by type (in millions):\n\n"
                    "|  |  | Years Ended September 30, |  |\n| --- | --- | --- | --- |\n"
                    "|  | 2019 | 2018 | 2017 |\n| Fixed Price | $  1,452.4 | $  1,146.2 | $  1,036.9 |\n"
                    "| Total sales | $1,496.5 | $1,202.9 | $1,107.7 |\n", encoding="utf-8")
    table = doc_of(path).tables[0]
    assert table.headers == ("", "Years Ended September 30, 2019", "Years Ended September 30, 2018",
                             "Years Ended September 30, 2017")
    rows = [c for c in chunk(doc_of(path)) if c.kind == "table_row"]
    assert rows[1].text == ("Total sales; Years Ended September 30, 2019: $1,496.5; "
                            "Years Ended September 30, 2018: $1,202.9; Years Ended September 30, 2017: $1,107.7")
    assert rows[1].id.endswith("#t1.r3")  # numbered by position among the source's data rows
    assert rows[1].caption == "Sales by type (in millions):"


def test_ragged_row_is_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "ragged.md"
    path.write_text("Intro text of the article.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 | 5 | 6 |\n| 7 |\n",
                    encoding="utf-8")
    chunks, _, problems = prepare(path, path.read_bytes(), 20 * MB)
    assert problems == ["table 1 row 2: 4 cells under 2 headers (ragged row); row left out"]
    assert [c.text for c in chunks if c.kind == "table_row"] == ["A: 1; B: 2", "A: 7"]
    assert any(c.text == "Intro text of the article." for c in chunks)


def test_json_feed_with_wrapper_and_newsapi_source():
    loaded = load_file((DATA / "feed.json").resolve(), 20 * MB)
    port, rail = loaded.articles
    assert (port.title, port.publisher, port.published_at, port.author) == (
        "Port strike ends", "Daily Wire", "2024-04-02T08:00:00", "A. Writer")
    assert port.article_id.endswith(".1") and rail.article_id.endswith(".2")
    assert rail.format == "html" and rail.published_at == "2024-03-03"
    texts = [c.text for c in chunk(parse(rail))]
    assert texts == ["Rail fares will rise by 4 percent in January, the operator said.\n"
                     "Commuter groups criticised the increase."]


def test_jsonl_bad_line_is_reported_and_others_kept():
    loaded = load_file((DATA / "lines.jsonl").resolve(), 20 * MB)
    assert [a.title for a in loaded.articles] == ["Wind farm approved", "Solar tariff cut"]
    assert len(loaded.problems) == 1 and loaded.problems[0].startswith("line 2: invalid JSON")


@pytest.mark.skipif(not (SHARED / "eval/tatqa_dev/corpus").is_dir(), reason="shared eval packs absent")
def test_every_tatqa_table_row_becomes_a_chunk():
    """Each data line of every table in the 278 reports is either a chunk with exactly its cells, or a
    header-like line (no row label, or only a unit note such as "(in thousands)" over year cells)
    whose cells live on in the merged header names."""
    files = sorted((SHARED / "eval/tatqa_dev/corpus").glob("*.md"))
    assert len(files) == 278
    total = 0
    for path in files:
        chunks, _, problems = prepare(path.resolve(), path.read_bytes(), 20 * MB)
        assert not problems, (path.name, problems)
        rows = {c.row_index: c for c in chunks if c.kind == "table_row"}
        lines = path.read_text(encoding="utf-8").splitlines()
        rule = next(i for i, ln in enumerate(lines) if re.match(r"^\|\s*-{3}", ln))
        headers = {h for c in rows.values() for h in c.headers}  # a header block below data rows starts a table
        for n, line in enumerate(lines[rule + 1:], 1):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if n in rows:
                assert [" ".join(c.split()) for c in cells] == list(rows[n].row.values()), (path.name, n)
                total += 1
            else:
                assert all(c in " ".join(headers) for c in cells if c), (path.name, n, line)
    assert total > 1500


def table_rows(folder, name: str, text: str):
    """The table-row chunks of one markdown article written into `folder`."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    chunks, _, _ = prepare(path.resolve(), path.read_bytes(), 20 * MB)
    return [c for c in chunks if c.kind == "table_row"]


def test_header_lines_below_data_rows_start_a_table_of_their_own(tmp_path):
    """A quarterly table gives "Fiscal 2019" quarters, then header lines again and "Fiscal 2018"
    quarters: each row is read under its own block's header, not the first one."""
    rows = table_rows(tmp_path, "quarters.md",
                      "# Quarters\n\n|  |  | Fiscal 2019 |  |\n| --- | --- | --- | --- |\n|  | First | Second | Total |\n"
                      "| Revenues | 94 | 96 | 190 |\n| Gross margin | 40% | 41% | 40.5% |\n|  |  | Fiscal 2018 |  |\n"
                      "|  | First | Second | Total |\n| Revenues | 88 | 89 | 177 |\n")
    assert [c.text for c in rows] == [
        "Revenues; Fiscal 2019 First: 94; Fiscal 2019 Second: 96; Fiscal 2019 Total: 190",
        "Gross margin; Fiscal 2019 First: 40%; Fiscal 2019 Second: 41%; Fiscal 2019 Total: 40.5%",
        "Revenues; Fiscal 2018 First: 88; Fiscal 2018 Second: 89; Fiscal 2018 Total: 177"]
    assert rows[0].table_index != rows[2].table_index


def test_grouped_rows_carry_their_group_and_unit_notes_join_the_header(tmp_path):
    """Financial tables group rows under a label-only heading row; a subtotal row has no label of its
    own. Each row knows its group (for retrieval and for naming the subtotal); a "(in thousands)" row
    of years is a header row, not data."""
    rows = table_rows(tmp_path, "taxes.md",
                      "# Taxes\n\n|  | March 31, |  |\n| --- | --- | --- |\n| (in thousands) | 2019 | 2018 |\n"
                      "| Deferred tax assets: |  |  |\n| Inventory | $7,144 | $6,001 |\n| Accrued expenses | 2,330 | 1,200 |\n"
                      "|  | 9,474 | 7,201 |\n")
    assert rows[0].headers == ("(in thousands)", "March 31, 2019", "March 31, 2018")
    assert [(c.group, list(c.row.values())[0]) for c in rows] == [
        ("", "Deferred tax assets:"), ("Deferred tax assets", "Inventory"),
        ("Deferred tax assets", "Accrued expenses"), ("Deferred tax assets", "")]
    assert "Deferred tax assets" in rows[1].embed_text() and "Deferred tax assets" not in rows[1].text


def test_a_row_of_column_names_under_a_spanning_label_is_the_header(tmp_path):
    """A header line with only a spanning label ("Payments Due by Period") over a line of column
    names: the names are the header, joined with the label, and every figure row keeps its column."""
    [row] = table_rows(tmp_path, "obligations.md",
                       "# Obligations\n\n|  |  | Payments Due by Period |  |\n| --- | --- | --- | --- |\n"
                       "| Contractual Obligations | Total | Less than 1 Year | 1-3 Years |\n"
                       "| Operating lease obligations | 312.6 | 52.1 | 86.4 |\n")
    assert row.row == {"Contractual Obligations": "Operating lease obligations",
                       "Payments Due by Period Total": "312.6", "Payments Due by Period Less than 1 Year": "52.1",
                       "Payments Due by Period 1-3 Years": "86.4"}
