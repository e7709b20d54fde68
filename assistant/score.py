"""A copy of ../shared/eval/score.py, so that `briefing eval` works where shared/ is absent (metrics
unchanged; the printing moved into `report`, which `briefing eval` shares).

Score answers from `briefing ask --json` against an eval pack's questions.

Usage:
    score.py QUESTIONS.jsonl ANSWERS.jsonl [--json] [--show-misses]

QUESTIONS.jsonl: one question per line (see README.md beside this file).
ANSWERS.jsonl:   one answer object per line, as printed by `briefing ask --json`,
                 matched to questions by their "question" text.

Metrics (all in 0..1):
    answer_accuracy     answerable questions answered with the expected text
    false_refusals      answerable questions the assistant declined
    refusal_accuracy    unanswerable questions correctly declined
    citation_recall     share of gold evidence items cited (answerable questions)
    citation_precision  share of citations that support the answer
    conflict_detection  conflict questions whose answer shows both sides, cited
    answer_lead_accuracy  answerable questions with answer_any whose expected text comes within the
                        first 20 words of the answer (markers left out): the answer comes first
    median_answer_words median length of the answers given, in words (markers left out)
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(QUOTES).lower()
    text = re.sub(r"[*_`]", "", text)  # markdown emphasis
    return re.sub(r"\s+", " ", text).strip()


def contains(haystack: str, needle: str) -> bool:
    needle = norm(needle).strip("\"' ")
    return bool(needle) and needle in norm(haystack)


def answer_matches(q: dict, answer: str) -> bool:
    any_ = q.get("answer_any") or []
    all_ = q.get("answer_all") or []
    if not any_ and not all_:
        return True
    ok_any = not any_ or any(contains(answer, a) for a in any_)
    ok_all = not all_ or all(contains(answer, a) for a in all_)
    return ok_any and ok_all


LEAD_WORDS = 20
_MARKER = re.compile(r"\[\d+\]")


def lead(answer: str, n: int = LEAD_WORDS) -> str:
    return " ".join(_MARKER.sub(" ", answer).split()[:n])


def citation_file(c: dict) -> str:
    return str(c.get("source") or "").replace("\\", "/").rsplit("/", 1)[-1].split("#", 1)[0]


def satisfies(c: dict, ev: dict) -> bool:
    kind = ev.get("kind", "any")
    if kind == "table_row" and c.get("kind") != "table_row":
        return False
    text = c.get("text") or ""
    if "file" in ev and citation_file(c) != ev["file"]:
        return False
    if "contains" in ev and not contains(text, ev["contains"]):
        return False
    if "contains_all" in ev and not all(contains(text, s) for s in ev["contains_all"]):
        return False
    return True


def relevant(c: dict, q: dict) -> bool:
    if any(satisfies(c, ev) for ev in q.get("evidence") or []):
        return True
    sides = (q.get("conflict") or {}).get("true", []) + (q.get("conflict") or {}).get("false", [])
    wanted = (q.get("answer_any") or []) + (q.get("answer_all") or []) + sides
    return any(contains(c.get("text") or "", a) for a in wanted)


def score(questions: list[dict], answers: list[dict]) -> tuple[dict, list[str]]:
    by_q = {norm(a.get("question")): a for a in answers}
    n_ans = n_unans = n_conf = 0
    acc = false_ref = ref_ok = rec = conf_ok = lead_ok = 0.0
    n_lead = 0
    lengths: list[int] = []
    prec_sum, prec_n = 0.0, 0
    misses: list[str] = []
    for q in questions:
        a = by_q.get(norm(q["question"]))
        if a is None:
            misses.append(f"{q['id']}: no answer printed")
            a = {"answered": False, "answer": "", "citations": []}
        answered = bool(a.get("answered"))
        text = a.get("answer") or ""
        cites = a.get("citations") or []
        if not q.get("answerable", True):
            n_unans += 1
            ref_ok += not answered
            if answered:
                misses.append(f"{q['id']}: should decline, answered: {text[:120]!r}")
            continue
        n_ans += 1
        good = answered and answer_matches(q, text)
        acc += good
        if answered:
            lengths.append(len(_MARKER.sub(" ", text).split()))
        if q.get("answer_any"):
            n_lead += 1
            lead_ok += answered and any(contains(lead(text), x) for x in q["answer_any"])
        false_ref += not answered
        evs = q.get("evidence") or []
        if evs:
            rec += sum(any(satisfies(c, ev) for c in cites) for ev in evs) / len(evs)
        else:
            rec += 1.0
        if answered and cites:
            prec_sum += sum(relevant(c, q) for c in cites) / len(cites)
            prec_n += 1
        if "conflict" in q:
            n_conf += 1
            shows_true = any(contains(text, s) for s in q["conflict"]["true"])
            shows_false = any(contains(text, s) for s in q["conflict"]["false"])
            cited_true = any(any(contains(c.get("text") or "", s) for s in q["conflict"]["true"]) for c in cites)
            cited_false = any(any(contains(c.get("text") or "", s) for s in q["conflict"]["false"]) for c in cites)
            conf_ok += shows_true and shows_false and cited_true and cited_false
        if not good:
            misses.append(f"{q['id']}: {'declined' if not answered else 'wrong'}: {q['question']!r} -> {text[:160]!r}")
    div = lambda x, n: round(x / n, 4) if n else None  # noqa: E731
    metrics = {
        "questions": len(questions),
        "answerable": n_ans,
        "unanswerable": n_unans,
        "answer_accuracy": div(acc, n_ans),
        "false_refusals": div(false_ref, n_ans),
        "refusal_accuracy": div(ref_ok, n_unans),
        "citation_recall": div(rec, n_ans),
        "citation_precision": div(prec_sum, prec_n),
        "conflict_detection": div(conf_ok, n_conf),
        "answer_lead_accuracy": div(lead_ok, n_lead),
        "median_answer_words": sorted(lengths)[len(lengths) // 2] if lengths else None,
    }
    return metrics, misses


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def report(metrics: dict, misses: list[str], as_json: bool, show_misses: bool) -> None:
    """Print the metrics (one JSON object, or a line each) and, if asked, the misses on stderr."""
    if show_misses:
        for m in misses:
            print(m, file=sys.stderr)
    if as_json:
        print(json.dumps(metrics))
    else:
        for k, v in metrics.items():
            print(f"{k:20} {v}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("questions")
    p.add_argument("answers")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.add_argument("--show-misses", action="store_true", help="list each question scored wrong")
    args = p.parse_args()
    metrics, misses = score(read_jsonl(args.questions), read_jsonl(args.answers))
    report(metrics, misses, args.json, args.show_misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
