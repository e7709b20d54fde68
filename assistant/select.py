"""Stage 3, evidence: each retrieved chunk read for the question (its best sentences, or its asked
cells), scored, ordered; and the decision whether the best of it answers the question or only
resembles it. A question is declined when its evidence lacks what it asks: the thing it names (an
entity, a year), the kind of answer it wants (a date, an amount, the person in a role), or enough of
its words and meaning."""
from __future__ import annotations

import re

from index.lexical import tokenize
from index.store import Store

from .answerability import article, features, mentions, probability
from .conflicts import close_in_time, shared
from .evidence import OPERATIONS, Evidence, unstated_operation
from .passages import causal, from_text, reports_speech, to_come
from .question import YEAR, Question
from .retrieval import Hit
from .sentences import tokset
from .spans import answer_span, attached, is_sum, names_role, on_calendar, typed_spans
from .tables import from_row, names_in_order, row_label
from .thresholds import (ANSWER_CANDIDATES, ENTITY_UNNAMED, FALLBACK_DEPTH, FOLLOWED, FALLBACK_OTHER, FALLBACK_SCORE,
                         FULL_SUPPORT, MIN_LABEL, MIN_MEANING, MIN_P, MIN_PHRASE, MIN_SUPPORT, PART_LABEL, PART_PHRASE,
                         REASON_MEANING, RESTATED_STORY, ROLE_UNNAMED, WHOLE_ROW_SUPPORT)

def select(store: Store, question: Question, hits: list[Hit], meaning: dict[str, float]) -> list[Evidence]:
    """Candidate evidence from each hit, best first; `meaning`: sentence cosines to the question. The
    best few by score are then ordered by how likely each answers (`answerability`)."""
    out: list[Evidence] = []
    by_article: dict[str, set[str]] = {}
    for hit in hits:
        by_article.setdefault(hit.chunk.article_id, set()).update(tokset(hit.chunk.embed_text()))
    top_lexical = max((h.lexical for h in hits), default=0.0) or 1.0
    for rank, hit in enumerate(hits):
        row = hit.chunk.kind == "table_row"
        ev = from_row(question, hit) if row else from_text(question, hit, meaning)
        if ev is None:
            continue
        ev.phrase = ev.phrase or question.phrase(ev.quote if not row else ev.chunk.embed_text())
        ev.article = question.coverage(by_article[hit.chunk.article_id])  # the rest of the article fits too
        ev.rank = rank
        if row:
            ev.meaning = hit.dense  # a row is one line: its vector is its sentence's
            if question.which_years or question.members:
                # a question about the table ("which years does the table give the pro-forma results for"):
                # the text around it says what it is about
                ev.support = max(ev.support, ev.article)
                ev.focus = max(ev.focus, ev.article)
        # weights fitted listwise (softmax over each question's candidates) on the development packs;
        # 5-fold cross-validated top-1 0.556 on TAT-QA dev against 0.511 for hand-set weights; the
        # best sentence's meaning, where it is closer than its passage's, added with the answering redesign
        ev.score = (2.0 * ev.support + 2.0 * ev.focus + 1.0 * max(hit.dense, 0) + 0.74 / (1 + rank)
                    + 0.88 * ev.article + 2.64 * ev.phrase + 0.82 * hit.lexical / top_lexical
                    + (1.0 * max(ev.meaning - hit.dense, 0) if not row else 0.0)
                    + (0.96 * ev.label + 0.29 * ev.focus + 0.07 + 0.6 * names_in_order(question, ev.chunk)
                       if row else 0.0))
        if question.reasons and not row:  # the topic's words are in every sentence about it: meaning tells the reason
            ev.score += REASON_MEANING * ev.meaning
        if question.focus_articles and ev.chunk.article_id in question.focus_articles:
            ev.score += FOLLOWED  # a follow-up: the articles the conversation is about come first
        out.append(ev)
    if question.role and any(names_role(question.role, e.statement) for e in out):
        for e in out:  # "who is the prime minister": evidence that names no one in that role does not answer
            e.score *= 1.0 if names_role(question.role, e.statement) else ROLE_UNNAMED
    # what worries someone ("what worries oyelami about teskara ..."): a passage that names no Oyelami, where one of
    # the best does, tells what someone else thinks (a fact's passage need not repeat the cup's name, nor a remark the
    # company's: "who from the union criticised the wendmoor sale terms")
    holders = question.entities if question.reasons and not question.why else []
    named = [n for n in holders if any(mentions(n, e.chunk.embed_text()) for e in out[:ANSWER_CANDIDATES])]
    for e in out:
        e.score *= ENTITY_UNNAMED ** sum(not mentions(n, e.chunk.embed_text()) for n in named)
    out.sort(key=lambda e: (-round(e.score, 6), e.chunk.id))  # ties (and float noise) by id: reproducible
    if not question.years:
        _latest_first(out)
    generation = store.generation() if out else ""
    for ev in out[:ANSWER_CANDIDATES]:  # how likely the best few answer, and why
        ev.features = features(question, ev, out[0].score, article(store, ev.chunk.article_id, generation))
        ev.p = probability(ev.features)
    return out


def _latest_first(evidence: list[Evidence]) -> None:
    """The same row of one article read in tables of different years (quarterly tables, a block per
    year): when no year is asked, the latest year takes the best place among them."""
    def year(ev: Evidence) -> int:
        return max(map(int, YEAR.findall(f"{ev.chunk.group} {ev.about}")), default=0)

    blocks: dict[tuple[str, str], list[int]] = {}
    for i, ev in enumerate(evidence):
        if ev.chunk.kind == "table_row" and ev.values:
            blocks.setdefault((ev.chunk.article_id, YEAR.sub("", ev.about)), []).append(i)
    for at in (at for at in blocks.values() if len(at) > 1):
        scores = [evidence[i].score for i in at]
        for i, ev, score in zip(at, sorted((evidence[i] for i in at), key=lambda ev: -year(ev)), scores):
            ev.score = score
            evidence[i] = ev


def supported(question: Question, best: Evidence, named_rows: bool = False) -> bool:
    """Does the best evidence answer the question, or only resemble it? It must read as an answer
    (`readable`) and be likely enough to answer (`answerability`)."""
    return best.p >= MIN_P and readable(question, best, named_rows)


def readable(question: Question, best: Evidence, named_rows: bool = False) -> bool:
    """Can the evidence be read as an answer at all? Enough of the question's words (or its meaning), the
    operation it asks stated, a table row that has the asked row and column, an amount where one is asked,
    the year asked. (`named_rows`: the question names this row and others of its table by their labels)"""
    if unstated_operation(question, best):
        return False
    if question.strict and best.chunk.kind != "table_row" and not (
            (spans := typed_spans(best.statement, question)) and (not question.counted or attached(question, best.statement))
            and (question.unit != "money" or any(is_sum(e, best.statement) for e in spans))):
        return False  # "how much did Japan spend on defense", "how much does a ticket cost": no amount (of money) of it
    if question.role and not mentions(question.role.split()[-1], best.statement):
        return False  # "who was the architect of the renovation": a passage that names no architect
    if best.support < MIN_SUPPORT and not (best.meaning >= MIN_MEANING and best.chunk.kind != "table_row") \
            and not _named_and_stated(question, best) and not _said_otherwise(question, best):
        return False
    lookup = not (question.compare or question.which_years or question.members or question.bound
                  or question.rank_rows or question.each or named_rows)  # a plain lookup of one row's cells
    if lookup and best.chunk.kind == "table_row":
        own = set(tokenize(" ".join([*best.chunk.row.values(), best.chunk.group])))
        if not own & set(question.terms) and not any(like & own for like in question.terms_like.values()):
            return False  # only the table's headers match: "the proposed action for innovation", no such row (its
            #               own words may say a term otherwise: "waiters" / "Hotels and restaurants")
        if not best.values and best.support < WHOLE_ROW_SUPPORT:
            return False  # no column asked for is in the row: "Japan's role in cybersecurity", no such column
    if question.amount and re.match(r"\s*how\s+(?:much|many)\b", question.text, re.I) and not question.count \
            and best.chunk.kind == "table_row" and not re.search(r"\d", " ".join(best.values) or best.statement):
        return False  # "how many ASEAN members": cells that hold no amount
    if question.years and not named_rows:  # "X in 2019": a lookup of a named figure
        if best.chunk.kind != "table_row":  # a passage that shares a word pair with it, or whose paragraph
            #                                 states the year ("the change from 2018 to 2019" needs the words)
            paragraph = next((line for line in best.chunk.text.split("\n") if best.quote.split("\n")[0][:40] in line),
                             best.quote)
            return best.phrase >= MIN_PHRASE or all(y in paragraph for y in question.years) \
                and not set(question.terms) & OPERATIONS
        label = row_label(best.chunk)
        if best.values and all(y in label for y in question.years):
            return True  # a row per period ("Q3 2023"), the asked figure in a column its header names
        return best.label >= MIN_LABEL or (best.label >= PART_LABEL and best.support >= FULL_SUPPORT
                                           and best.phrase >= PART_PHRASE)
    return True


_STATED = ("amount", "date", "person", "agent", "organization", "place")  # answers a passage states as a span


def _said_otherwise(question: Question, ev: Evidence) -> bool:
    """Enough of the question's terms are in the evidence (with its title and section) counting those it says in other
    words (`Question.terms_like`: "minimum hourly pay for orlavian waiters" / "Hotels and restaurants — Minimum hourly
    wage: 12.10 scudi")."""
    tokens = tokset(f"{ev.chunk.title} {ev.chunk.section} {ev.statement}")
    return question.coverage(tokens | {t for t, like in question.terms_like.items() if like & tokens}) >= MIN_SUPPORT


def _named_and_stated(question: Question, ev: Evidence) -> bool:
    """A passage that names what the question names and states a value of the asked kind, labelled so by the
    recogniser, answers though it words the rest otherwise ("nether quobley atm theft what time": "raiders used a
    telehandler to rip the cash machine out of the village's only shop. The raiders struck shortly before 2am")."""
    return bool(question.entities) and question.answer_type in _STATED and ev.chunk.kind != "table_row" \
        and all(mentions(e, f"{ev.chunk.title} {ev.chunk.text}", loose=True) for e in question.entities) \
        and bool(typed_spans(ev.statement, question, guess=False))


def answering_first(question: Question, evidence: list[Evidence], store: Store | None = None) -> list[Evidence]:
    """The evidence with the best candidate that supports an answer first, when one from the same
    article scored at least FALLBACK_SCORE of the best ("the increase in FCC licenses": the row
    gives the balance, the sentence below the table states the increase), or one from another
    article at least FALLBACK_OTHER; rows that cannot state the asked change are passed over. "Why": the
    first of the best article's that gives a reason ("traced the problem to", "the strike is about
    staffing"), if it scored that much or says at least half as much of what is asked as the best: what gives no
    reason does not answer why (but "because people trust their lives to it" is not why Helena Varga left Hungary);
    "what happens now": the first that says what comes next. A figure, date, name or place asked: of the few looked
    at, the first that states one, and one whose value the recogniser labels of that kind before one that only names
    someone; passages that state none, where one is required (`strict`), are passed over."""
    # "why": a reason; "what did the union boss say", "how did the owner react": what someone said
    gives = causal if question.why else reports_speech if question.speech else to_come if question.ahead else None
    if gives and evidence and not gives(evidence[0].statement):
        reason = next((i for i, ev in enumerate(evidence[1:FALLBACK_DEPTH + 1], 1) if gives(ev.statement)
                       and ev.chunk.article_id == evidence[0].chunk.article_id
                       and (ev.score >= FALLBACK_SCORE * evidence[0].score or ev.focus >= evidence[0].focus / 2
                            or question.ahead)  # what comes next is said in words of its own
                       and supported(question, ev)), 0)
        if reason:
            return [evidence[reason], *evidence[:reason], *evidence[reason + 1:]]

    def states(ev: Evidence, guess: bool = True) -> bool:  # (a row's cell is a standing value, not one a figure is
        #                                                    changed to: "what will the payment drop to")
        return ev.chunk.kind == "table_row" and not question.changed_to or bool(typed_spans(ev.statement, question, guess))

    def sure(ev: Evidence) -> bool:  # labelled so by the recogniser; a date on the calendar ("11 July 1986", not "40
        #                              years ago")
        return states(ev, guess=False) and (question.answer_type != "date" or ev.chunk.kind == "table_row"
                                            or on_calendar(answer_span(question, ev.statement)))

    stated = question.answer_type in _STATED
    looked, passed, answers = 0, 0, []
    for i, ev in enumerate(evidence):
        if looked == FALLBACK_DEPTH or ev.score < FALLBACK_SCORE * evidence[0].score \
                and not (passed and ev.chunk.article_id == evidence[0].chunk.article_id):  # (the best's article, when
            break  # the passages before gave no value of the asked type: "The ban comes into force on 1 March 2027")
        if i and unstated_operation(question, ev):
            continue  # another row giving a balance where a change is asked: not one of the few looked at
        if i and question.strict and not states(ev):
            passed += 1  # nor a passage with no time where a time is asked ("It is the second major power cut in
            continue  #    Ollerbeck"), when a passage is found after it (a row is no further answer than before)
        if ev.chunk.kind == "table_row" and looked + passed >= FALLBACK_DEPTH:
            break
        near = ev.chunk.article_id == evidence[0].chunk.article_id or ev.score >= FALLBACK_OTHER * evidence[0].score \
            or store is not None and shared(store, ev, evidence[0]) >= RESTATED_STORY \
            and (all(mentions(e, f"{ev.chunk.title} {ev.chunk.text}") for e in question.entities) if question.entities
                 else close_in_time(ev.chunk.published_at, evidence[0].chunk.published_at))  # a rewrite of the story,
        #                                         that names what the question names (or, naming nothing, of its weeks)
        if near and supported(question, ev):
            answers.append(i)
            # a figure, a date, a name asked: the first that states one ("number of workers treated": not the lead
            # about the evacuation, when the next says "treated 41 of the 300 workers"), by the recogniser's label
            # (not the boy "Ianto" where a place is asked, named where the passage names no place)
            if not stated or sure(ev):
                break
        if i and stated and not states(ev, guess=False):
            passed += 1  # one after the best that states none is no place in the few looked at
        else:
            looked += 1
    stating = [i for i in answers if stated and sure(evidence[i])] \
        or [i for i in answers if stated and states(evidence[i], guess=False)] \
        or [i for i in answers if stated and states(evidence[i])]
    i = stating[0] if stating else answers[0] if answers else 0
    return [evidence[i], *evidence[:i], *evidence[i + 1:]] if i else evidence
