"""What is new since I last read this story.

1. **The story.**  A page belongs to the story of the pages read in the last
   ``history_story_days`` days when it passes the digest's grouping test
   against them (``stories.grouping``): the mean of its ``page_similarity``
   to a story's recent pages -- average linkage of the page with that group --
   is at least ``GroupingParams.threshold``.  The best such story wins; none
   starts a story of the page's own.
2. **What is new.**  The reader has seen the summary sentences shown for the
   story's earlier pages, nothing else.  The page's own sentences are weighed
   as its summary weighs them (the lead-weighted centroid, ``rank``), and
   each counts as already covered as far as a seen sentence stands for it
   (the summary's ``match``: cosine to the power ``sharpness``).  Then the
   summary's greedy coverage (``CentroidRanker.cover``) picks, among the real
   sentences whose own value is not mostly seen (``min_novelty``: at least 30 %
   of what they would cover is not covered yet) and that restate no seen
   sentence (cosine over ``redundancy``), the ones that cover most of what is
   left.  ``bench/history.py`` measures it on a labelled set of stories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..embed import unit_rows
from ..rank import CentroidRanker, Choice, lead_weighted_centroid
from ..stories.grouping import GroupingParams
from .store import Recent

# A sentence is a candidate for `new` when at least this share of what it would cover
# of its page is not covered by what was shown before.  Chosen in bench/history.py on its
# labelled set (the best or near-best precision and recall with summaries of 3 and of 5).
MIN_NOVELTY = 0.3


@dataclass(frozen=True)
class Earlier:
    """A page of the story read before: what ``since.read`` lists."""

    id: int
    url: str | None
    title: str | None
    read_at: float


def find_story(recent: Sequence[Recent], vector: np.ndarray, headline: np.ndarray | None,
               params: GroupingParams | None = None) -> tuple[int | None, list[Recent]]:
    """The story (its id) the page of ``vector`` and ``headline`` belongs to among the
    ``recent`` entries, and that story's recent entries (newest first); (None, [])
    when it passes the grouping test with none."""
    params = params or GroupingParams()
    if not recent:
        return None, []
    usable = [r for r in recent if len(r.vector) == len(vector)]
    if not usable:
        return None, []
    similarity = similarity_to(vector, headline, [r.vector for r in usable],
                               [r.headline for r in usable], params.headline_weight)
    # Each story's mean similarity (average linkage); ties go to the oldest story.
    stories, owner = np.unique([r.story for r in usable], return_inverse=True)
    mean = np.bincount(owner, weights=similarity) / np.bincount(owner)
    best = int(np.argmax(np.round(mean, 12)))
    if mean[best] < params.threshold:
        return None, []
    return int(stories[best]), [r for n, r in enumerate(usable) if owner[n] == best]


def similarity_to(vector: np.ndarray, headline: np.ndarray | None,
                  vectors: Sequence[np.ndarray], headlines: Sequence[np.ndarray | None],
                  headline_weight: float) -> np.ndarray:
    """``grouping.page_similarity`` of one page to each of the others, without the
    others' pairwise similarities (a row, not a matrix: 500 recent pages cost 1/500th)."""
    dim = len(vector)
    unit = lambda m: _unit_rows(np.asarray(m, np.float64).reshape(-1, dim))  # noqa: E731
    sim = unit(np.stack(vectors)) @ unit(vector)[0]
    has = np.array([h is not None and len(h) == dim for h in headlines], bool)
    if headline is not None and headline_weight > 0 and has.any():
        heads = unit(np.stack([h if ok else np.zeros(dim) for h, ok in zip(headlines, has)]))
        blended = (1 - headline_weight) * sim + headline_weight * (heads @ unit(headline)[0])
        sim = np.where(has, blended, sim)
    return np.clip(sim, -1.0, 1.0)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def new_sentences(ranker: CentroidRanker, vectors: np.ndarray, seen: np.ndarray | None,
                  k: int, words: Sequence[int], eligible: Sequence[bool],
                  min_novelty: float = MIN_NOVELTY) -> list[Choice]:
    """Up to ``k`` of the page's sentences (rows of ``vectors``, in article order) that
    add most of what the ``seen`` sentence vectors do not cover, in article order.
    ``score`` is the share of the page each adds beyond what was seen."""
    units = unit_rows(vectors, np.float64)
    n = len(units)
    if n == 0 or k <= 0:
        return []
    centroid = lead_weighted_centroid(units, ranker.position_decay)
    cosine = units @ units.T
    match = np.clip(cosine, 0.0, 1.0) ** float(ranker.sharpness)
    np.fill_diagonal(match, 1.0)
    allowed = ranker.choosable(n, words, eligible) & np.asarray(list(eligible), bool)
    covered = np.zeros(n)
    if seen is not None and len(seen):
        against = units @ unit_rows(seen, np.float64).T      # page sentence x seen sentence
        covered = (np.clip(against, 0.0, 1.0) ** float(ranker.sharpness)).max(axis=1)
        allowed &= against.max(axis=1) <= ranker.redundancy
    own = match @ centroid.weight
    unseen = np.maximum(match - covered, 0.0) @ centroid.weight
    with np.errstate(invalid="ignore", divide="ignore"):
        novelty = np.where(own > 0, unseen / own, 0.0)
    allowed &= novelty >= min_novelty
    gains = ranker.cover(cosine, centroid.weight, k, allowed, covered=covered)
    similarity = units @ centroid.vector
    return [Choice(index=i, score=gains[i], similarity=float(similarity[i]),
                   position_weight=float(centroid.position[i])) for i in sorted(gains)]
