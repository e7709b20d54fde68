"""Prompt templates as files (prompts/*.md): front matter declares the variables, `## system` and
`## user` sections hold the messages. Loading validates that the declared and used variables match."""
from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path

from .errors import BriefingError

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(BriefingError):
    """A prompt file that is missing, malformed, or uses variables it does not declare."""


@lru_cache(maxsize=None)
def load_prompt(name: str) -> tuple[str, str, frozenset[str]]:
    """(system text, user template, variables) of prompts/<name>.md."""
    path = PROMPTS / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PromptError(f"cannot read prompt {path}: {e.strerror}") from None
    m = re.match(r"\A---\s*\nvariables:\s*(.*?)\n---\s*\n(.*)\Z", text, re.S)
    if not m:
        raise PromptError(f"{path}: expected front matter with `variables:`")
    declared = frozenset(v.strip() for v in m.group(1).split(",") if v.strip())
    parts = re.split(r"^## (system|user)\s*$", m.group(2), flags=re.M)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"}:
        raise PromptError(f"{path}: needs a `## system` and a `## user` section")
    used = {f for _, f, _, _ in string.Formatter().parse(sections["user"]) if f}
    if used != declared:
        raise PromptError(f"{path}: declares {sorted(declared)} but uses {sorted(used)}")
    return sections["system"], sections["user"], declared


def render(name: str, **values: str) -> list[tuple[str, str]]:
    """Messages for prompts/<name>.md; every declared variable must be given."""
    system, user, declared = load_prompt(name)
    missing = declared - set(values)
    if missing:
        raise PromptError(f"prompt {name}: missing {', '.join(sorted(missing))}")
    return [("system", system), ("human", user.format(**{k: values[k] for k in declared}))]
