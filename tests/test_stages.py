"""Answering stage by stage, on small real inputs (the packaged model, a real Chroma): the question
understood, the conversation resolved against earlier answers, candidates retrieved, evidence selected
and weighed, answers composed (a short answer that is a span of its citation, a synthesis of cited
points, a list), and the check that refuses a misquote."""
from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest
from conftest import ROOT, SEED_FILE, indexed

from assistant.answer import Answerer
from assistant.check import check
from assistant.conversation import Turn, resolve, turns_of
from assistant.question import understand
from assistant.select import supported
from assistant.spans import answer_span, typed_spans
from assistant.types import Answer
from index.indexer import run_index
from index.store import Store

MUSEUM = """---
title: Harbour museum reopens with a new whaling gallery
source: Port Gazette
date: 2024-03-06
---
The Tidewater Maritime Museum reopened on March 4 after an 18-month renovation that cost 14.2 million
dollars. The city council contributed 6 million dollars and the State Heritage Fund 5.5 million.

## Visitors

The museum welcomed 3,400 visitors in its first week, director Amara Nwosu said. Admission is 12 dollars
for adults and free for residents under 18.
"""
CUP = """---
title: Estrela Norte win the Coastal Cup final
source: Continental Wire
date: 2024-06-02
---
KINGSMERE, June 2 - Maria Lopes scored twice as Estrela Norte beat Port Alder Rovers 3-1 in the Coastal
Cup final at Kingsmere Stadium on Sunday. Rovers coach Neil Armitage said he was proud of his squad.

| Team | Goals | Scorers |
|---|---|---|
| Estrela Norte | 3 | Maria Lopes (2), Ana Reis |
| Port Alder Rovers | 1 | Aiko Tanaka |
"""


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, embeddings):
    folder = tmp_path_factory.mktemp("stages")
    shutil.copy(SEED_FILE, folder)
    (folder / "museum.md").write_text(MUSEUM, encoding="utf-8")
    (folder / "cup.md").write_text(CUP, encoding="utf-8")
    store = Store.open(folder / ".index")
    run_index(store, [folder], lambda: embeddings, max_bytes=2**20)
    return Answerer(store, embeddings)


# ----- stage 1: the question and its conversation -------------------------------------------------

def test_the_question_is_understood_once_intent_answer_type_entities_years(answerer):
    lexical = answerer.store.lexical()
    cases = {
        "Can you summarize this article for me?": ("open", ""),
        "sum up the piece on the museum": ("open", ""),  # the whole story, in other words
        "what's the story with the coastal cup": ("open", ""),
        "fill me in on the museum reopening": ("open", ""),
        "what is the story behind the closure": ("fact", ""),  # what lies behind it, not the whole story
        "List the proposed actions.": ("list", ""),
        "Does the article contradict itself anywhere?": ("yesno", "inconsistency"),
        "Who reported it?": ("fact", "source"),
        "When did the museum reopen?": ("fact", "date"),
        "How many visitors came in the first week?": ("fact", "amount"),
        "Which prime minister is named?": ("fact", "person"),
        "What worries Japan about China?": ("fact", ""),
    }
    for text, (intent, answer_type) in cases.items():
        q = understand(text, lexical)
        assert (q.intent, q.answer_type) == (intent, answer_type), text
        assert q.summary == (intent == "open"), text
    # what a text says is a synthesis; what a person or group says is their words, said by whom is read by meaning
    assert understand("What does the report say about the museum?", lexical).intent == "open"
    said = understand("what did the union boss say about the cup final", lexical)
    assert (said.intent, said.speech, said.speaker) == ("fact", True, "the union boss")
    from assistant.passages import attribution

    assert attribution('"It is a victory," said Roswitha Delmarre, general secretary of the union.') \
        == "Roswitha Delmarre, general secretary of the union"
    q = understand("Who won the 2019 Coastal Cup final?", lexical)
    assert q.years == ["2019"] and "Coastal Cup" in q.entities
    assert understand("How many visitors came in the first week?", lexical).measure == "visitor"
    assert understand("Which prime minister is named?", lexical).role == "prime minister"
    # a place in a ranking, said without a superlative, ranks a table's rows
    assert [understand(t, lexical).rank_rows for t in ("who came first in the vote", "which party finished last",
                                                        "who topped the poll", "who came in the first week")] == \
        ["max", "min", "max", ""]


def test_a_follow_up_is_read_against_the_previous_answer():
    said = Turn("Who scored for Estrela Norte?", "Maria Lopes. “Maria Lopes scored twice ...” [1]", ("cup",))
    assert resolve("What did she say?", [said]) == "What did Maria Lopes say?"
    assert resolve("Who won the 2019 Coastal Cup final?", [said]) == "Who won the 2019 Coastal Cup final?"
    turns = turns_of(["a question", ["asked", "answered"], {"question": "q", "answer": "a",
                                                            "citations": [{"chunk_id": "cup-1#s0.p1"}]}])
    assert [t.question for t in turns] == ["a question", "asked", "q"]
    assert turns[1].answer == "answered" and turns[2].articles == ("cup-1",)


def test_who_reported_it_follows_the_article_the_previous_answer_cited(answerer):
    first = answerer.ask("What did Japan's Prime Minister reaffirm?")
    a = answerer.ask("Who reported it?", history=[first.as_json()])
    assert a.answered and a.answer.startswith("Kyodo News. “According to Kyodo News")
    plain = answerer.ask("Who reported it?", history=["What did Japan's Prime Minister reaffirm?"])
    assert plain.answer == a.answer  # a question alone: the earlier answer is worked out again



def test_a_question_that_stands_alone_is_not_rewritten_into_the_conversation(answerer):
    first = answerer.ask("What did Japan's Prime Minister reaffirm?").as_json()
    terse = answerer.ask("japan security role", history=[first])  # short, but a question of its own
    assert "Host joint military exercises" in terse.answer and terse.standalone_question == "japan security role"
    listed = answerer.ask("List the proposed actions.", history=[first])
    assert listed.answer.count("[") == 3 and "Joint training" in listed.answer
    # a short question that only makes sense in the conversation is still read in it
    score = answerer.ask("What was the score?", history=[answerer.ask("Who won the Coastal Cup final?").as_json()])
    assert score.answered and "3-1" in score.answer

# ----- stage 2 and 3: candidates and evidence ------------------------------------------------------

def test_evidence_is_weighed_for_what_the_question_asks(answerer):
    q, hits, vector = answerer.retrieve("How many visitors came to the Tidewater museum in its first week?")
    assert any("3,400 visitors" in h.chunk.text for h in hits[:5])
    best = answerer.evidence(q, hits, vector)[0]
    assert "3,400 visitors" in best.statement and supported(q, best)
    assert best.features["typed"] == 1.0 and best.features["unmeasured"] == 0.0  # the figure is of visitors
    # a near miss: the article talks about the museum, never about its architect
    q, hits, vector = answerer.retrieve("Who was the architect of the Tidewater museum renovation?")
    best = answerer.evidence(q, hits, vector)[0]
    assert not supported(q, best)


def test_a_paraphrase_and_a_terse_query_are_answered(answerer):
    assert "Lead in semiconductor tech" in answerer.ask("What is Japan's part in innovation?").answer
    assert "Host joint military exercises" in answerer.ask("japan security role").answer


def test_questions_about_what_the_articles_never_say_are_declined(answerer):
    for question in ("What is the name of the U.S. Secretary of State?",  # an entity never named
                     "How many people died in the conflict?",  # a figure never stated
                     "Who was the architect of the Tidewater museum renovation?"):  # a role never filled
        a = answerer.ask(question)
        assert not a.answered and not a.citations and a.related, question


# ----- stage 4: composing --------------------------------------------------------------------------

def test_a_fact_answer_opens_with_a_span_of_its_citation(answerer):
    for question, short in (("Which prime minister is named?", "Shinzo Abe"),
                            ("When did the Tidewater museum reopen?", "March 4"),
                            ("Who scored twice in the Coastal Cup final?", "Maria Lopes")):
        a = answerer.ask(question)
        assert a.short == short and a.answer.startswith(f"{short}. “"), question
        assert short in a.citations[0].text  # verbatim from the cited text


def test_an_overview_is_a_synthesis_of_cited_points(answerer):
    a = answerer.ask("What are the main points of the analysis section?")
    lines = a.answer.splitlines()
    assert a.answered and len(lines) >= 3 and all(line.rstrip().endswith("]") for line in lines)
    assert {c.section for c in a.citations} == {"Analysis of Japan’s Strategic Position Amid U.S.-China "
                                                "Diplomatic Engagements"}
    summary = answerer.ask("Can you summarize it?", history=[answerer.ask("Who won the Coastal Cup final?").as_json()])
    assert summary.answered and all(c.title == "Estrela Norte win the Coastal Cup final" for c in summary.citations)


def test_a_list_question_lists_every_row_each_cited(answerer):
    a = answerer.ask("List the proposed actions.")
    for action in ("Joint training & real-time threat intelligence", "Coordinated engagement with ASEAN",
                   "Development of shared supply chain strategies"):
        assert action in a.answer
    assert [c.kind for c in a.citations] == ["table_row"] * 3


def test_an_article_that_contradicts_itself_is_shown_both_ways(answerer):
    a = answerer.ask("Does the article contradict itself anywhere?")
    assert a.answered and "“former U.S. President Donald Trump”" in a.answer and "“President Trump”" in a.answer
    # an answer whose quote is contradicted later in its own article says so, both sides cited
    b = answerer.ask("What did Japan's Prime Minister reaffirm?")
    assert "former U.S. President Donald Trump" in b.citations[0].text
    [conflict] = b.conflicts
    assert [v for v, _ in conflict.values] == ["former U.S. President Donald Trump", "President Trump"]
    assert "The article is not consistent here" in b.answer and len(b.citations) == 2


# ----- stage 5: the check --------------------------------------------------------------------------

def test_the_check_declines_an_answer_that_misquotes_its_source(answerer):
    a = answerer.ask("Which prime minister is named?")
    assert check(a, answerer.store) == a
    forged = replace(a.citations[0], text="Prime Minister Shinzo Abe resigned.")
    declined = check(replace(a, citations=[forged]), answerer.store)
    assert not declined.answered and not declined.citations
    unmarked = check(Answer(question="q", answered=True, answer="A claim with no marker.", mode="grounded",
                            citations=a.citations), answerer.store)
    assert not unmarked.answered


def _answerer_of(folder, embeddings, articles: list[str]) -> Answerer:
    """An answerer over these markdown articles, written to `folder` and indexed."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(articles):
        (folder / f"{chr(97 + i)}.md").write_text(text, encoding="utf-8")
    store = Store.open(folder / ".index")
    run_index(store, [folder], lambda: embeddings, max_bytes=2**20)
    return Answerer(store, embeddings)


def test_sources_that_answer_one_question_differently_in_their_own_words_disagree(tmp_path, embeddings):
    answerer = _answerer_of(tmp_path, embeddings, [
        "---\ntitle: Elsmere tunnel set to reopen after flooding\nsource: Riverside Post\ndate: 2024-03-11\n---\n"
        "BRACKWATER - The Elsmere Road tunnel, closed since floodwater filled it last month, will reopen to traffic on "
        "Wednesday, the county said.\n",
        "---\ntitle: Elsmere tunnel reopening pushed back for tests\nsource: Eastbank Observer\ndate: 2024-03-13\n---\n"
        "Drivers hoping to use the Elsmere Road tunnel in Brackwater must wait: highway engineers now expect it to "
        "reopen on Friday after drainage tests.\n"])
    a = answerer.ask("When does the Elsmere Road tunnel reopen?")
    # each weekday placed by its article's date (11 March 2024 was a Monday)
    assert a.answer.startswith("Sources disagree:")
    assert {("Wednesday", "13 March"), ("Friday", "15 March")} <= {(s.value, s.day) for s in a.conflicts[0].sides}
    assert "Wednesday (13 March)" in a.answer


def test_a_table_row_of_another_report_is_a_side_and_a_day_said_yesterday_is_dated(tmp_path, embeddings):
    """An article that gives the asked figure only in a table row ("Harbour seal — Pups: 381") disagrees with the
    articles that say 318 in prose; another species' row is no side; "yesterday" answers a "when", dated by its
    article."""
    prose = ("---\ntitle: Record year for Mellor seal pups\nsource: Northcoast Post\ndate: 2031-07-04\n---\n"
             "A record 318 harbour seal pups were counted on Mellor Sands this summer, according to the Mellor Seal "
             "Trust, whose volunteers carried out the survey over two low tides in June. The trust's new hide on the "
             "dunes opened to visitors yesterday.\n")
    table = ("---\ntitle: Seal count in numbers\nsource: Estuary Echo\ndate: 2031-07-03\n---\n"
             "The Mellor Seal Trust published its annual survey of the estuary on Tuesday. The figures, by species:\n\n"
             "| Species | Adults | Pups | Change on last year |\n|---|---|---|---|\n"
             "| Harbour seal | 1,240 | {pups} | up 12% |\n| Grey seal | 410 | 96 | down 3% |\n")
    answerer = _answerer_of(tmp_path / "apart", embeddings, [prose, table.format(pups="381")])
    a = answerer.ask("how many harbour seal pups were counted on mellor sands")
    assert sorted(s.value for s in a.conflicts[0].sides) == ["318", "381"]
    assert answerer.ask("when did the seal trust's new hide open").answer.startswith("yesterday (3 July 2031).")
    agreeing = _answerer_of(tmp_path / "agree", embeddings, [prose, table.format(pups="318")])
    assert not agreeing.ask("how many harbour seal pups were counted on mellor sands").conflicts


def test_a_count_of_another_thing_or_another_year_is_no_side(tmp_path, embeddings):
    """"how many volunteers": an article that counts volunteers is on their side, not the "25 knots" of its lead; a
    sum said beside another year ("fetched $2.6m in 2016") is not this week's price."""
    answerer = _answerer_of(tmp_path, embeddings, [
        "---\ntitle: New lifeboat sails into Skerran\nsource: Harbour Post\ndate: 2025-09-15\n---\nHundreds of people "
        "lined the harbour wall at Skerran on Sunday to watch the new lifeboat arrive. Skerran has twenty-six volunteer "
        "crew, among them a teacher and two electricians.\n",
        "---\ntitle: Skerran lifeboat appeal reaches its goal\nsource: County Courier\ndate: 2025-09-16\n---\nA lifeboat "
        "capable of 25 knots is now on station in the town of Skerran, after arriving on Sunday to a crowd of about "
        "1,200.\n\nThe station's 26 volunteers will now exercise on it twice a week.\n"])
    a = answerer.ask("how many volunteers crew the skerran station")
    assert a.answered and not a.answer.startswith("Sources disagree") and not a.conflicts
    from assistant.sides import _year_at

    assert _year_at("The last comparable stamp fetched $2.6m in 2016.", "$2.6m") == "2016"
    # each figure's year is the one said nearest it
    said = "Exports rose by 13 per cent in 2027, after growth of 4 per cent in 2026."
    assert (_year_at(said, "13 per cent"), _year_at(said, "4 per cent")) == ("2027", "2026")


def test_a_question_naming_a_count_and_a_sum_asks_neither():
    class Lexical:
        df: dict = {}

        def idf(self, term: str) -> float:
            return 1.0

    assert understand("pemberton carrow works job losses", Lexical()).unit == ""
    assert understand("skerran new lifeboat price tag", Lexical()).unit == "money"
    # "count of" asks a count, whatever else it names ("damaged" is no sum of damages); a quantity last is the head
    counted = understand("lowmarsh council count of properties damaged in the tenterby twister", Lexical())
    assert counted.tally and counted.unit == ""
    assert understand("copperleaf way orrinsford to wykenhold length", Lexical()).answer_type == "amount"
    # a quantity the tagger reads as a verb or an adjective ("total", "fine") is still what a terse query asks
    total = understand("scalderby wheelers race day finishers total", Lexical())
    assert (total.answer_type, total.measure) == ("amount", "finish")
    assert understand("rainier quiggin fine cobbleford magistrates", Lexical()).unit == "money"
    # the count of what is named before "count" ("vote count": of votes), and "where" after a head of no known kind
    assert understand("doravia senate abolition vote count", Lexical()).measure == "vote"
    assert understand("rare seabird spot where it was photographed", Lexical()).answer_type == "place"


def test_a_year_asked_is_answered_by_a_year_and_an_age_by_no_other_amount():
    class Lexical:
        df: dict = {}

        def idf(self, term: str) -> float:
            return 1.0

    founded = understand("what year was skeldair founded", Lexical())
    assert founded.year_asked and typed_spans("Skeldair stopped flying on Sunday night.", founded) == []
    assert not understand("when was this year's glenmarra marathon run", Lexical()).year_asked
    count = understand("tennerby tractor parade entrant count", Lexical())
    assert typed_spans("A convoy of vintage tractors, some of them more than 70 years old, rumbled on.", count) == []
    assert [e.text for e in typed_spans("Turnout was 47 percent.", understand("marlhaven turnout", Lexical()))] == ["47 percent"]


def test_answers_that_say_the_same_are_one_side():
    from assistant.conflicts import value_key

    assert value_key("$1.2 billion", "amount") == value_key("1.2bn dollars", "amount") == value_key("1,200 million", "amount")
    assert value_key("Oct. 3", "date") == value_key("3 October", "date") != value_key("October 4", "date")
    assert value_key("U.S.", "place") == value_key("US", "place")
    # a time of day in figures or in words
    assert value_key("4.15am", "date") == value_key("about quarter past four in the morning", "date") == "04:15"
    assert value_key("a quarter to nine", "date") == "08:45" and value_key("ten at night", "date") == "22:00"
    assert value_key("a little after 5am", "date") == "05:00" and value_key("four people", "date") != "04:00"
    from assistant.sides import same_value

    assert same_value(value_key("the United States", "place"), value_key("U.S.", "place"))
    assert same_value(value_key("Oduya", "person"), value_key("Grace Oduya", "person"))
    assert not same_value(value_key("Grace Oduya", "person"), value_key("Lionel Ferrand", "person"))
    # a name and its short forms: a title and surname, the first words of a company's name
    assert same_value(value_key("Ms Truscott", "person"), value_key("Enid Truscott", "person"))
    assert same_value(value_key("Wickersham Brook", "entity"), value_key("Wickersham Brook Partners", "entity"))
    assert not same_value(value_key("Iestyn Marrable", "person"), value_key("Iestin Marable", "person"))
    # figures a hundred times apart are two facts (a centre's cost, a session's price), unless a slip of scale
    from assistant.sides import alike

    assert not alike("£4.5m", "The centre cost £4.5m.", "£9", "Public sessions cost £9.", "amount")
    assert alike("£71m", "It paid £71m.", "£64 million", "It paid £64 million.", "amount")
    assert alike("1.2 million", "It sold for 1.2 million dollars.", "1.2 billion", "It sold for 1.2 billion dollars.",
                 "amount")
    # numbers in words, and measures in their units
    assert value_key("ninety-three", "amount") == value_key("93", "amount")
    assert value_key("41km", "amount") == value_key("41 kilometres", "amount") != value_key("36km", "amount")
    assert value_key("4 hours 17 minutes", "amount") == value_key("257 minutes", "amount")
    # an age, which the recogniser calls a date, is a number of years
    assert value_key("91-year-old", "amount") == value_key("ninety-one", "amount") != value_key("ninety-three", "amount")
    # one measure in two units, as a conversion rounds it; two lengths that differ in two units are two
    from assistant.textscan import converted

    assert converted("30cm", "12-inch", 0.05) and converted("seven metres", "23 feet", 0.05)
    assert not converted("12 miles", "about 16 kilometres", 0.05) and not converted("7 metres", "7.2 metres", 0.05)
    # a time said without am or pm is the same as one said with it, twelve hours on ("five past eleven" / "11.05pm")
    from assistant.textscan import same_clock

    assert same_clock("five past eleven", "11.05pm") and not same_clock("11.05pm", "10.40pm")
    assert not same_clock("7pm", "7am")


def test_a_day_is_placed_by_its_articles_date_and_a_value_owned_as_wrong_is_no_answer():
    class Lexical:
        df: dict = {}

        def idf(self, term: str) -> float:
            return 1.0

    from datetime import date

    from assistant.conflicts import CORRECTS, day_said

    # a weekday is the last one on or before the article's date when done, the next one when to come (13 March 2025
    # was a Thursday); "yesterday" the day before
    assert day_said("Tuesday", "2025-03-13", "The council voted on Tuesday to close it.") == date(2025, 3, 11)
    assert day_said("Tuesday", "2025-03-13", "The bridge will reopen on Tuesday.") == date(2025, 3, 18)
    assert day_said("yesterday", "2025-05-24T08:00:00", "It reopened yesterday.") == date(2025, 5, 23)
    assert day_said("Tuesday", "", "It reopened on Tuesday.") is None and day_said("22 May", "2025-05-24") is None
    # a value the sentence owns as wrong, after it, is not what it states; a contrast corrects only before a value
    share = understand("sebold elevator vote percentage", Lexical())
    said = "The 71 percent figure the co-op gave out on the night had been misread from a tally sheet."
    assert typed_spans(said, share) == [] and CORRECTS.search(said)
    assert not CORRECTS.search("Members backed handing the building over rather than demolishing it.")
    assert CORRECTS.search("The fire destroyed 52 homes, not 37 as first announced.")
    assert CORRECTS.search("Update: the walk raised £4,200.") and CORRECTS.search('"We got the number wrong," she said.')
    # "what share of" asks a share whatever verb follows; "how much did the walk raise" a sum of money
    assert understand("what share of istrelle parents back the plan", Lexical()).answer_type == "amount"
    assert understand("how much did the lantern walk raise for the lifeboat", Lexical()).unit == "money"
    assert understand("how big a raise did the nurses get", Lexical()).unit == "share"
    # the hour is asked where the day is known, or a time is the head of a terse query
    assert understand("when are the riders moving the herd out on saturday morning", Lexical()).dimensions == ("clock",)
    assert understand("tarrabee cattle drive start time", Lexical()).dimensions == ("clock",)
    assert understand("when does the new roundabout open", Lexical()).dimensions == ()
    # a day asked is no year; revenue is no profit, though the embedder puts them side by side
    lido = understand("saltinghurst lido reopening day", Lexical())
    assert [e.text for e in typed_spans("The lido, opened in 1938, reopened yesterday.", lido)] == ["yesterday"]
    from assistant.question import other_sum

    assert other_sum("profit", "revenu") and not other_sum("fine", "penalti")
    # a limit said per licence and one said a day each are one kind of amount; a share's price and a ticket's are not
    from assistant.sides import _role_beside, alike

    assert alike("20kg", "a daily cap of 20kg per licence", "30kg", "allowed 30kg of cockles a day each", "amount")
    assert not alike("24 dollars", "sold at 24 dollars a share", "30 dollars", "seats at 30 dollars a ticket", "amount")
    # a bound alone is no number; a name's role beside it says whose answer it is
    limit = understand("gullersand cockle daily limit", Lexical())
    said = "Each licence holder will be allowed to take no more than 20 kilograms of cockles a day."
    assert "no more than" not in [e.text for e in typed_spans(said, limit)]
    assert _role_beside("the city faces a shortfall, its chief executive, Idris Vaughan, said", "Idris Vaughan") == \
        {"chief", "execut"}


def test_a_measure_asked_is_answered_in_its_unit():
    """"how far did she swim" is answered with a distance, "what time" with a time of day, "how long" with a time or a
    length: not the "20" of a dateline, the day of the week, a calendar date."""
    class Lexical:  # no corpus: every word as rare as any other
        df: dict = {}

        def idf(self, term: str) -> float:
            return 1.0

    sentence = "ESTHOLME, Aug 20 (Orrery News Agency) - She swam 41 kilometres on Saturday, after setting off at 5.30am."
    far = understand("how far did she swim", Lexical())
    assert [e.text for e in typed_spans(sentence, far)] == ["41 kilometres"] and far.strict
    assert [e.text for e in typed_spans(sentence, understand("what time did she set off", Lexical()))] == ["5.30am"]
    took = understand("how long did the peal take", Lexical())
    assert [e.text for e in typed_spans("The peal took 3 hours 52 minutes on Saturday, October 11.", took)] \
        == ["3 hours 52 minutes"]
    # with a verb, "how long" asks a time, or until when: not the length of a thing
    keep = understand("how long will they keep the boat in the tank", Lexical())
    assert [e.text for e in typed_spans("The 11-metre boat will spend about four years in a tank 200 metres away.", keep)] \
        == ["about four years"]
    assert [e.text for e in typed_spans("The consortium keeps the toll income until 2060.", keep)] == ["2060"]
    # terse queries: the question word at the end, a head noun before a relative clause; a unit written on
    heavy = understand("reservoir catfish how heavy", Lexical())
    assert heavy.answer_type == "amount" and heavy.strict
    assert [e.text for e in typed_spans("The main fragment, a 312g lump of rock, lay in the heather.", heavy)] == ["312g"]
    assert understand("number of walkers stranded off the spit who were rescued", Lexical()).answer_type == "amount"
    assert understand("age of the university's oldest graduate", Lexical()).answer_type == "amount"
    assert understand("how old is the cyclist", Lexical()).strict  # an age, or no answer
    assert understand("lido reopened when", Lexical()).answer_type == "date"
    # a participle after "how long" asks a time, spelt in words too; a part of a whole counts what the whole counts
    trapped = understand("gallowdub pot caver how long trapped", Lexical())
    assert trapped.dimensions == ("measure in time",)
    assert [e.text for e in typed_spans("He was pulled out after a day and a half trapped, on its busiest day.", trapped)] \
        == ["a day and a half"]
    assert understand("creamery blaze time of the 999 call", Lexical()).dimensions == ("clock",)
    treated = understand("how many workers were treated", Lexical())
    assert answer_span(treated, "Paramedics treated 41 of the 300 workers on the early shift.") == "41"
    # a figure with no noun of its own counts the noun named before it; one asked in a unit is written in it
    assert answer_span(understand("how many sheep were stolen", Lexical()),
                       "When every sheep had been counted, 112 were missing from the 900 he keeps.") == "112"
    assert answer_span(understand("by how many seconds did she win", Lexical()),
                       "She beat Brenova by 7.3 seconds in front of 11,400 spectators.") == "7.3 seconds"
    # a topic typed before the question, a clause or a participle after the head noun: what is asked is read there
    assert understand("thriftwell lotto jackpot where was the winning ticket sold", Lexical()).answer_type == "place"
    for text in ("cello year made", "year the cello was made"):
        made = understand(text, Lexical())
        assert made.answer_type == "date" and made.year_asked, text
        assert answer_span(made, "It was left on a train on 14 February; the cello dates from 1731.") == "1731"
    assert understand("revenue last year", Lexical()).answer_type == "amount"
    # a date to come: the one it takes effect, not the day of the news
    assert answer_span(understand("when does the vape ban kick in", Lexical()),
                       "Parliament voted on Wednesday to ban the sale of disposable vapes from 1 October 2026.") \
        == "1 October 2026"


def _answerer_over(folder: str, tmp_path_factory, embeddings) -> Answerer:
    """An answerer over one of tests/data's sets of articles, indexed."""
    store = Store.open(tmp_path_factory.mktemp(folder) / ".index")
    run_index(store, [ROOT / "tests" / "data" / folder / "corpus"], lambda: embeddings, max_bytes=2**20)
    return Answerer(store, embeddings)


@pytest.fixture(scope="module")
def conflicts(tmp_path_factory, embeddings):
    """The conflicts development set's articles (tests/data/conflicts), indexed."""
    return _answerer_over("conflicts", tmp_path_factory, embeddings)


def test_terse_queries_and_money_verbs_ask_for_their_kind(conflicts):
    lexical = conflicts.store.lexical()
    assert understand("kestrel freight headcount", lexical).answer_type == "amount"
    assert understand("injuries in the Saltwren fire", lexical).answer_type == "amount"
    assert understand("pennick dairy revenue last year", lexical).answer_type == "amount"  # not "year": a date
    assert understand("arvo batteries factory town", lexical).answer_type == "place"
    assert understand("What did the new Corvale Arena cost?", lexical).answer_type == "amount"
    # a count is asked: "$1.6 billion" is no headcount, "3,800 people" is
    headcount = understand("kestrel freight headcount", lexical)
    assert headcount.tally and not understand("What did the new Corvale Arena cost?", lexical).tally
    assert [e.text for e in typed_spans("Brightline will buy Kestrel for $1.6 billion. Kestrel employs 3,800 people.",
                                        headcount)] == ["3,800"]
    assert understand("japan security role", lexical).answer_type == ""
    assert understand("Who's the new chief executive of the port?", lexical).role == "chief executive"


def test_every_side_is_weighed_counted_and_dated(conflicts):
    """A wire story in two outlets (340) against a later correction (430): the correction first, named as
    the later report; the copies are two articles but one source, cited once."""
    a = conflicts.ask("How many jobs is Pemberton Steel cutting at Carrow?")
    assert a.answer.startswith("Sources disagree: 430 (1 article [1]: Valley Courier, 4 May 2024) · "
                               "340 (2 articles, 1 source [2]: Continental Wire, Morning Ledger, 2 May 2024).")
    assert "The later report (Valley Courier, 4 May 2024) says:" in a.answer
    [conflict] = a.as_json()["conflicts"]
    first, second = conflict["sides"]
    assert (first["value"], first["markers"], first["articles"], first["sources"], first["later"]) == \
        ("430", [1], 1, 1, True)
    assert (second["value"], second["articles"], second["sources"], second["dates"]) == \
        ("340", 2, 1, ["2024-05-02"])
    assert {c.marker for c in a.citations} == {1, 2}


def test_each_article_gives_the_sentence_that_restates_the_answer(conflicts):
    """The first report's best sentence for the question is its lead ("A fire broke out ... 212 passengers"):
    its side is the sentence that restates the correction's claim ("16 people were injured")."""
    a = conflicts.ask("how many people were hurt in the Saltwren ferry fire?")
    assert [s.value for s in a.conflicts[0].sides] == ["23", "16"]
    assert "Harbour officials said 16 people were injured" in a.citations[1].text
    # a hedged figure ("roughly 1.4 billion dollars") joins the side it matches: two articles against one
    b = conflicts.ask("how much is the corvale stadium going to end up costing")
    assert [(s.value, s.articles) for s in b.conflicts[0].sides] == [("$1.4 billion", 2), ("$1.2 billion", 1)]


def test_a_name_the_recogniser_misses_is_still_a_side(conflicts):
    """"Millbrook has won the race to host ...": no entity, but the tagger's proper noun; typed in lower case."""
    a = conflicts.ask("which town did arvo batteries pick for its first plant")
    assert {s.value for s in a.conflicts[0].sides} == {"Millbrook", "Stenford"}


def test_a_question_typed_in_lower_case_reads_names_as_the_passages_write_them(conflicts):
    from assistant.question import truecased

    passages = ["Officials in Japan are wary of China. Japan's navy said the drills would go ahead.",
                "Worries about trade grew, and new rules from China apply next year."]
    assert truecased("what worries japan about china", passages) == "what worries Japan about China"
    assert truecased("new rules", passages) == "new rules"  # written in lower case too: no name
    lexical = conflicts.store.lexical()
    assert understand(truecased("mossgate rovers new manager", ["The board of Mossgate Rovers met."]),
                      lexical).entities == ["Mossgate Rovers"]


def test_what_a_question_measures_is_found_by_meaning(conflicts):
    q = understand("How many houses burned down in the fire?", conflicts.store.lexical())
    like = conflicts._measure_like(q, ["The fire destroyed 37 homes and two barns, and 40 firefighters came."])
    assert "home" in like and "firefight" not in like


def test_sources_that_agree_in_other_words_or_answer_other_questions_do_not_disagree(conflicts):
    for question in ("Where is Fenmore Cycles going to start exporting?",  # "U.S." / "the United States"
                     "When do the new Dunmere water rates take effect?",  # "July 1" / "1 July"
                     "pennick dairy revenue last year",  # Halbrook's revenue is another company's
                     "how many people lived in Tolvern in 2022"):  # the 2018 census is another year
        a = conflicts.ask(question)
        assert a.answered and not a.conflicts, (question, a.answer)


@pytest.fixture(scope="module")
def late(tmp_path_factory, embeddings):
    """The fourth conflicts set's articles (tests/data/conflicts_late), indexed."""
    return _answerer_over("conflicts_late", tmp_path_factory, embeddings)


def test_an_article_that_answers_in_other_words_is_a_side(late):
    """"About 1,140 residents spent last night away from home" shares few words with "1,410 people had been
    evacuated ... correcting the figure of about 1,140": an estimate no side's figure fits is a side, and the
    correcting report comes first."""
    a = late.ask("how many people were evacuated in Harlowford because of the wartime bomb")
    assert [(s.value, s.later) for s in a.conflicts[0].sides] == [("1,410", True), ("About 1,140", False)]
    # "and not to Brenning Civil Engineering as announced": the corrected statement's side is the new winner's
    b = late.ask("Which company won the contract to rebuild the Wenmouth sea wall?")
    assert [s.value for s in b.conflicts[0].sides] == ["Marwood Keane Construction", "Brenning Civil Engineering"]


def test_a_value_said_in_the_claims_word_is_the_articles_side_though_the_embedder_puts_it_far(late):
    """"Fining the company £4.8m at Sallowfield Crown Court" is the other side of "Stourvale Water was fined £3.6 million"
    (the embedder puts it at 0.24 to the claim, below "It also gave £50,000 to a river restoration charity"): its value is
    said in the claim's word ("fined")."""
    a = late.ask("How big a fine did Stourvale Water get for the sewage it let into the River Lathen?")
    assert {s.value for s in a.conflicts[0].sides} == {"£4.8m", "£3.6 million"}


def test_a_terse_query_is_typed_by_the_meaning_of_its_head(late):
    assert (late._kind_by_meaning("sculptor"), late._kind_by_meaning("supplier"), late._kind_by_meaning("suburb"),
            late._kind_by_meaning("penalty")) == ("person", "organization", "place", "")
    a = late.ask("porthelly lost fishermen memorial sculptor name")
    assert {s.value for s in a.conflicts[0].sides} == {"Dmitri Wendt", "Greta Halloran"}


def test_values_that_only_look_alike_are_no_sides(late):
    from assistant.conflicts import amount_kind, fits

    assert amount_kind("400-metre", "a 400-metre cordon") != amount_kind("1,410", "1,410 people")
    assert fits("about 6,000", "6240") and not fits("about 1,140", "1410") and fits("more than 30", "45")
    for question in ("how far did the police cordon around the Harlowford bomb site reach",  # 400 metres, not 1,410 people
                     "what did a car pay to cross the selsworth toll bridge in july 2024, before the increase"):
        a = late.ask(question)  # "currently costs £1.20" / "will pay £1.60 from 6 January": two facts
        assert a.answered and not a.conflicts, (question, a.answer)


def test_a_briefing_says_where_sources_disagree_by_answer(conflicts):
    from assistant.brief import Briefer

    b = Briefer(conflicts.store, conflicts.embeddings).brief("Corvale Arena cost", words=250)
    values = {v for d in b.disagreements for v, _ in d.values}
    assert {"$1.2 billion", "$1.4 billion"} <= values
    months = Briefer(conflicts.store, conflicts.embeddings).brief("Kessel Bay wind farm", words=250)
    assert [sorted(v for v, _ in d.values) for d in months.disagreements] == [["December", "November"]]
    for agreeing in ("Fenmore Cycles exports", "Marrow Valley harvest"):  # "U.S." / "the United States"; a forecast
        assert not Briefer(conflicts.store, conflicts.embeddings).brief(agreeing, words=250).disagreements, agreeing
    # found as an answer finds it, whatever the wording: every side weighed, the later correction named
    jobs = Briefer(conflicts.store, conflicts.embeddings).brief("Pemberton Carrow jobs", words=250)
    [cut] = jobs.disagreements
    assert [(s.value, s.articles, s.sources, s.later) for s in cut.sides] == [("430", 1, 1, True), ("340", 2, 1, False)]
    assert cut.sides[1].publishers == ("Continental Wire", "Morning Ledger") and cut.sides[0].dates == ("2024-05-04",)
    cited = {c.marker: c.text for c in jobs.citations}
    assert "430" in cited[cut.sides[0].markers[0]] and "340" in cited[cut.sides[1].markers[0]]
    assert "430 (1 article [" in jobs.to_markdown() and "the later report" in jobs.to_html()


@pytest.fixture(scope="module")
def chat(tmp_path_factory, embeddings):
    """tests/data/chat_probe: 16 news articles with section headings, asked as analysts chat."""
    return _answerer_over("chat_probe", tmp_path_factory, embeddings)


def test_a_heading_that_asks_the_question_in_other_words_is_answered_by_its_section(chat):
    a = chat.ask("what worries norway about russia")  # under "What Oslo is worried about", no word of it repeated
    assert a.answer.startswith("Officials cited three concerns") and a.citations[0].section == "What Oslo is worried about"


def test_what_someone_said_is_answered_with_their_words(tmp_path_factory, embeddings):
    probe = _answerer_over("probe", tmp_path_factory, embeddings)
    a = probe.ask("How did the Rovers coach explain the defeat?")  # the sentence naming him, then his quote
    assert a.answer.startswith("Rovers coach Neil Armitage said") and "The red card killed us" in a.answer
    # the speaker is the subject of the speech verb; a name is read by what its article says it is
    from assistant.passages import attribution

    assert attribution("Property owners say the freeze will backfire.") == "Property owners"
    assert attribution("Prime minister Sorvald Braathen, who visited the port, said no grain would move.") \
        == "Prime minister Sorvald Braathen"
    kept = _answerer_over("chat_kept", tmp_path_factory, embeddings)  # developed on since its one scoring
    a = kept.ask("how did the terminal operator respond to the explosion")  # "the terminal's operator, Quarnsby ..."
    assert a.answer.startswith("Quarnsby Grain Terminals said it was")
    a = kept.ask("what did the landlords say about the freeze in velmora")  # "Property owners say ...", not the tenants
    assert "Property owners" in a.answer and "Tenants" not in a.answer


def test_which_row_lost_or_gained_most_is_read_in_the_table_of_that_kind(tmp_path, embeddings):
    """"which region lost the most people": the table whose rows are regions, read in its column of signed
    changes, the most lost being the lowest; a sentence that says so only roughly does not answer it. News tables
    word their changes ("Up 38 percent") and put the total last ("Varnia total"): the change column is ranked with its
    signs, the total is no region; "when" asked of a row is its date cell, not the column whose header shares the
    question's words ("What must stop using fax")."""
    (tmp_path / "census.md").write_text(
        "# Census shows Marvolia shrinking\n\nMarvolia's population fell for the first time since records began, "
        "the statistics office said on Monday. Every region but the capital lost people, most of all in the north.\n\n"
        "| Region | Population 2015 | Population 2025 | Change |\n|---|---|---|---|\n"
        "| Capital District | 1,200,000 | 1,310,000 | +9.2% |\n| Lake Country | 640,000 | 611,000 | -4.5% |\n"
        "| Northern Fells | 410,000 | 352,000 | -14.1% |\n| Southern Shore | 505,000 | 488,000 | -3.4% |\n", encoding="utf-8")
    (tmp_path / "measles.md").write_text(
        "# Measles cases in Varnia rise by a third\n\nMeasles cases rose in all but one region of Varnia last year, the "
        "health agency said on Tuesday.\n\n| Region | Cases in 2028 | Cases in 2029 | Change |\n|---|---|---|---|\n"
        "| Capital region | 610 | 842 | Up 38 percent |\n| North Coast | 305 | 389 | Up 28 percent |\n"
        "| Lake District | 290 | 270 | Down 7 percent |\n| Varnia total | 1,205 | 1,501 | Up 25 percent |\n\n"
        "## The timetable\n\nHospitals must switch off their fax machines in phases.\n\n"
        "| Phase | Deadline | What must stop using fax |\n|---|---|---|\n"
        "| Phase 1 | 30 September 2030 | Messages between hospitals |\n"
        "| Phase 2 | 31 December 2030 | Prescriptions sent to pharmacies |\n", encoding="utf-8")
    answerer = indexed(tmp_path, embeddings)
    assert answerer.ask("which region lost the most people in the marvolia census").answer \
        .startswith("Northern Fells has the lowest value under “Change” (-14.1%)")
    assert answerer.ask("which region grew fastest in the marvolia census").answer.startswith("Capital District has the highest")
    assert answerer.ask("which varnia region saw measles cases rise the most").answer \
        .startswith("Capital region has the highest value under “Change” (Up 38 percent)")
    assert answerer.ask("which varnia region's measles cases fell the most").answer.startswith("Lake District has the lowest")
    assert answerer.ask("when do pharmacies stop getting prescriptions by fax").answer.startswith("31 December 2030")


def test_a_price_asked_in_a_follow_up_is_a_sum_of_money(tmp_path_factory, embeddings):
    sealed = _answerer_over("chat_sealed", tmp_path_factory, embeddings)
    a = sealed.ask("and what does it cost to send a trailer", ["how long is the sea crossing from corranport"])
    assert a.answer.startswith("1,150.") and "1,150 euros for an unaccompanied trailer" in a.citations[0].text
    a = sealed.ask("how much prize money did she get", ["who won the grand solstice chess championship?"])
    assert a.answer.startswith("120,000.")  # "money" is no thing counted: any sum of it answers


def test_times_corrections_and_years_of_sides(tmp_path_factory, embeddings):
    """tests/data/conflicts_sealed (developed on after its one held-out scoring): a time of day is a value that
    sides disagree on, though the recogniser leaves "4.35am" untagged; a sentence that says it corrects gives
    its own value ("revised ... to 22, from the 14 it gave"), and names at its start are the claim's own; fares
    of articles 16 months apart are two facts, not a disagreement."""
    sealed = _answerer_over("conflicts_sealed", tmp_path_factory, embeddings)
    a = sealed.ask("What time did the MV Brisa Marel run aground on the Skua Shoal?")
    assert [s.value for s in a.conflicts[0].sides] == ["4.35am", "1.50am"]
    b = sealed.ask("How many watches were stolen from the Pevenridge Horological Museum?")
    assert [(s.value, s.later) for s in b.conflicts[0].sides] == [("22", True), ("14", False)]
    c = sealed.ask("Ketterby adult single bus fare from June 2025")
    assert not c.conflicts and re.match(r"(?:In “[^”]+”: )?£3\.10", c.answer)  # first, or stated with its article


def test_a_count_revised_in_a_later_report_and_a_count_the_article_states_elsewhere(tmp_path_factory, embeddings):
    """tests/data/conflicts_kept and conflicts_blind (developed on after their held-out scoring): "number of workers"
    asks a count of workers (41 of "41 of the 300 workers", not the clock time "7.15am" of the lead); the other
    article's "29 workers" is read in a passage retrieval did not return, and the later report's "it had put the
    number at 29" names the figure it revises; an article that states the other value itself elsewhere ("which now
    has 96 shops") is no side against it."""
    kept = _answerer_over("conflicts_kept", tmp_path_factory, embeddings)
    a = kept.ask("skettlebridge carpet factory chemical spill number of workers needing medical attention")
    assert [(s.value, s.later) for s in a.conflicts[0].sides] == [("41", True), ("29", False)]
    blind = _answerer_over("conflicts_blind", tmp_path_factory, embeddings)
    b = blind.ask("lark & loaf number of shops")
    assert not b.conflicts and re.match(r"(?:In “[^”]+”: )?96\b", b.answer)
    c = blind.ask("Lowmarsh council count of properties damaged in the Tenterby twister")
    assert [(s.value, s.later) for s in c.conflicts[0].sides] == [("171", True), ("117", False)]
    d = kept.ask("copperleaf way orrinsford to wykenhold length")  # a length in miles against one in kilometres
    assert {s.value for s in d.conflicts[0].sides} == {"12 miles", "about 16 kilometres"}
    e = kept.ask("falzarano cello enid truscott year made")  # a year asked is the answer, not the year it is of
    assert {s.value for s in e.conflicts[0].sides} == {"1731", "1737"}


def test_a_report_that_names_the_value_it_replaces_and_a_time_given_on_a_hill(tmp_path_factory, embeddings):
    """tests/data/conflicts_winter (developed on after its one held-out scoring): a note that says what the article
    "previously said" (64 stalls) settles the dispute, though an article of a later date repeats the old figure; a time
    given by people "on Gallow Knoll" is the time of what they saw, not held by the hill."""
    winter = _answerer_over("conflicts_winter", tmp_path_factory, embeddings)
    a = winter.ask("hennamere ice fair number of stalls")
    assert [(s.value, s.corrects) for s in a.conflicts[0].sides] == [("46", True), ("64", False)]
    assert "The correcting report" in a.answer
    b = winter.ask("tarrenby aurora peak time wednesday night")
    assert {s.value for s in b.conflicts[0].sides} == {"11.25pm", "10.40pm"}


def test_a_month_said_in_passing_is_no_day_of_it(tmp_path_factory, embeddings):
    """tests/data/conflicts_dawn (developed on after its one held-out scoring): an article that says growers will be
    "picking well into October" does not state the fair's "Sunday 3 October" another article gives, so it still
    disagrees with it ("Sunday 26 September")."""
    dawn = _answerer_over("conflicts_dawn", tmp_path_factory, embeddings)
    a = dawn.ask("when is the tarnbury damson fair this year")
    assert {s.value for s in a.conflicts[0].sides} == {"Sunday 26 September", "Sunday 3 October"}


def test_a_time_said_in_words_an_age_and_a_place_asked_in_a_terse_query(tmp_path_factory, embeddings):
    """tests/data/conflicts_spare (developed on after its one held-out scoring): passages that give no time are passed
    over for one that does ("It is the second major power cut in Ollerbeck" / "the ovens went cold at about quarter past
    four in the morning"), whose time is the short answer, not the "11.40am" of the sentence quoted after it; "when on
    monday morning" and "time the lights went out" ask a time of day, which the articles disagree on."""
    spare = _answerer_over("conflicts_spare", tmp_path_factory, embeddings)
    # a figure with no noun of its own counts the noun named before it ("When every ewe had been run through the pens,
    # 112 were missing from the 900 he keeps")
    assert re.search(r"\b112\b", spare.ask("rookshaw farm how many sheep stolen").answer.split("“")[0])
    a = spare.ask("ollerbeck power cut what time did it start")
    assert re.match(r"(?:In “[^”]+”: )?about quarter past four\.", a.answer)
    b = spare.ask("when on monday morning did the northmarch blackout begin in ollerbeck")
    assert {s.value for s in b.conflicts[0].sides} == {"4.15am", "a little after 5am"}
    # "how old" asks an age: "aged 96" (two copies of one wire story), "who turned 93", not the "eleven interviews"
    c = spare.ask("how old is the skelmarsh great-grandmother who rode the hawkshallow quarry zipline")
    assert [(s.value, s.articles, s.sources) for s in c.conflicts[0].sides] == [("93", 1, 1), ("96", 2, 1)]
    # "which beach" ending a terse query asks a place, and "where" inside one; "A vet, Ezra Macrae," is no place
    for asked in ("selkie watch humpback rescue which beach", "young humpback washed up where in march, selkie watch"):
        d = spare.ask(asked)
        assert {s.value for s in d.conflicts[0].sides} == {"Polvellan Sands", "Cleaveshore"}


def test_when_something_comes_in_is_not_the_day_it_was_decided(chat):
    """"When does the limit come in" asks a date to come: the weekday of the vote ("voted 14 to 9 on Wednesday") is the
    news of the week, passed over for the date it takes effect in the next sentence."""
    a = chat.ask("when does the dunlarrow holiday let limit come in")
    assert a.answer.startswith("April 1, 2026.")


def test_what_happens_next_and_when_it_kicks_in(tmp_path_factory, embeddings):
    """tests/data/chat_kept (developed on after its held-out scoring): "what happens now" asks what comes next, said in
    words of its own ("parliament has 30 days to elect a new prime minister"), not the lead that shares the question's
    words ("Ystrelia's government collapsed on Thursday ...")."""
    kept = _answerer_over("chat_kept", tmp_path_factory, embeddings)
    a = kept.ask("so what happens now in ystrelia after the government fell")
    assert a.answer.startswith("Under the constitution, parliament has 30 days to elect a new prime minister.")
    # "when does it kick in": the date to come, in the article's third passage after two that give none ("voted on
    # Wednesday" is the news of the week, "three hours and forty minutes" a length of time)
    b = kept.ask("when does it kick in", ["what are privacy people afraid of with the under-16 social media ban"])
    assert b.answer.startswith("1 March 2027.")
    # "how many kids": not the "aged 13 to 15" of a survey
    assert not kept.ask("how many kids under 16 in selkarra actually have social media accounts").answered


def test_a_justification_asked_is_a_reason(chat):
    """"What's X's justification for Y" asks why: the sentence that gives the reason answers it."""
    a = chat.ask("what's kestrovia's justification for the steel duties")
    assert "19 percent below their cost of production" in a.answer


def test_the_cheapest_row_is_the_lowest(tmp_path_factory, embeddings):
    """tests/data/chat_unseen (developed on after its held-out scoring): "cheapest", like "lowest", ranks a table's rows
    from the bottom."""
    unseen = _answerer_over("chat_unseen", tmp_path_factory, embeddings)
    a = unseen.ask("which olive oil grade is the cheapest in ondaria at the moment")
    assert a.answer.startswith("Lampante has the lowest value")


def test_what_a_figure_drops_to_is_the_new_figure(tmp_path_factory, embeddings):
    """tests/data/chat_sealed (developed on after its held-out scoring): "what will X drop to" asks the figure it changes
    to ("will reduce it to 238 euros"), not the change ("cut by 15 percent") of the lead."""
    sealed = _answerer_over("chat_sealed", tmp_path_factory, embeddings)
    a = sealed.ask("what will the flat per-hectare payment in ostmarren drop to")
    assert a.answer.startswith("238")


def test_ages_counts_lengths_of_time_and_places_read_as_their_kind(tmp_path_factory, embeddings):
    """tests/data/conflicts_reserve (developed on after its held-out scoring): "Mrs Pallister, who is 83," states an age,
    and the "September 1985" said beside the other side's "79" is a year both articles tell, so no other year's figure;
    the later report's "It was earlier reported ... that Mrs Pallister was 79", paragraphs below, names what it corrects;
    "some of them more than 70 years old" counts no tractors, and the "Three of the tractors broke down" of an article
    whose copies say 186 took part is no side; "how long were guests stuck" asks a time (by the embedder), which "three
    nights" and "six days" are; a place asked is the one the recogniser labels a place ("Tarnwick Quay"), not the boy
    "Ianto" named in the lead."""
    reserve = _answerer_over("conflicts_reserve", tmp_path_factory, embeddings)
    a = reserve.ask("nerissa pallister age")
    assert [(s.value, s.later) for s in a.conflicts[0].sides] == [("83", True), ("79", False)]
    assert "“It was earlier reported, including in this newspaper, that Mrs Pallister was 79.”" in a.answer
    b = reserve.ask("tennerby vintage tractor run number of tractors")
    assert {s.value for s in b.conflicts[0].sides} == {"212", "186"}
    c = reserve.ask("whinchat inn blackmire moor how long were guests stuck")
    assert [s.value for s in c.conflicts[0].sides] == ["six days", "three nights"]  # the later first, 1 against 1
    d = reserve.ask("where did nutmeg the wicklebury cat turn up")
    assert re.match(r"(?:In “[^”]+”: )?Tarnwick Quay\.", d.answer)


def test_an_article_gives_the_sentence_closest_to_the_claim_though_the_embedder_scores_it_low(tmp_path_factory,
                                                                                              embeddings):
    """tests/data/conflicts_hidden (developed on after its held-out scoring): "the anonymous telephone bidder who won it
    paid 3.1m dollars", its article's sentence with a price closest to the claim's, is a side against "$3.4 million",
    though the embedder puts it far from the claim (0.38)."""
    hidden = _answerer_over("conflicts_hidden", tmp_path_factory, embeddings)
    a = hidden.ask("lilac mitre stamp new york auction final price")
    assert {s.value for s in a.conflicts[0].sides} == {"3.1m dollars", "$3.4 million"}


def test_a_follow_up_is_answered_from_the_passages_of_the_articles_it_follows(tmp_path_factory, embeddings):
    """tests/data/chat_winter (developed on after its held-out scoring): a follow-up's own words pick the passage of the
    article the previous answer cited ("will farmers get paid if they cause damage" after a question about a beaver
    trial's "difference" to flooding, which asks no difference); "how old is it" of a reef is answered by "about 8,000
    years ago"; "switch off date" is a day, not the "every month" of a report."""
    winter = _answerer_over("chat_winter", tmp_path_factory, embeddings)
    a = winter.ask("will farmers get paid if they cause damage", ["did the earlier beaver trial make any difference to flooding"])
    assert a.answered and "1.2 million euros" in a.answer
    b = winter.ask("how old is it", ["galdric coral reef length"])
    assert b.answer.startswith("about 8,000 years ago.")
    c = winter.ask("telvar 3g switch off date")
    assert c.answer.startswith("30 June 2027.")


def test_a_sum_or_a_share_asked_is_not_a_count_and_a_longer_follow_up_may_point_back(tmp_path_factory, embeddings):
    """tests/data/chat_kept, chat_hidden and conflicts_reserve (developed on): "what are they paying for them" asks a sum,
    which the "six" of "ordered six container ships" is not; "who are they trying to claw the money back from" (ten
    words) is read first about the article the previous answer cited; a "rent increase percentage" is a share, which
    "45 per cent" says as "%" would, not the new rent; an "entrant count" is no age ("more than 70 years old")."""
    kept = _answerer_over("chat_kept", tmp_path_factory, embeddings)
    a = kept.ask("and what are they paying for them", ["what worries seafarers about northbrae's new ammonia ships"])
    assert a.answer.startswith("1.38 billion dollars.")
    hidden = _answerer_over("chat_hidden", tmp_path_factory, embeddings)
    b = hidden.ask("who are they trying to claw the money back from", ["torvane recall cost"])
    assert "Helmsgard" in b.answer
    reserve = _answerer_over("conflicts_reserve", tmp_path_factory, embeddings)
    c = reserve.ask("greyswick allotment rent increase percentage")
    assert {s.value for s in c.conflicts[0].sides} == {"45 per cent", "30 per cent"}
    d = reserve.ask("tennerby air ambulance tractor parade entrant count")
    assert {s.value for s in d.conflicts[0].sides} == {"212", "186"}


def test_an_article_that_names_nothing_the_question_names_is_no_side(tmp_path_factory, embeddings):
    """tests/data/conflicts_unseen (developed on): another resort's lift-pass revenue, reported in the same weeks in the
    same words, is no side of "wallerhorn mountain railways ticket takings last winter": it never names Wallerhorn."""
    unseen = _answerer_over("conflicts_unseen", tmp_path_factory, embeddings)
    a = unseen.ask("wallerhorn mountain railways ticket takings last winter")
    assert a.answer.startswith("€21.9 million.") and not a.conflicts
    # no word list says a yield is a figure: the passages found tie one to it ("at an average yield of 3.87%")
    b = unseen.ask("valdren 10-year bond auction average yield")
    assert {s.value for s in b.conflicts[0].sides} == {"3.87%", "3.78%"}


def test_a_when_asked_of_a_row_is_the_cell_that_holds_one(tmp_path_factory, embeddings):
    """tests/data/chat_frost (developed on after its one held-out scoring): no header of the hub's table ("Service",
    "Where", "When") is named by "how often ...", so the cell that holds a time answers ("One day a fortnight"), whole,
    not the "Banking hub, Market Hill" the question quotes to say which row."""
    frost = _answerer_over("chat_frost", tmp_path_factory, embeddings)
    a = frost.ask("how often will hembury savings have someone at the bramscott hub")
    assert a.answer.startswith("One day a fortnight (Hembury Savings adviser — When).")


def test_a_mistake_owned_a_year_beside_each_figure_an_age_said_now_and_the_first_and_last_trains(tmp_path_factory,
                                                                                                  embeddings):
    """tests/data/conflicts_gale (developed on after its one held-out scoring): a report that says the figure others
    gave "was a mistake" corrects it (£2,500 first); "18% in 2027" stands against "13 per cent in 2027, after growth of
    4 per cent in 2026", each figure read with the year said nearest it; "Zuleika Wilmcote, now 86," states an age; a
    time the recogniser tags a name ("pulled out at 7.18am") is a time, and "the last train" is not the first."""
    gale = _answerer_over("conflicts_gale", tmp_path_factory, embeddings)
    a = gale.ask("how much was the quenderby fish bar owner fined by haxleigh magistrates")
    assert [(s.value, s.corrects) for s in a.conflicts[0].sides] == [("£2,500", True), ("£3,500", False)]
    b = gale.ask("by how much did bretherton & cloke grow its exports in 2027")
    assert {s.value for s in b.conflicts[0].sides} == {"18%", "13 per cent"}
    c = gale.ask("how old is zuleika wilmcote")
    assert {s.value for s in c.conflicts[0].sides} == {"86", "84"}
    d = gale.ask("muddiford station first departure time")
    assert [s.value for s in d.conflicts[0].sides] == ["6.48am", "7.18am"]


def test_an_article_that_gives_the_old_figure_and_corrects_it_states_the_corrected_one(tmp_path_factory, embeddings):
    """tests/data/conflicts_haze (developed on after its one held-out scoring): the report that says "The committee
    gave the total as £8,150 ..." and "The corrected sum handed over to the lookout station is £7,340" is the side of
    £7,340, the later report, not a copy of the first report's £8,150. An arrival time is read in the sentence next to
    the one that says she arrived ("had arrived on Friday." then "... she came alongside at 8.40am"), though it shares
    no word with the question."""
    haze = _answerer_over("conflicts_haze", tmp_path_factory, embeddings)
    a = haze.ask("merriby kipper festival amount raised for coastwatch")
    assert [(s.value, s.later) for s in a.conflicts[0].sides] == [("£7,340", True), ("£8,150", False)]
    b = haze.ask("sabina schooner orrisford arrival time")
    assert [s.value for s in b.conflicts[0].sides] == ["8.40am", "7.45am"]


def test_a_reason_a_reply_and_a_worry_are_read_where_news_puts_them(tmp_path_factory, embeddings):
    """tests/data/chat_haze (developed on after its one held-out scoring): "why" is answered by the sentence after
    the event, where no word marks a reason ("shot the whole tournament with a borrowed bow." then "The upper limb of
    her own bow cracked"), also when typed last ("asquine borrowed bow why"); what someone said is the quotation after
    the sentence that names her, whole; a worry asked of a named person comes from the passage that names him."""
    haze = _answerer_over("chat_haze", tmp_path_factory, embeddings)
    assert "upper limb of her own bow cracked" in haze.ask("asquine borrowed bow why").answer
    assert "Four millimetres" in haze.ask("what did dorsay say after losing the archery final").answer
    assert "nurses and engineers" in haze.ask("what worries oyelami about teskara leaning so heavily on money from "
                                             "abroad").answer


def test_a_result_a_steep_rise_and_a_donor_named_beside_a_spokesman(tmp_path_factory, embeddings):
    """tests/data/conflicts_mist (developed on after its one held-out scoring): "how many points each" is answered by
    a result ("the official result ... was 81-78", not the "four" minutes left nor "40-37 at half-time"); "how steep is the increase" asks a share; "whose will" is not the secretary who said the
    members were stunned, but the donor named in the sentence before."""
    mist = _answerer_over("conflicts_mist", tmp_path_factory, embeddings)
    a = mist.ask("grimbleton forgers v midgelden ravens how many points each")
    assert a.answer.startswith("81-78.")
    b = mist.ask("how steep is the increase rawdenby council agreed for crowstone edge and the other moor car parks")
    assert {s.value for s in b.conflicts[0].sides} == {"15%", "25 per cent"}
    c = mist.ask("whose will is paying for the ebbleshaw singers' new roof and piano")
    assert {s.value for s in c.conflicts[0].sides} == {"Sylvester Horsfall", "Thurstan Ackernley"}


def test_a_term_said_in_other_words_counts_toward_what_the_evidence_holds(tmp_path_factory, embeddings):
    """tests/data/chat_hail (developed on after its one held-out scoring): "minimum hourly pay for orlavian waiters" is
    answered by the table row "Hotels and restaurants — Minimum hourly wage: 12.10 scudi", which says "waiters" as
    "restaurants" and "pay" as "wage" (the embedder's cosine): the share of the question the evidence holds counts them,
    where it would decline on the words alone."""
    hail = _answerer_over("chat_hail", tmp_path_factory, embeddings)
    a = hail.ask("what's the minimum hourly pay for orlavian waiters under the new deal")
    assert a.answer.startswith("12.10 scudi (Hotels and restaurants")
