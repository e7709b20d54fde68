"""Themes of a briefing: the sections of a single article, or sections of several articles clustered
by their stored vectors (spherical k-means); each named by a heading its points share, their article's
title, or the words its units share that weigh most."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np

from index.lexical import tokenize
from index.stopwords import STOPWORDS
from index.types import Chunk

from .units import Unit


def group_themes(units: list[Unit], chunks: list[Chunk], vectors: np.ndarray, single: bool,
                 k: int) -> list[list[Unit]]:
    """Units grouped by theme, best first: the sections of a single article in its order, or sections
    of several articles clustered by their vectors, the most central cluster first."""
    blocks: dict[tuple[str, int], list[Unit]] = defaultdict(list)
    for u in units:
        blocks[(u.chunk.article_id, u.chunk.section_index)].append(u)
    keys = sorted(blocks, key=lambda b: -max(u.score for u in blocks[b]))
    if not keys:
        return []
    if single:
        groups = [blocks[b] for b in sorted(keys, key=lambda b: b[1])]
    else:
        row = {c.id: i for i, c in enumerate(chunks)}
        x = np.stack([vectors[[row[i] for i in {u.chunk.id for u in blocks[b]}]].mean(axis=0) for b in keys])
        labels = _kmeans(x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-9), min(k, round(math.sqrt(len(keys)))))
        groups = [[u for b, label in zip(keys, labels) if label == n for u in blocks[b]] for n in dict.fromkeys(labels)]
        groups.sort(key=lambda g: -(max(u.score for u in g) + 0.1 * math.log2(len({u.chunk.article_id for u in g}))))
    return [sorted(g, key=lambda u: -u.score) for g in groups]


def _kmeans(x: np.ndarray, k: int, rounds: int = 20) -> list[int]:
    """Spherical k-means, seeded by the first row (the most central block) and then farthest points."""
    k = max(1, min(k, len(x)))
    centers = [0]
    for _ in range(1, k):
        centers.append(int(np.argmin((x @ x[centers].T).max(axis=1))))
    c = x[centers]
    labels = np.zeros(len(x), dtype=int)
    for _ in range(rounds):
        labels = (x @ c.T).argmax(axis=1)
        new = np.stack([x[labels == n].mean(axis=0) if (labels == n).any() else c[n] for n in range(k)])
        new /= np.linalg.norm(new, axis=1, keepdims=True).clip(1e-9)
        if np.allclose(new, c):
            break
        c = new
    return labels.tolist()


def name_theme(points: list[Unit], group: list[Unit], single: bool, idf: dict[str, float]) -> str:
    """A theme's name: the heading most of its points come under, else the title of their one article,
    else the words its units share that weigh most (idf)."""
    heading, n = Counter(u.chunk.section or ("Lead" if single else u.chunk.title) for u in points).most_common(1)[0]
    if single or n * 2 > len(points):
        return heading
    if len({u.chunk.article_id for u in points}) == 1 and points[0].chunk.title:
        return points[0].chunk.title
    df = Counter(w for u in group for w in {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", u.text)}
                 if w not in STOPWORDS)
    weight = {w: n * idf.get(next(iter(tokenize(w)), ""), 0.0) for w, n in df.items()}
    return ", ".join(sorted(weight, key=lambda w: (-weight[w], w))[:3]).capitalize()  # ties: same order every run
