"""Load on the app: N simulated users (each its own gradio_client) ask seed questions through `/ask`
back to back for a fixed time; throughput, p50/p95 latency and errors for each N.

By default it indexes seeds/ into a temporary index and starts `briefing serve` on a free loopback
port in its own process (so the clients do not share its interpreter); `--url` measures a running app.

    python bench/load.py [--users 1,4,16] [--seconds 30] [--url http://127.0.0.1:7860/]
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
import urllib.request
from contextlib import contextmanager, nullcontext
from pathlib import Path

from common import ROOT, save  # bench/ is on sys.path when a bench script runs
QUESTIONS = ROOT.parent / "shared" / "eval" / "seed_dev.jsonl"


def wait_for_app(url: str, proc: subprocess.Popen, seconds: float, failure: str) -> None:
    """Poll the app's API info until it answers; stop with `failure` if the process exits or time runs out."""
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url + "gradio_api/info", timeout=2)
            return
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit(failure)
            time.sleep(0.5)


@contextmanager
def app_server():
    """`briefing index seeds/` into a temporary index, then `briefing serve` on a free loopback port."""
    cli = [sys.executable, "-m", "assistant.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(cli + ["index", "seeds", "--index-dir", tmp], cwd=ROOT, check=True, capture_output=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(cli + ["serve", "--index-dir", tmp, "--port", str(port)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for_app(url, proc, 120, "briefing serve did not come up")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def run_users(url: str, users: int, seconds: float, questions: list[str]) -> dict:
    """`users` clients asking back to back for `seconds`; a request started in time is counted."""
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(users)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter()
    stop = start + seconds

    def user(n: int) -> None:
        for question in itertools.islice(itertools.cycle(questions), n, None):
            if time.perf_counter() >= stop:
                return
            t0 = time.perf_counter()
            try:
                answer = clients[n].predict(question, api_name="/ask")
                error = None if "answered" in answer else f"unexpected reply: {str(answer)[:80]}"
            except Exception as e:  # counted and reported, the run goes on
                error = f"{type(e).__name__}: {str(e)[:80]}"
            with lock:
                if error is None:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors.append(error)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ms = sorted(x * 1000 for x in latencies)
    return {"users": users, "seconds": round(wall, 1), "requests": len(ms), "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5], "throughput_rps": round(len(ms) / wall, 2),
            "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1) if ms else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="1,4,16", help="comma-separated numbers of concurrent users")
    parser.add_argument("--seconds", type=float, default=30, help="how long each level runs")
    parser.add_argument("--url", help="a running app (default: start one over seeds/)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="a .jsonl pack with `question` fields")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    levels = [int(n) for n in args.users.split(",")]
    with (app_server() if args.url is None else nullcontext(args.url)) as url:
        run_users(url, 2, 3, questions)  # warm-up: first requests load lazy parts
        rows = []
        for users in levels:
            rows.append(run_users(url, users, args.seconds, questions))
            r = rows[-1]
            print(f"{users:>3} users: {r['requests']:>5} requests in {r['seconds']:.0f} s, "
                  f"{r['throughput_rps']:.1f}/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, {r['errors']} errors",
                  flush=True)
    path = save("load", {"endpoint": "/ask", "cpus": os.cpu_count(), "questions": len(questions), "levels": rows})
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
