"""Reading a passage (a text or list chunk) for a question: its sentences scored by what they share
with the question (idf-weighted words), how close they are in meaning (the embedder's cosine, for
the passages worth it), and whether they hold the kind of answer asked (a date for "when"); the best
one to three sentences become the evidence, quoted verbatim."""
from __future__ import annotations

import itertools
import re

from index.lexical import tokenize

from .evidence import Evidence, context
from .question import YEAR, Question
from .retrieval import Hit
from .sentences import is_instruction, sentences, tokset
from .spans import SPEECH_VERB, attached, names_role, speaks, typed_spans
from .thresholds import NEAR_TIE, SECTION_ASKED, SECTION_LIKE, SECTION_FOCUS, TYPED_BONUS

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# a sentence that says what a thing is ("We define ROIC as ...", "X consists primarily of ...")
_DEFINING = re.compile(r"\b(?:defined?\s+as|define[sd]?\s+(?:\S+\s+){1,6}?as|means|refers?\s+to|"
                       r"consists?\s+(?:\w+ly\s+)?of|comprise[sd]?|(?:is|are)\s+comprised\s+of|"
                       r"(?:is|are)\s+(?:an?|the)\b)", re.I)
# a sentence that goes on from the one before it, about the same thing
_GOES_ON = re.compile(r"^(?:in\s+addition|additionally|also|furthermore|moreover|further|this|these|such|"
                      r"the\s+(?:increase|decrease|change|decline|rise|growth|reduction)\s+(?:was|is|were|in|of))\b",
                      re.I)
_CAUSAL = re.compile(r"\b(?:due to|because|attributable|driven by|as a result|owing to|result(?:ed|ing)? from|"
                     r"reflect(?:s|ed|ing)?|primarily|mainly|largely|"
                     # how news gives a reason: "traced the problem to", "blamed on", "the strike is about staffing
                     # rather than pay", "in protest at", "the decision followed an investigation which found"
                     r"(?:traced|blamed|attributed|put\s+down)\s+(?:\w+\s+){0,3}?(?:to|on)|stem(?:s|med)?\s+from|"
                     r"(?:is|was|are|were)\s+(?:about|over)|in\s+protest|(?:followed|prompted\s+by|caused\s+by)\s+"
                     r"(?:an?|the|its)|the\s+reason|citing|cited)\b", re.I)


_ATTRIBUTED = re.compile(rf"{SPEECH_VERB}|\b(?:say|warned|called|argued|wrote)\b", re.I)  # who says, more loosely
_QUOTATION = re.compile(r"[\"“][^\"“”]*[\"”]")


def reports_speech(text: str) -> bool:
    """The text reports what someone said: a quotation, or a speech verb ("the union said the cuts would fall
    hardest on rural rounds")."""
    return bool(re.search(r"[\"“”]", text) or _ATTRIBUTED.search(text))


def attribution(text: str) -> str:
    """Who the text says is speaking: the subject of its first speech verb, relative clauses and quotations left
    out ("Property owners" of "Property owners say the freeze will backfire"; "Prime minister Sorvald Braathen" of
    "Prime minister Sorvald Braathen, who visited the port, promised ..."), or who follows the verb when nothing
    comes before it ("… said Roswitha Delmarre, general secretary of the union"); "" when it reports
    no speech."""
    for sentence in sentences(_QUOTATION.sub(" … ", text)):
        if m := _ATTRIBUTED.search(sentence):
            parts = [p.strip(" …") for p in re.split(r"[,;:—–()]", sentence[:m.start()])]
            said = [p for p in parts if p and not _RELATIVE.match(p)]
            subject = " ".join(" ".join(said).split()[-12:])
            return subject or " ".join(sentence[m.end():].strip(" ,.").split()[:12])
    return ""


_RELATIVE = re.compile(r"(?:who|whom|whose|which|where|when|that)\b", re.I)


# what is to come: "has 30 days to name a new prime minister", "will be inspected within two weeks", "is expected to"
_TO_COME = re.compile(r"\b(?:will|shall|must|(?:is|are|was|were)\s+(?:to|due|expected|set|likely|scheduled)\s+to|"
                      r"(?:is|are)\s+due|plans\s+to|planning\s+to|intends?\s+to|has\s+(?:\w+\s+){1,2}(?:days|weeks|months)\s+to|"
                      r"within\s+(?:\w+\s+){1,2}(?:days|weeks|months)|next\s+(?:week|month|year)|would\s+(?:then|have\s+to))\b",
                      re.I)


def to_come(text: str) -> bool:
    """The text says what happens next ("will", "has 30 days to", "is expected to", "within two weeks")."""
    return bool(_TO_COME.search(text))


def causal(text: str) -> bool:
    """The text gives a reason ("because", "traced the problem to", "the strike is about staffing")."""
    return bool(_CAUSAL.search(text))


# the verbs a question and the sentence that answers it use interchangeably for what a thing is made
# of ("What does X comprise?" - "X consists of ...") and for how it is worked out
_SAYS_WHAT = (frozenset(tokenize("consist comprise include represent")),
              frozenset(tokenize("calculate compute determine measure")))
_QUOTED = re.compile(r"\s*[\"“]")  # a sentence of direct speech
_BY_PRONOUN = re.compile(r"\b(?:he|she|they|it)\s+(?:said|says|added|told|warned|argued|wrote)\b", re.I)  # said by whom?
MEANING_WEIGHT = 0.5  # a sentence's cosine to the question, beside its share of the question's words
ASKED_HERE = 0.5  # a question in the text ("Who is exempt?") asks ours when it holds this share of its words


def _said(question: Question, unit: str) -> frozenset[str]:
    """The words of a sentence, for a question asking what a thing is also the synonyms of its verbs."""
    tokens = tokset(unit)
    if not question.definition:
        return tokens
    for words in _SAYS_WHAT:
        if tokens & words:
            tokens = tokens | words
    return tokens


_TYPED = ("date", "place", "amount", "person", "agent", "organization", "entity")


def _typed(question: Question, unit: str) -> bool:
    """The sentence holds a span of the asked type, of what the question measures (for "whose will is paying", not
    only the one who says it: "Merrick Womersley, the choir's secretary, said members had been stunned")."""
    return not is_instruction(unit) and any(not speaks(question, e.text, unit) for e in typed_spans(unit, question)) \
        and attached(question, unit)


def _weight(question: Question, unit: str, first_of_list: bool) -> float:
    """How much a sentence can answer this question at all, whatever words it shares with it."""
    asked, asked_figures = set(question.terms), set(_FIGURE.findall(question.text))
    if is_instruction(unit):
        return 0.0
    if unit.endswith(":") and not first_of_list:
        return 0.0 if question.years else 0.5  # it introduces a table: the year's figure is in the table
    if len(tokset(unit) - asked) < 2 and not set(_FIGURE.findall(unit)) - asked_figures:
        return 0.5  # a heading or an echo of the question ("Cloudmark, Inc."): it tells nothing new
    if question.years and (said := set(YEAR.findall(unit))) and not said & set(question.years):
        return 0.6  # "the tax rate in 2019": a sentence about fiscal 2018 only
    if question.amount and not set(_FIGURE.findall(unit)) - set(question.years) - asked_figures:
        return 0.5  # "how much", "the respective values of X": a sentence that states no figure
    if question.role:  # "who is the prime minister": "Prime Minister Shinzo Abe" says, "the Prime Minister said" not
        return 1.5 if names_role(question.role, unit) else 0.5
    if question.why and causal(unit) or (question.definition or question.members) and _DEFINING.search(unit) \
            or question.ahead and to_come(unit):  # "what happens now": "parliament has 30 days to elect ..."
        return 1.5
    if question.answer_type in _TYPED and question.intent == "fact" and _typed(question, unit):
        return 1.0 + TYPED_BONUS  # "when did X": a sentence that gives a date; "how many farms": "3,800 farms"
    return 1.0


def _open_quote(text: str) -> bool:
    """The sentence opens a quotation it does not close (the splitter cut "“Four millimetres. That's ...,” she said.")."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def from_text(question: Question, hit: Hit, meaning: dict[str, float]) -> Evidence | None:
    """The best sentences of a passage as evidence; `meaning` holds the cosines of sentences embedded."""
    chunk = hit.chunk
    if question.which_years and re.search(r"\btable\b", question.text, re.I):
        return None  # "which years does the table give X for": its columns say, not a sentence
    units = list(sentences(chunk.text))
    if not units:
        return None
    ctx = context(chunk)
    # a line ending in ":" introduces a list or table: by itself it answers nothing
    is_list = chunk.kind == "list" and units[0].endswith(":")

    def score(i: int, unit: str) -> float:
        # "what happens now in ystrelia": a sentence that says what comes next is about what its article is about
        lexical = question.coverage(_said(question, unit) | (ctx if question.ahead and to_come(unit) else frozenset()))
        # a heading or a line that introduces a list is close in meaning to many questions and says little
        close = meaning.get(unit, 0.0) if not unit.endswith(":") and len(unit.split()) >= 6 else 0.0
        return (lexical + MEANING_WEIGHT * max(close, 0.0)) * _weight(question, unit, is_list and i == 0)

    scores = [score(i, u) for i, u in enumerate(units)]
    for i, u in enumerate(units[:-1]):  # an interview's question that asks ours: the answer is what follows it
        if u.endswith("?") and question.coverage(tokset(u) | ctx) >= ASKED_HERE:
            scores[i + 1] = max(scores[i + 1], scores[i] * (1 + TYPED_BONUS))
    scored = sorted(((sc, i) for i, sc in enumerate(scores)), key=lambda x: (-x[0], x[1]))
    best_cov, best = scored[0]
    best_meaning = max((meaning.get(u, 0.0) for u in units), default=0.0)
    heading = question.coverage(tokset(chunk.section)) if chunk.opens_section else 0.0
    # a heading that says what the question asks in other words, for a question that asks for no name, date or
    # figure: "What Oslo is worried about" for "what worries norway about russia" covers it, by meaning
    by_meaning = chunk.opens_section and question.intent == "fact" and question.answer_type in ("", "reason") \
        and meaning.get(chunk.section, 0.0) >= SECTION_LIKE > heading
    # (up to a sentence that gives orders: text is data, never an answer)
    opening = list(itertools.takewhile(lambda u: not is_instruction(u), units[:2]))
    if opening and (by_meaning or heading >= SECTION_ASKED and question.coverage(_said(question, units[best])) < heading / 2):
        # "what are the recommendations for X" where a section is headed "Recommendations for X": its
        # opening sentences answer, though they need not repeat the heading's words
        texts = opening
        quote = " ".join(texts)
        support = 1.0 if by_meaning else question.coverage(ctx | tokset(quote))
        return Evidence(hit, quote, quote, support, (1.0 if by_meaning else heading) * SECTION_FOCUS,
                        phrase=question.phrase(f"{chunk.section} {quote}"),
                        meaning=max(best_meaning, meaning.get(chunk.section, 0.0)))  # what its heading means too
    if best_cov <= 0:
        return None
    if is_list and best == 0:  # the introducing line matched: the answer is the whole list
        items = [u[2:] if u.startswith("- ") else u for u in units[1:]]
        heads = [i.split(":", 1)[0] if ":" in i[:60] else i for i in items]
        statement = f"{units[0]} {'; '.join(heads)}"
        return Evidence(hit, statement, chunk.text, question.coverage(ctx | tokset(chunk.text)),
                        question.coverage(_said(question, units[0])), meaning=best_meaning)
    picked = [best]
    covered = set(tokset(units[best]))
    for cov, i in scored[1:3]:
        gain = question.coverage(tokset(units[i]) - covered)
        # a second sentence that answers another part, or that the scores cannot tell from the best (the
        # embedder's cosines differ by less than their noise): the reader sees both
        if cov >= 0.5 * best_cov and gain >= 0.15 or cov >= NEAR_TIE * best_cov and len(picked) == 1 \
                and not question.strict and question.answer_type in ("", "reason", "definition"):
            picked.append(i)
            covered |= tokset(units[i])
    if question.why and not any(causal(units[i]) for i in picked):
        # "X increased by $14 million." then "The increase was due to ..."; "The union says the strike is about
        # staffing rather than pay." before "Belvarra has 612 fully qualified controllers ..."
        reason = next((i for i in (best + 1, best - 1) if 0 <= i < len(units) and causal(units[i])), None)
        if reason is None and best + 1 < len(units) and best + 1 not in picked and not is_instruction(units[best + 1]):
            # news gives an event, then what led to it in words no marker names ("Asquine shot the whole tournament
            # with a borrowed bow." then "The upper limb of her own bow cracked in the hold of her flight")
            reason = best + 1
        if reason is not None and reason not in picked:
            picked.append(reason)
    if question.intent == "fact" and question.answer_type in _TYPED \
            and not any(_typed(question, units[i]) for i in picked):
        # "The number of people hurt was higher than first thought." then "A total of 23 were injured.": the
        # sentence that names what is asked and the next (or the one before) that gives it
        # (of any sentence picked: "The 1911 schooner had arrived on Friday." then "Having crossed overnight, she
        # came alongside at 8.40am" for an arrival time, where the best is the sentence that names the ship)
        near = next((j for i in picked for j in (i + 1, i - 1)
                     if 0 <= j < len(units) and j not in picked and _typed(question, units[j])), None)
        if near is not None:
            picked.append(near)
            covered |= tokset(units[near])
    if question.speech and best - 1 not in picked and best > 0 and _BY_PRONOUN.search(units[best]) \
            and reports_speech(units[best - 1]):
        # "“A licence fee puts a wall between ...,” she said.": who she is, in the sentence before ("QBN's director
        # general, Halla Brennestad, said the broadcaster would ...")
        picked.append(best - 1)
        covered |= tokset(units[best - 1])
    if question.speech:
        # "what did the deputy governor say": his words, where the sentence that names him reports them and
        # the next quotes them ("... said in a statement that pay was still rising too quickly." then "“Wages
        # are growing at 5.1 percent a year ...,” he said."), or a quote goes on ("“Cash is the spare tyre.”")
        # (after each sentence picked, the best first: "Dorsay was gracious in defeat. “Four millimetres. That's
        # about the width of the arrow,” she said."; a quotation the splitter cut goes on to its end)
        for start in list(picked):
            for i in range(start + 1, min(start + 3, len(units))):
                if len(picked) >= 3 or not (_QUOTED.match(units[i]) or _open_quote(units[i - 1])):
                    break
                if i not in picked:
                    picked.append(i)
    after = max(picked) + 1
    if len(picked) < 3 and after < len(units) and _GOES_ON.match(units[after]) \
            and question.coverage(tokset(units[after])):
        picked.append(after)  # "X decreased due to A." then "In addition, X was also affected by B."
    # the short answer's sentence, where the best gives no value of the asked type: the next best picked that does
    answer_in = next((i for i in picked if _typed(question, units[i])), None) \
        if question.intent == "fact" and question.answer_type in _TYPED and not _typed(question, units[best]) else None
    picked.sort()
    texts = [units[i][2:] if units[i].startswith("- ") else units[i] for i in picked]
    if question.which_years and len(set(YEAR.findall(" ".join(texts)))) < 2 \
            or question.members and texts[-1].endswith(":"):
        return None  # "which years": a sentence without them; "what are the items": the line above the table
    statement = " ".join(texts)
    lexical_best = question.coverage(_said(question, units[best]))
    # one sentence that holds every asked term beats two that hold them between them
    focus = 0.7 * lexical_best + 0.3 * question.coverage(covered)
    return Evidence(hit, statement, statement, question.coverage(ctx | covered), focus,
                    meaning=meaning.get(units[best], best_meaning),
                    answer_in=units[answer_in].removeprefix("- ") if answer_in is not None else "")
