"""Briefings for real: the packaged model, Chroma, the seed and small test articles. A fake chat model
stands in for an LLM's words in the LLM test only."""
from __future__ import annotations

import json
import shutil

import pytest
from conftest import DATA, SEED_FILE, SHARED, briefing
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.brief import Briefer
from assistant.sentences import sentences
from assistant.check import MIN_OVERLAP
from assistant.llm import MAX_TOKENS
from assistant.retrieval import Filters
from index.indexer import run_index
from index.lexical import tokenize
from index.store import Store

MARKUP = ("Council minutes published\n\nThe council published its minutes on Thursday, and a reader found the text "
          "<script>alert(\"x\")</script> pasted into the budget notes.\n\nThe clerk said the budget notes would be "
          "corrected by Friday, officials said.\n")


def _index(folder, embeddings) -> Store:
    store = Store.open(folder / ".index")
    run_index(store, [folder], lambda: embeddings, max_bytes=2**24)
    return store


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, embeddings):
    folder = tmp_path_factory.mktemp("brief-seed")
    shutil.copy(SEED_FILE, folder)
    return _index(folder, embeddings)


@pytest.fixture(scope="module")
def seed_briefing(seed_store, embeddings):
    return Briefer(seed_store, embeddings).brief()


@pytest.fixture(scope="module")
def news_store(tmp_path_factory, embeddings):
    folder = tmp_path_factory.mktemp("brief-news")
    for name in ("wire_a.md", "wire_b.md", "feed.json", "page.html", "injection.txt"):
        shutil.copy(DATA / name, folder)
    (folder / "markup.txt").write_text(MARKUP, encoding="utf-8")
    return _index(folder, embeddings)


def _lines(b: dict) -> list[dict]:
    """Every cited line of prose in a briefing's JSON."""
    return b["bottom_line"] + [p for t in b["themes"] for p in t["points"]] + b["timeline"]


def _prose_words(b: dict) -> int:
    texts = [line["text"] for line in _lines(b)] + b["gaps"]
    texts += [d["about"] for d in b["disagreements"]] + [v["value"] for d in b["disagreements"] for v in d["values"]]
    return sum(len(t.split()) for t in texts)


def _supported(b: dict) -> None:
    """Each line carries citations, and the words of each line are in the texts it cites: all of them
    when grounded (verbatim), most of them (as verified) when an LLM wrote it."""
    cited = {c["marker"]: c for c in b["citations"]}
    share = MIN_OVERLAP if b["mode"] == "llm" else 1.0
    for line in _lines(b):
        assert line["markers"] and all(m in cited for m in line["markers"]), line
        words = set(tokenize(line["text"]))
        source = set(tokenize(" ".join(cited[m]["text"] for m in line["markers"])))
        assert len(words & source) >= share * len(words), line
    for d in b["disagreements"]:
        assert len({v["marker"] for v in d["values"]}) == len(d["values"]) >= 2, d  # cited on each side
        assert all(v["value"] in cited[v["marker"]]["text"] for v in d["values"]), d


def test_seed_briefing_covers_the_lead_the_areas_the_position_and_the_recommendations(seed_briefing):
    b = seed_briefing.as_json()
    cited = {c["marker"]: c for c in b["citations"]}
    lead = " ".join(p["text"] for p in b["bottom_line"])
    assert "reaffirmed his commitment to maintaining close cooperation" in lead and "following recent high-level " \
        "discussions between Washington and Beijing" in lead
    [kyodo] = [p for p in b["bottom_line"] if "Kyodo News" in p["text"]]
    assert any("According to Kyodo News" in cited[m]["text"] for m in kyodo["markers"])
    points = {t["name"]: " ".join(p["text"] for p in t["points"]) for t in b["themes"]}
    assert any(all(area in text for area in ("Trade and Investment", "Security Alliances", "Technological Development"))
               for text in points.values())
    assert any("Strategic Position" in name and text for name, text in points.items())
    assert any(name.startswith("Recommendations") and text for name, text in points.items())
    assert b["mode"] == "grounded" and b["gaps"] == []  # gaps are for a topic
    assert [s["title"] for s in b["sources"]] == [b["title"].removeprefix("Briefing: ")]


def test_seed_briefing_reproduces_key_table_rows_with_their_headers(seed_briefing):
    b = seed_briefing.as_json()
    cited = {c["marker"]: c for c in b["citations"]}
    [roles] = [f for f in b["figures"] if f["headers"] == ["Focus Area", "Japan’s Role", "U.S. Role"]]
    [row] = [r for r in roles["rows"] if r["cells"][0] == "Security Cooperation"]
    assert row["cells"] == ["Security Cooperation", "Host joint military exercises", "Provide strategic intelligence"]
    citation = cited[row["marker"]]
    assert citation["kind"] == "table_row" and citation["row"]["Japan’s Role"] == "Host joint military exercises"
    assert len(b["figures"]) == 3 and all(len(f["rows"]) == 3 for f in b["figures"])


def test_seed_briefing_points_out_the_inconsistencies_cited_on_both_sides(seed_briefing):
    b = seed_briefing.as_json()
    cited = {c["marker"]: c for c in b["citations"]}
    values = {d["about"]: {v["value"]: cited[v["marker"]]["text"] for v in d["values"]} for d in b["disagreements"]}
    [trump] = [v for v in values.values() if "President Trump" in v]
    assert "former U.S. President Donald Trump" in trump and "under President Trump" in trump["President Trump"]
    [premier] = [v for v in values.values() if "Prime Minister Shinzo Abe" in v]
    assert "Japan’s Prime Minister" in premier
    assert "Shinzo Abe" not in premier["Japan’s Prime Minister"]  # the side that leaves him unnamed
    _supported(b)


def test_every_line_is_cited_supported_and_within_the_word_limit(seed_briefing, seed_store, embeddings):
    b = seed_briefing.as_json()
    _supported(b)
    assert b["words"] == _prose_words(b) <= 300
    seed_text = SEED_FILE.read_text(encoding="utf-8")
    assert all(s in seed_text for c in b["citations"] if c["kind"] == "text" for s in sentences(c["text"]))
    for words in (60, 120):
        short = Briefer(seed_store, embeddings).brief(words=words).as_json()
        assert short["words"] == _prose_words(short) <= words and short["bottom_line"]
        _supported(short)


def test_topic_briefing_merges_wire_copies_and_shows_where_they_disagree(news_store, embeddings):
    b = Briefer(news_store, embeddings).brief("Harbor Bridge", words=80).as_json()
    assert b["words"] == _prose_words(b) <= 80 and b["title"] == "Briefing: Harbor Bridge"
    _supported(b)
    cited = {c["marker"]: c for c in b["citations"]}
    [cost] = [line for line in _lines(b) if "$42 million" in line["text"]]
    assert {cited[m]["source"].rsplit("/", 1)[-1] for m in cost["markers"]} == {"wire_a.md", "wire_b.md"}
    [day] = b["disagreements"]
    assert {v["value"]: cited[v["marker"]]["title"] for v in day["values"]} == {
        "Monday": "Harbor bridge reopens after repairs", "Tuesday": "Harbor bridge back in service after repair works"}
    assert {s["publisher"] for s in b["sources"]} == {"Coastal Herald", "Bay Times"}
    assert [f["headers"] for f in b["figures"]] == [["Item", "2023", "2024"]]
    dates = [e["date"] for e in b["timeline"]]
    assert dates == sorted(dates) and set(dates) <= {"2024-03-05", "2024-03-06"}


def test_a_topic_the_articles_do_not_cover_and_the_gaps_of_one_they_do(news_store, embeddings):
    briefer = Briefer(news_store, embeddings)
    b = briefer.brief("volcanic eruption in Iceland")
    assert b.gaps == ["The indexed articles do not cover “volcanic eruption in Iceland”."]
    assert not (b.bottom_line or b.themes or b.citations)
    b = briefer.brief("Harbor Bridge repairs contractor")
    assert b.bottom_line and any("“contractor”" in g for g in b.gaps)


def test_filters_and_instructions_in_articles(news_store, embeddings):
    b = Briefer(news_store, embeddings).brief(filters=Filters(source="bay times")).as_json()
    assert [s["publisher"] for s in b["sources"]] == ["Bay Times"]
    b = Briefer(news_store, embeddings).brief("island ferry timetable").as_json()
    assert "every 30 minutes" in json.dumps(b) and "cancelled forever" not in json.dumps(b)


def test_markdown_and_html_exports_escape_article_markup(news_store, embeddings):
    b = Briefer(news_store, embeddings).brief("council minutes")
    md = b.to_markdown()
    assert md.startswith("# Briefing: council minutes") and "## Sources" in md and "## References" in md
    assert "<script>" in md  # Markdown quotes the article as it is ...
    page = b.to_html()
    assert page.startswith("<!doctype html>") and "<style>" in page
    assert "<script" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # ... never runs it
    assert "http-equiv=\"Content-Security-Policy\"" in page and " src=" not in page and "<link" not in page


def test_json_parts_use_the_citation_objects_of_ask(news_store, embeddings):
    b = Briefer(news_store, embeddings).brief("Harbor Bridge").as_json()
    assert list(b) == ["title", "topic", "mode", "bottom_line", "themes", "figures", "timeline", "disagreements",
                       "gaps", "sources", "citations", "words"]
    row = next(c for c in b["citations"] if c["kind"] == "table_row")
    text = next(c for c in b["citations"] if c["kind"] == "text")
    assert set(text) == {"marker", "kind", "text", "source", "title", "section", "url", "published_at", "chunk_id"}
    assert set(row) == set(text) | {"row"}
    assert [c["marker"] for c in b["citations"]] == list(range(1, len(b["citations"]) + 1))
    assert set(b["sources"][0]) == {"source", "title", "published_at", "url", "publisher", "markers"}


def test_since_last_briefs_only_what_arrived_after_the_previous_briefing(tmp_path, embeddings):
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(DATA / "wire_a.md", folder)
    shutil.copy(SEED_FILE, folder)
    store = _index(folder, embeddings)
    briefer = Briefer(store, embeddings)
    assert len(briefer.brief(since_last=True).sources) == 2  # never briefed before: everything
    coastal = Filters(source="coastal herald")
    assert [s.publisher for s in briefer.brief(filters=coastal, since_last=True).sources] == ["Coastal Herald"]
    shutil.copy(DATA / "wire_b.md", folder)
    run_index(store, [folder], lambda: embeddings, max_bytes=2**24)
    new = briefer.brief(since_last=True)
    assert [s.source.rsplit("/", 1)[-1] for s in new.sources] == ["wire_b.md"]
    assert "Tuesday" in new.bottom_line[0].text
    assert not briefer.brief(filters=coastal, since_last=True).citations  # new, but from another source
    again = briefer.brief(since_last=True)
    assert not again.citations and again.gaps[0].startswith("Nothing is new or changed since the previous briefing")
    assert len(briefer.brief("Harbor Bridge", since_last=True).sources) == 2  # another topic: its own history


def test_llm_prose_is_verified_and_an_unsupported_sentence_dropped(seed_store, embeddings):
    fake = FakeListChatModel(responses=[
        "BOTTOM LINE: Japan’s Prime Minister has reaffirmed his commitment to maintaining close cooperation with "
        "former U.S. President Donald Trump [1]. According to Kyodo News, the Japanese leader emphasized the "
        "importance of continued dialogue [1].\n"
        "## Alliance\n"
        "- The statement underscores Japan’s intent to navigate the complex geopolitical landscape [1].\n"
        "- Japan will leave the alliance with the United States next year [1].\n"  # not in the passage
        "- Key areas emphasized for enhanced collaboration include trade and investment [9]."])  # not given
    b = Briefer(seed_store, embeddings, llm=fake).brief()
    assert b.mode == "llm"
    assert [p.text for p in b.bottom_line] == [
        "Japan’s Prime Minister has reaffirmed his commitment to maintaining close cooperation with former U.S. "
        "President Donald Trump.", "According to Kyodo News, the Japanese leader emphasized the importance of "
                                   "continued dialogue."]
    [theme] = b.themes
    assert theme.name == "Alliance" and [p.text for p in theme.points] == [
        "The statement underscores Japan’s intent to navigate the complex geopolitical landscape."]
    assert "leave the alliance" not in b.to_markdown()
    _supported(b.as_json())
    assert b.figures and b.disagreements  # the structured parts stay grounded


def test_llm_is_given_room_for_the_words_asked_not_just_an_answer(seed_store, embeddings):
    class Recording(FakeListChatModel):
        asked: list = []  # max_tokens, call by call

        def _call(self, messages, stop=None, run_manager=None, **kwargs):
            self.asked.append(kwargs.get("max_tokens"))
            return super()._call(messages, stop, run_manager, **kwargs)

    llm = Recording(responses=["BOTTOM LINE: Nothing [1]."])
    for words in (100, 600):
        Briefer(seed_store, embeddings, llm=llm).brief(words=words)
    short, long = llm.asked
    assert short < long and long > MAX_TOKENS  # make_llm's limit, sized for an answer


def test_llm_with_nothing_supported_falls_back_to_the_grounded_briefing(seed_store, embeddings):
    fake = FakeListChatModel(responses=["BOTTOM LINE: The ferry service has been cancelled forever [1]."])
    b = Briefer(seed_store, embeddings, llm=fake).brief()
    assert b.mode == "llm-fallback" and any("Kyodo News" in p.text for p in b.bottom_line)


def test_cli_brief_prints_json_and_writes_html(news_store, tmp_path):
    out = tmp_path / "harbor.html"
    r = briefing("brief", "Harbor Bridge", "--index-dir", str(news_store.lexical_dir.parent), "--words", "60",
                 "--json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert b["words"] <= 60 and b["citations"] and "wrote" in r.stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    bad = briefing("brief", "--index-dir", str(news_store.lexical_dir.parent), "--words", "5")
    assert bad.returncode == 2 and "at least" in bad.stderr


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eval/tatqa_dev/corpus").is_dir(), reason="shared eval packs absent")
def test_report_excerpts_on_a_topic_within_the_word_limit(tmp_path, embeddings):
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted((SHARED / "eval/tatqa_dev/corpus").glob("*.md"))[:40]:
        shutil.copy(path, folder)
    briefer = Briefer(_index(folder, embeddings), embeddings)
    for topic, words in ((None, 300), ("revenue growth", 150)):
        b = briefer.brief(topic, words=words).as_json()
        assert b["words"] == _prose_words(b) <= words and b["bottom_line"] and b["themes"] and b["figures"]
        _supported(b)


@pytest.mark.slow
def test_real_small_llm_writes_a_verified_briefing(seed_store, embeddings):
    """SmolLM2-135M (packaged GGUF) through llama.cpp: its words may be poor, but whatever is kept is verified."""
    from assistant.llm import make_llm

    b = Briefer(seed_store, embeddings, llm=make_llm("gguf:smollm2")).brief(words=120)
    assert b.mode in ("llm", "llm-fallback") and b.words <= 120
    _supported(b.as_json())
