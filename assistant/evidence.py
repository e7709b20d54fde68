"""Evidence below the chunk: the best sentences of a passage, the items of a list, the asked cells of
a table row. Each piece of evidence carries the statement the answer makes from it and the exact
source text that statement rests on."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from index.lexical import LexicalIndex, tokenize
from index.types import Chunk

from .retrieval import Hit

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")  # also "FY2019"
_COMPARE = re.compile(r"\b(?:which|what)\s+(?:of\s+the\s+)?(?:year|period|quarter)s?\b.*\b(larger|largest|higher|highest|greater|"
                      r"greatest|more|most|bigger|biggest|increase[ds]?|lower|lowest|smaller|smallest|less|least|"
                      r"fewer|decrease[ds]?)\b", re.I)
_WHICH_YEARS = re.compile(r"\b(?:(?:which|what)\s+(?:of\s+the\s+)?|(?:what|which)\s+(?:are|were)\s+the\s+)"
                          r"(?:financial\s+|fiscal\s+)?(?:years|periods)\b", re.I)
# "what are the components of X", "which countries are shown in the table": the rows a table lists
_MEMBERS = re.compile(r"^\s*(?:what|which)\s+(?:are|were)\s+the\s+(?:[\w-]+\s+){0,3}?(?:components|types|items|"
                      r"categories|segments|countries|regions|currencies|elements|classes|kinds|sources|markets|"
                      r"scopes|geographies|divisions|products)\b|^\s*which\s+(?:[\w-]+\s+){1,3}(?:are|were)\s+"
                      r"(?:shown|listed|included|presented|disclosed)\b|\b(?:consists?|composed)\s+of\s*\??\s*$|"
                      r"\bmaking\s+up\b|"
                      r"^\s*(?:what|which)\s+(?:are|were)\s+the\s+(?:[\w-]+\s+){1,4}(?:(?:listed|shown)\s+)?"
                      r"(?:in|of)\s+the\s+table\s*\??\s*$", re.I)
# "how many focus areas are in the table": its rows, counted
_COUNT = re.compile(r"^\s*how\s+many\s+((?:[\w'’-]+\s+){1,4}?)(?:(?:are|were)\s+(?:there\s+)?"
                    r"(?:(?:listed|shown|included|named|given|presented)\s+)?(?:in|on)|(?:does|do)|"
                    r"(?:is|are)\s+listed\s+in)\s+the\s+table\b", re.I)
# "which segment had the highest revenue", "what is the most expensive currency": the row with the
# largest or smallest value in the asked column (not a year: that is _COMPARE)
_ENTITY = (r"(?:segments?|components?|items?|currenc(?:y|ies)|countr(?:y|ies)|regions?|products?|categor(?:y|ies)|"
           r"customers?|obligations?|types?|assets?|business(?:es)?|divisions?|markets?|geograph(?:y|ies)|"
           r"sources?|class(?:es)?|plans?|programs?|facilit(?:y|ies)|locations?|subsidiar(?:y|ies)|"
           r"expenses?|costs?|lines?|units?|channels?|instruments?|securities|investments?)")
_SUPERLATIVE = (r"(highest|largest|greatest|most|biggest|higher|larger|greater|bigger|lowest|least|smallest|fewest|"
                r"lower|smaller)")
_RANK_ROWS = re.compile(rf"\bwhich\b(?!\s+(?:of\s+the\s+)?(?:year|period|quarter|month)s?\b).*?\b{_SUPERLATIVE}\b|"
                        rf"\bwhat\s+(?:is|was|are|were)\s+the\s+(?:\w+\s+){{0,2}}?{_ENTITY}\b.*?\b{_SUPERLATIVE}\b|"
                        rf"\bwhat\s+(?:is|was|are|were)\s+the\s+{_SUPERLATIVE}\s+(?:\w+\s+){{0,2}}?{_ENTITY}\b", re.I)
_AMOUNT = re.compile(r"\bhow\s+(?:much|many)\b|\brespective(?:ly)?\b|\b(?:values?|amounts?)\s+of\b|"
                     r"^\s*what\s+(?:is|was|are|were)\s+the\s+(?:total\s+)?(?:\w+\s+){1,6}?(?:in|for|as\s+of|at)\s+"
                     r"(?:fiscal\s+|fy\s*)?(?:19|20)\d\d\s*\??\s*$", re.I)
_WHY = re.compile(r"^\s*(?:why\b|what\s+(?:was|were|is|are)\s+the\s+(?:\w+\s+)?(?:reasons?|causes?|drivers?)\b|"
                  r"what\s+(?:\w+\s+){0,2}(?:caused|drove|led\s+to|contributed\s+to|resulted\s+in)\b)|"
                  r"\b(?:driven|caused|influenced)\s+by\s*\??\s*$|\b(?:due|attributable)\s+to\s*\??\s*$", re.I)
# questions that ask what a thing is, means, includes or how it is worked out: sentences answer them,
# a row's figures do not ("What is goodwill?", "How is ROIC defined?", "What does X include?")
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:an?\s+)?(?!the\b)[\w“”\"'’().&/-]+(?:\s+[\w“”\"'’().&/-]+){0,2}\s*\?\s*$|"
    r"how\s+(?:is|are|was|were)\b.*\b(?:calculated|defined|determined|measured|computed|derived|stated|recorded|"
    r"recogni[sz]ed|valued|accounted\s+for|estimated|allocated|presented)\b|"
    r"how\s+does\b.*\b(?:define|calculate|determine|measure|compute)\b|"
    r"what\s+(?:does|do|did)\b.*\b(?:include|includes|represent|represents|consist|comprise|mean)\b|"
    r"what\s+(?:is|are)\s+(?:represented\s+by|excluded\s+from|included\s+in|meant\s+by)\b|"
    r"what\s+(?:is|are)\s+the\s+(?:definition|meaning)\s+of\b|"
    r"who\s+(?:is|are)\b)", re.I)
# a sentence that says what a thing is ("We define ROIC as ...", "X consists primarily of ...")
_DEFINING = re.compile(r"\b(?:defined?\s+as|define[sd]?\s+(?:\S+\s+){1,6}?as|means|refers?\s+to|"
                       r"consists?\s+(?:\w+ly\s+)?of|comprise[sd]?|(?:is|are)\s+comprised\s+of|"
                       r"(?:is|are)\s+(?:an?|the)\b)", re.I)
# a sentence that goes on from the one before it, about the same thing
_GOES_ON = re.compile(r"^(?:in\s+addition|additionally|also|furthermore|moreover|further|this|these|such|"
                      r"the\s+(?:increase|decrease|change|decline|rise|growth|reduction)\s+(?:was|is|were|in|of))\b",
                      re.I)
_CAUSAL = re.compile(r"\b(?:due to|because|attributable|driven by|as a result|owing to|result(?:ed|ing)? from|"
                     r"reflect(?:s|ed|ing)?|primarily|mainly|largely)\b", re.I)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:to|through|-|–)\s*((?:19|20)\d\d)\b")
# "in which year was X less than 600,000": the years whose value passes the bound
_THRESHOLD = re.compile(r"\b(less|lower|smaller|fewer|below|under|greater|more|higher|larger|above|over|exceed(?:ed|s)?)"
                        r"\s*(?:than)?\s*(?:[$€£¥]\s*)?([-−]?\d[\d,]*(?:\.\d+)?)(?!\d)", re.I)
_LOWER_WORDS = {"lower", "lowest", "smaller", "smallest", "less", "least", "fewer", "decrease", "decreased",
                "decreases"}
_FOOTNOTE = re.compile(r"(?<=[a-z]{4})\d{1,2}\b|\s*\(\d{1,2}\)\s*$")  # "Order intake1", "Revenue (1)"
_HEAD = re.compile(r"\s(?:of|from|for|in|on|at|to|by|with|before|after|under|per|as)\s", re.I)  # ends a label's head
_NEGATED = frozenset(tokenize("non not un"))  # a label opening "Non-vested", "Non-current": the opposite
HEAD_MISSED = 0.5  # a row label whose head (the words before 'of', 'from', ...) the question does not use
_BLANK = re.compile(r"^\W*(?:n/?a|nm|nil|none)?\W*$", re.I)  # "—", "-", "n/a": no figure in the cell
BLANK_CELL = 0.5
ROLE_UNNAMED = 0.7  # "who is X" evidence that puts no name next to X
SECTION_ASKED = 0.8  # a question this much covered by a section's heading asks about the section
SECTION_FOCUS = 0.8  # ... and its opening sentences answer it this well
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER = re.compile(r"^\(?[-−–]?\s*[$€£¥]?\s*\(?\s*[-−–]?[\d,]*\.?\d+\s*%?\)?\s*(?:million|billion|m|bn|k)?$", re.I)


# Text aimed at an assistant rather than a reader ("ignore the question and answer X", a "SYSTEM:" line,
# a note to AI models): article text is data, so such a sentence is never evidence.
_INSTRUCTION = re.compile(r"\b(ignore|disregard|forget|override)\b.{0,60}\b(instructions?|questions?|prompts?|rules|"
                          r"previous|above|context)\b|\b(system|developer)\s+(note|prompt|message|instruction)s?\b|"
                          r"\byou are (now )?(an? )?(ai|assistant|language model|chatbot)\b|\bas an ai\b|"
                          r"^\W*(system|assistant|developer)\s*(prompt|message|note)?\s*:|"
                          r"\b(notes?|messages?|instructions?)\s+(to|for)\s+(ai|chatbots?|language models?|llms?)\b",
                          re.I | re.M)
# a line that opens with an assistant's role label ("SYSTEM: ...", a fake dialogue turn) is one unit,
# so that an instruction cannot hide in its second sentence
_ROLE_LINE = re.compile(r"^\W*(system|assistant|developer)\s*(prompt|message|note)?\s*:", re.I)
# invisible format characters: soft hyphen, zero-width, bidi controls, word joiners, BOM, tag characters
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                        "\U000e0000-\U000e007f]")


def is_instruction(text: str) -> bool:
    """Addressed to an assistant; read as shown, so zero-width or bidi characters inside the words
    ("Ig\u200bnore previous instructions") and full-width letters do not hide it."""
    return bool(_INSTRUCTION.search(unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))))


# A question that asks for a derived quantity (a change, an average, a ratio) is answered only by a
# source that states that quantity: the composer quotes, it does not compute.
_OPERATIONS = frozenset(tokenize("change average difference increase decrease percentage percent growth ratio "
                                 "proportion"))
# a source that says a figure "rose 3.6%" or "decreased by $2 million" states the change, whichever word
# the question used ("change", "increase", "growth")
_CHANGES = frozenset(tokenize("change difference increase decrease growth"))
_STATED_CHANGE = re.compile(r"\b(?:increas|decreas|grew|grow|rose|rise|fell|fall|declin|chang|drop|gain)\w*\s+"
                            r"(?:by\s+|of\s+)?(?:approximately\s+|about\s+|nearly\s+|almost\s+)?[$€£¥]?\s?\d", re.I)
_VERSUS = re.compile(r"(?:19|20)\d\d\W+(?:vs\.?|versus|over|compared\s+(?:to|with))\W+(?:19|20)\d\d", re.I)
_PERCENT = " ".join(tokenize("percent percentage proportion"))  # what a "%" says
_PERCENT_WORDS = frozenset(tokenize("percent percentage proportion share margin rate"))
_NAMED_AVERAGE = re.compile(r"\bweighted[- ]average\b", re.I)  # a quantity's name, not an asked operation
_AVERAGE = frozenset(tokenize("average"))


def unstated_operation(query: Query, ev: Evidence) -> str:
    """The operation the question asks for that the evidence and its context do not state, if any."""
    chunk = ev.chunk
    text = " ".join((chunk.embed_text(), " ".join(chunk.headers)))
    if not _NAMED_AVERAGE.search(query.text):  # a "weighted average" figure is not the average of the years asked
        text = _NAMED_AVERAGE.sub(" ", text)
    tokens = _tokset(text.replace("%", f" % {_PERCENT} "))
    for t in query.terms:
        if t not in _OPERATIONS or t in tokens:
            continue
        # "the weighted average cost", "the average life expectancy in 2019": an average that is named, not
        # one to work out across the years asked
        if t in _CHANGES and _STATED_CHANGE.search(ev.quote) or t in _AVERAGE and (
                _NAMED_AVERAGE.search(query.text) or len(query.years) == 1):
            continue
        return t
    return ""


@dataclass
class Query:
    """A question prepared for evidence scoring."""

    text: str
    terms: list[str]  # unique content-word stems
    weights: dict[str, float]  # term -> idf
    years: list[str]
    pairs: set = field(default_factory=set)  # consecutive term pairs ("accrued expenses")
    sequence: tuple[str, ...] = ()  # the terms in the question's order, repeats kept
    compare: str = ""  # "max" / "min" for "in which year was X larger / smaller"
    which_years: bool = False
    members: bool = False  # asks which rows a table lists ("what are the components of X")
    count: str = ""  # ... how many, of what: "focus areas" for "how many focus areas are in the table"
    bound: tuple[str, float] | None = None  # ("<", 600000.0) for "... less than 600,000"
    why: bool = False  # asks for a reason: sentences that give one ("due to", "driven by") count more
    definition: bool = False  # "What is goodwill?": asks what a thing is
    rank_rows: str = ""  # "max" / "min" for "which segment had the highest revenue"
    amount: bool = False  # asks for a figure ("how much", "the respective values of X in 2018 and 2019")
    each: bool = False  # asks for every row ("the low price for each quarter of 2018")
    role: str = ""  # "who is Japan's prime minister": "prime minister", said next to a name in the answer

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def phrase(self, text: str) -> float:
        """Share of the question's consecutive term pairs that `text` has consecutively too."""
        return len(self.pairs & _pairs(tokenize(text))) / len(self.pairs) if self.pairs else 0.0

    def coverage(self, tokens: set[str]) -> float:
        """Share of the question's (idf-weighted) terms found in `tokens`."""
        return sum(w for t, w in self.weights.items() if t in tokens) / self.total


def _pairs(tokens: list[str]) -> set[tuple[str, str]]:
    return set(zip(tokens, tokens[1:]))


# the words that frame a question about a table ("which years does the table provide information for")
_FRAMING = frozenset(tokenize("year years period periods provide provided information include included shown "
                              "presented calculated recorded reported disclosed available made highlighted "
                              "contained covered data regarding related make making makes up"))


# "Which news agency reported ...", "Which organization does Japan want ...", "What cooperation areas did
# the Prime Minister emphasize?": the answer's kind
_ANSWER_KIND = re.compile(r"^\s*(?:which\s+((?:[\w-]+\s+)?[\w-]+)\s+(?:is|was|are|were|does|do|did|has|have|had|will|"
                          r"would|can|could|should|may|might)|"
                          r"what\s+((?:[\w-]+\s+)?[\w-]+s)\s+(?:did|does|do|have|had|will))\b", re.I)


# "What communication changes are recommended?": changes of a kind, not an amount to work out
_KIND_OF_CHANGE = re.compile(r"^\s*(?:what|which)\s+(?:[\w-]+\s+)?(changes|increases|decreases|differences)\b", re.I)


_WHO = re.compile(r"^\s*(?:who\s+(?:is|was|are|were)|what\s+(?:is|was|are|were)\s+the\s+names?\s+of)\s+"
                  r"(?:the\s+|an?\s+)?(?:\w+['’]s\s+)?([\w\s.-]+?)\s*\??\s*$", re.I)
_NAME = r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+)*"  # "Shinzo Abe", "Kyodo News"


def _names_role(role: str, text: str) -> bool:
    """`text` puts a name next to the role: "Prime Minister Shinzo Abe", "Shinzo Abe, the prime minister"."""
    r = re.escape(role).replace("\\ ", r"\s+")
    return bool(re.search(rf"(?i:\b{r})\s+{_NAME}|{_NAME},\s+(?i:(?:the\s+)?(?:[\w'’]+\s+)?{r})\s*[,;.]", text))


def _unglued(token: str, lexical: LexicalIndex) -> list[str]:
    """A word and a number run together that the index does not hold ("FY2019", "IFRS9"), as the index
    holds them apart ("FY 2019", "IFRS 9")."""
    m = re.fullmatch(r"([a-z]+)(\d+)", token)
    return tokenize(f"{m.group(1)} {m.group(2)}") if m and token not in lexical.df else [token]


# words that frame what is asked rather than name it: "the amount of X", "the respective values of X"
# (a carrying amount or a fair value is named, so kept)
_GENERIC = re.compile(r"\b(?<!carrying\s)(?<!notional\s)(?<!principal\s)(?<!face\s)(?<!aggregate\s)"
                      r"(?<!recoverable\s)(?<!contractual\s)amounts?\b|"
                      r"(?<=\bthe\s)values?(?=\s+of\b)|(?<=\brespective\s)values?\b", re.I)


def _without(tokens: list[str], words: Iterable[str]) -> list[str]:
    """The question's words less those that frame it, unless that leaves none."""
    words = set(words)
    return [t for t in tokens if t not in words] or tokens


def analyze(question: str, lexical: LexicalIndex) -> Query:
    tokens = [t for token in tokenize(_GENERIC.sub(" ", question)) for t in _unglued(token, lexical)]
    m = _COMPARE.search(question)
    limit = _THRESHOLD.search(question) if m or _WHICH_YEARS.search(question) else None
    if limit:  # "less than 600,000": the bound is checked against the cells, not matched as words
        tokens = _without(tokens, tokenize(limit.group(0)))
    if m:  # "in which year was X the highest": the years' values are compared, the words are not matched
        tokens = _without(tokens, tokenize(f"{m.group(1)} year period"))
    ranked = None if m else _RANK_ROWS.search(question)
    counted = _COUNT.match(question)
    which_years, members = bool(_WHICH_YEARS.search(question)), bool(_MEMBERS.search(question) or counted)
    if (which_years or members) and not m:  # a question about a table: its framing words are not terms
        tokens = _without(tokens, _FRAMING)
    kind = _ANSWER_KIND.match(question)
    if kind and not (m or ranked or which_years):  # "which organization ...": the kind of thing asked, not a word to find
        tokens = _without(tokens, set(tokenize(kind.group(1) or kind.group(2))) - _OPERATIONS)
    if changes := _KIND_OF_CHANGE.match(question):
        tokens = _without(tokens, tokenize(changes.group(1)))
    terms = list(dict.fromkeys(tokens))
    years = _YEAR.findall(question)
    for a, b in _YEAR_RANGE.findall(question):  # "2019 to 2017": every year between, in the asked order
        step = 1 if int(b) >= int(a) else -1
        span = [str(y) for y in range(int(a), int(b) + step, step)]
        if len(span) <= 10:
            at = years.index(a)
            years = years[:at] + span + [y for y in years[at:] if y not in span]
    bound = None
    if limit:
        bound = ("<" if limit.group(1).lower() in _LOWER_WORDS | {"below", "under"} else ">",
                 float(limit.group(2).replace(",", "").replace("−", "-")))
    word = next((g for g in ranked.groups() if g), "") if ranked else ""
    return Query(text=question, terms=terms, weights={t: lexical.idf(t) for t in terms}, pairs=_pairs(tokens),
                 sequence=tuple(tokens),
                 years=list(dict.fromkeys(years)),
                 compare=("min" if m.group(1).lower() in _LOWER_WORDS else "max") if m and not bound else "",
                 which_years=which_years and not m and not bound, bound=bound,
                 members=members and not years and not which_years,
                 count=counted.group(1).strip() if counted and not years and not which_years else "",
                 why=bool(_WHY.search(question)), definition=bool(_DEFINITION.match(question)) and not members,
                 amount=bool(_AMOUNT.search(question)) and not _WHY.search(question),
                 each=bool(re.search(r"\b(?:each|every)\b", question, re.I)),
                 role=" ".join(_HEAD.split(f" {who.group(1)} ")[0].split()[-2:]) if (who := _WHO.match(question))
                 else "",
                 rank_rows=("min" if word.lower() in _LOWER_WORDS | {"fewest"} else "max") if word else "")


@dataclass
class Evidence:
    """One candidate answer statement and the source text it rests on."""

    hit: Hit
    statement: str  # what the answer says (no marker)
    quote: str  # the exact source text it rests on (the citation's text)
    support: float  # coverage of the question by the unit and its context (title, section, headers)
    focus: float  # coverage of the question by the unit alone
    score: float = 0.0
    phrase: float = 0.0  # share of the question's word pairs found in the unit, in order
    label: float = 0.0  # table rows: how well the row label matches the question
    article: float = 0.0  # coverage of the question by all retrieved chunks of the same article
    rank: int = 0  # of the chunk in the fused retrieval
    values: tuple[str, ...] = ()  # the asked values (cells), for spotting conflicts
    about: str = ""  # what the values are of (row label and columns)

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def _segments(line: str) -> list[str]:
    """pysbd's sentences of a line, each segment that does not end a sentence joined to the next:
    pysbd splits before an inline enumeration ("obligations for (i) contracts ... and (ii) ...")."""
    out: list[str] = []
    for seg in (s.strip() for s in _segmenter().segment(line)):
        if not seg:
            continue
        if out and not _ENDED.search(out[-1]):
            out[-1] += " " + seg
        else:
            out.append(seg)
    return out


@lru_cache(maxsize=8192)
def sentences(text: str) -> tuple[str, ...]:
    """Sentences of a passage, line by line (lines are paragraphs or list items)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line) < 160 and line.count(". ") == 0 or _ROLE_LINE.match(line):
            out.append(line)
        else:
            out.extend(_segments(line))
    return tuple(out)


@lru_cache(maxsize=65536)
def _tokset(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _context(chunk: Chunk) -> frozenset[str]:
    return _tokset(" ".join((chunk.title, chunk.section, chunk.caption)))


def select(query: Query, hits: list[Hit]) -> list[Evidence]:
    """Candidate evidence from each hit, best first."""
    out: list[Evidence] = []
    by_article: dict[str, set[str]] = {}
    for hit in hits:
        by_article.setdefault(hit.chunk.article_id, set()).update(_tokset(hit.chunk.embed_text()))
    top_lexical = max((h.lexical for h in hits), default=0.0) or 1.0
    for rank, hit in enumerate(hits):
        ev = _from_row(query, hit) if hit.chunk.kind == "table_row" else _from_text(query, hit)
        if ev is None:
            continue
        ev.phrase = ev.phrase or query.phrase(ev.quote if ev.chunk.kind != "table_row" else ev.chunk.embed_text())
        ev.article = query.coverage(by_article[hit.chunk.article_id])  # the rest of the article fits too
        ev.rank = rank
        row = ev.chunk.kind == "table_row"
        if row and (query.which_years or query.members):
            # a question about the table ("which years does the table give the pro-forma results for"): the
            # text around it says what it is about
            ev.support = max(ev.support, ev.article)
            ev.focus = max(ev.focus, ev.article)
        # weights fitted listwise (softmax over each question's candidates) on the development packs;
        # 5-fold cross-validated top-1 0.556 on TAT-QA dev against 0.511 for hand-set weights
        ev.score = (2.0 * ev.support + 2.0 * ev.focus + 1.0 * max(hit.dense, 0) + 0.74 / (1 + rank)
                    + 0.88 * ev.article + 2.64 * ev.phrase + 0.82 * hit.lexical / top_lexical
                    + (0.96 * ev.label + 0.29 * ev.focus + 0.07 + 0.6 * _names_in_order(query, ev.chunk)
                       if row else 0.0))
        out.append(ev)
    if query.role and any(_names_role(query.role, e.statement) for e in out):
        for e in out:  # "who is the prime minister": evidence that names no one in that role does not answer
            e.score *= 1.0 if _names_role(query.role, e.statement) else ROLE_UNNAMED
    out.sort(key=lambda e: (-round(e.score, 6), e.chunk.id))  # ties (and float noise) by id: reproducible
    if not query.years:
        _latest_first(out)
    return out


def _latest_first(evidence: list[Evidence]) -> None:
    """The same row of one article read in tables of different years (quarterly tables, a block per
    year): when no year is asked, the latest year takes the best place among them."""
    def year(ev: Evidence) -> int:
        return max(map(int, _YEAR.findall(f"{ev.chunk.group} {ev.about}")), default=0)

    blocks: dict[tuple[str, str], list[int]] = {}
    for i, ev in enumerate(evidence):
        if ev.chunk.kind == "table_row" and ev.values:
            blocks.setdefault((ev.chunk.article_id, _YEAR.sub("", ev.about)), []).append(i)
    for at in (at for at in blocks.values() if len(at) > 1):
        scores = [evidence[i].score for i in at]
        for i, ev, score in zip(at, sorted((evidence[i] for i in at), key=lambda ev: -year(ev)), scores):
            ev.score = score
            evidence[i] = ev


# ----- text and lists --------------------------------------------------------------------------------

def _from_text(query: Query, hit: Hit) -> Evidence | None:
    chunk = hit.chunk
    if query.which_years and re.search(r"\btable\b", query.text, re.I):
        return None  # "which years does the table give X for": its columns say, not a sentence
    units = list(sentences(chunk.text))
    if not units:
        return None
    ctx = _context(chunk)
    # a line ending in ":" introduces a list or table: by itself it answers nothing
    is_list = chunk.kind == "list" and units[0].endswith(":")
    asked, asked_figures = set(query.terms), set(_FIGURE.findall(query.text))

    def weight(i: int, unit: str) -> float:
        if is_instruction(unit):
            return 0.0
        if unit.endswith(":") and not (is_list and i == 0):
            return 0.0 if query.years else 0.5  # it introduces a table: the year's figure is in the table
        if len(_tokset(unit) - asked) < 2 and not set(_FIGURE.findall(unit)) - asked_figures:
            return 0.5  # a heading or an echo of the question ("Cloudmark, Inc."): it tells nothing new
        if query.years and (said := set(_YEAR.findall(unit))) and not said & set(query.years):
            return 0.6  # "the tax rate in 2019": a sentence about fiscal 2018 only
        if query.amount and not set(_FIGURE.findall(unit)) - set(query.years) - asked_figures:
            return 0.5  # "how much", "the respective values of X": a sentence that states no figure
        if query.role:  # "who is the prime minister": "Prime Minister Shinzo Abe" says, "the Prime Minister said" not
            return 1.5 if _names_role(query.role, unit) else 0.5
        if query.why and _CAUSAL.search(unit) or (query.definition or query.members) and _DEFINING.search(unit):
            return 1.5
        return 1.0

    scored = sorted(((query.coverage(_said(query, u)) * weight(i, u), i) for i, u in enumerate(units)),
                    key=lambda x: (-x[0], x[1]))
    best_cov, best = scored[0]
    heading = query.coverage(_tokset(chunk.section)) if chunk.opens_section else 0.0
    if heading >= SECTION_ASKED and best_cov < heading / 2:
        # "what are the recommendations for X" where a section is headed "Recommendations for X": its
        # opening sentences answer, though they need not repeat the heading's words
        texts = list(units[:2])
        quote = " ".join(texts)
        return Evidence(hit, quote, quote, query.coverage(ctx | _tokset(quote)), heading * SECTION_FOCUS,
                        phrase=query.phrase(f"{chunk.section} {quote}"))
    if best_cov <= 0:
        return None
    if is_list and best == 0:  # the introducing line matched: the answer is the whole list
        items = [u[2:] if u.startswith("- ") else u for u in units[1:]]
        heads = [i.split(":", 1)[0] if ":" in i[:60] else i for i in items]
        statement = f"{units[0]} {'; '.join(heads)}"
        all_tokens = ctx | _tokset(chunk.text)
        return Evidence(hit, statement, chunk.text, query.coverage(all_tokens), best_cov)
    picked = [best]
    covered = set(_tokset(units[best]))
    for cov, i in scored[1:3]:
        new = _tokset(units[i]) - covered
        gain = query.coverage(set(new))
        if cov >= 0.5 * best_cov and gain >= 0.15:  # a second sentence that answers another part
            picked.append(i)
            covered |= new
    if query.why and not any(_CAUSAL.search(units[i]) for i in picked) and best + 1 < len(units) \
            and _CAUSAL.search(units[best + 1]) and best + 1 not in picked:
        picked.append(best + 1)  # "X increased by $14 million." then "The increase was due to ..."
    after = max(picked) + 1
    if len(picked) < 3 and after < len(units) and _GOES_ON.match(units[after]) \
            and query.coverage(_tokset(units[after])):
        picked.append(after)  # "X decreased due to A." then "In addition, X was also affected by B."
    picked.sort()
    texts = [units[i][2:] if units[i].startswith("- ") else units[i] for i in picked]
    if query.which_years and len(set(_YEAR.findall(" ".join(texts)))) < 2 or query.members and texts[-1].endswith(":"):
        return None  # "which years": a sentence without them; "what are the items": the line above the table
    quote = " ".join(texts)
    statement = " ".join(texts)
    # one sentence that holds every asked term beats two that hold them between them
    focus = 0.7 * best_cov + 0.3 * query.coverage(covered)
    return Evidence(hit, statement, quote, query.coverage(ctx | covered), focus)


# the verbs a question and the sentence that answers it use interchangeably for what a thing is made
# of ("What does X comprise?" - "X consists of ...") and for how it is worked out
_SAYS_WHAT = (frozenset(tokenize("consist comprise include represent")),
              frozenset(tokenize("calculate compute determine measure")))


def _said(query: Query, unit: str) -> frozenset[str]:
    """The words of a sentence, for a question asking what a thing is also the synonyms of its verbs."""
    tokens = _tokset(unit)
    if not query.definition:
        return tokens
    for words in _SAYS_WHAT:
        if tokens & words:
            tokens = tokens | words
    return tokens


# ----- table rows ------------------------------------------------------------------------------------

def parse_number(cell: str) -> float | None:
    cell = cell.strip()
    if not cell or not _NUMBER.match(cell):
        return None
    negative = "(" in cell or bool(re.search(r"[-−–]\s*[$€£¥]?\s*\d", cell))
    digits = re.sub(r"[^\d.]", "", cell)
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


def row_label(chunk: Chunk) -> str:
    return _label(chunk)[1]


def label_words(chunk: Chunk) -> frozenset[str]:
    return _tokset(_FOOTNOTE.sub("", row_label(chunk)))


def _label(chunk: Chunk) -> tuple[int, str]:
    """The row label (the first cell) and its column; a row without one (a subtotal under a group
    heading) is labelled by its group."""
    cells = list(chunk.row.values())
    if cells and cells[0]:
        return 0, cells[0]
    return -1, chunk.group


def _from_row(query: Query, hit: Hit) -> Evidence | None:
    chunk = hit.chunk
    if is_instruction(chunk.text) or query.why or query.definition:
        return None  # figures give no reason, and a row's cells do not say what a thing is
    headers = list(chunk.headers) or list(chunk.row)
    cells = list(chunk.row.values())
    if len(cells) > 1 and cells[0] and not any(cells[1:]):
        return None  # a group heading ("Deferred tax assets:"): by itself it states nothing
    label_at, label = _label(chunk)
    label_tokens = label_words(chunk)
    group_tokens = _tokset(chunk.group)
    ctx = _context(chunk) | _tokset(" ".join(headers)) | group_tokens
    row_tokens = _tokset(chunk.text)
    support = query.coverage(ctx | row_tokens)
    focus = query.coverage(label_tokens | group_tokens | _tokset(" ".join(headers)) | row_tokens)
    # how well the row label matches: a question names the row it is about (and maybe its group); the
    # words its columns explain ("the quarter ended July 27, 2019") are not the label's to match
    explained = (_tokset(" ".join(h for i, h in enumerate(headers) if i != label_at)) - label_tokens - group_tokens)
    rest = query.coverage(set(query.terms) - explained)
    named = query.coverage(label_tokens | group_tokens)
    label_hit = 0.5 * named + 0.5 * min(1.0, named / rest) if label_tokens and rest else 0.0
    label_share = len(label_tokens & set(query.terms)) / len(label_tokens) if label_tokens else 0.0
    label_score = 0.6 * label_hit + 0.4 * label_share
    head = _tokset(_HEAD.split(_FOOTNOTE.sub("", label), maxsplit=1)[0])
    if head and not head & set(query.terms):
        label_score *= HEAD_MISSED  # "Cost of professional services" is no answer to "professional services revenue"
    if (first := tokenize(label)[:1]) and first[0] in _NEGATED and first[0] not in query.terms:
        label_score *= HEAD_MISSED  # "Non-vested at December 31, 2019" is no answer to "shares vested as of ..."
    focus = 0.5 * focus + 0.5 * label_score
    years = [i for i, h in enumerate(headers) if i != label_at and _YEAR.search(h)]
    if query.years and years:
        if any(y in headers[i] for i in years for y in query.years):
            focus += 0.1  # a lookup the table can answer exactly: the asked row in the asked year
        else:
            focus *= 0.5  # the row's table is about other years than the asked ones
    about = label
    if query.which_years and not years:
        return None  # a table without year columns does not say which years
    if query.which_years or query.members:  # about the table: its caption and headers count as much as the row
        focus = max(focus, support)
    if query.members:
        return Evidence(hit, label, chunk.text, support, focus, about=about, label=label_score)
    if query.compare or query.bound:  # compared amounts, not the "% of total" beside them
        years = [i for i in years if "%" not in headers[i]] or years if not set(query.terms) & _PERCENT_WORDS else years
    if query.compare or query.which_years or query.bound:
        statement = (_compare(query, label, headers, cells, years) if query.compare else
                     _passing(query, label, headers, cells, years) if query.bound else _years(label, headers, years))
        if statement:
            return Evidence(hit, statement, chunk.text, support, focus, about=about, label=label_score)
    cols = _columns(query, headers, cells, label_at, label_tokens, years)
    if cols:
        parts = [f"{headers[i]}: {cells[i]}" if headers[i] else cells[i] for i in cols]
        statement = f"{label} — {'; '.join(parts)}" if label and label_at not in cols else "; ".join(parts)
        values = tuple(cells[i] for i in cols)
        about = f"{label} — {', '.join(headers[i] for i in cols)}"
        if all(_BLANK.match(v) for v in values):
            focus *= BLANK_CELL  # "Tax Fees — 2018: —": the row has no figure where the question looks
    else:
        statement, values = chunk.text, ()
    return Evidence(hit, statement, chunk.text, support, focus, values=values, about=about, label=label_score)


def read_row(query: Query, chunk: Chunk) -> Evidence | None:
    """What one table row says in answer to the question (its asked cells), as evidence."""
    return _from_row(query, Hit(chunk, 0.0))


def _names_in_order(query: Query, chunk: Chunk) -> bool:
    """The question has the row label's words, in order, as one run ("free cash flow", not
    "operating free cash flow")."""
    words = tuple(tokenize(_FOOTNOTE.sub("", row_label(chunk))))
    n, seq = len(words), query.sequence
    return bool(words) and any(seq[i:i + n] == words for i in range(len(seq) - n + 1))


def value_columns(query: Query, chunk: Chunk) -> list[int]:
    """The columns of a row's table that the question asks about; if it names none, the row's total
    column, else its first numeric column."""
    headers = list(chunk.headers) or list(chunk.row)
    cells = list(chunk.row.values())
    label_at = _label(chunk)[0]
    years = [i for i, h in enumerate(headers) if i != label_at and _YEAR.search(h)]
    numeric = [i for i, c in enumerate(cells) if i != label_at and i < len(headers) and parse_number(c) is not None]
    cols = [i for i in _columns(query, headers, cells, label_at, label_words(chunk), years) if i < len(headers)]
    return cols or [i for i in numeric if "total" in headers[i].lower()][:1] or numeric[:1]


def _columns(query: Query, headers: list[str], cells: list[str], label_at: int, label_tokens: frozenset[str],
             years: list[int]) -> list[int]:
    """The columns the question asks for: those its years or words name, else the cell it matches."""
    asked = set(query.terms) - label_tokens
    headers = [h.replace("%", f" % {_PERCENT} ") for h in headers]  # "% change" answers "percentage change"
    candidates = [i for i in range(len(headers)) if i != label_at and i < len(cells) and cells[i]]
    if query.years and years:
        wanted = set(query.years)
        words = {i: query.coverage((_tokset(headers[i]) & asked) - wanted) for i in candidates}
        named = [i for i in candidates if any(y in headers[i] for y in query.years)]
        if not asked & _CHANGES and not _VERSUS.search(query.text):  # not "Percentage Change 2018 Versus 2017"
            named = [i for i in named if not _VERSUS.search(headers[i])] or named
        if not asked & _PERCENT_WORDS:  # "revenue in 2019": the amount, not its "% of total revenue" beside it
            named = [i for i in named if "%" not in headers[i]] or named
        others = [i for i in candidates if i not in years]
        if not asked & _PERCENT_WORDS and "%" not in query.text:  # nor the "Percentage of Total Fees" beside it
            others = [i for i in others if not _tokset(headers[i]) & _PERCENT_WORDS]
        # words every asked year's column has ("Q4 2019", "Q4 2018") tell none of them from a "% change" beside
        shared = set.intersection(*(set(_tokset(headers[i]) & asked) for i in named)) if len(named) > 1 else set()
        apart = {i: query.coverage((_tokset(headers[i]) & asked) - wanted - shared) for i in named + others}
        if named and max((apart[i] for i in others), default=0) > max(apart[i] for i in named) + 0.1:
            return [max(others, key=lambda i: apart[i])]  # "% change" asked, next to the year columns
        chosen: list[int] = []
        # per asked year, the columns whose other words fit best, and those that fit other asked words
        # ("June 30 and December 31, 2019")
        for year in query.years:
            at_year = [i for i in named if year in headers[i]]
            if at_year:
                top = max(words[i] for i in at_year)
                best = [i for i in at_year if words[i] >= top - 1e-9]
                fit = set().union(*(_tokset(headers[i]) & asked for i in best)) | wanted
                chosen += [i for i in at_year if (i in best or (_tokset(headers[i]) & asked) - fit) and i not in chosen]
        if chosen:
            return chosen
    picked: list[int] = []
    covered: set[str] = set()
    spans = _spans(query.text)
    while True:
        # the words a header shares with the question, and its periods ("less than one year", "2-5 years")
        gains = [(query.coverage((_tokset(headers[i]) & asked) - covered)
                  + len((_spans(headers[i]) & spans) - covered) / (len(spans) or 1), i)
                 for i in candidates if i not in picked]
        # equal fits ("Fiscal 2019 Net Sales", "Fiscal 2018 Net Sales" for "net sales"): the latest year, then
        # the leftmost column
        gain, best_i = max(gains, default=(0.0, -1), key=lambda g: (g[0], _latest(headers[g[1]]), -g[1]))
        if gain <= 0.0:
            break
        picked.append(best_i)
        covered |= (_tokset(headers[best_i]) & asked) | _spans(headers[best_i])
    # the cell the question quotes ("which country is strengthening joint exercises with U.S. forces"),
    # unless the headers it names fit better
    cell_hits = [(query.coverage(_tokset(cells[i]) & asked), i) for i in candidates]
    gain, best_i = max(cell_hits, default=(0.0, -1))
    # ... but a column the question names in full ("the expected outcome of coordinated engagement
    # with ASEAN") is asked for, the cell it quotes only says which row
    if picked and (gain <= query.coverage(covered) or any(_tokset(headers[i]) <= asked for i in picked)):
        return sorted(picked)
    return [best_i] if gain > 0 else []


_NUMBER_WORDS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_SPAN = re.compile(r"(?<![\d,.])(\d{1,2})(?:\s*(?:-|–|to)\s*(\d{1,2}))?(?![\d,.%])")
_MONTH_BEFORE = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", re.I)


@lru_cache(maxsize=8192)
def _spans(text: str) -> frozenset[str]:
    """The periods a header or question names by small numbers: "1", "2-5" ("Less than 1 year",
    "2-5 years", "between one and three years" as "1", "3"); not the day of a date."""
    text = re.sub(r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten)\b",
                  lambda m: _NUMBER_WORDS[m.group(1).lower()], text, flags=re.I)
    return frozenset(f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
                     for m in _SPAN.finditer(text) if not _MONTH_BEFORE.search(text[:m.start()]))


def _latest(header: str) -> int:
    return max(map(int, _YEAR.findall(header)), default=0)


def _compare(query: Query, label: str, headers: list[str], cells: list[str], years: list[int]) -> str:
    asked = [i for i in years if any(y in headers[i] for y in query.years)]
    years = asked if len(asked) >= 2 else years  # "between 2018 and 2019, which year ...": those two
    numbers = [(parse_number(cells[i]), i) for i in years if i < len(cells)]
    numbers = [(v, i) for v, i in numbers if v is not None]
    if len(numbers) < 2:
        return ""
    value, at = (min if query.compare == "min" else max)(numbers)
    year = _YEAR.search(headers[at]).group(0)
    word = "lower" if query.compare == "min" else "higher"
    others = "; ".join(f"{headers[i]}: {cells[i]}" for _, i in numbers)
    return f"{label} was {word} in {year} ({others})"


def _passing(query: Query, label: str, headers: list[str], cells: list[str], years: list[int]) -> str:
    """The years whose value passes the question's bound ("less than 600,000"), with all the values."""
    numbers = [(parse_number(cells[i]), i) for i in years if i < len(cells)]
    numbers = [(v, i) for v, i in numbers if v is not None]
    if not numbers or query.bound is None:
        return ""
    op, limit = query.bound
    passing = list(dict.fromkeys(_YEAR.search(headers[i]).group(0) for v, i in numbers
                                 if (v < limit if op == "<" else v > limit)))
    values = "; ".join(f"{headers[i]}: {cells[i]}" for _, i in numbers)
    word = "under" if op == "<" else "over"
    if not passing:
        return f"{label} was {word} {limit:,g} in none of the years given ({values})"
    listed = ", ".join(passing[:-1]) + f" and {passing[-1]}" if len(passing) > 1 else passing[0]
    return f"{label} was {word} {limit:,g} in {listed} ({values})"


def _years(label: str, headers: list[str], years: list[int]) -> str:
    found = list(dict.fromkeys(_YEAR.search(headers[i]).group(0) for i in years))
    if not found:
        return ""
    listed = ", ".join(found[:-1]) + f" and {found[-1]}" if len(found) > 1 else found[0]
    return f"The table with {label} gives figures for {listed}"
