"""Answering for real: the packaged model, Chroma, the seed and small test articles. A fake chat
model stands in for an LLM's words only in the plumbing tests; the real SmolLM2 GGUF has its own."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import DATA, SEED_FILE, SHARED, briefing, indexed
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.answer import Answerer
from assistant.check import verify
from assistant.conversation import condense
from assistant.question import understand
from assistant.select import select
from assistant.sentences import sentences
from assistant.retrieval import Filters
from index.indexer import run_index
from index.store import Store

ARTICLES = ["wire_a.md", "wire_b.md", "injection.txt", "feed.json", "page.html"]


@pytest.fixture(scope="module")
def store(tmp_path_factory, embeddings):
    folder = tmp_path_factory.mktemp("answer-corpus")
    shutil.copy(SEED_FILE, folder)
    for name in ARTICLES:
        shutil.copy(DATA / name, folder)
    store = Store.open(folder / ".index")
    run_index(store, [folder], lambda: embeddings, max_bytes=2**24)
    return store


@pytest.fixture(scope="module")
def answerer(store, embeddings):
    return Answerer(store, embeddings)


def common_words(folder: Path, sentence: str, sections: int) -> None:
    """An article of `sections` sections repeating `sentence` ("{i}" numbered), so that its words
    weigh little in a test's small corpus, as they do in a large one."""
    (folder / "common.md").write_text("# Harbor notes\n\n" + "\n\n".join(
        f"## Note {i}\n\n{sentence.format(i=i)}" for i in range(1, sections + 1)) + "\n", encoding="utf-8")




def test_table_row_answer_states_the_cell_with_its_row_and_column(answerer):
    a = answerer.ask("What is Japan’s role in security cooperation?")
    assert a.answered and a.mode == "grounded"
    assert a.answer == "Host joint military exercises (Security Cooperation — Japan’s Role). [1]"  # the cell first
    assert a.as_json()["short_answer"] == "Host joint military exercises"
    [c] = a.citations
    assert (c.marker, c.kind) == (1, "table_row")
    assert c.row["Japan’s Role"] == "Host joint military exercises"
    assert c.text == ("Focus Area: Security Cooperation; Japan’s Role: Host joint military exercises; "
                      "U.S. Role: Provide strategic intelligence")
    assert c.source.endswith(SEED_FILE.name) and c.chunk_id.endswith("#t1.r2")


def test_text_answer_quotes_the_sentence_it_rests_on(answerer):
    a = answerer.ask("What do the recommendations say about intelligence sharing?")
    assert a.answered and "deepen intelligence sharing" in a.answer
    assert a.answer.endswith("[1]")
    [c] = a.citations
    assert c.kind == "text" and "deepen intelligence sharing" in c.text
    assert c.text in SEED_FILE.read_text(encoding="utf-8")  # exactly the source text
    assert c.section.startswith("Recommendations for Enhancing")


def test_who_question_takes_the_sentence_that_names_the_person_in_that_role(answerer):
    for question in ("Who is Japan's Prime Minister?", "What is the name of Japan's Prime Minister?"):
        a = answerer.ask(question)  # most sentences say "Japan’s Prime Minister" without a name
        assert a.answered and "Prime Minister Shinzo Abe" in a.answer and "Shinzo Abe" in a.citations[0].text


def test_question_in_a_section_headings_words_is_answered_by_the_sections_opening(answerer):
    a = answerer.ask("What are the recommendations for enhancing Japan-U.S. collaboration?")
    assert a.answered and a.answer.startswith("To fortify the alliance")  # the section's opening leads
    assert "deepen intelligence sharing" in a.answer.splitlines()[0]  # not a row of the section's table
    assert {c.section for c in a.citations} == {a.citations[0].section}
    assert a.citations[0].kind == "text" and a.citations[0].section.startswith("Recommendations for Enhancing")


def test_which_kind_of_thing_is_asked_is_not_a_word_the_answer_must_hold(answerer):
    a = answerer.ask("Which organization does Japan want to enhance partnerships with?")
    assert a.answered and "ASEAN" in a.answer  # the row says "Enhancing partnerships with ASEAN", not "organization"
    # not the "Security Cooperation" row
    areas = answerer.ask("What cooperation areas did the Prime Minister emphasize?").answer
    assert "Trade and Investment" in areas and "Technological Development" in areas
    changes = answerer.ask("What communication changes are recommended?")  # of a kind, not an amount to work out
    assert "streamline communication protocols" in changes.answer


def test_a_question_quoting_a_cell_reads_that_cell_not_a_column_it_names_in_passing(answerer):
    a = answerer.ask("Which country is strengthening joint exercises with U.S. forces?")  # "U.S." names a column
    # the country is the one whose approach the column gives: "Japan’s Approach"
    assert a.answer == "Japan. Military Collaboration — Japan’s Approach: Strengthening joint exercises with U.S. " \
                       "forces. [1]"
    # a column named in full is asked for; the cell quoted only says which row
    named = answerer.ask("What is the expected outcome of coordinated engagement with ASEAN?")
    assert named.answer == "Strengthened regional alliances (Regional Diplomacy — Expected Outcome). [1]"


def test_how_many_rows_a_table_lists_is_counted_and_each_row_cited(answerer):
    a = answerer.ask("How many focus areas are in the table?")
    assert a.answer.endswith("lists 3 focus areas: Trade Relations [1], Security Cooperation [2] and Innovation [3].")
    assert [c.kind for c in a.citations] == ["table_row"] * 3


def test_us_written_without_dots_is_the_us(answerer):
    a = answerer.ask("What is the US role in trade relations?")
    assert a.answer == "Support supply chain resilience (Trade Relations — U.S. Role). [1]"


def test_a_row_or_column_the_tables_do_not_have_is_declined(answerer):
    """The seed's tables have a "Proposed Action" column, but not for Innovation, and an Innovation row,
    but no "Japan’s Role" column beside Cybersecurity: no cell answers, so no row is offered."""
    for question in ("What is the proposed action for innovation?", "What is Japan's role in cybersecurity?"):
        a = answerer.ask(question)
        assert not a.answered and not a.citations, question


def test_how_much_or_the_date_is_declined_when_the_passages_state_no_amount_or_date(answerer):
    a = answerer.ask("How much did Japan spend on defense?")  # "ensures Japan’s defense" gives no figure
    assert not a.answered and not a.citations
    assert not answerer.ask("What is the date of the statement?").answered  # "The statement, made amid ..."
    assert not answerer.ask("How many ASEAN members does Japan engage?").answered  # "Coordinated engagement with ASEAN"


def test_question_the_corpus_cannot_answer_is_declined(answerer):
    a = answerer.ask("What was the exchange rate of the yen against the dollar on the day of the statement?")
    assert not a.answered and not a.citations
    assert "do not cover" in a.answer
    assert a.related and all(r.marker == 0 for r in a.related)


def test_conflicting_sources_are_both_stated_and_cited(answerer):
    a = answerer.ask("On which day did the Harbor Bridge reopen?")
    assert a.answered and "Monday" in a.answer and "Tuesday" in a.answer
    assert {c.title for c in a.citations} == {"Harbor bridge reopens after repairs",
                                              "Harbor bridge back in service after repair works"}
    [conflict] = a.conflicts
    assert sorted(v for v, _ in conflict.values) == ["Monday", "Tuesday"]
    assert sorted(s.day for s in conflict.sides) == ["4 March", "5 March"]  # each placed by its article's date
    assert sorted(m for _, m in conflict.values) == [1, 2]
    # where the two agree, no conflict is claimed
    b = answerer.ask("How much did the Harbor Bridge repairs cost?")
    assert "$42 million" in b.answer and not b.conflicts


def test_follow_up_is_resolved_against_the_previous_question(answerer):
    assert condense("And the U.S.?", "What is Japan’s role in Security Cooperation?") == \
        "What is the U.S. role in Security Cooperation?"
    a = answerer.ask("And the U.S.?", history=["What is Japan’s role in Security Cooperation?"])
    assert "Provide strategic intelligence" in a.answer
    assert a.as_json()["standalone_question"] == "What is the U.S. role in Security Cooperation?"
    # a common noun phrase takes the place of one of its kind: the asked thing, or the place it is asked for
    asked = "What is the proposed action for cybersecurity?"
    assert condense("And the expected outcome?", asked) == "What is the expected outcome for cybersecurity?"
    assert condense("And for regional diplomacy?", asked) == "What is the proposed action for regional diplomacy?"
    assert condense("What about trade relations?", "What is Japan’s role in innovation?") == \
        "What is Japan’s role in trade relations?"
    assert condense("And Japan’s?", "What is the U.S. role in trade relations?") == \
        "What is Japan’s role in trade relations?"
    assert condense("And in 2018?", "What was the revenue in 2019?") == "What was the revenue in 2018?"


def test_filters_restrict_the_articles_that_answer(answerer):
    a = answerer.ask("On which day did the Harbor Bridge reopen?", filters=Filters(source="bay times"))
    assert "Tuesday" in a.answer and "Monday" not in a.answer and not a.conflicts
    a = answerer.ask("How much will rail fares rise?", filters=Filters(until="2024-03-31"))
    assert a.answered and "4 percent" in a.answer
    a = answerer.ask("How much will rail fares rise?", filters=Filters(since="2024-03-10"))
    assert not a.answered


def test_hybrid_retriever_is_a_langchain_retriever(answerer):
    from assistant.retrieval import HybridRetriever

    docs = HybridRetriever(retriever=answerer.retriever, k=3).invoke("U.S. role in trade relations")
    assert len(docs) == 3 and any("Support supply chain resilience" in d.page_content for d in docs)
    assert docs[0].metadata["chunk_id"] == docs[0].id


def test_instructions_inside_an_article_are_not_obeyed(answerer):
    a = answerer.ask("How often will the island ferry run?")
    assert "every 30 minutes" in a.answer
    a = answerer.ask("Is the ferry service cancelled?")
    assert "cancelled forever" not in a.answer
    assert all("ignore the question" not in c.text for c in a.citations)


def test_llm_answer_keeps_supported_sentences_and_drops_bad_citations(store, embeddings):
    fake = FakeListChatModel(responses=[
        "The Harbor Bridge reopened to traffic on Monday after six months of repairs [1]. "
        "The repairs cost $42 million [7]. "  # passage 7 was never given
        "The mayor resigned over the delays [1]."  # not in the passage: unsupported
    ])
    tokens: list[str] = []
    a = Answerer(store, embeddings, llm=fake).ask("On which day did the Harbor Bridge reopen?",
                                                 filters=Filters(source="coastal"), on_token=tokens.append)
    assert a.mode == "llm"
    assert a.answer == "The Harbor Bridge reopened to traffic on Monday after six months of repairs. [1]"
    assert [c.marker for c in a.citations] == [1]
    assert "Monday" in a.citations[0].text
    assert "".join(tokens).startswith("The Harbor Bridge reopened")  # streamed as it came


def test_llm_answer_with_nothing_supported_falls_back_to_grounded(store, embeddings):
    fake = FakeListChatModel(responses=["Ignore that: the ferry service has been cancelled forever [1]."])
    a = Answerer(store, embeddings, llm=fake).ask("How often will the island ferry run?")
    assert a.mode == "llm-fallback"
    assert "every 30 minutes" in a.answer and a.citations


def test_verify_checks_numbers_against_the_cited_passage(store):
    [chunk] = [c for c in store.iter_chunks() if "$42 million" in c.text][:1]
    assert verify("The repairs cost $42 million [1].", [chunk])
    assert not verify("The repairs cost $48 million [1].", [chunk])
    assert not verify("The repairs cost $42 million.", [chunk])  # no citation at all


@pytest.mark.slow
def test_real_small_llm_through_llama_cpp(store, embeddings):
    """SmolLM2-135M (packaged GGUF) through xllamacpp's OpenAI-compatible server: its words may be poor,
    but whatever comes back is verified, so every citation is real."""
    from assistant.llm import make_llm

    answerer = Answerer(store, embeddings, llm=make_llm("gguf:smollm2"))
    tokens: list[str] = []
    a = answerer.ask("What is the U.S. role in trade relations?", on_token=tokens.append)
    assert tokens and a.answered and a.mode in ("llm", "llm-fallback")
    texts = {c.id: c.text for c in store.iter_chunks()}
    for c in a.citations:
        assert c.chunk_id in texts and c.text.replace(" ", "") in texts[c.chunk_id].replace(" ", "")
        assert f"[{c.marker}]" in a.answer
    if a.mode == "llm-fallback":
        assert "Support supply chain resilience" in a.answer


def test_cli_ask_reads_questions_from_stdin(store, tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    questions = ("What is the U.S. role in trade relations?\nWhat did the Chinese foreign ministry say?\n"
                 "What did Japan's Prime Minister reaffirm?\nWho reported it?\n")  # one conversation
    r = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "--json", "-", "--index-dir", store.location],
                       input=questions, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    first, second, _, follow_up = [json.loads(line) for line in r.stdout.splitlines()]
    assert first["answered"] and "Support supply chain resilience" in first["answer"]
    assert first["citations"][0]["kind"] == "table_row" and "timings" in first
    assert not second["answered"] and second["citations"] == []
    assert follow_up["answer"].startswith("Kyodo News.")  # read against the answer before it
    human = briefing("ask", "What is the U.S. role in trade relations?", "--index-dir", store.location)
    assert "[1]" in human.stdout and "Support supply chain resilience" in human.stdout
    paired = briefing("ask", "Who reported it?", "--json", "--index-dir", store.location, "--history",
                      json.dumps(["What did Japan's Prime Minister reaffirm?", "commitment to close cooperation"]))
    assert json.loads(paired.stdout)["answer"].startswith("Kyodo News.")


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eval/seed_dev.jsonl").is_file(), reason="shared eval packs absent")
def test_seed_packs_meet_their_bars(tmp_path):
    """The seed pack perfectly; the chat pack (questions as people type them, follow-ups) at the
    issue's bars: answers 0.9, false refusals at most 0.05, every refusal, the answer first 0.8,
    citations 0.85."""
    ix = str(tmp_path / "ix")
    assert briefing("index", str(SEED_FILE.parent), "--index-dir", ix).returncode == 0
    r = briefing("eval", str(SHARED / "eval/seed_dev.jsonl"), "--index-dir", ix, "--json")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert (m["answer_accuracy"], m["refusal_accuracy"]) == (1.0, 1.0)
    assert m["citation_recall"] >= 0.95 and m["citation_precision"] >= 0.9
    if (SHARED / "eval/seed_chat_dev.jsonl").is_file():
        chat = json.loads(briefing("eval", str(SHARED / "eval/seed_chat_dev.jsonl"), "--index-dir", ix, "--json").stdout)
        assert chat["answer_accuracy"] >= 0.9 and chat["false_refusals"] <= 0.05 and chat["refusal_accuracy"] == 1.0
        assert chat["answer_lead_accuracy"] >= 0.8
        assert chat["citation_recall"] >= 0.85 and chat["citation_precision"] >= 0.85


def test_reports_that_the_question_does_not_tell_apart_are_each_stated_and_a_change_is_not_computed(
        tmp_path, embeddings):
    """Two company reports give revenue by year. "Revenue in 2019" names no company: both figures are
    stated, each with its report and citation. "The change in revenue" is stated by neither: the
    composer quotes, it does not compute, so it declines and lists the rows under related."""
    for name, business, figures in (("north", "builds ferries and harbour cranes in Norway; its shipyard in Bergen delivered "
                                     "four electric vessels to coastal operators", ("$1,200", "$1,100")),
                                    ("south", "runs private hospitals across Chile and Peru; it opened a cancer clinic "
                                     "in Lima and hired two hundred nurses", ("$950", "$990"))):
        (tmp_path / f"{name}.md").write_text(
            f"# {name.title()} Corp annual report\n\n{name.title()} Corp {business}.\n\n| | 2019 | 2018 |\n| --- | --- | --- |\n"
            f"| Revenue | {figures[0]} | {figures[1]} |\n| Operating costs | 400 | 380 |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    a = answerer.ask("What was the revenue in 2019?")
    assert a.answered and len(a.citations) == 2
    assert "“North Corp annual report”: $1,200 (Revenue — 2019). [" in a.answer
    assert "“South Corp annual report”: $950 (Revenue — 2019). [" in a.answer
    declined = answerer.ask("What was the change in revenue from 2018 to 2019?")
    assert not declined.answered and not declined.citations
    assert any(c.row and c.row.get("Column 1") == "Revenue" for c in declined.related)


def test_questions_about_a_table_list_its_rows_and_years(tmp_path, embeddings):
    """"Which countries ..." lists the table's rows (not its total), each row cited; "the components of
    X" lists the rows that add up to X; two rows named in one question are both stated; "which years"
    reads the table's columns, not the line above it."""
    (tmp_path / "harbor.md").write_text(
        "# Harbor Logistics annual report\n\nHarbor Logistics moves containers between ports.\n\n"
        "Revenue from port fees by country was as follows:\n\n| | 2019 | 2018 | 2017 |\n| --- | --- | --- | --- |\n"
        "| Norway | 410 | 380 | 350 |\n| Denmark | 220 | 210 | 190 |\n| Poland | 95 | 90 | 70 |\n"
        "| Total port fees | 725 | 680 | 610 |\n\nThe cost of the fleet is shown below:\n\n| | 2019 | 2018 |\n"
        "| --- | --- | --- |\n| Vessels | 900 | 850 |\n| Cranes | 300 | 280 |\n| Fleet cost, gross | 1,200 | 1,130 |\n"
        "| Accumulated depreciation | (400) | (350) |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    countries = answerer.ask("Which countries are shown in the table of revenue from port fees?")
    assert countries.answered and "Norway [1], Denmark [2] and Poland [3]" in countries.answer
    assert [c.kind for c in countries.citations] == ["table_row"] * 3 and "Total" not in countries.answer
    entries = answerer.ask("What are the port fees by country in the table?")
    assert "Norway [1], Denmark [2] and Poland [3]" in entries.answer
    parts = answerer.ask("What are the components of fleet cost, gross?")
    assert "Vessels [1] and Cranes [2]" in parts.answer and "depreciation" not in parts.answer
    making = answerer.ask("What were the components making up fleet cost, gross?")  # "making up": no words to find
    assert "Vessels [1] and Cranes [2]" in making.answer
    both = answerer.ask("What were the port fees from Norway and Denmark in 2019, respectively?")
    assert both.answer == "410 (Norway — 2019). [1] 220 (Denmark — 2019). [2]"
    years = answerer.ask("Which years does the table provide information for revenue from port fees?")
    assert "2019, 2018 and 2017" in years.answer and years.citations[0].kind == "table_row"
    most = answerer.ask("Which country had the highest port fees in 2018?")
    assert most.answer.startswith("Norway has the highest value under “2018” (380) [1]")
    assert most.citations[0].text.startswith("Norway")
    each = answerer.ask("What were the port fees for each country in 2018?")
    assert each.answer == "380 (Norway — 2018). [1] 210 (Denmark — 2018). [2] 90 (Poland — 2018). [3]"
    least = answerer.ask("In which country were the port fees the lowest in 2017?")
    assert least.answer.startswith("Poland has the lowest value under “2017” (70)")


def test_an_inline_enumeration_stays_in_its_sentence():
    text = ("The Company does not disclose obligations for (i) contracts of one year or less and (ii) contracts "
            "billed as performed. Revenue is recognized over time.")
    assert sentences(text) == ("The Company does not disclose obligations for (i) contracts of one year or less and "
                               "(ii) contracts billed as performed.", "Revenue is recognized over time.")


def test_a_stated_change_below_the_table_answers_when_the_row_only_gives_the_balance(tmp_path, embeddings):
    """The row "Port licenses" matches the question best (another report says "increased" often, so
    the word weighs little), but it gives balances, not the asked increase; the sentence of the same
    report that states the increase answers instead."""
    (tmp_path / "traffic.md").write_text("# Harbor traffic\n\n" + "\n\n".join(
        f"## Week {i}\n\nContainer traffic at berth {i} increased by {i} percent as ships arrived early."
        for i in range(1, 13)) + "\n", encoding="utf-8")
    (tmp_path / "licenses.md").write_text(
        "# Harbor Logistics licenses\n\nIn 2019, port licenses increased $15.6 million, mostly through the "
        "purchase of two terminals.\n\n| | December 31, 2019 | December 31, 2018 |\n| --- | --- | --- |\n"
        "| Port licenses | $136.2 | $120.6 |\n| Berth rights | 40.1 | 38.0 |\n", encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("What was the increase in port licenses in 2019?")
    assert a.answered and "increased $15.6 million" in a.answer and a.citations[0].kind == "text"


def test_what_a_thing_is_and_why_are_answered_by_sentences_not_figures(tmp_path, embeddings):
    """"How is X defined?" ("How are X stated?") is answered by the sentence that says so, not by X's
    row of figures; "why did X increase?" ("what was the rise in X due to?") quotes the sentence
    after the one stating the increase when that one gives the reason."""
    common_words(tmp_path, "Term {i} is defined as a rise in fleet days in 2019 for route {i}.", 12)
    (tmp_path / "terms.md").write_text(
        "# Harbor Logistics terms\n\nBerth utilization is defined as hours occupied divided by hours "
        "available.\n\nBerth utilization rose by 4 points in 2019. The rise was due to longer calls by "
        "container ships.\n\nHarbor cranes are stated at cost, net of accumulated depreciation.\n\n"
        "| | 2019 | 2018 |\n| --- | --- | --- |\n| Berth utilization | 78% | 74% |\n"
        "| Crane moves per hour | 31 | 29 |\n| Harbor cranes | 310 | 290 |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    defined = answerer.ask("How is berth utilization defined?")
    assert "hours occupied divided by hours available" in defined.answer and defined.citations[0].kind == "text"
    why = answerer.ask("Why did berth utilization rise in 2019?")
    assert "due to longer calls by container ships" in why.answer
    due = answerer.ask("What was the rise in berth utilization in 2019 due to?")
    assert "due to longer calls by container ships" in due.answer
    how = answerer.ask("How are harbor cranes stated?")
    assert how.answer == "Harbor cranes are stated at cost, net of accumulated depreciation. [1]"


def test_columns_named_by_periods_and_a_change_beside_the_quarters(tmp_path, embeddings):
    """"Less than one year and 2-5 years" names two columns of an obligations table by their periods;
    "the percentage change ... in the fourth quarter 2019 to fourth quarter 2018" reads the "% change"
    column, not the quarters (whose shared words tell neither from it)."""
    common_words(tmp_path, "The percentage change in berth {i} traffic was small.", 3)
    (tmp_path / "obligations.md").write_text(
        "# Harbor Logistics obligations\n\nContractual obligations were as follows:\n\n"
        "| | Total | Less than 1 year | 2-5 years | More than 5 years |\n| --- | --- | --- | --- | --- |\n"
        "| Berth leases | 5,100 | 900 | 2,700 | 1,500 |\n| Crane loans | 1,200 | 300 | 900 | — |\n\n"
        "## Quarterly revenues\n\n| Revenues | Fourth quarter 2019 | Fourth quarter 2018 | $ change | % change |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| Port fees | 2,493 | 2,407 | 86 | 3.6% |\n| Storage | 1,138 | 1,137 | 1 | 0.1% |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    due = answerer.ask("What are the berth leases due in less than one year and in 2-5 years?")
    assert due.answer == "Berth leases — Less than 1 year: 900; 2-5 years: 2,700. [1]"
    change = answerer.ask("What is the percentage change in port fees in the fourth quarter 2019 to "
                          "fourth quarter 2018?")
    assert change.answer == "3.6% (Port fees — % change). [1]"


def test_a_year_asked_reads_the_years_amount_not_a_share_column_or_an_empty_cell(tmp_path, embeddings):
    """"Total fees in 2018" in a table whose "Percentage of Total Fees" columns hold the question's words:
    the 2018 amount of the total row, not a percentage, and not a row whose 2018 cell is a dash."""
    (tmp_path / "fees.md").write_text(
        "# Harbor Logistics audit fees\n\nFees billed by the auditor:\n\n"
        "| | 2019 | Percentage of Total Fees | 2018 | Percentage of Total Fees |\n| --- | --- | --- | --- | --- |\n"
        "| Audit Fees | 4,105,000 | 95.2% | 4,556,500 | 96.3% |\n| Audit-Related Fees | 209,005 | 4.8% | 173,934 | 3.7% |\n"
        "| Tax Fees | — | — | — | — |\n| All Other Fees | — | — | — | — |\n"
        "| Total | 4,314,005 | 100.0% | 4,730,434 | 100% |\n", encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("What is the total fees in 2018?")
    assert a.answer == "4,730,434 (Total — 2018). [1]"


def test_which_years_a_table_covers_when_the_text_before_it_names_its_subject(tmp_path, embeddings):
    """The table's subject ("the unaudited pro forma results") is in the paragraph above it, not in a
    caption or in its rows; another table has the same rows for other years."""
    (tmp_path / "merger.md").write_text(
        "# Harbor Logistics merger\n\nThe unaudited pro forma results of the merged fleet assume the merger "
        "closed on January 1, 2018. They do not predict future results.\n\n| | 2019 | 2018 |\n| --- | --- | --- |\n"
        "| Revenue | 10.4 | 9.8 |\n| Net income | 2.1 | 1.7 |\n", encoding="utf-8")
    (tmp_path / "fleet.md").write_text(
        "# Harbor Logistics fleet\n\nThe fleet grew again.\n\n| | 2019 | 2018 | 2017 |\n| --- | --- | --- | --- |\n"
        "| Revenue | 12.0 | 11.2 | 10.5 |\n| Net income | 3.0 | 2.2 | 1.4 |\n", encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("Which years does the table provide information for the unaudited pro "
                                          "forma results?")
    assert a.answered and "2019 and 2018" in a.answer and a.citations[0].source.endswith("merger.md")


def test_a_word_and_number_run_together_match_them_written_apart(tmp_path, embeddings):
    (tmp_path / "standards.md").write_text(
        "# Harbor Logistics accounting standards\n\nFinancial assets on adoption:\n\n| | 2018 |\n| --- | --- |\n"
        "| Opening balance – IAS 39 | 77,131 |\n| Opening balance – IFRS 9 | 100,107 |\n| Closing balance | 83,934 |\n",
        encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("What is the 2018 IFRS9 opening balance?")
    assert a.answer == "100,107 (Opening balance – IFRS 9 — 2018). [1]"


def test_a_quarter_asked_without_a_year_is_read_in_the_latest_years_block(tmp_path, embeddings):
    (tmp_path / "quarters.md").write_text(
        "# Harbor Logistics quarterly results\n\n| | First | Second | Third | Fourth |\n| --- | --- | --- | --- | --- |\n"
        "| 2019 | | | | |\n| Port fees | 117 | 120 | 115 | 116 |\n| Storage | 44 | 45 | 46 | 47 |\n"
        "| 2018 | | | | |\n| Port fees | 101 | 104 | 118 | 120 |\n| Storage | 40 | 41 | 42 | 43 |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    question = "What were the port fees in the third quarter?"
    assert answerer.ask(question).answer == "115 (Port fees — Third). [1]"
    # whichever block retrieval ranks first (here the 2018 one, as hits in the opposite order)
    hits = list(reversed(answerer.retriever.search(question, k=4)))
    best = select(answerer.store, understand(question, answerer.store.lexical()), hits, {})[0]
    assert best.statement == "Port fees — Third: 115" and best.chunk.group == "2019"


def test_a_year_asked_is_not_read_in_a_column_comparing_it_with_another(tmp_path, embeddings):
    (tmp_path / "margins.md").write_text(
        "# Harbor Logistics margins\n\n| | 2019 | 2018 | Percentage Change 2019 Versus 2018 |\n| --- | --- | --- | --- |\n"
        "| Port fees | 410 | 380 | 8% |\n| Gross margin | 120 | 111 | 8% |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    assert answerer.ask("What was the gross margin in 2018?").answer == "111 (Gross margin — 2018). [1]"
    change = answerer.ask("What was the percentage change in gross margin from 2018 to 2019?")
    assert change.answer == "8% (Gross margin — Percentage Change 2019 Versus 2018). [1]"


def test_the_items_under_a_group_heading_stop_at_its_total(tmp_path, embeddings):
    (tmp_path / "taxes.md").write_text(
        "# Harbor Logistics taxes\n\nDeferred taxes were as follows:\n\n| | 2019 | 2018 |\n| --- | --- | --- |\n"
        "| Deferred tax assets: | | |\n| Tax credits | 310 | 290 |\n| Total deferred tax assets | 310 | 290 |\n"
        "| Deferred tax liabilities: | | |\n| Vessel depreciation | (120) | (110) |\n| Crane leases | (40) | (35) |\n"
        "| Total deferred tax liabilities | (160) | (145) |\n| Net deferred tax assets | 150 | 145 |\n", encoding="utf-8")
    items = indexed(tmp_path, embeddings).ask("What are the deferred tax liabilities in the table?")
    assert items.answer.endswith("lists Vessel depreciation [1] and Crane leases [2].")


def test_an_average_over_the_years_is_not_a_weighted_average_figure(tmp_path, embeddings):
    """"The average diluted shares outstanding for 2018 and 2019" asks for a computation; the row
    "Weighted average shares outstanding - diluted" states each year's figure, not their average."""
    (tmp_path / "shares.md").write_text(
        "# Harbor Logistics shares\n\nShares outstanding were as follows:\n\n| | 2019 | 2018 |\n| --- | --- | --- |\n"
        "| Weighted average shares outstanding - basic | 45.2 | 44.9 |\n"
        "| Weighted average shares outstanding - diluted | 46.8 | 45.1 |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    assert not answerer.ask("What is the average diluted shares outstanding for 2018 and 2019?").answered
    named = answerer.ask("What were the weighted average diluted shares outstanding in 2019?")
    assert named.answered and "46.8" in named.answer


def test_question_words_that_stem_to_a_stopword_or_frame_the_question(tmp_path, embeddings):
    """"underlying" stems to "under", a stopword: the question still names the "Underlying EBITDA"
    row; "the amount of income taxes" asks for income taxes, not for the row named "Amount ..."."""
    (tmp_path / "ebitda.md").write_text(
        "# Harbor Logistics earnings\n\nReconciliation of profit to EBITDA:\n\n| | 2019 | 2018 | Change % |\n"
        "| --- | --- | --- | --- |\n| EBITDA | 79,046 | 63,954 | 24% |\n| Restructuring costs | 6,077 | (1,379) | |\n"
        "| Underlying EBITDA | 85,123 | 62,575 | 36% |\n", encoding="utf-8")
    (tmp_path / "tax.md").write_text(
        "# Harbor Logistics income taxes\n\nThe tax charge reconciles as follows:\n\n"
        "| | 2019 | 2018 |\n| --- | --- | --- |\n"
        "| Amount computed at the statutory federal income tax rate | 182 | 171 |\n| State taxes | 12 | 11 |\n"
        "| Income taxes | 298 | 260 |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    assert answerer.ask("What was the underlying EBITDA in 2019?").answer == "85,123 (Underlying EBITDA — 2019). [1]"
    assert answerer.ask("What was the amount of income taxes in 2019?").answer == "298 (Income taxes — 2019). [1]"


def test_what_a_thing_comprises_is_answered_by_the_sentence_saying_what_it_consists_of(tmp_path, embeddings):
    (tmp_path / "revenue.md").write_text(
        "# Harbor Logistics revenue\n\nServices revenue consists primarily of fees for berth scheduling support "
        "provided through our partners. Services revenue is also comprised of licensing of our tide tables.\n",
        encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("What does services revenue comprise of?")
    assert a.answer.startswith("Services revenue consists primarily of fees for berth scheduling support")


def test_other_reports_answers_are_stated_whatever_their_tables_layout(tmp_path, embeddings):
    """A question that names no company: a report whose table puts "Net Sales" in its column headers
    (a "Total" row) answers it as well as one with a "Total net sales" row."""
    for name, business, table in (
            ("north", "builds ferries and harbour cranes in Norway",
             "| | Fiscal 2019 Net Sales | Fiscal 2018 Net Sales |\n| --- | --- | --- |\n| Ferries | $900 | $850 |\n"
             "| Cranes | $300 | $250 |\n| Total | $1,200 | $1,100 |\n"),
            ("south", "runs private hospitals across Chile and Peru", "| | 2019 | 2018 |\n| --- | --- | --- |\n"
             "| Clinics | $700 | $690 |\n| Pharmacies | $250 | $300 |\n| Total net sales | $950 | $990 |\n")):
        (tmp_path / f"{name}.md").write_text(
            f"# {name.title()} Corp annual report\n\n{name.title()} Corp {business}.\n\n{table}", encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("What is the total net sales in 2019?")
    assert "$950 (Total net sales — 2019). [" in a.answer and "$1,200 (Total — Fiscal 2019 Net Sales). [" in a.answer


def test_another_reports_passage_is_stated_beside_the_best_table_row(tmp_path, embeddings):
    (tmp_path / "west.md").write_text(
        "# West Corp annual report\n\nWest Corp builds ferries and harbour cranes in Norway.\n\n| | 2019 | 2018 |\n"
        "| --- | --- | --- |\n| Net cash provided by operating activities | 4,100 | 3,900 |\n"
        "| Net cash provided by financing activities | 3,624 | 2,950 |\n", encoding="utf-8")
    (tmp_path / "east.md").write_text(
        "# East Corp annual report\n\nEast Corp grows rice in Vietnam and sells it in Japan.\n\n## Cash flows\n\n"
        "Net cash provided by financing activities in 2019 was $1.8 million.\n", encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("What was the net cash provided by financing activities in 2019?")
    assert [c.kind for c in a.citations] == ["table_row", "text"]
    assert a.answer.endswith(
        "“East Corp annual report”: Net cash provided by financing activities in 2019 was $1.8 million. [2]")


def test_another_reports_row_under_the_very_same_label_is_stated_though_it_scored_lower(tmp_path, embeddings):
    """"Revenue — Year ended December 31, 2019 (in thousands)" matches "the revenue in 2019" less
    closely than "Revenue — 2019" does, but it is the same row of another report: both are stated."""
    (tmp_path / "north.md").write_text(
        "# North Corp annual report\n\nNorth Corp builds ferries and harbour cranes in Norway; its revenue grew as "
        "four electric vessels were delivered.\n\n| | 2019 | 2018 |\n| --- | --- | --- |\n"
        "| Revenue | $1,200 | $1,100 |\n| Operating costs | 400 | 380 |\n", encoding="utf-8")
    (tmp_path / "south.md").write_text(
        "# South Corp annual report\n\nSouth Corp runs private hospitals across Chile and Peru.\n\n"
        "| | Year ended December 31, 2019 (in thousands) | Year ended December 31, 2018 |\n| --- | --- | --- |\n"
        "| Clinic visits | 5,400 | 5,100 |\n| Revenue | $950 | $990 |\n| Staff costs | 410 | 400 |\n", encoding="utf-8")
    a = indexed(tmp_path, embeddings).ask("What was the revenue in 2019?")
    assert a.answer.endswith("“South Corp annual report”: $950 (Revenue — Year ended December 31, 2019 (in thousands)). [2]")
