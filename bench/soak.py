"""Soak: N simulated users (each its own gradio_client) ask questions through `/ask` back to back for
several minutes while another client uploads batches of articles through `/index`; requests, errors,
throughput and p50/p95 latency per minute and overall, the uploads (files, chunks, indexing time),
and the app's memory (RSS from /proc, sampled every few seconds) over time.

It indexes seeds/ into a temporary index and starts `briefing serve` on a free loopback port in its
own process (the clients never share its interpreter, and its RSS is its own). The questions are the
seed dev pack's, then TAT-QA questions about the reports being uploaded (declined until their report
is in, answered after). Results go to bench/results/soak.json.

    python bench/soak.py [--users 16] [--minutes 5] [--upload-every 20] [--upload-files 10] [--json]
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from common import EVAL, ROOT, save
from load import wait_for_app  # bench/ is on sys.path when a bench script runs

SEED_QUESTIONS = EVAL / "seed_dev.jsonl"
TATQA = EVAL / "tatqa_dev"
MIB = 2**20


@contextmanager
def app_server(log: Path):
    """`briefing index seeds/` into a temporary index, then `briefing serve` on a free loopback port:
    yields (url, pid of the app process, chunks in the index)."""
    cli = [sys.executable, "-m", "assistant.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        indexed = subprocess.run(cli + ["index", "seeds", "--index-dir", tmp, "--json"], cwd=ROOT, check=True,
                                 capture_output=True, text=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(log, "w") as out:
            proc = subprocess.Popen(cli + ["serve", "--index-dir", tmp, "--port", str(port)], cwd=ROOT,
                                    stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for_app(url, proc, 180, f"briefing serve did not come up; see {log}")
            yield url, proc.pid, json.loads(indexed.stdout)["chunks"]
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def percentile(values: list[float], q: float) -> float | None:
    ms = sorted(values)
    return round(ms[min(len(ms) - 1, int(q * len(ms)))], 1) if ms else None


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (x, y) points, y per unit of x."""
    if len(points) < 2:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else None


def questions_and_uploads(upload_files: int, batches: int) -> tuple[list[str], list[list[Path]]]:
    """Seed questions, then questions about the reports to upload (interleaved); the upload batches."""
    seeds = [json.loads(line)["question"] for line in SEED_QUESTIONS.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    reports = sorted((TATQA / "corpus").glob("*.md"))[:upload_files * batches]
    batched = [reports[i:i + upload_files] for i in range(0, len(reports), upload_files)]
    names = {p.name for p in reports}
    pack = [json.loads(line) for line in (TATQA / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    about = [q["question"] for q in pack if q.get("meta", {}).get("article") in names][:4 * len(seeds)]
    mixed = [q for pair in itertools.zip_longest(seeds * 4, about) for q in pair if q]
    return mixed, batched


class Soak:
    """The users, the uploader and the memory sampler, each a thread, for `seconds`."""

    def __init__(self, url: str, pid: int, users: int, seconds: float, questions: list[str],
                 batches: list[list[Path]], upload_every: float, sample_every: float):
        self.url, self.pid, self.users, self.seconds = url, pid, users, seconds
        self.questions, self.batches = questions, batches
        self.upload_every, self.sample_every = upload_every, sample_every
        self.requests: list[tuple[float, float]] = []  # (start, s after the run began; latency, ms)
        self.errors: list[tuple[float, str]] = []
        self.answered = 0
        self.uploads: list[dict] = []
        self.memory: list[tuple[float, float]] = []  # (seconds from the start, RSS MiB)
        self.lock = threading.Lock()

    def run(self) -> None:
        from gradio_client import Client

        clients = [Client(self.url, verbose=False) for _ in range(self.users)]
        self.memory.append((0.0, rss_mib(self.pid)))
        self.load_before = os.getloadavg()
        self.start = time.perf_counter()
        self.stop = self.start + self.seconds
        threads = [threading.Thread(target=self.user, args=(n, clients[n])) for n in range(self.users)]
        threads += [threading.Thread(target=self.uploader), threading.Thread(target=self.sampler)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.wall = time.perf_counter() - self.start
        self.memory.append((self.wall, rss_mib(self.pid)))

    def user(self, n: int, client) -> None:
        for question in itertools.islice(itertools.cycle(self.questions), n * 7, None):
            t0 = time.perf_counter()
            if t0 >= self.stop:
                return
            try:
                answer = client.predict(question, api_name="/ask")
                ok = isinstance(answer, dict) and "answered" in answer
                error = None if ok else f"unexpected reply: {str(answer)[:80]}"
            except Exception as e:  # counted and reported, the run goes on
                error = f"{type(e).__name__}: {str(e)[:120]}"
            with self.lock:
                if error is None:
                    self.requests.append((t0 - self.start, (time.perf_counter() - t0) * 1000))
                    self.answered += bool(answer["answered"])
                else:
                    self.errors.append((t0 - self.start, error))

    def uploader(self) -> None:
        from gradio_client import Client, handle_file

        client = Client(self.url, verbose=False)
        for n, batch in enumerate(self.batches):
            due = self.start + (n + 1) * self.upload_every
            while time.perf_counter() < due:
                time.sleep(0.2)
            if due >= self.stop:
                return
            t0 = time.perf_counter()
            try:
                report = client.predict([handle_file(str(p)) for p in batch], api_name="/index")
            except Exception as e:
                with self.lock:
                    self.errors.append((t0 - self.start, f"/index {type(e).__name__}: {str(e)[:120]}"))
                continue
            wall = time.perf_counter() - t0
            self.uploads.append({"at_s": round(t0 - self.start, 1), "files": len(batch), "added": report["added"],
                                 "skipped": len(report["skipped"]), "index_chunks": report["chunks"],
                                 "index_s": report["seconds"], "wall_s": round(wall, 2)})

    def sampler(self) -> None:
        while time.perf_counter() < self.stop:
            time.sleep(self.sample_every)
            with self.lock:
                self.memory.append((time.perf_counter() - self.start, rss_mib(self.pid)))

    def summary(self, seed_chunks: int) -> dict:
        def window(lo: float, hi: float) -> dict:
            lat = [ms for t, ms in self.requests if lo <= t < hi]
            errs = sum(lo <= t < hi for t, _ in self.errors)
            span = min(hi, self.wall) - lo
            rss = [m for t, m in self.memory if lo <= t < hi + 0.01]
            ups = [u for u in self.uploads if lo <= u["at_s"] < hi]
            return {"requests": len(lat), "errors": errs,
                    "throughput_rps": round(len(lat) / span, 2) if span > 0 else None,
                    "p50_ms": percentile(lat, 0.5), "p95_ms": percentile(lat, 0.95),
                    "rss_mib_max": round(max(rss), 1) if rss else None,
                    "uploads": len(ups), "files": sum(u["files"] for u in ups)}

        minutes = [dict(minute=m + 1, **window(60 * m, 60 * (m + 1))) for m in range(int(-(-self.seconds // 60)))]
        last = max(60.0, self.seconds / 2)  # slope over the last half (at least the last minute)
        tail = [(t / 60, m) for t, m in self.memory if t >= self.wall - last]
        prev_chunks = seed_chunks
        for u in self.uploads:
            u["chunks"], prev_chunks = u["index_chunks"] - prev_chunks, u["index_chunks"]
        all_lat = [ms for _, ms in self.requests]
        busy = [(u["at_s"], u["at_s"] + u["wall_s"]) for u in self.uploads]
        during = [ms for t, ms in self.requests if any(lo <= t < hi for lo, hi in busy)]
        between = [ms for t, ms in self.requests if not any(lo <= t < hi for lo, hi in busy)]
        return {
            "users": self.users, "seconds": round(self.wall, 1), "cpus": os.cpu_count(),
            "load_average": {"before": [round(x, 2) for x in self.load_before],
                             "after": [round(x, 2) for x in os.getloadavg()]},
            "requests": len(all_lat), "errors": len(self.errors),
            "error_kinds": sorted({e for _, e in self.errors})[:5], "answered": self.answered,
            "throughput_rps": round(len(all_lat) / self.wall, 2),
            "p50_ms": percentile(all_lat, 0.5), "p95_ms": percentile(all_lat, 0.95),
            "max_ms": round(max(all_lat), 1) if all_lat else None,
            "while_indexing": {"requests": len(during), "p50_ms": percentile(during, 0.5),
                               "p95_ms": percentile(during, 0.95)},
            "otherwise": {"requests": len(between), "p50_ms": percentile(between, 0.5),
                          "p95_ms": percentile(between, 0.95)},
            "minutes": minutes,
            "uploads": {"batches": len(self.uploads), "files": sum(u["files"] for u in self.uploads),
                        "added": sum(u["added"] for u in self.uploads),
                        "chunks": sum(u["chunks"] for u in self.uploads),
                        "index_s": round(sum(u["index_s"] for u in self.uploads), 1),
                        "index_s_p50": percentile([u["index_s"] for u in self.uploads], 0.5),
                        "index_s_max": max((u["index_s"] for u in self.uploads), default=None),
                        "each": self.uploads},
            "memory": {"sample_every_s": self.sample_every, "start_mib": round(self.memory[0][1], 1),
                       "max_mib": round(max(m for _, m in self.memory), 1), "end_mib": round(self.memory[-1][1], 1),
                       "slope_last_mib_per_min": round(s, 2) if (s := slope(tail)) is not None else None,
                       "slope_window_s": round(last),
                       "samples": [(round(t, 1), round(m, 1)) for t, m in self.memory]},
        }


def print_table(r: dict) -> None:
    load = r["load_average"]
    print(f"{r['users']} users, {r['seconds']:.0f} s, {r['cpus']} CPUs (1-min load average {load['before'][0]} "
          f"before, {load['after'][0]} after): {r['requests']} requests, {r['errors']} errors, "
          f"{r['throughput_rps']}/s, "
          f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms; {r['answered']} answered")
    print(f"{'min':>3} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'RSS max':>8} "
          f"{'uploads':>7} {'files':>5}")
    for m in r["minutes"]:
        print(f"{m['minute']:>3} {m['requests']:>8} {m['errors']:>6} {m['throughput_rps']:>6} {m['p50_ms']!s:>7} "
              f"{m['p95_ms']!s:>7} {m['rss_mib_max']!s:>8} {m['uploads']:>7} {m['files']:>5}")
    u, mem = r["uploads"], r["memory"]
    w, o = r["while_indexing"], r["otherwise"]
    print(f"asked while an upload was being indexed: {w['requests']} requests, p50 {w['p50_ms']} ms, "
          f"p95 {w['p95_ms']} ms; otherwise {o['requests']}, p50 {o['p50_ms']} ms, p95 {o['p95_ms']} ms")
    print(f"uploads: {u['batches']} batches, {u['files']} files ({u['added']} added), {u['chunks']} chunks; "
          f"indexing {u['index_s']} s in all, p50 {u['index_s_p50']} s, max {u['index_s_max']} s per batch")
    print(f"app RSS: start {mem['start_mib']} MiB, max {mem['max_mib']} MiB, end {mem['end_mib']} MiB; "
          f"slope over the last {mem['slope_window_s']} s: {mem['slope_last_mib_per_min']} MiB/min")
    for e in r["error_kinds"]:
        print(f"  error: {e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated users (default 16)")
    parser.add_argument("--minutes", type=float, default=5, help="how long the soak runs (default 5)")
    parser.add_argument("--upload-every", type=float, default=20, help="seconds between uploads (default 20)")
    parser.add_argument("--upload-files", type=int, default=10, help="TAT-QA reports per upload (default 10)")
    parser.add_argument("--sample-every", type=float, default=3, help="seconds between RSS samples (default 3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    args = parser.parse_args()
    seconds = args.minutes * 60
    batches = int(seconds // args.upload_every)
    questions, uploads = questions_and_uploads(args.upload_files, batches)
    log = Path(tempfile.gettempdir()) / f"briefing-soak-{os.getpid()}.log"
    with app_server(log) as (url, pid, seed_chunks):
        from gradio_client import Client

        warm = Client(url, verbose=False)
        for q in questions[:4]:  # warm-up: the first requests load lazy parts (lexical index, tokenizers)
            warm.predict(q, api_name="/ask")
        soak = Soak(url, pid, args.users, seconds, questions, uploads, args.upload_every, args.sample_every)
        soak.run()
    tracebacks = log.read_text(errors="replace").count("Traceback")
    result = soak.summary(seed_chunks)
    result["app_tracebacks"] = tracebacks
    result["questions"] = len(questions)
    path = save("soak", result)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)
        print(f"app tracebacks in its log: {tracebacks}; written to {path.relative_to(ROOT)}")
    if tracebacks:
        print(f"the app's log is kept: {log}", file=sys.stderr)
    else:
        log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
