"""Where sources disagree, in briefings: for each story of the conflicts sets, a grounded briefing on the
story's topic, scored against what the set says its articles disagree on.

  found      disagreeing stories whose briefing lists a disagreement holding a true and a false value of a
             disputed fact (of the set's questions)
  others     further disagreements in those briefings (about facts the articles do not dispute)
  false      briefings of stories whose sources agree (and of trap stories: two facts that look alike) that
             list any disagreement

A story's topic is its briefings.jsonl line where the set has one (written with the set); else the words
its corpus file names share after the story number ("03-corvale-arena-cost-<outlet>.md": "corvale arena
cost"), and its kind and disputed values come from its questions (the story is the one whose corpus holds
a question's evidence). Sets: conflicts (all its questions), conflicts_fresh, conflicts_final,
conflicts_late, conflicts_blind, conflicts_sealed, conflicts_unseen, conflicts_hidden, conflicts_kept, conflicts_spare and
conflicts_reserve, conflicts_winter, conflicts_thaw, conflicts_dawn, conflicts_frost, conflicts_gale, conflicts_haze,
conflicts_mist, conflicts_sleet, conflicts_rime, conflicts_glaze and conflicts_drizzle (developed on, each after its one
held-out scoring); `--heldout`: none now (each new set is held out until its one scoring, then moves to DEVELOPED).

    python bench/disputes.py [--heldout] [--sets conflicts,conflicts_blind] [-v]
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from common import ROOT, save  # bench/ is on sys.path when a bench script runs

DATA = ROOT / "tests" / "data"
DEVELOPED = ("conflicts", "conflicts_fresh", "conflicts_final", "conflicts_late", "conflicts_blind", "conflicts_sealed",
             "conflicts_unseen", "conflicts_hidden", "conflicts_kept", "conflicts_spare", "conflicts_reserve",
             "conflicts_winter", "conflicts_thaw", "conflicts_dawn", "conflicts_frost", "conflicts_gale", "conflicts_haze",
             "conflicts_mist", "conflicts_sleet", "conflicts_rime", "conflicts_glaze", "conflicts_drizzle")
HELDOUT: tuple[str, ...] = ()


def stories(folder: Path) -> list[dict]:
    """Each story of a set: {"topic", "kind", "disputed": [(true values, false values)]}."""
    if (folder / "briefings.jsonl").exists():
        lines = [json.loads(line) for line in (folder / "briefings.jsonl").read_text().splitlines() if line.strip()]
        return [{"topic": b["topic"], "kind": b["kind"], "disputed": [([t], [f]) for t, f in b["disputed"]]}
                for b in lines]
    files = sorted((folder / "corpus").glob("*.md"))
    text = {f: f.read_text(encoding="utf-8").lower() for f in files}
    by_story: dict[str, list[Path]] = defaultdict(list)
    for f in files:
        by_story[f.name.split("-")[0]].append(f)
    kind: dict[str, str] = {}
    disputed: dict[str, list] = defaultdict(list)
    for line in (folder / "questions.jsonl").read_text().splitlines():
        q = json.loads(line)
        contains = (q.get("evidence") or [{}])[0].get("contains", "").lower()
        story = next((f.name.split("-")[0] for f in files if contains and contains in text[f]), None)
        if story is None:
            continue
        if q.get("kind") == "disagree":
            kind[story] = "disagree"
            disputed[story].append((q["conflict"]["true"], q["conflict"]["false"]))
        else:
            kind.setdefault(story, q.get("kind", "agree"))
    out = []
    for story, members in sorted(by_story.items()):
        if story not in kind:
            continue
        names = [m.stem.split("-")[1:] for m in members]
        common = []
        for parts in zip(*names):
            if len(set(parts)) > 1:
                break
            common.append(parts[0])
        out.append({"topic": " ".join(common or names[0][:2]), "kind": kind[story], "disputed": disputed[story]})
    return out


def holds(values: list[str], options: list[str]) -> bool:
    """A value shown is one of the options: as written, or the same figure or date in another spelling ("£71m" for
    "£71 million", as the issue asks near-equal answers to be one answer)."""
    from assistant.conflicts import value_key
    from assistant.textscan import MONTH

    def same(v: str, o: str) -> bool:
        if o.lower() in v.lower():
            return True
        if not (re.search(r"\d", v) and re.search(r"\d", o)):
            return False
        kind = "date" if re.search(rf"\b{MONTH}\b", o) and re.search(rf"\b{MONTH}\b", v) else "amount"
        return value_key(v, kind) == value_key(o, kind)

    return any(same(v, o) for v in values for o in options)


def score(briefer, folder: Path, verbose: bool) -> dict:
    found = others = false = disagreeing = agreeing = 0
    start = time.perf_counter()
    for story in stories(folder):
        shown = [[v for v, _ in c.values] for c in briefer.brief(story["topic"], words=300).disagreements]
        if story["kind"] == "disagree":
            disagreeing += 1
            hits = [values for values in shown if any(holds(values, t) and holds(values, f) for t, f in story["disputed"])]
            found += bool(hits)
            others += len(shown) - len(hits)
            ok = bool(hits)
        else:
            agreeing += 1
            false += bool(shown)
            ok = not shown
        if verbose:
            print(f"  {'ok' if ok else '!!'} {story['kind']:8} {story['topic']!r}: {shown}")
    n = disagreeing + agreeing
    return {"found": f"{found}/{disagreeing}", "others": others, "false": f"{false}/{agreeing}",
            "ms_per_briefing": round((time.perf_counter() - start) * 1000 / max(n, 1))}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--heldout", action="store_true", help="score the held-out set (once, at the end)")
    p.add_argument("--sets", help="only these sets, comma-separated")
    p.add_argument("-v", "--verbose", action="store_true", help="each briefing's disagreements")
    args = p.parse_args()
    from assistant.brief import Briefer
    from index.embed import make_embeddings
    from index.indexer import run_index
    from index.store import Store

    embeddings = make_embeddings()
    names = args.sets.split(",") if args.sets else HELDOUT if args.heldout else DEVELOPED
    results = {}
    for name in names:
        folder = DATA / name
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp))
            run_index(store, [folder / "corpus"], lambda: embeddings, max_bytes=20 * 2**20)
            results[name] = score(Briefer(store, embeddings), folder, args.verbose)
            store.client.close()
        print(f"{name:18} disputes found {results[name]['found']:6} others {results[name]['others']:3} "
              f"agreeing stories with one {results[name]['false']:6} {results[name]['ms_per_briefing']} ms/briefing")
    save("disputes" + ("_heldout" if args.heldout else ""), results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
