"""One end-to-end test in a real browser (Playwright driving Debian's Chromium, headless): the example
questions read as a person types them; ask, see the short answer first and the citation chip under it,
click the chip, see the cited table row highlighted in its table; ask about sources that disagree, see
both sides listed with their chips."""
from __future__ import annotations

import shutil

import pytest
from conftest import ROOT
from test_app import QUESTION, serve_app

SCREENSHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


@pytest.mark.slow
def test_question_chip_click_highlights_the_cited_row(tmp_path, embeddings):
    from playwright.sync_api import expect, sync_playwright

    assert shutil.which(CHROMIUM), "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
    tunnel = ROOT / "tests" / "data" / "conflicts" / "corpus"  # two reports of a reopening day that disagree
    url, _, demo = serve_app(tmp_path / "index", embeddings, extra=tuple(sorted(tunnel.glob("05-elsmere-*.md"))))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            expect(page.get_by_text("What are the main points?")).to_be_visible(timeout=30_000)  # an open example
            box = page.locator("#question textarea")
            box.fill(QUESTION)
            box.press("Enter")
            chip = page.locator(".message a.chip").first
            expect(chip).to_have_text("1", timeout=30_000)
            bubble = page.locator(".message").last
            short = bubble.locator(".short-answer")
            expect(short).to_have_text("Host joint military exercises")  # the short answer first
            expect(bubble).to_contain_text("Security Cooperation — Japan’s Role")  # then its row and column
            assert short.bounding_box()["y"] < chip.bounding_box()["y"]  # above the quote and its chip
            chip.click()
            card = page.locator("#c1-1")
            expect(card).to_have_class("src-card active")
            row = card.locator("tr.hit")
            expect(row).to_have_count(1)
            expect(row.locator("td").first).to_have_text("Security Cooperation")
            expect(row).to_contain_text("Host joint military exercises")
            expect(row).to_be_in_viewport()
            assert page.evaluate("getComputedStyle(document.querySelector('#c1-1 tr.hit td')).backgroundColor") \
                == "rgb(253, 230, 138)"  # the highlight
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            # sources that disagree: both sides listed, each with its count, publisher, date and chip
            box.fill("when does the Elsmere Road tunnel reopen?")
            box.press("Enter")
            bubble = page.locator(".message").last
            expect(bubble.locator(".badge.conflict")).to_have_text("Sources disagree", timeout=30_000)
            sides = bubble.locator("li")
            expect(sides).to_have_count(2)
            expect(sides.nth(0).locator(".side-value")).to_have_text("Friday, March 15")
            expect(sides.nth(0)).to_contain_text("Eastbank Observer")
            expect(sides.nth(0).locator(".badge")).to_have_text("later report")
            expect(sides.nth(1).locator(".side-value")).to_have_text("Wednesday (13 March)")
            expect(sides.nth(1)).to_contain_text("Riverside Post")
            expect(sides.nth(1).locator("a.chip")).to_have_count(1)
            sides.nth(1).locator("a.chip").click()
            expect(page.locator(".src-card.active")).to_contain_text("reopen to traffic on Wednesday")
            browser.close()
    finally:
        demo.close()


@pytest.mark.slow
def test_a_url_pasted_in_the_library_is_indexed_and_answerable(tmp_path, embeddings):
    from playwright.sync_api import expect, sync_playwright
    from test_web import STORY, Site

    site = Site()
    site.routes["/story.html"] = (200, "text/html; charset=utf-8", STORY)
    url, _, demo = serve_app(tmp_path / "index", embeddings)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            page.get_by_role("tab", name="Library").click()
            page.get_by_label("Or a web page or news feed by URL").fill(f"{site.url}/story.html")
            page.get_by_role("button", name="Fetch and index").click()
            expect(page.get_by_text("Indexed: 1 added")).to_be_visible(timeout=60_000)
            page.get_by_role("tab", name="Chat").click()
            box = page.locator("#question textarea")
            box.fill("How many ships called at Brindisport in February?")
            box.press("Enter")
            bubble = page.locator(".message").last
            expect(bubble.locator(".short-answer")).to_contain_text("95", timeout=30_000)
            bubble.locator("a.chip").first.click()
            expect(page.locator(".src-card.active")).to_contain_text(f"{site.url}/story.html")
            browser.close()
    finally:
        demo.close()
        site.server.shutdown()
