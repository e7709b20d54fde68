"""Sources that disagree, found by answer: the short answer of the best evidence (a name, date, figure or
place of the asked type), and in each other article about the same thing the sentence that restates that
claim (closest in meaning), compared after normalising spellings ("$1.2 billion" = "1.2bn"). Answers that
differ are sides; each side counts the articles that state it and the independent sources among them
(a wire story and its copies are one source), with their publishers and dates; a report that says it
corrects an earlier one is named as the later report."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from index.lexical import tokenize
from index.store import Store
from index.types import Chunk

from .answerability import mentions
from .conflicts import (APPROXIMATE, CORRECTS, RELATIVE_DAY, amount_kind, close_in_time, day_said, exact, fits, precision,
                        same_story, shared, value_key)
from .evidence import Evidence
from .language import parse
from .question import KIND_OF, QUANTITY_NOUNS, YEAR, Question
from .meaning import Meaning
from .retrieval import Hit
from .sentences import sentences, tokset
from .textscan import ANY_CLOCK, SCORELINE, TITLE, converted, same_clock
from .spans import SPEECH_VERB, TYPE_LABELS, answer_span, attached, entities_of, reports_date, speaks, typed_spans
from .thresholds import (ANSWERS_TOO, CONVERTED, COPY, RESTATED, RESTATED_LOOSELY, RESTATED_STORY, SAME_SUBJECT, SCALE,
                         SIDE_DEPTH, SLOT_LIKE)

TYPED = frozenset(("date", "place", "amount", "person", "agent", "organization", "entity"))


@dataclass
class Side:
    """One answer and the articles that give it, best first; `sources` groups copies of one story."""

    value: str  # as its best article states it
    key: str  # what sides are compared on (`value_key`)
    evidence: list[Evidence] = field(default_factory=list)
    sources: list[list[Evidence]] = field(default_factory=list)
    correction: str = ""  # the sentence of one of its articles that says it corrects an earlier report
    corrected_in: Chunk | None = None  # ... and the passage that holds it
    later: bool = False  # ... and that article is later than every article of the other sides
    replaces: bool = False  # ... and that sentence names another side's value as the one it replaces
    day: str = ""  # the day its value names, where said relative to its article's date ("Tuesday": "11 March")

    @property
    def dates(self) -> list[str]:
        return sorted({ev.chunk.published_at[:10] for ev in self.evidence if ev.chunk.published_at})

    @property
    def cited(self) -> list[Evidence]:
        """One article per independent source: the first of each group of copies."""
        return [group[0] for group in self.sources]


def sides(store: Store, question: Question, evidence: list[Evidence], meaning: Meaning,
          given: tuple[Evidence, str] | None = None) -> list[Side]:
    """The sides of a disagreement between articles over the asked fact, likeliest first (a later
    correction, then the most independent sources, then the latest); [] when they agree or only one
    article answers. Each other article among the best evidence is read for the sentence that restates
    the best answer's claim (closest in meaning, holding a value of the asked type), whatever its own
    best sentence for the question is: an article may answer in a sentence that shares few of its words.
    `given`: the evidence and its value to compare, where the caller knows them and gives only evidence of
    articles of the same events (a briefing's sentence and its story's other articles): there is no question's
    wording to place the value, so a restatement must hold its value among the same words."""
    if question.intent != "fact" or question.answer_type not in TYPED or not evidence \
            or evidence[0].chunk.kind == "table_row" or re.search(r"\bhow\s+often\b", question.asked, re.I):
        return []  # "how often": a frequency, no calendar date to disagree on
    # the claim compared: the best evidence's answer, or where its quote gives none ("more voters took part
    # than first announced") or only an estimate ("thousands more donors"), the next best that gives one the
    # estimate fits (not the "160 extra compliance staff" of a side remark for "about 14,000 business accounts")
    estimate = "" if given or evidence[0].chunk.kind == "table_row" else answer_span(question, evidence[0].statement)
    best, mine = given or next(((ev, span) for ev in evidence[:SIDE_DEPTH] if ev.chunk.kind != "table_row"
                                and (span := answer_span(question, ev.statement)) and exact(span, question.year_asked)
                                and not reports_date(question, span, ev.statement)
                                and (not estimate or question.answer_type != "amount"
                                     or fits(estimate, value_key(span, "amount")))), (evidence[0], ""))
    if not mine:
        return []
    evidence = [best, *(ev for ev in evidence if ev is not best)]
    claim = next((s for s in sentences(best.statement) if mine in s), best.statement)

    def key(span: str, ev: Evidence | None = None, text: str = "") -> str:
        return _key(question, span, ev, text)

    found = {key(mine, best): Side(mine, key(mine, best), [best])}
    for ev in _restating(store, question, best, claim, mine, evidence, meaning, given=given is not None):
        theirs = answer_span(question, ev.statement)
        # the same answer spelt otherwise ("the United States" / "U.S.", "Oduya" / "Grace Oduya"), or stated
        # beside it in the quote ("1 July" beside "July 1"; not "not the 340 earlier reported": superseded)
        # (a sentence that says it corrects gives its own value: "revised the number to 22, from the 14 it gave")
        # (a possessive names no answer: "Alun Garvey's successor")
        beside = () if CORRECTS.search(ev.statement) else (e.text for e in typed_spans(ev.statement, question)
                                                           if not re.search(r"['’]s$", e.text))
        k = next((k for span in (theirs, *beside) for k in found if same_value(k, key(span, ev))
                  or question.answer_type == "amount" and converted(found[k].value, span, CONVERTED)
                  or question.answer_type == "date" and same_clock(found[k].value, span)), key(theirs, ev))
        if k not in found and not exact(theirs, question.year_asked):
            # an estimate joins the side it rounds ("roughly 1.4 billion dollars" / $1.43 billion); one that no side's
            # figure fits is a side ("about 1,140 residents" / 1,410 people); a bound, "dozens", a season makes none
            fitting = [f for f in found if fits(theirs, f)] if question.answer_type == "amount" else []
            k = fitting[0] if fitting else k if question.answer_type == "amount" and APPROXIMATE.search(theirs) else ""
        if k and k not in found and question.answer_type == "place" \
                and _nationality(ev.statement, theirs) != _nationality(claim, mine):
            k = ""  # "American" and "the United States": a people and a country, compared by no spelling
        if k:
            found.setdefault(k, Side(theirs, k)).evidence.append(ev)
    if len(found) < 2 or _of_other_years(store, list(found.values()), aged=question.dimensions == ("age",)):
        return []  # "£3.10 from June 1, 2025" and "£2.60", reported in January 2024: two facts

    def names(sentence: str, keys) -> bool:  # a value of the kind asked, its own or one it replaces, among `keys`
        return any(same_value(k, key(e.text)) for e in typed_spans(sentence, question, replaced=True) for k in keys)

    def corrects(sentence: str, quoted: bool) -> bool:  # a value of the kind asked: any in the passage quoted, else
        #                                                  one of the values disputed
        return bool(CORRECTS.search(sentence)) and (
            bool(typed_spans(sentence, question, replaced=True)) if quoted else names(sentence, found))

    for side in found.values():
        # a sentence that says it corrects, and states a value of the kind asked: its own or one it replaces
        # ("correcting the figure of about 1,140 it gave yesterday"; not "a share offer rather than council tax"); or,
        # elsewhere in its article, a disputed value ("It was earlier reported ... that Mrs Pallister was 79",
        # paragraphs below the claim; not a figure of damaged homes "updated", asked how many people were hurt)
        side.correction, side.corrected_in = next(
            ((s, c) for ev in side.evidence for c in store.article_chunks(ev.chunk.article_id) if c.kind != "table_row"
             for s in sentences(c.text) if corrects(s, c.id == ev.chunk.id)), ("", None))
    if question.answer_type in ("place", "amount", "date"):
        found = _self_consistent(store, question, found, key)
        if len(found) < 2:
            return []
    for side in found.values():
        side.sources = _sources(store, side.evidence)
        others = [d for o in found.values() if o is not side for d in o.dates]
        side.later = bool(side.correction and side.dates and others and side.dates[-1] > max(others))
        # "It previously said 64 stalls had been set up; ... the number was 46": it says which value it replaces, though
        # an article of a later date repeats the old one
        side.replaces = bool(side.correction) and names(side.correction, [o.key for o in found.values() if o is not side])
        first = side.evidence[0]
        if question.answer_type == "date" and (day := day_said(side.value, first.chunk.published_at, first.statement)):
            side.day = f"{day.day} {day:%B}"  # "Tuesday": 11 March, by its article's date
    return sorted(found.values(), key=lambda s: (not (s.later or s.replaces), -len(s.sources),
                                                  [-_day(d) for d in s.dates[::-1]], -s.evidence[0].score))


def _key(question: Question, span: str, ev: Evidence | None = None, text: str = "") -> str:
    """What a value is compared on (`value_key`); a day said relative to its article's date (`ev`'s) is that date: "on
    Tuesday", "yesterday"."""
    if question.answer_type == "date" and ev and (day := day_said(span, ev.chunk.published_at, text or ev.statement)):
        return f"{day.month:02d}-{day.day:02d}"
    return value_key(span, question.answer_type)


def _nationality(text: str, span: str) -> bool:
    """Is the span a people or nationality ("Dutch", "American"), as the recogniser labels it in its text?"""
    return any(e.label == "NORP" for e in entities_of(text) if e.text == span)


def _self_consistent(store: Store, question: Question, found: dict[str, Side], key) -> dict[str, Side]:
    """The sides of a place, a figure or a date that stand against each other: none kept with the articles that state
    another kept side's value themselves, in their title or any passage, and correct nothing: an article does not
    disagree with what it says ("an American family charity ... outside North America" under the headline "U.S.
    foundation pledges millions" is no "North America" against "the United States"). Not for people: a story's
    articles name its other people in other roles (the chief who retires, when the question asks who succeeds him)."""
    def states(ev: Evidence) -> set[str]:  # in any passage of its article ("which now has 96 shops" in another)
        texts = [ev.chunk.title, *(c.text for c in store.article_chunks(ev.chunk.article_id) if c.kind != "table_row")]
        return {key(e.text, ev, text) for text in texts for e in typed_spans(text, question)}

    said = {id(ev): states(ev) for side in found.values() if not side.correction for ev in side.evidence}

    def against(ev: Evidence, value: str) -> bool:  # (a month names no day of it: "picking well into October" does
        #                                                not state the fair's "Sunday 3 October")
        return id(ev) not in said or not any(same_value(value, v) and not (re.fullmatch(r"\d\d", v) and v != value)
                                             for v in said[id(ev)])

    # the value most articles answer with first (then most state anywhere in them), then each that stands against every
    # value kept before it: some of its articles do not state their values and some of theirs do not state its own (not
    # the "Three of the tractors broke down" of an article whose copies say 186 took part and tell of the three too;
    # not "Hollybush Stores" where its article says the shop is in Fendrick, as another does; not the "11.40am" the
    # power came back, which the 4.15am articles tell too)
    told = [ev for side in found.values() for ev in side.evidence]
    stands: list[str] = []
    for k in sorted(found, key=lambda k: (-len(found[k].evidence),
                                          -sum(not against(ev, k) or ev in found[k].evidence for ev in told))):
        if all(any(against(ev, o) for ev in found[k].evidence) and any(against(ev, k) for ev in found[o].evidence)
               for o in stands):
            stands.append(k)
    kept = {}
    for k in stands:
        evidence = [ev for ev in found[k].evidence if all(against(ev, o) for o in stands if o != k)]
        if evidence:
            kept[k] = replace(found[k], evidence=evidence, value=found[k].value if evidence[0] is found[k].evidence[0]
                              else answer_span(question, evidence[0].statement) or found[k].value)
    return kept


def _restating(store: Store, question: Question, best: Evidence, claim: str, mine: str, evidence: list[Evidence],
               meaning: Meaning, given: bool = False) -> list[Evidence]:
    """For each other article among the best SIDE_DEPTH evidence, about the same thing as the best: its
    sentence that restates `claim` (the best evidence's sentence holding the answer `mine`), as evidence
    quoting it: the sentence closest in meaning that states a comparable value, if at least RESTATED (as for
    briefings); else its own best evidence for the question, if that answers it nearly as surely as the
    best's (ANSWERS_TOO) with a comparable value, in a sentence at least RESTATED_LOOSELY close to the claim;
    else its sentence with a comparable value closest in meaning to the question, if at least as close to it as
    the claim is and at least RESTATED_LOOSELY close to the claim; else its sentence with a comparable value closest
    to the claim, if at least RESTATED_LOOSELY close. An article that does none of these gives none."""
    chunks: dict[str, list[Evidence]] = {}  # every candidate chunk of an article, read whole
    for ev in evidence:
        if ev.chunk.kind != "table_row":
            chunks.setdefault(ev.chunk.article_id, []).append(ev)
    # ... and the rest of each other article among the best: its restatement may be in a passage not retrieved
    # ("Paramedics treated 29 workers at the scene" below a lead about the evacuation)
    for article_id in ({ev.chunk.article_id for ev in evidence[1:SIDE_DEPTH]} & set(chunks) - {best.chunk.article_id}
                       if not given else ()):
        seen = {ev.chunk.id for ev in chunks[article_id]}
        chunks[article_id] += [Evidence(Hit(c, 0.0), c.text, c.text, 0.0, 0.0) for c in store.article_chunks(article_id)
                               if c.id not in seen and c.kind != "table_row"]
    read = {a: (evs[0].chunk.title, " ".join(ev.chunk.text for ev in evs), evs[0].chunk.published_at)
            for a, evs in chunks.items()}
    years = set(YEAR.findall(claim))
    options: list[tuple[str, Evidence]] = []

    def one_story(article_id: str) -> bool:
        """An article about the same events as the best's: most words shared; or both name what the question
        names; or, news of the same weeks, a rewrite's share of words ("Paramedics treated 29 workers at the
        scene" / "checked and treated 41 of the 300 workers", asked of "the chemical spill": no article says so)."""
        mine, theirs = read[best.chunk.article_id], read[article_id]
        ev = chunks[article_id][0]
        if question.entities and not set(tokenize(" ".join(question.entities))) & tokset(f"{theirs[0]} {theirs[1]}"):
            return False  # no word of what the question names is in it ("Wallerhorn Mountain Railways" / Hohenspitz)
        return same_story(store, best, ev) or _same_subject(question, mine, theirs) \
            or close_in_time(mine[2], theirs[2]) and shared(store, best, ev) >= RESTATED_STORY

    # "the 2013 flood": an article of 2024 that never says 2013 is about another flood
    def of_the_years(title: str, text: str, published: str) -> bool:
        return all(y in f"{title} {text}" or published[:4].isdigit() and abs(int(published[:4]) - int(y)) <= 1
                   for y in question.years)

    others = [a for a in dict.fromkeys(ev.chunk.article_id for ev in evidence[1:SIDE_DEPTH])
              if a != best.chunk.article_id and a in read and of_the_years(*read[a])]
    published = best.chunk.published_at[:4]
    now = years or ({str(int(published) + d) for d in (-1, 0, 1)} if published.isdigit() else set())
    # a sentence that tells of someone named before only by a pronoun is read with the sentence before it ("... by Audrey
    # Pickersgill, who led the school for 18 years. At 88, she was in the front row"); not for a name asked, which is
    # then another's than the pronoun's ("She succeeds Margaret Dunlevy")
    read_as: dict[str, str] = {}
    for ev in (ev for article_id in others for ev in chunks[article_id]):
        said = sentences(ev.chunk.text)
        for i, s in enumerate(said):
            if i and question.answer_type in _VALUES and _PRONOUN.match(s):
                read_as[s] = f"{said[i - 1]} {s}"
            span = answer_span(question, s)
            # a value of the same kind, of no other years ("a 2018 and a 2022 figure are two facts"), that the sentence
            # holds for what the question names
            if span and _comparable_in(question, mine, claim, span, s, now):
                options.append((s, replace(ev, statement=s, quote=s)))
    # "how many volunteers": an article that ties a figure to volunteers states that one, not the "25 knots" of its lead
    tied = {ev.chunk.article_id for s, ev in options if question.measure and attached(question, s)}

    def counts(article_id: str, sentence: str) -> bool:
        return article_id not in tied or attached(question, sentence)

    options = [(s, ev) for s, ev in options if counts(ev.chunk.article_id, s)]
    if given:  # no question's words place the value: it must be said of the same thing in both
        options = [(s, ev) for s, ev in options if _said_alike(question, meaning, claim, mine, s, answer_span(question, s))]
    if not options:
        return [] if given else list(_row_sides(store, question, best, claim, mine, evidence, set(), now).values())
    vectors = meaning.vectors([claim, question.asked, *(read_as.get(s, s) for s, _ in options)])
    vectors |= {s: vectors[read_as[s]] for s, _ in options if s in read_as}
    # a restatement of a restatement restates the claim: each article's sentence closest to the claim or to
    # one already taken (the best's may be a side remark: "most of the 410m dollars needed ... green bond")
    picked: dict[str, Evidence] = {}
    anchors = [claim]

    def restates(s: str) -> float:  # how close a sentence is to the claim or to a restatement taken
        return max(float(vectors[a] @ vectors[s]) for a in anchors)

    while True:
        scored = [(restates(s), s, ev) for s, ev in options if ev.chunk.article_id not in picked]
        cosine, s, ev = max(scored, key=lambda x: x[0], default=(0.0, "", None))
        if ev is None or cosine < RESTATED:
            break
        if given or one_story(ev.chunk.article_id):
            anchors.append(s)
            picked[ev.chunk.article_id] = ev
        else:  # another thing: none of its sentences restate the claim
            options = [o for o in options if o[1].chunk.article_id != ev.chunk.article_id]
    # an article that answers the question in words far from the claim's ("Fining the company £4.8m at Sallowfield
    # Crown Court, Judge Ellen Cathcart said ..." / "Stourvale Water was fined £3.6 million on Wednesday")
    told = _around(claim, mine)
    for article_id in others if not given else ():
        if article_id in picked:
            continue
        if not one_story(article_id):
            continue
        # its sentence with a value said in a word the claim's is said in, closest to the claim ("Fining the company
        # £4.8m at Sallowfield Crown Court" / "Stourvale Water was fined £3.6 million"; 0.24 by the embedder, below
        # "It also gave £50,000 to a river restoration charity")
        alike_said = [(restates(s), s, ev) for s, ev in options
                      if ev.chunk.article_id == article_id and told & _around(s, answer_span(question, s))]
        if alike_said:
            picked[article_id] = max(alike_said, key=lambda x: x[0])[2]
            continue
        for own in chunks[article_id]:  # its evidence, best first
            span = answer_span(question, own.statement) if own.p >= ANSWERS_TOO * best.p else ""
            s = next((s for s in sentences(own.statement) if span and span in s), "")
            near = meaning.vectors([claim, s]) if s else {}
            if s and _comparable_in(question, mine, claim, span, s, now) and counts(article_id, s) \
                    and float(near[claim] @ near[s]) >= RESTATED_LOOSELY:
                picked[article_id] = replace(own, statement=s, quote=s)
                break
        else:  # its sentence closest in meaning to the question, if as close to it as the claim ("the anonymous
            #     telephone bidder who won it paid 3.1m dollars" / "went under the hammer ... for $3.4 million")
            near = [(float(vectors[question.asked] @ vectors[s]), s, ev) for s, ev in options if ev.chunk.article_id == article_id]
            asked, s, ev = max(near, key=lambda x: x[0], default=(0.0, "", None))
            if ev is not None and asked >= float(vectors[question.asked] @ vectors[claim]) \
                    and float(vectors[claim] @ vectors[s]) >= RESTATED_LOOSELY:
                picked[article_id] = ev
            elif close_in_time(read[best.chunk.article_id][2], read[article_id][2]):
                # else, in news of the same weeks, its sentence with a comparable value closest to the claim or a
                # restatement taken, though the embedder scores it low ("paid 3.1m dollars" / "went under the hammer
                # ... for $3.4 million"); not in two undated companies' reports, one story only by their genre's words
                closest = max(((restates(s), ev) for s, ev in options if ev.chunk.article_id == article_id),
                              key=lambda x: x[0], default=(0.0, None))
                if closest[1] is not None and closest[0] >= RESTATED_LOOSELY:
                    picked[article_id] = closest[1]
    # an article that tells the claim's value as what was given before and says it corrects it, in a sentence about
    # the same thing, states the corrected one ("The committee gave the total as £8,150 ..." / "The corrected sum
    # handed over ... is £7,340", 0.43 to the claim; not "Turnout was 47 percent, not the 41 percent announced" against
    # a 58% vote, 0.18)
    mine_key = _key(question, mine, best, claim)

    def other(s: str, ev: Evidence) -> bool:
        return not same_value(_key(question, answer_span(question, s), ev, s), mine_key)

    for article_id, ev in list(picked.items()) if not given else ():
        if other(ev.statement, ev):
            continue
        corrected = [(cosine, e) for s, e in options if e.chunk.article_id == article_id and CORRECTS.search(s)
                     and other(s, e) and (cosine := restates(s)) >= RESTATED_LOOSELY]
        if corrected:
            picked[article_id] = max(corrected, key=lambda x: x[0])[1]
    if not given:
        picked |= _row_sides(store, question, best, claim, mine, evidence, set(picked), now)
    return list(picked.values())


def _row_sides(store: Store, question: Question, best: Evidence, claim: str, mine: str, evidence: list[Evidence],
               taken: set[str], now: set[str]) -> dict[str, Evidence]:
    """For each other article of the same weeks among the best SIDE_DEPTH evidence that no sentence restates the claim
    in (`taken`): its table row whose one asked cell answers the question nearly as surely as the best (ANSWERS_TOO),
    under a row label of the question's own words, with a comparable value ("Harbour seal — Pups: 381" against "318
    harbour seal pups"; not the "Grey seal" row), as evidence stating that cell."""
    found: dict[str, Evidence] = {}
    for ev in evidence[1:SIDE_DEPTH]:
        article = ev.chunk.article_id
        if ev.chunk.kind != "table_row" or article in taken | set(found) or article == best.chunk.article_id \
                or len(ev.values) != 1 or ev.p < ANSWERS_TOO * best.p \
                or not close_in_time(best.chunk.published_at, ev.chunk.published_at):
            continue
        label = set(tokenize(ev.about.split(" — ")[0]))
        span = answer_span(question, ev.values[0])
        if label and label <= set(question.terms) and span \
                and _comparable_in(question, mine, claim, span, ev.values[0], now):
            found[article] = replace(ev, statement=ev.values[0])
    return found


_VALUES = frozenset(("amount", "date", "place"))
_PRONOUN = re.compile(r"^(?:\S+\s+){0,5}?(?:he|she|they)\b", re.I)  # a subject pronoun among its first words
_RELATIVE_YEAR = re.compile(r"\b(last|this|next)\s+year\b", re.I)
_YEAR_NEAR = 60  # characters either side of a value where a year says which year it is of


def _a_year(value: str) -> bool:
    """The value is a year ("1731"): a year asked, not the year of a figure."""
    return bool(YEAR.fullmatch(value.strip()))


def _near(sentence: str, value: str) -> str:
    """The words within _YEAR_NEAR characters of a value in its sentence; a year asked ("made in 1731") left out: it is
    the answer, not the year the answer is of."""
    at = max(sentence.find(value), 0)
    inside = "…" if _a_year(value) else value
    return f"{sentence[max(at - _YEAR_NEAR, 0):at]}{inside}{sentence[at + len(value):at + len(value) + _YEAR_NEAR]}"


_FIRST = re.compile(r"\b(?:first|earliest|opening|start(?:s|ed|ing)?|begin(?:s|ning)?|began)\b"
                    r"(?!\s+(?:reported|announced|given|said|stated|thought|time))", re.I)
_LAST = re.compile(r"\b(?:last|final|latest|closing|end(?:s|ed|ing)?|finish(?:es|ed|ing)?)\b"
                   r"(?!\s+(?:week|weekend|month|year|night|season|time|"
                   r"(?:mon|tues|wednes|thurs|fri|satur|sun)day))", re.I)  # not "last week": when it was said


def _end(text: str, value: str) -> str:
    """Which end of a series a value is said of, by the words next to it: "first" ("the first train pulled out at
    7.18am"), "last" ("the last train back will arrive at 11.05pm"), or "" (neither, or both). The embedder reads
    the two sentences as one (0.62); they state two facts."""
    at = max(text.find(value), 0)
    near = " ".join(text[:at].split()[-6:] + ["…"] + text[at + len(value):].split()[:4])
    first, last = bool(_FIRST.search(near)), bool(_LAST.search(near))
    return "" if first == last else "first" if first else "last"


def _year_at(sentence: str, value: str) -> str:
    """The year said nearest a value in its sentence, within _YEAR_NEAR characters (not a year asked: `_near`); ""
    if none."""
    at = max(sentence.find(value), 0)
    if (own := YEAR.search(value)) and not _a_year(value):
        return own.group(0)  # "the autumn of 2026", "22 May 2019"
    if CALENDAR.search(value) or RELATIVE_DAY.match(value.strip()):
        # a day or a month: its year is written with it ("22 May 2019"), the sentence's others are of other things
        # ("opened its gates on Thursday 22 May, ending a closure that began in 2019")
        written = re.match(r",?\s*((?:1[0-9]|20)\d\d)\b", sentence[at + len(value):])
        return written.group(1) if written else ""
    near = [(distance, m.group(0)) for m in YEAR.finditer(sentence)
            if (distance := max(m.start() - at - len(value), at - m.end())) <= _YEAR_NEAR
            and not (distance < 0 and _a_year(value))]
    return min(near)[1] if near else ""


def _year_of(side: Side) -> tuple[set[str], bool]:
    """The years a side's value is of, and whether its sentence says so: a year beside the value, or "last year"
    placed by the article's date; else the year its article was published."""
    ev = side.evidence[0]
    sentence = next((s for s in sentences(ev.statement) if side.value in s), ev.statement)
    near = _near(sentence, side.value)
    published = ev.chunk.published_at[:4]
    said = set(YEAR.findall(near))
    if published.isdigit() and (relative := _RELATIVE_YEAR.findall(near)):
        said = {str(int(published) + {"last": -1, "this": 0, "next": 1}[m.lower()]) for m in relative}
    return (said, True) if said else ({published} if published.isdigit() else set(), False)


def _of_other_years(store: Store, found: list[Side], aged: bool = False) -> bool:
    """Sides of different years: said beside a value ("2.8 million passengers last year", in 2025, and "2.6 million
    in 2023"; "its last contract, in 2019, was worth £640 million" against a contract reported in 2025), or where the
    articles are further apart than STORY_DAYS, by their dates ("£3.10 from Sunday, June 1" of May 2025 and the "£2.60"
    of January 2024; a story reported over the turn of a year is one story). A year said beside a value that the other
    side's articles state as well is the story's, not the value's ("Mrs Pallister, 79, became the school's crossing
    patrol in September 1985", where the other says she has done it "since 1985"). An age (`aged`) is of the day its
    article was written, whatever years its sentence tells of ("Audrey Pickersgill, 83, was head teacher from 1979 to
    1997")."""
    def told(side: Side) -> str:
        return " ".join(c.text for a in dict.fromkeys(ev.chunk.article_id for ev in side.evidence)
                        for c in store.article_chunks(a))

    def background(years: set[str], said: bool, other: Side) -> bool:
        return not said or all(re.search(rf"\b{y}\b", told(other)) for y in years)

    for i, a in enumerate(found):
        for b in found[i + 1:]:
            far = bool(a.dates and b.dates) and not close_in_time(a.dates[0], b.dates[0])
            if aged:
                if far:
                    return True
                continue
            (a_years, a_said), (b_years, b_said) = _year_of(a), _year_of(b)
            if a_years and b_years and not a_years & b_years and (a_said or b_said or far) \
                    and (far or not (background(a_years, a_said, b) and background(b_years, b_said, a))):
                return True
    return False


def slot(text: str, value: str) -> str:
    """What a value is said of: the words around it, the value left out ("had counted … damaged homes, most of")."""
    at = max(text.find(value), 0)
    words = " ".join(text[:at].split()[-5:] + ["…"] + text[at + len(value):].split()[:5])
    return re.sub(r"\s+([,;:.])", r"\1", words).strip(" -–—,;:")


def _around(text: str, value: str, before: int = 6, after: int = 3) -> frozenset[str]:
    """The words next to a value: `before` of them before it, `after` after it."""
    at = max(text.find(value), 0)
    words = text[:at].split()
    return tokset(" ".join(words[max(len(words) - before, 0):] + text[at + len(value):].split()[:after]))


_FULL_NAME = re.compile(r"(?!the\b|The\b)[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)+$")


def _said_alike(question: Question, meaning: Meaning, a_text: str, a: str, b_text: str, b: str) -> bool:
    """Two values that a claim of a briefing and another article's sentence say of the same thing, where no
    question's words place them: counts of the same things (a word of the two after each: "117 damaged homes" /
    "171 homes", not "14 hospitals" / "four in five cancers"); sums and shares among the same words ("a premium of
    31%" is not "volumes fell 4%"); people by their full names, as news introduces them (not a possessor: "Ottilie
    Brandauer's"), in words that mean the same (SLOT_LIKE: "has appointed … as head coach" / "are set to appoint
    … as their new head coach")."""
    kind = question.answer_type
    if kind == "amount":
        if amount_kind(a, a_text) == "number":
            return bool(_around(a_text, a, 0, 2) & _around(b_text, b, 0, 2))
        return bool(_around(a_text, a) & _around(b_text, b))
    if kind == "person":
        slots = meaning.vectors([slot(a_text, a), slot(b_text, b)])
        return all(_FULL_NAME.match(v) and not re.search(r"[’']s$", v) for v in (a, b)) \
            and float(slots[slot(a_text, a)] @ slots[slot(b_text, b)]) >= SLOT_LIKE
    return True


def _comparable_in(question: Question, mine: str, claim: str, span: str, sentence: str,
                   now: set[str] = frozenset()) -> bool:
    """`span`, stated in `sentence`, can be compared with the claim's answer `mine`: the same value, or one of
    the same kind (`alike`), exact or an estimate of a figure, that the sentence holds for what the question names,
    of no other year: the year said nearest it is the one nearest the claim's value ("18% in 2027" against "13 per
    cent in 2027, after growth of 4 per cent in 2026"; not "In 2026 ... just 4%"), else one of the claim's years
    `now` ("the last comparable stamp ... fetched $2.6m in 2016" is no restatement of this week's sale)."""
    theirs, allowed = _year_at(sentence, span), {_year_at(claim, mine)} - {""} or now
    if theirs and allowed and theirs not in allowed:
        return False
    if value_key(span, question.answer_type) == value_key(mine, question.answer_type):
        return True
    estimate = question.answer_type == "amount" and APPROXIMATE.search(span)
    if reports_date(question, span, sentence) or speaks(question, span, sentence) \
            or not exact(span, question.year_asked) and not estimate:
        # when it was said ("the service said on Tuesday"), who said it ("said Julian Prideaux"), no value to set
        # against the claim's ("by 2028" against "Thursday, June 12"; but "about 1,140" is a figure)
        return False
    if _BOUND.search(sentence[:max(sentence.find(span), 0)]):
        return False  # "expected to pass three million passengers": a bound, not a figure
    if {_end(claim, mine), _end(sentence, span)} == {"first", "last"}:
        return False  # "The first train pulled out at 7.18am" / "The last train back will arrive at 11.05pm"
    asked = {t for t in tokenize(question.role) if KIND_OF.get(t) == "person"}  # a role asked ("the mayor")
    if asked and not asked & tokset(sentence) and (role := _role_beside(sentence, span)) and not role & asked:
        return False  # "its chief executive, Idris Vaughan" is no answer to who the mayor is (but "Grace Oduya, the
        #               port's finance director, will become chief executive" is to who the chief executive is)
    return not _held_by_another(question, sentence, span, claim) and alike(mine, claim, span, sentence,
                                                                            question.answer_type)


CALENDAR = re.compile(r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
                      r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
                      r"\b(?:1[0-9]|20)\d\d\b|\d{4}-\d\d-\d\d", re.I)  # a date (a year of any century), not a duration
_FORECAST = re.compile(r"\b(?:forecasts?|forecast(?:ed|ing)|projected|projections?|predicted|predictions?|outlook|"
                       r"estimates?|estimated)\b", re.I)


def alike(a: str, a_text: str, b: str, b_text: str, kind: str) -> bool:
    """Two answers to one question: of one kind of amount ("$65m" and "three" valleys, a price "a share" and
    a company's price, are not), dates on the calendar (not "2 hours") that name a month or a day both, both
    forecasts or both outcomes ("forecast 2.1m tonnes" / "came in at 1.8m" are two facts), both results or neither
    ("81-78" / "two" sides), not what is now and
    what will be ("currently costs $4.50" / "will pay $5.25 from Oct. 1")."""
    return _forecast(a_text, a) == _forecast(b_text, b) and not _now_and_next(a_text, b_text) \
        and (kind != "date" or all(CALENDAR.search(v) or ANY_CLOCK.search(v) or RELATIVE_DAY.match(v.strip())
                                   for v in (a, b))) \
        and (kind != "amount" or _one_kind(amount_kind(a, a_text), amount_kind(b, b_text)) and _of_one_scale(a, b)
             and bool(SCORELINE.fullmatch(a.strip())) == bool(SCORELINE.fullmatch(b.strip()))) \
        and (kind != "date" or precision(a) == precision(b))


def _one_kind(a: str, b: str) -> bool:
    """Two kinds of amount (`amount_kind`) one fact can be said in: the same, or the same but for what one of them is
    said per ("a daily cap of 20kg per licence" / "allowed 30kg of cockles a day each"), never two things per ("24
    dollars a share" / "3 dollars a ticket")."""
    (a_kind, _, a_per), (b_kind, _, b_per) = (x.partition(" per ") for x in (a, b))
    return a_kind == b_kind and (a_per == b_per or not a_per or not b_per)


def _of_one_scale(a: str, b: str) -> bool:
    """Two figures one fact can be reported as: within SCALE of each other, or the same digits at another scale (a
    slip: "1.2 million" / "1.2 billion"); "£4.5m" for the centre and "£9" a session are two facts."""
    try:
        x, y = sorted(abs(float(value_key(v, "amount"))) for v in (a, b))
    except ValueError:
        return True
    digits = [re.sub(r"[^1-9]", "", f"{v:e}".split("e")[0]) for v in (x, y)]
    return x == 0 or y / x < SCALE or digits[0] == digits[1]


_NOW = re.compile(r"\b(?:current(?:ly)?|at\s+present|presently)\b", re.I)
_NEXT = re.compile(r"\b(?:will|from|new|rises?|rising|increases?|going\s+up|raised?)\b", re.I)


def _now_and_next(a: str, b: str) -> bool:
    """One sentence gives the value that holds now, the other the one that will replace it."""
    return any(_NOW.search(x) and not _NOW.search(y) and _NEXT.search(y) for x, y in ((a, b), (b, a)))


def _forecast(statement: str, span: str) -> bool:
    """The value is a forecast or an estimate: the clause before it says so."""
    before = statement[:max(statement.find(span), 0)]
    return bool(_FORECAST.search(re.split(r"[;.!?]\s", before)[-1]))


def same_value(a: str, b: str) -> bool:
    """Two normalised answers that name one thing: equal, a month and a day in it, one the initials of the
    other ("us" / "united states"), or one a name's first or last words ("oduya" / "ms oduya" / "grace oduya",
    "wickersham brook" / "wickersham brook partners")."""
    if a == b or re.fullmatch(r"\d\d", a) and b.startswith(f"{a}-") or re.fullmatch(r"\d\d", b) and a.startswith(f"{b}-"):
        return True  # one answer, or a month and a day of it ("February" / "February 6")
    a, b = (TITLE.sub("", x) for x in (a, b))
    short, long = sorted((a.split(), b.split()), key=len)
    words = [w for w in long if w not in ("of", "and", "for")]
    return short == long or len(words) > 1 and bool(short) and (
        short == ["".join(w[0] for w in words)] or short in (long[:len(short)], long[-len(short):]))



def _day(iso: str) -> int:
    try:
        return date.fromisoformat(iso).toordinal()
    except ValueError:
        return 0


def _sources(store: Store, evidence: list[Evidence]) -> list[list[Evidence]]:
    """The independent sources among articles: a wire story and its copies (nearly every word shared), or
    two articles of one publisher, are one."""
    groups: list[list[Evidence]] = []
    for ev in evidence:
        group = next((g for g in groups if any(shared(store, ev, o) >= COPY or ev.chunk.publisher
                                               and ev.chunk.publisher == o.chunk.publisher for o in g)), None)
        if group is None:
            groups.append([ev])
        else:
            group.append(ev)
    return groups


_SPEAKS = re.compile(rf"[^.;]{{0,40}}?{SPEECH_VERB}")  # "Priya Haldane told councillors"
_LOCATIVE = re.compile(r"\b(?:in|at|on|near|off|outside|beside|along|across|from|to)\s+(?:the\s+)?$", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of\s+)?[A-Z][\w'’-]*)*")


def _held_by_another(question: Question, statement: str, span: str, claim: str = "") -> bool:
    """A figure, date or place its sentence gives for something neither the question nor the `claim` names: the sentence
    does not name all the question names, and the nearest name before the value is another's ("Halbrook is
    the bigger partner: it reported revenue of $310 million" asked of Pennick's revenue; not "a wildfire
    out of the Sollen Hills destroyed 37 homes on the edge of Varnholt" asked of Varnholt)."""
    if question.answer_type not in ("amount", "date", "place") or SCORELINE.fullmatch(span.strip()):
        return False  # (a result is the match's, whoever turned the game: "the guard Imran Qureshi ... win 81-76")
    sentence = next((s for s in sentences(statement) if span in s), "")
    if question.dimensions == ("age",) and (holder := _aged(sentence, span)):
        # an age is of the person named beside it: one the question or the claim names ("Mrs Pallister, 83," for
        # Nerissa Pallister), not "Nine-year-old Effie Ogilvie" of the same play
        return not set(tokenize(holder)) & {t for e in (*question.entities, *_NAME.findall(claim)) for t in tokenize(e)}
    if _named(question) and all(mentions(e, sentence) for e in _named(question)):
        return False
    before = sentence[:max(sentence.find(span), 0)]
    # a name made of the question's own words is of what it asks ("the Associated Locomotive Drivers' Union" asked
    # when the train drivers' strike is)
    named = {t for e in _named(question) for t in tokenize(e)} | set(question.nouns)
    # ... or a name of the claim's sentence ("Lowmarsh District Council had counted 117 damaged homes" against
    # "Lowmarsh District Council updated its figure, saying 171 homes", asked of Tenterby)
    # (a name by the tagger, at the sentence's start too: "Cleveshire Police said 14 watches had been taken")
    claimed = [t.start for t in parse(claim).tokens if t.tag in ("NNP", "NNPS")] if claim else []
    named |= {t for m in _NAME.finditer(claim) if any(m.start() <= at < m.end() for at in claimed)
              for t in tokenize(m.group(0))}
    parsed = parse(sentence)
    proper = [t.start for t in parsed.tokens if t.tag in ("NNP", "NNPS")]  # not "Harbour officials"
    # no holder: a person before a figure who gives it ("chief executive Priya Haldane told councillors ... 14,800"),
    # a day or a month ("on Tuesday evening")
    not_holders = [(e.start, e.end) for e in parsed.entities if e.label == "PERSON" and _SPEAKS.match(sentence, e.end)
                   or e.label in ("DATE", "TIME")]
    # what kind of thing the question names: a place's value is not held by a company ("the Drivers' Union has called
    # a stoppage for Tuesday" asked when the Ashvale strike is), a company's is by another (or a person: the small
    # recogniser takes rare company names for people)
    kinds = {_KIND_OF_LABEL.get(e.label) for e in parse(question.asked).entities} - {None}
    labels = {(e.start, e.end): _KIND_OF_LABEL.get(e.label) for e in parsed.entities}
    # a name after "in", "at", "near" places something ("the tunnel in Brackwater"), it holds nothing
    names = [n for m in _NAME.finditer(before) if (n := tokenize(m.group(0)))
             and any(m.start() <= at < m.end() for at in proper)
             and not any(a <= m.start() < b for a, b in not_holders)
             and not (kinds and next((k for (a, b), k in labels.items() if a <= m.start() < b and k), None) not in (*kinds, None))
             and (set(n) & named or not _LOCATIVE.search(before[:m.start()]))]
    return bool(names) and not set(names[-1]) & named


def _role_beside(sentence: str, span: str) -> set[str]:
    """The stems of the role a name is given beside it ("its chief executive, Idris Vaughan", "Celia Ambrose, the
    mayor,"): words of a person's kind (`KIND_OF`) just before or after it."""
    at = max(sentence.find(span), 0)
    before = re.search(r"((?:[\w'’-]+\s+){0,2}[\w'’-]+),?\s*$", sentence[:at])
    after = re.match(r",\s*(?:the\s+|its\s+|their\s+|a\s+)?((?:[\w'’-]+\s+){0,2}[\w'’-]+)", sentence[at + len(span):])
    words = " ".join(m.group(1) for m in (before, after) if m)
    return {t for t in tokenize(words) if KIND_OF.get(t) == "person"}


def _aged(sentence: str, span: str) -> str:
    """The person an age is of, named next to it ("Nine-year-old Effie Ogilvie", "Audrey Pickersgill, 83,"); "" if
    none is."""
    at = max(sentence.find(span), 0)
    name = r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*"
    after = re.match(rf"\s+({name})", sentence[at + len(span):])
    before = re.search(rf"\b({name}),\s*(?:aged\s+)?$", sentence[:at])
    return (after or before).group(1) if after or before else ""


_BOUND = re.compile(r"\b(?:pass|passed|passing|exceed\w*|surpass\w*|top|topped|above|below|beyond|more\s+than|"
                    r"less\s+than|fewer\s+than)\s+(?:the\s+)?$", re.I)
_KIND_OF_LABEL = {label: kind for kind in ("agent", "place") for label in TYPE_LABELS[kind]}


def _named(question: Question) -> list[str]:
    """What the question names: its entities, else (typed in lower case) the words of its noun phrases, by
    their tags (its verbs may be paraphrased: "going to end up costing"), but what is asked for ("how
    many visitors", "the fair's attendance", "derailment location")."""
    if question.entities:
        return question.entities
    asked = {question.measure if question.counted else "", *tokenize(question.head)}  # "how many visitors", "X location"
    phrases = {t for w in parse(question.asked).tokens if w.tag[:2] in ("NN", "JJ") for t in tokenize(w.text)}
    return [t for t in question.terms if t in phrases and t not in asked and t not in QUANTITY_NOUNS]


def _same_subject(question: Question, best: tuple[str, str, str], other: tuple[str, str, str]) -> bool:
    """Two articles (each its title, the passages found and its date) that answer the same question about the same thing,
    each in its own words: both name everything the question names, both titles something of it (two
    companies' reports that mention one accounting standard are not about one thing)."""
    named = _named(question)
    if not named:
        return False
    if question.entities:
        said = all(mentions(e, f"{title} {text}") for e in named for title, text, _ in (best, other))
        stems = {t for e in named for t in tokenize(e)}
    else:  # typed in lower case: most of its words (idf-weighted), the one asked for aside
        stems = set(named)
        total = sum(question.weights.get(t, 0.0) for t in stems)
        said = all(sum(question.weights.get(t, 0.0) for t in stems & tokset(f"{title} {text}")) >= SAME_SUBJECT * total
                   for title, text, _ in (best, other))
    # and both titles say something of it, or both are news of the same weeks (a headline need not name the
    # town: "Water board's 410m desal bet heads to the bond market")
    return said and (all(tokset(title) & stems for title, _, _ in (best, other)) or close_in_time(best[2], other[2]))
