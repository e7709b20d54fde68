"""Fit the answerability model (assistant/answerability.py) on the development packs, and report how it
decides. For each fact question, the candidate the answerer would answer from is labelled 1 when the
question is answerable and the candidate, cited, is gold evidence holding the expected answer, 0 when
the question cannot be answered. A logistic regression (L2, numpy) is fitted with every pack weighing
the square root of its size, cross-validated by question; the threshold MIN_P is chosen for the most
questions answered or declined rightly (per pack, weighed the same way). It prints the weights to put in assistant/thresholds.py
and the decision's figures per pack (out of fold).

Packs: every developed pack of bench/baseline.py (the seed's, TAT-QA's dev, the probe's and chat's dev splits, and
the chat and conflicts sets written as analysts ask, developed on after their one held-out scoring); the held-out
packs (baseline.HELDOUT) are never read here.

    python bench/answerability.py [--folds 5] [--l2 1.0] [--keep DIR] [--rows FILE] [--write] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import EVAL, ROOT, save  # bench/ is on sys.path when a bench script runs

from baseline import PACKS  # name -> (questions, corpus, split): every developed pack, none held out


def label(q: dict, ev) -> int:
    """1 when the candidate, cited, is gold evidence and its statement holds the expected answer."""
    from assistant.score import answer_matches, satisfies

    if not q.get("answerable", True):
        return 0
    cite = {"kind": "table_row" if ev.chunk.kind == "table_row" else "text",
            "text": ev.chunk.text if ev.chunk.kind == "table_row" else ev.quote, "source": ev.chunk.source}
    gold = q.get("evidence") or []
    said = f"{ev.statement} {cite['text']}"
    return int((not gold or any(satisfies(cite, g) for g in gold)) and answer_matches(q, said))


def collect(name: str, index_root: Path, embeddings) -> list[dict]:
    """Each fact question's candidates (features, label) in one pack."""
    from assistant.answer import Answerer
    from assistant.answerability import FEATURES
    from assistant.select import readable
    from assistant.score import read_jsonl
    from index.indexer import run_index
    from index.store import Store

    questions, corpus, split = PACKS[name]
    store = Store.open(index_root / f"{corpus.parent.name}-{corpus.name}")
    run_index(store, [corpus], lambda: embeddings, max_bytes=2**24)
    answerer = Answerer(store, embeddings)
    rows = []
    for q in read_jsonl(str(questions)):
        if split and q.get("split") != split:
            continue
        question, hits, vector = answerer.retrieve(q["question"], q.get("history", []))
        if question.intent == "open" or question.answer_type in ("source", "inconsistency"):
            continue  # answered by the synthesis, source and consistency composers
        evidence = [ev for ev in answerer.evidence(question, hits, vector) if ev.features]
        rows.append({"pack": name, "id": q["id"], "answerable": q.get("answerable", True),
                     "x": [[ev.features[f] for f in FEATURES] for ev in evidence],
                     "y": [label(q, ev) for ev in evidence], "readable": [int(readable(question, ev)) for ev in evidence],
                     "score": [ev.score for ev in evidence]})
    return rows


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, rounds: int = 300) -> np.ndarray:
    """Logistic regression by Newton's method (IRLS); the bias (last column) is not penalised."""
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        grad = x.T @ (w * (p - y)) + penalty * beta
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def chosen(r: dict) -> int | None:
    """The candidate the answerer would answer from (as `select.answering_first`): the first that reads as
    an answer among the first few scored nearly as well as the best; None when none does."""
    from assistant.thresholds import FALLBACK_DEPTH, FALLBACK_SCORE

    for i in range(min(FALLBACK_DEPTH, len(r["x"]))):
        if r["score"][i] < FALLBACK_SCORE * r["score"][0]:
            break
        if r["readable"][i]:
            return i
    return None


def design(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One example per question the answerer would answer from a candidate: its features with a bias
    column; 1 when the question is answerable and the candidate answers it, 0 when the question is
    unanswerable (answerable questions whose candidate is wrong teach nothing here, so they are left
    out); weights that make every pack weigh the same."""
    kept = [(r, i) for r in rows if (i := chosen(r)) is not None and (not r["answerable"] or r["y"][i])]
    share = _pack_shares(rows)
    per_pack = {p: sum(1 for r, _ in kept if r["pack"] == p) for p in share}
    x = np.asarray([[*r["x"][i], 1.0] for r, i in kept])
    y = np.asarray([float(r["answerable"]) for r, _ in kept])
    w = np.asarray([len(kept) * share[r["pack"]] / per_pack[r["pack"]] for r, _ in kept])
    return x, y, w


def _pack_shares(rows: list[dict]) -> dict[str, float]:
    """How much each pack weighs: the square root of its size, so that neither the 870 TAT-QA questions
    drown the chat packs nor the 10 seed questions swing the fit."""
    sizes = {p: sum(1 for r in rows if r["pack"] == p) for p in {r["pack"] for r in rows}}
    total = sum(n ** 0.5 for n in sizes.values())
    return {p: n ** 0.5 / total for p, n in sizes.items()}


def probabilities(rows: list[dict], beta: np.ndarray) -> list[float | None]:
    """Each question's probability of being answered by its chosen candidate (None: no candidate reads as one)."""
    out = []
    for r in rows:
        i = chosen(r)
        out.append(None if i is None else float(1 / (1 + np.exp(-np.clip(np.dot([*r["x"][i], 1.0], beta), -30, 30)))))
    return out


def decide(rows: list[dict], probs: list[float | None], threshold: float) -> dict[str, dict]:
    """Per pack: answerable questions answered from a candidate that answers them, answerable ones declined,
    unanswerable ones declined, and all the questions answered or declined rightly."""
    out: dict[str, dict] = {}
    for r, p in zip(rows, probs):
        m = out.setdefault(r["pack"], {"answerable": 0, "right": 0, "declined": 0, "unanswerable": 0, "refused": 0})
        answered = p is not None and p >= threshold
        if r["answerable"]:
            m["answerable"] += 1
            m["right"] += int(answered and r["y"][chosen(r)] == 1)
            m["declined"] += int(not answered)
        else:
            m["unanswerable"] += 1
            m["refused"] += int(not answered)
    for m in out.values():
        m["accuracy"] = round(m["right"] / max(m["answerable"], 1), 3)
        m["false_refusals"] = round(m["declined"] / max(m["answerable"], 1), 3)
        m["refusal_accuracy"] = round(m["refused"] / max(m["unanswerable"], 1), 3)
        m["correct"] = round((m["right"] + m["refused"]) / max(m["answerable"] + m["unanswerable"], 1), 3)
    return out


def correct(result: dict[str, dict]) -> float:
    """What the threshold is chosen by: the share of questions answered or declined rightly, per pack,
    averaged with each pack weighing the square root of its size."""
    sizes = {p: m["answerable"] + m["unanswerable"] for p, m in result.items()}
    total = sum(n ** 0.5 for n in sizes.values())
    return float(sum(m["correct"] * sizes[p] ** 0.5 / total for p, m in result.items()))


def write_thresholds(weights: dict[str, float]) -> None:
    """Replace ANSWERABILITY in assistant/thresholds.py with the fitted weights (MIN_P is set end to end:
    see its line there; this bench's suggestion rests on its stricter, candidate-level labels)."""
    path = ROOT / "assistant" / "thresholds.py"
    text = path.read_text(encoding="utf-8")
    start = text.index("ANSWERABILITY = {")
    end = text.index("}", start) + 1
    lines, line = [], "ANSWERABILITY = {  # fitted by bench/answerability.py --write\n   "
    for k, v in weights.items():
        if len(line) + len(f' "{k}": {v},') > 115:
            lines.append(line)
            line = "   "
        line += f' "{k}": {v},'
    text = text[:start] + "\n".join([*lines, line.rstrip(",")]) + "\n}" + text[end:]
    path.write_text(text, encoding="utf-8")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--l2", type=float, default=1.0)
    p.add_argument("--keep", type=Path, help="keep the packs' indexes in this folder (faster reruns)")
    p.add_argument("--rows", type=Path, help="read the candidates from this file if it exists, else write them "
                                              "there (to try fits without collecting again)")
    p.add_argument("--write", action="store_true", help="put the fitted weights into assistant/thresholds.py")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    from assistant.answerability import FEATURES
    from index.embed import make_embeddings

    started = time.perf_counter()
    embeddings = make_embeddings()
    if args.rows and args.rows.is_file():
        rows = json.loads(args.rows.read_text())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            root = args.keep or Path(tmp)
            rows = [r for name in PACKS for r in collect(name, root, embeddings)]
        if args.rows:
            args.rows.write_text(json.dumps(rows))
    folds = np.arange(len(rows)) % args.folds
    probs: list[float | None] = [None] * len(rows)
    for k in range(args.folds):
        train = [r for r, f in zip(rows, folds) if f != k]
        beta = fit(*design(train), args.l2)
        for i, p in enumerate(probabilities(rows, beta)):
            if folds[i] == k:
                probs[i] = p
    thresholds = [round(t, 2) for t in np.arange(0.1, 0.91, 0.05)]
    best_t = max(thresholds, key=lambda t: correct(decide(rows, probs, t)))
    x, y, w = design(rows)
    beta = fit(x, y, w, args.l2)
    weights = {"bias": round(float(beta[-1]), 3), **{f: round(float(b), 3) for f, b in zip(FEATURES, beta[:-1])}}
    summary = {"questions": len(rows), "examples": int(len(y)), "answerable_examples": int(y.sum()), "l2": args.l2,
               "min_p": best_t, "weights": weights, "cross_validated": decide(rows, probs, best_t),
               "by_threshold": {t: correct(decide(rows, probs, t)) for t in thresholds},
               "seconds": round(time.perf_counter() - started)}
    save("answerability", summary)
    if args.write:
        write_thresholds(weights)
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{len(rows)} fact questions, {len(y)} examples ({int(y.sum())} answerable); suggested MIN_P = {best_t}")
    print("ANSWERABILITY = {" + ", ".join(f'"{k}": {v}' for k, v in weights.items()) + "}")
    print(f"{'pack':14} {'answer acc':>10} {'false ref':>9} {'refusal acc':>11} {'correct':>8}  "
          f"({args.folds}-fold, out of fold; answer acc counts the chosen candidate, not the composed answer)")
    for name, m in summary["cross_validated"].items():
        print(f"{name:14} {m['accuracy']:10} {m['false_refusals']:9} {m['refusal_accuracy']:11} {m['correct']:8}")
    print(f"run: {summary['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
