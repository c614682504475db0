"""One summary for a story told by several pages: centroid coverage over all of them.

The story is what its articles say, each as it weighs it: every article keeps
its own lead-weighted sentence weights (``rank.lead_weighted_centroid``:
position times centrality, summing to 1), scaled by ``1/m`` so that each of
the ``m`` outlets counts as much as the others however long it is.  The
summary is then chosen exactly as for one article (``rank.CentroidRanker``):
sentences are added greedily by how much more of that weighted union they
cover,

    coverage(S) = sum_j  w_j * max_{i in S} max(0, cos(v_i, v_j)) ** sharpness,

so a fact every outlet reports covers weight in each of them and comes first,
and a sentence that repeats a chosen one earns nothing.  The same guarantees
hold (it is the same greedy choice, ``CentroidRanker.cover``): only real
sentences (no headings, captions, table cells, list fragments), no fragment
under ``min_words`` words, and never two sentences whose cosine exceeds
``redundancy`` (0.85) -- across outlets too.  A chosen sentence
that other outlets carry in near-identical form (cosine above ``redundancy``)
is credited to them in ``also_in``.  With one article this is exactly
``CentroidRanker.select``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..embed import unit_rows
from ..rank import CentroidRanker, lead_weighted_centroid


@dataclass(frozen=True)
class Pick:
    """A chosen sentence: ``source`` (which article) and ``row`` (which of its sentences),
    its marginal gain ``score``, and the other sources that carry a near-duplicate."""

    source: int
    row: int
    score: float
    also_in: tuple[int, ...]


def story_summary(articles: Sequence[np.ndarray], words: Sequence[Sequence[int]], k: int,
                  ranker: CentroidRanker | None = None,
                  eligible: Sequence[Sequence[bool]] | None = None) -> list[Pick]:
    """The ``k`` sentences that best cover the articles together, in reading order:
    by relative position in their article (leads first), then by source.  Only the
    sentences ``eligible`` marks (per article; the real sentences) may be chosen."""
    ranker = ranker or CentroidRanker()
    parts = [np.asarray(a, dtype=np.float64) for a in articles]
    m = len(parts)
    if m == 0 or k <= 0 or not any(len(p) for p in parts):
        return []
    owner = np.concatenate([np.full(len(p), s) for s, p in enumerate(parts)]).astype(int)
    row = np.concatenate([np.arange(len(p)) for p in parts]).astype(int)
    present = sum(1 for p in parts if len(p))
    weight = np.concatenate([lead_weighted_centroid(p, ranker.position_decay).weight / present
                             if len(p) else np.zeros(0) for p in parts])
    vectors = unit_rows(np.concatenate([p for p in parts if len(p)]), np.float64)
    word_counts = [c for w in words for c in w]
    marks = None if eligible is None else [e for marks in eligible for e in marks]
    allowed = ranker.choosable(len(vectors), word_counts, marks)
    cosine = vectors @ vectors.T
    gains = ranker.cover(cosine, weight, k, allowed)

    sizes = [max(len(p), 1) for p in parts]
    picks = []
    for i in gains:
        others = tuple(int(s) for s in range(m) if s != owner[i] and len(parts[s])
                       and cosine[i, owner == s].max() > ranker.redundancy)
        picks.append(Pick(source=int(owner[i]), row=int(row[i]), score=gains[i], also_in=others))
    return sorted(picks, key=lambda p: (p.row / sizes[p.source], p.source, p.row))

