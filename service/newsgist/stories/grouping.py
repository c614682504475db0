"""Which pages tell the same story: agglomerative grouping of article embeddings.

Each page is one vector, the lead-weighted centroid its summary is built around
(``rank.lead_weighted_centroid``): what the article is mostly about, with the
lead counting most.  Two pages are compared by the cosine of those vectors,
blended with the cosine of their headlines when both have one (outlets
headline the same event alike; two stories on one topic rarely share a
headline):

    similarity(a, b) = (1 - h) * cos(article_a, article_b) + h * cos(headline_a, headline_b)

Pages are then merged by average-linkage agglomeration: the two groups with
the highest mean pairwise similarity are joined while it is at least
``threshold``.  Average linkage, unlike single linkage, does not chain a
quake story to a volcano story through a third page on disasters, and unlike
complete linkage it forgives one outlet's unusual angle.  ``threshold`` and
``h`` were chosen on a labeled set (``bench/digest.py``; docs/digest.md has
the numbers).

Deterministic and independent of page order: pages are visited in the order
of a content key (a hash of their text), and ties go to the earlier pair in
that order, so the same tabs in any order give the same groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..embed import unit_rows

LINKAGES = ("average", "complete", "single")


@dataclass(frozen=True)
class GroupingParams:
    """How similar two pages must be to tell one story (chosen in bench/digest.py)."""

    threshold: float = 0.55
    headline_weight: float = 0.3
    linkage: str = "average"


def page_similarity(articles: np.ndarray, headlines: np.ndarray | None = None,
                    has_headline: Sequence[bool] | None = None,
                    headline_weight: float = 0.3) -> np.ndarray:
    """Pairwise similarity of pages (rows of unit ``articles``), with headlines blended
    in for the pairs where both pages have one."""
    a = unit_rows(articles, np.float64)
    sim = a @ a.T
    if headlines is not None and headline_weight > 0:
        h = unit_rows(headlines, np.float64)
        both = np.asarray(has_headline if has_headline is not None else [True] * len(h), bool)
        pair = np.outer(both, both)
        sim = np.where(pair, (1 - headline_weight) * sim + headline_weight * (h @ h.T), sim)
    return np.clip(sim, -1.0, 1.0)


def group(keys: Sequence[str], similarity: np.ndarray, threshold: float,
          linkage: str = "average") -> list[list[int]]:
    """Groups of page indices (each sorted; groups ordered by their first index).

    ``keys`` are the pages' content keys: they fix the order pages are visited
    in, so the result does not depend on the order the pages came in."""
    if linkage not in LINKAGES:
        raise ValueError(f"linkage must be one of {LINKAGES}")
    n = len(keys)
    sim = np.asarray(similarity, dtype=np.float64)
    if sim.shape != (n, n):
        raise ValueError(f"{n} keys but a {sim.shape} similarity matrix")
    visit = sorted(range(n), key=lambda i: (keys[i], i))
    clusters: list[list[int]] = [[i] for i in visit]
    while len(clusters) > 1:
        best, pair = -np.inf, None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                block = sim[np.ix_(clusters[x], clusters[y])]
                value = (block.mean() if linkage == "average" else
                         block.min() if linkage == "complete" else block.max())
                if value > best + 1e-12:  # strict: ties keep the earlier pair
                    best, pair = value, (x, y)
        if pair is None or best < threshold:
            break
        x, y = pair
        clusters[x] = clusters[x] + clusters.pop(y)
    return sorted((sorted(c) for c in clusters), key=lambda c: c[0])
