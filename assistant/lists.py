"""Stage 4 for list questions ("list the proposed actions", "which countries are in the table?",
"what were the three reasons given?"): every matching item, each cited. Where the items are is read
from the articles' structure: a table column whose header names what is asked (each row's cell), a
table's label column (each row), a list whose introducing line names it (each item); or, for a kind of
named thing ("which companies are mentioned"), the entities of that kind the text calls so."""
from __future__ import annotations

from index.lexical import tokenize
from index.store import Store
from index.types import Chunk

from .citations import Citations
from .compose import grounded
from .language import parse
from .question import GENERIC_KINDS, Question
from .retrieval import Hit
from .sentences import is_instruction, sentences, tokset
from .spans import TYPE_LABELS
from .table_answers import labelled_rows
from .tables import label_words
from .thresholds import MAX_LIST

ENTITY_TYPES = ("person", "organization", "place")
MIN_NAMED = 0.5  # share of a header's (or list intro's) words the question must use to name it
LIST_SHARE = 0.8  # named things are listed from the sentences holding this share of the best one's coverage


def _asked(q: Question) -> list[str]:
    """What the question asks to list, as stems: the kind it names ("which cooperation areas"), else the
    plural noun it lists ("list the proposed actions")."""
    return tokenize(q.kind) or ([q.listed] if q.listed else q.topic)


def _names(q: Question, text: str) -> float:
    """How well `text` (a header) names what the question lists: the share of its words the question
    holds, 0 unless its last word (its head: "Proposed Action" needs "action") is what is listed."""
    own, heads = tokenize(text), _asked(q)
    if not own or not heads or own[-1] not in heads and own[-1][:5] not in {w[:5] for w in heads}:
        return 0.0
    return sum(1 for w in own if w in {*heads, *q.topic}) / len(own)


def _fit(q: Question, named: str, context: str) -> float:
    """How well a header (`named`, with its table's `context`) is what the question asks to list: the
    share of the question's words it holds, then its context's, when it names what is listed (else 0)."""
    own = tokset(named)
    return q.coverage(own) + 0.5 * q.coverage(tokset(context) - own) if _names(q, named) >= MIN_NAMED else 0.0


def _from_tables(q: Question, hits: list[Hit]) -> tuple[float, Chunk, int] | None:
    """(fit, a row, column) of the column of a table the hits reach that best names what is asked."""
    seen, best = set(), None
    named = {(h.chunk.article_id, h.chunk.table_index) for h in hits[:15]
             if h.chunk.kind == "table_row" and (label := label_words(h.chunk)) and label <= set(q.terms)}
    for h in hits[:15]:
        c = h.chunk
        if c.kind != "table_row" or (c.article_id, c.table_index) in seen | named:
            continue  # a table one of whose rows the question names is read for that row, not listed
        seen.add((c.article_id, c.table_index))
        for i, header in enumerate(c.headers):
            fit = _fit(q, header, f"{c.caption} {c.section}")
            if fit > 0 and (best is None or fit > best[0]):
                best = (fit, c, i)
    return best


def _column(store: Store, chunk: Chunk, col: int) -> list[tuple[str, Chunk]]:
    """Each row's cell in a column, with the row's label beside it."""
    items = []
    for label, row in labelled_rows(store, chunk):
        cells = list(row.row.values())
        if col < len(cells) and cells[col].strip():
            items.append((cells[col] if col == 0 else f"{label}: {cells[col]}", row))
    return items[:MAX_LIST]


def _from_lists(q: Question, hits: list[Hit]) -> tuple[float, Chunk] | None:
    """(fit, a list) whose introducing line, with its section, holds most of what is asked ("Key areas
    ... include:" for "which areas were emphasized", "The work includes:" for "list the repairs")."""
    best = None
    for h in hits[:10]:
        lines = [ln.strip() for ln in h.chunk.text.split("\n") if ln.strip()]
        if h.chunk.kind == "list" and len(lines) > 1:
            intro, around = tokset(lines[0]), tokset(f"{h.chunk.section} {h.chunk.title}")
            # its own line first, what it sits under second, the kind of thing asked as a tiebreak
            fit = q.coverage(intro) + 0.5 * q.coverage(around - intro) + 0.1 * bool(set(_asked(q)) & intro)
            if q.coverage(intro | around) >= MIN_NAMED and (best is None or fit > best[0]):
                best = (fit, h.chunk)
    return best


def _from_entities(q: Question, hits: list[Hit]) -> list[tuple[str, Chunk, str]]:
    """Named things of the asked kind in the best passages, each with the sentence that names it; a
    kind the entity's label does not show by itself ("companies", not "organizations") must be said
    in that sentence."""
    labels = TYPE_LABELS.get(q.answer_type, ())
    kind = tokenize(q.kind)[-1:] if q.kind else []
    said_by_label = not kind or kind[0] in GENERIC_KINDS
    asked = set(q.terms) | set(tokenize(" ".join(q.entities)))
    found: dict[str, tuple[str, Chunk, str]] = {}
    texts = [h.chunk for h in hits if h.chunk.kind != "table_row"][:3]
    said = [(c, s) for c in texts for s in sentences(c.text) if not is_instruction(s)]
    best = max((q.coverage(tokset(s)) for _, s in said), default=0.0)
    for chunk, s in said:  # the sentences that say most of what the question asks: its items are theirs
        if q.coverage(tokset(s)) >= LIST_SHARE * best and (said_by_label or set(kind) & tokset(s)):
            for e in parse(s).entities:
                key = e.text.lower().removeprefix("the ")
                if e.label in labels and key not in found and not set(tokenize(e.text)) <= asked:
                    found[key] = (e.text, chunk, s.removeprefix("- "))
    return list(found.values())[:MAX_LIST]


def list_answer(store: Store, q: Question, hits: list[Hit]) -> object:
    """Every item the question asks for, each cited; None when no table, list or named things hold them:
    a table column or a list that names what is asked first (the structure says what its items are),
    else the named things of the asked kind."""
    cites = Citations()
    table, listed = _from_tables(q, hits), _from_lists(q, hits)
    if table and (not listed or table[0] >= listed[0]) and len(items := _column(store, table[1], table[2])) > 1:
        header = table[1].headers[table[2]]
        return grounded(q, f"{header}:\n" + "\n".join(f"- {item} [{cites.mark(row, row.text)}]" for item, row in items),
                        cites)
    if listed:
        chunk = listed[1]
        marker = cites.mark(chunk, chunk.text)
        lines = [ln.strip().removeprefix("- ") for ln in chunk.text.split("\n") if ln.strip()]
        return grounded(q, f"{lines[0]}\n" + "\n".join(f"- {item} [{marker}]" for item in lines[1:MAX_LIST + 1]), cites)
    if q.answer_type in ENTITY_TYPES and (named := _from_entities(q, hits)):
        return grounded(q, "; ".join(f"{name} [{cites.mark(chunk, s)}]" for name, chunk, s in named) + ".", cites)
    return None
