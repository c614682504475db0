"""Stage 4: sentence embeddings -> the sentences that carry the article.

Centroid-based extractive summarization with sentence embeddings, after
Rossiello, Basile & Semeraro (2017), "Centroid-based Text Summarization
through Compositionality of Word Embeddings" (MultiLing workshop, EACL), with
sentence-transformer embeddings in place of summed word vectors:

1. the centroid is the mean of the unit sentence embeddings: the direction
   of what the article is about;
2. each sentence's similarity is its cosine to the centroid;
3. a position prior adds ``position_prior / (1 + position)``: news is written
   lead-first, so of two sentences equally close to the centroid the earlier
   one is the better summary sentence;
4. sentences are taken greedily by score, skipping any whose cosine to an
   already chosen one exceeds ``redundancy`` (a near-duplicate adds nothing),
   and fragments too short to stand alone;
5. the chosen sentences come back in article order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Choice:
    """One chosen sentence and why: ``score = similarity + position_weight``."""

    index: int
    score: float
    similarity: float
    position_weight: float


@dataclass(frozen=True)
class CentroidRanker:
    position_prior: float = 0.5
    redundancy: float = 0.85
    min_words: int = 5

    def select(self, embeddings: np.ndarray, k: int,
               words: Sequence[int] | None = None) -> list[Choice]:
        """The ``min(k, n)`` best sentences, in article order."""
        n = len(embeddings)
        if n == 0 or k <= 0:
            return []
        vectors = np.asarray(embeddings, dtype=np.float32)
        centroid = vectors.mean(axis=0)
        norm = float(np.linalg.norm(centroid))
        similarity = vectors @ (centroid / norm) if norm > 0 else np.zeros(n, dtype=np.float32)
        position = self.position_prior / (1.0 + np.arange(n, dtype=np.float32))
        score = similarity + position
        order = sorted(range(n), key=lambda i: (-score[i], i))
        words = list(words) if words is not None else [self.min_words] * n

        chosen: list[int] = []
        # First pass: full sentences that add something new.  Second pass (only
        # for short or repetitive articles): whatever is left, so exactly
        # min(k, n) sentences come back.
        for strict in (True, False):
            for i in order:
                if len(chosen) >= k:
                    break
                if i in chosen:
                    continue
                if strict and (words[i] < self.min_words or self._redundant(vectors, i, chosen)):
                    continue
                chosen.append(i)
        return [Choice(index=i, score=float(score[i]), similarity=float(similarity[i]),
                       position_weight=float(position[i])) for i in sorted(chosen)]

    def _redundant(self, vectors: np.ndarray, i: int, chosen: list[int]) -> bool:
        return bool(chosen) and float(np.max(vectors[chosen] @ vectors[i])) > self.redundancy
