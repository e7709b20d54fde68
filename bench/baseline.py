"""Answer quality and latency against a naive LangChain RAG baseline, side by side in one run, on both dev packs.

  briefing  `briefing eval PACK --json` as a user runs it: hybrid retrieval, evidence selection, the
            grounded composer (no LLM), refusals
  naive     LangChain's usual recipe: each file's text split by RecursiveCharacterTextSplitter
            (1,000 characters, 200 overlap), embedded with the same model (index.embed.make_embeddings)
            into langchain_chroma.Chroma, top 4 by similarity. It always answers: the answer is the 4
            chunks joined, each chunk cited whole (kind "text", source = the file's path).
Both are scored by assistant.score (a copy of shared/eval/score.py). p50 ms: per question, model
loaded before; for naive the similarity search (query embedding included), for briefing
`Answerer.ask`'s total_ms as `briefing eval` reports it. answer_chars: the median answer's length
(the naive answer, up to 4 x 1,000 characters, holds the expected words more often).

Packs: seed_dev.jsonl and seed_chat_dev.jsonl over seeds/, the dev splits of the probe
(tests/data/probe), of the chat probe (tests/data/chat_probe) and of the conflicts set
(tests/data/conflicts) over their corpora, tatqa_dev
(questions.jsonl over its corpus/), and the second, third and fourth conflicts sets (tests/data/conflicts_fresh,
conflicts_final, conflicts_late, conflicts_blind: each held out at first, scored once, developed on since);
the sixth conflicts set (tests/data/conflicts_sealed) and the second and third chat probes (tests/data/chat_sealed,
chat_final), each scored once held out and developed on since, as were the later conflicts_unseen, chat_unseen,
conflicts_hidden, chat_hidden, conflicts_kept, chat_kept, conflicts_spare and chat_plain (12 plain-text articles in
the seed's form), and conflicts_reserve and chat_reserve (12 more plain-text articles), scored once held out at the
end of the tenth round; `--heldout` scores the held-out splits of the probe, the chat probe and the conflicts set
instead (each scored once at first; conflicts_winter and chat_winter, written before the eleventh round, and
conflicts_thaw and chat_thaw, written before the twelfth, were scored once held out at its end and are developed
packs since; conflicts_dawn and chat_dawn, written before the thirteenth,
were scored once early in it and are developed packs since; conflicts_frost and chat_frost, written during it,
were scored once in it too and are developed packs since; conflicts_gale and chat_gale, written later in it, were scored once
at its end and are developed packs since; conflicts_haze, conflicts_mist and chat_haze, written at the start of the
fourteenth round, were scored once held out at its end and are developed packs since, as are conflicts_sleet, chat_sleet,
conflicts_rime, chat_hail, conflicts_glaze and chat_squall, scored once in the fifteenth and sixteenth rounds;
conflicts_drizzle and chat_fog, written before the seventeenth round, were scored once held out at its end and are
developed packs since; no untouched
set remains: the next round needs new ones, written before it).
For the conflicts packs it also prints `said`, `true_first` and `false_conflicts` (`sides_scored`).

    python bench/baseline.py [--heldout] [--embedders onnx,torch] [--packs seed_dev,tatqa_dev] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import EVAL, ROOT, save  # bench/ is on sys.path when a bench script runs
PROBE = ROOT / "tests" / "data" / "probe"
CONFLICTS = ROOT / "tests" / "data" / "conflicts"
FRESH = ROOT / "tests" / "data" / "conflicts_fresh"  # written after the conflicts set's held-out was spent; scored
#                                                     once, then developed on
FINAL = ROOT / "tests" / "data" / "conflicts_final"  # written before that second round: scored once, then developed on
LATE = ROOT / "tests" / "data" / "conflicts_late"  # written before that third round: scored once, then developed on
CHAT = ROOT / "tests" / "data" / "chat_probe"  # chat-style questions over 16 news articles: dev half, held-out half
BLIND = ROOT / "tests" / "data" / "conflicts_blind"  # written before the fourth round: scored once, developed on since
SEALED = ROOT / "tests" / "data" / "conflicts_sealed"  # written before the fifth round: scored once, developed on since
CHAT_SEALED = ROOT / "tests" / "data" / "chat_sealed"  # chat-style questions over 16 other articles: scored once,
#                                                        developed on since
CHAT_FINAL = ROOT / "tests" / "data" / "chat_final"  # ... over 12 more: scored once, developed on since
UNSEEN = ROOT / "tests" / "data" / "conflicts_unseen"  # written before the sixth round: developed on since
CHAT_UNSEEN = ROOT / "tests" / "data" / "chat_unseen"  # chat-style questions over 12 more articles: developed on since
HIDDEN = ROOT / "tests" / "data" / "conflicts_hidden"  # written before the seventh round: developed on since
CHAT_HIDDEN = ROOT / "tests" / "data" / "chat_hidden"  # chat-style questions over 12 more articles: developed on since
KEPT = ROOT / "tests" / "data" / "conflicts_kept"  # written before the eighth round: developed on since
CHAT_KEPT = ROOT / "tests" / "data" / "chat_kept"  # chat-style questions over 12 more articles: developed on since
SPARE = ROOT / "tests" / "data" / "conflicts_spare"  # written before the ninth round: scored once, developed on since
CHAT_PLAIN = ROOT / "tests" / "data" / "chat_plain"  # chat-style questions over 12 plain-text articles in the seed's
#                                                      form: scored once, developed on since
RESERVE = ROOT / "tests" / "data" / "conflicts_reserve"  # written before the tenth round: scored once at its end
CHAT_RESERVE = ROOT / "tests" / "data" / "chat_reserve"  # 12 more plain-text articles: scored once at its end
WINTER = ROOT / "tests" / "data" / "conflicts_winter"  # written before the eleventh round: scored once at its end
CHAT_WINTER = ROOT / "tests" / "data" / "chat_winter"  # 12 more plain-text articles: scored once at its end
THAW = ROOT / "tests" / "data" / "conflicts_thaw"  # written before the twelfth round: scored once at its end
CHAT_THAW = ROOT / "tests" / "data" / "chat_thaw"  # 12 more plain-text articles: scored once at its end
DAWN = ROOT / "tests" / "data" / "conflicts_dawn"  # written before the thirteenth round: scored once, developed on since
CHAT_DAWN = ROOT / "tests" / "data" / "chat_dawn"  # 12 more plain-text articles: scored once, developed on since
FROST = ROOT / "tests" / "data" / "conflicts_frost"  # written during the thirteenth round: scored once, developed on since
CHAT_FROST = ROOT / "tests" / "data" / "chat_frost"  # written during the thirteenth round: scored once, developed on since
GALE = ROOT / "tests" / "data" / "conflicts_gale"  # written during the thirteenth round: scored once at its end
CHAT_GALE = ROOT / "tests" / "data" / "chat_gale"  # written during the thirteenth round: scored once at its end
HAZE = ROOT / "tests" / "data" / "conflicts_haze"  # written before the fourteenth round's work: scored once at its end
MIST = ROOT / "tests" / "data" / "conflicts_mist"  # written before the fourteenth round's work: scored once at its end
CHAT_HAZE = ROOT / "tests" / "data" / "chat_haze"  # written before the fourteenth round's work: scored once at its end
SLEET = ROOT / "tests" / "data" / "conflicts_sleet"  # written before the fifteenth round's work: scored once at its end
CHAT_SLEET = ROOT / "tests" / "data" / "chat_sleet"  # ... with it
RIME = ROOT / "tests" / "data" / "conflicts_rime"  # written before the sixteenth round's work: scored once at its end
CHAT_HAIL = ROOT / "tests" / "data" / "chat_hail"  # ... with it
GLAZE = ROOT / "tests" / "data" / "conflicts_glaze"  # written during the sixteenth round: scored once at its end
CHAT_SQUALL = ROOT / "tests" / "data" / "chat_squall"  # ... with it
DRIZZLE = ROOT / "tests" / "data" / "conflicts_drizzle"  # written before the seventeenth round's work: scored once at its end
CHAT_FOG = ROOT / "tests" / "data" / "chat_fog"  # ... with it
PACKS = {  # name -> (questions, corpus, split of the questions)
    "seed_dev": (EVAL / "seed_dev.jsonl", ROOT / "seeds", None),
    "seed_chat_dev": (EVAL / "seed_chat_dev.jsonl", ROOT / "seeds", None),
    "probe_dev": (PROBE / "questions.jsonl", PROBE / "corpus", "dev"),
    "chat_dev": (CHAT / "questions.jsonl", CHAT / "corpus", "dev"),
    "conflicts_dev": (CONFLICTS / "questions.jsonl", CONFLICTS / "corpus", "dev"),
    "conflicts_fresh": (FRESH / "questions.jsonl", FRESH / "corpus", "heldout"),
    "conflicts_final": (FINAL / "questions.jsonl", FINAL / "corpus", "heldout"),
    "conflicts_late": (LATE / "questions.jsonl", LATE / "corpus", "heldout"),
    "conflicts_blind": (BLIND / "questions.jsonl", BLIND / "corpus", "heldout"),
    "chat_sealed": (CHAT_SEALED / "questions.jsonl", CHAT_SEALED / "corpus", "heldout"),
    "conflicts_sealed": (SEALED / "questions.jsonl", SEALED / "corpus", "heldout"),
    "chat_final": (CHAT_FINAL / "questions.jsonl", CHAT_FINAL / "corpus", "heldout"),
    "conflicts_unseen": (UNSEEN / "questions.jsonl", UNSEEN / "corpus", "heldout"),
    "chat_unseen": (CHAT_UNSEEN / "questions.jsonl", CHAT_UNSEEN / "corpus", "heldout"),
    "conflicts_hidden": (HIDDEN / "questions.jsonl", HIDDEN / "corpus", "heldout"),
    "chat_hidden": (CHAT_HIDDEN / "questions.jsonl", CHAT_HIDDEN / "corpus", "heldout"),
    "conflicts_kept": (KEPT / "questions.jsonl", KEPT / "corpus", "heldout"),
    "chat_kept": (CHAT_KEPT / "questions.jsonl", CHAT_KEPT / "corpus", "heldout"),
    "conflicts_spare": (SPARE / "questions.jsonl", SPARE / "corpus", "heldout"),
    "chat_plain": (CHAT_PLAIN / "questions.jsonl", CHAT_PLAIN / "corpus", "heldout"),
    "conflicts_reserve": (RESERVE / "questions.jsonl", RESERVE / "corpus", "heldout"),
    "chat_reserve": (CHAT_RESERVE / "questions.jsonl", CHAT_RESERVE / "corpus", "heldout"),
    "conflicts_winter": (WINTER / "questions.jsonl", WINTER / "corpus", "heldout"),
    "chat_winter": (CHAT_WINTER / "questions.jsonl", CHAT_WINTER / "corpus", "heldout"),
    "conflicts_thaw": (THAW / "questions.jsonl", THAW / "corpus", "heldout"),
    "chat_thaw": (CHAT_THAW / "questions.jsonl", CHAT_THAW / "corpus", "heldout"),
    "conflicts_dawn": (DAWN / "questions.jsonl", DAWN / "corpus", "heldout"),
    "chat_dawn": (CHAT_DAWN / "questions.jsonl", CHAT_DAWN / "corpus", "heldout"),
    "conflicts_frost": (FROST / "questions.jsonl", FROST / "corpus", "heldout"),
    "chat_frost": (CHAT_FROST / "questions.jsonl", CHAT_FROST / "corpus", "heldout"),
    "conflicts_gale": (GALE / "questions.jsonl", GALE / "corpus", "heldout"),
    "chat_gale": (CHAT_GALE / "questions.jsonl", CHAT_GALE / "corpus", "heldout"),
    "conflicts_haze": (HAZE / "questions.jsonl", HAZE / "corpus", "heldout"),
    "conflicts_mist": (MIST / "questions.jsonl", MIST / "corpus", "heldout"),
    "chat_haze": (CHAT_HAZE / "questions.jsonl", CHAT_HAZE / "corpus", "heldout"),
    "conflicts_sleet": (SLEET / "questions.jsonl", SLEET / "corpus", "heldout"),
    "chat_sleet": (CHAT_SLEET / "questions.jsonl", CHAT_SLEET / "corpus", "heldout"),
    "conflicts_rime": (RIME / "questions.jsonl", RIME / "corpus", "heldout"),
    "chat_hail": (CHAT_HAIL / "questions.jsonl", CHAT_HAIL / "corpus", "heldout"),
    "conflicts_glaze": (GLAZE / "questions.jsonl", GLAZE / "corpus", "heldout"),
    "chat_squall": (CHAT_SQUALL / "questions.jsonl", CHAT_SQUALL / "corpus", "heldout"),
    "conflicts_drizzle": (DRIZZLE / "questions.jsonl", DRIZZLE / "corpus", "heldout"),
    "chat_fog": (CHAT_FOG / "questions.jsonl", CHAT_FOG / "corpus", "heldout"),
    "tatqa_dev": (EVAL / "tatqa_dev" / "questions.jsonl", EVAL / "tatqa_dev" / "corpus", None),
}
HELDOUT = {  # scored once, at the end
    "probe_heldout": (PROBE / "questions.jsonl", PROBE / "corpus", "heldout"),
    "chat_heldout": (CHAT / "questions.jsonl", CHAT / "corpus", "heldout"),
    "conflicts_heldout": (CONFLICTS / "questions.jsonl", CONFLICTS / "corpus", "heldout"),
}
COLUMNS = ("answer_accuracy", "false_refusals", "refusal_accuracy", "citation_recall", "citation_precision",
           "answer_lead_accuracy", "conflict_detection", "median_answer_words", "p50_ms")
SIDES = ("said", "true_first", "false_conflicts")  # conflicts packs, printed below the table


def sides_scored(questions: list[dict], answers: list[dict]) -> dict:
    """What score.py does not measure of disagreements: disagree questions answered "Sources disagree" with
    `conflicts` listing the sides (said) and the true value as the first side (true_first), as shares of
    them; agree and trap questions answered with a conflict (false_conflicts), as a share of those."""
    disagree = [(q, a) for q, a in zip(questions, answers) if q.get("kind") == "disagree"]
    others = [(q, a) for q, a in zip(questions, answers) if q.get("kind") in ("agree", "trap")]
    if not disagree and not others:
        return {}

    def said(a: dict) -> bool:
        return a["answer"].startswith("Sources disagree") and bool(a.get("conflicts"))

    def first(q: dict, a: dict) -> bool:
        sides = (a.get("conflicts") or [{}])[0].get("sides") or [{"value": ""}]
        return any(t.lower() in sides[0]["value"].lower() for t in q["conflict"]["true"])

    return {"said": f"{sum(said(a) for _, a in disagree)}/{len(disagree)}",
            "true_first": f"{sum(said(a) and first(q, a) for q, a in disagree)}/{len(disagree)}",
            "false_conflicts": f"{sum(bool(a.get('conflicts')) for _, a in others)}/{len(others)}"}


def p50(latencies: list[float]) -> float | None:
    """The median as `briefing eval` reports it."""
    latencies = sorted(latencies)
    return round(latencies[len(latencies) // 2], 1) if latencies else None


def median_chars(answers: list[dict]) -> int:
    lengths = sorted(len(a["answer"]) for a in answers)
    return lengths[len(lengths) // 2]


def naive(questions: list[dict], corpus: Path, embeddings) -> dict:
    from chromadb.config import Settings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.score import score
    from index.load import discover

    docs = [Document(p.read_text(encoding="utf-8", errors="replace"), metadata={"source": str(p)})
            for p in discover([corpus])[0]]
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    answers = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Chroma(collection_name="naive", embedding_function=embeddings, persist_directory=tmp,
                       client_settings=Settings(anonymized_telemetry=False))
        store.add_documents(splits)
        for q in questions:
            start = time.perf_counter()
            found = store.similarity_search(q["question"], k=4)
            ms = (time.perf_counter() - start) * 1000
            answers.append({"question": q["question"], "answered": True,
                            "answer": "\n\n".join(d.page_content for d in found),
                            "citations": [{"marker": i, "kind": "text", "text": d.page_content,
                                           "source": d.metadata["source"]} for i, d in enumerate(found, 1)],
                            "timings": {"total_ms": ms}})
    metrics, _ = score(questions, answers)
    return {**metrics, "chunks": len(splits), "p50_ms": p50([a["timings"]["total_ms"] for a in answers]),
            "answer_chars": median_chars(answers)}


def briefing(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"briefing {' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def pack_questions(name: str, packs: dict, tmp: str) -> Path:
    """The pack's questions file, its split alone when it has one."""
    questions, _, split = packs[name]
    if split is None:
        return questions
    path = Path(tmp) / f"{name}.jsonl"
    path.write_text("".join(line + "\n" for line in questions.read_text(encoding="utf-8").splitlines()
                            if line.strip() and json.loads(line).get("split") == split), encoding="utf-8")
    return path


def ours(name: str, packs: dict, embedder: str = "onnx") -> dict:
    from assistant.score import read_jsonl

    _, corpus, _ = packs[name]
    with tempfile.TemporaryDirectory() as tmp:
        questions = pack_questions(name, packs, tmp)
        answers = Path(tmp) / "answers.jsonl"
        briefing("index", str(corpus), "--index-dir", tmp + "/index", "--embedder", embedder, "--json")
        metrics = briefing("eval", str(questions), "--index-dir", tmp + "/index", "--embedder", embedder,
                           "--answers", str(answers), "--json")
        answered = read_jsonl(str(answers))
        return {**metrics, "answer_chars": median_chars(answered),
                **sides_scored(read_jsonl(str(questions)), answered)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--heldout", action="store_true", help="score the held-out splits of the probe and the conflicts set (once, at the end)")
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.add_argument("--embedders", default="onnx", help="Briefing's embedder backends, side by side (onnx,torch)")
    p.add_argument("--packs", help="only these packs, comma-separated")
    args = p.parse_args()

    from assistant.score import read_jsonl
    from index.embed import make_embeddings

    started = time.perf_counter()
    embeddings = make_embeddings()
    embeddings.embed_query("warm up the model")
    packs = HELDOUT if args.heldout else PACKS
    results: dict[str, dict] = {}
    for name, (_, corpus, _) in packs.items():
        if args.packs and name not in args.packs.split(","):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            questions = read_jsonl(str(pack_questions(name, packs, tmp)))
        results[name] = {("briefing" if e == "onnx" else f"briefing-{e}"): ours(name, packs, e)
                         for e in args.embedders.split(",")}
        results[name]["naive"] = naive(questions, corpus, embeddings)
    summary = {"cpus": os.cpu_count(), "packs": results, "seconds": round(time.perf_counter() - started)}
    save("baseline-heldout" if args.heldout else "baseline", summary)
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{'pack':17} {'system':15} {'questions':>9} " + " ".join(COLUMNS))
    for name, systems in results.items():
        for system, m in systems.items():
            cells = " ".join(f"{'-' if m.get(c) is None else m[c]:>{len(c)}}" for c in COLUMNS)
            print(f"{name:17} {system:15} {m['questions']:9d} {cells}")
    for name, systems in results.items():
        if "said" in systems.get("briefing", {}):
            print(f"{name}: " + ", ".join(f"{c} {systems['briefing'][c]}" for c in SIDES))
    print(f"run: {summary['seconds']} s on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
