"""Stage 4: sentence embeddings -> the sentences that carry the article.

A centroid-embedding summarizer in the line of Radev et al. (2004) and
Rossiello, Basile & Semeraro (2017, "Centroid-based Text Summarization through
Compositionality of Word Embeddings"), with sentence-transformer embeddings,
two changes measured on CNN/DailyMail (``python bench/rouge.py``;
docs/method.md has the numbers) and nothing trained:

1. **A lead-weighted centroid.**  News is written lead-first (the inverted
   pyramid), so the article is not the plain mean of its sentences: sentence
   ``j`` (0-based) has the position weight ``p_j = (1 + j) ** -position_decay``
   -- with the default ``position_decay = 1`` the harmonic (Zipf) decay, which
   needs no tuning: the first sentence counts twice as much as the second, the
   tenth a tenth as much.  And a sentence matters to the article as much as
   the article is about it: its centrality ``d_j`` is its mean cosine to the
   other sentences (negatives as 0; degree centrality, as in LexRank), so an
   off-topic line near the top -- a teaser, a stray caption -- weighs little.
   Sentence ``j``'s weight in the centroid is ``w_j = p_j * d_j``, normalised
   to sum to 1 (position alone if every ``d_j`` is 0).  ``p_j`` (normalised)
   is reported as ``position_weight``; each sentence's cosine to the weighted
   mean embedding ``c = sum_j w_j v_j / |sum_j w_j v_j|`` as ``similarity``
   (the "centroid similarity").

2. **Coverage of the centroid instead of a score per sentence.**  The centroid
   is treated as what it is made of -- the article's sentences with their
   weights -- and a summary ``S`` is worth how much of that weight it covers:

       coverage(S) = sum_j  w_j * max_{i in S} match(i, j),
       match(i, j) = max(0, cos(v_i, v_j)) ** sharpness.

   For a single sentence this is its weighted similarity to the article
   (the centroid score, with the sentence covering itself fully, so an early
   sentence starts ahead exactly as much as its weight says).  For a summary,
   a sentence only earns what the others do not cover yet, so redundancy is
   priced in rather than cut at a threshold.  ``coverage`` is monotone
   submodular (a weighted facility-location function; Lin & Bilmes, 2011), and
   sentences are added greedily by marginal gain -- the standard (1 - 1/e)
   approximation of the best set.  Each sentence's ``score`` is that marginal
   gain when it was chosen: the share of the (lead-weighted) article it adds,
   between 0 and 1; the scores of a summary add up to its coverage.
   ``sharpness`` (default 2) sets how close two sentences must be for one to
   stand for the other: at 1 any topical relatedness counts as coverage; at
   2 a cosine of 0.5 counts a quarter, so only close restatements count much.

3. Guarantees for the reader, not tuned: only the sentences the caller
   marks ``eligible`` may be chosen (the pipeline marks the real sentences:
   no headings, captions, table cells, list fragments or lines without a
   final stop, see ``real_sentences``); the others still count as part of
   the article, in the centroid and as what a summary covers.  A sentence of
   fewer than
   ``min_words`` (5) words is a fragment (a dateline, "Scroll down for
   video.", a photo credit) and is never chosen; nor is one whose cosine to an
   already chosen sentence exceeds ``redundancy`` (0.85: a near-duplicate,
   e.g. a caption that repeats the lead).  On the dev set the coverage
   objective alone never picked such a near-duplicate pair, so ``redundancy``
   is a safety net; the fragment rule changes 7 of the 500 summaries.
   So ``min(k, n)`` sentences come back, fewer only when the article has fewer
   eligible sentences that pass these two tests; when every eligible sentence
   is a fragment, the fragments are summarized rather than nothing.  Ties go to the
   earlier sentence, so the result is deterministic.

4. The chosen sentences come back in article order.

5. **Pages built of sections** (guides, lists, explainers, reports; the
   pipeline passes ``sections`` only for a page with at least three body
   sections, ``document.Article.is_sectioned``).  There the summary is not the
   introduction: position restarts in each section (the first sentences of a
   section carry it, as the first sentences of a story do), and each section
   gets a share of the article's weight -- ``section_share``: alike for every
   body section, the introduction ``intro_share`` times as much -- spread over
   its sentences by the same harmonic decay.  Sentences of furniture sections
   (section ``-1``: "Related", "Comments") weigh nothing and are never chosen.
   The coverage objective then spreads the summary over the sections by
   itself.  After HipoRank (Dong, Mircea & Cheung, EACL 2021: "Discourse-Aware
   Unsupervised Summarization of Long Scientific Documents"), whose
   hierarchical, section-aware positions this follows; the shares were chosen
   on half of the sectioned dev set (``bench/sections.py``, docs/method.md).
   A page without sections takes exactly the path above, unchanged.

Measured and left out (docs/method.md): position priors added to each
sentence's cosine (they rise towards LEAD-3 as the prior grows and at best
tie it), maximal marginal relevance, the cosine of the summed summary to the
centroid, the plain mean as centroid, length normalisation of the gain,
skipping quotes and questions, and TF-IDF similarity.  Centrality in the
weights was added for articles with an off-topic line near the top; on the
tuning half it moved ROUGE by +0.04 to +0.17 (docs/method.md).  The title cannot be
measured on the dev set (it has none) and is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .embed import unit_rows


@dataclass(frozen=True)
class Choice:
    """One chosen sentence and why.

    ``score``: the share of the lead-weighted article this sentence added to the
    summary's coverage when it was chosen (0..1; a summary's scores sum to its
    coverage).  ``similarity``: its cosine to the lead-weighted centroid.
    ``position_weight``: its position weight ``p_i`` (normalised over the
    article; its weight in the centroid is that times its centrality).
    """

    index: int
    score: float
    similarity: float
    position_weight: float


@dataclass(frozen=True)
class CentroidRanker:
    """Lead-weighted centroid coverage; the parameters are explained in the module doc."""

    position_decay: float = 1.0
    sharpness: float = 2.0
    redundancy: float = 0.85
    min_words: int = 5
    # Whether sentences that may not be chosen still weigh in the centroid (measured:
    # docs/method.md); False gives them no weight, so a summary need not cover them.
    ineligible_in_centroid: bool = True
    # Pages built of sections (module doc, point 5): the introduction's share of the
    # article's weight is this many times a body section's; a section's share grows
    # with its sentence count to this power (0: every section alike).  Measured on the
    # tuning half of the sectioned dev set (docs/method.md): alike sections and the
    # story's decay restarting in each beat length-weighted shares and a steeper decay;
    # the introduction's share made no difference there (the papers have none), and
    # is 2 so that a web page's introduction, which says what the page is for, stays
    # strong.
    intro_share: float = 2.0
    section_length_power: float = 0.0
    # ... and a choice from a section not yet in the summary earns this much more
    # (Lin & Bilmes' diversity reward over sections; 0: coverage alone).
    section_diversity: float = 0.0

    def select(self, embeddings: np.ndarray, k: int, words: Sequence[int] | None = None,
               eligible: Sequence[bool] | None = None,
               sections: Sequence[int] | None = None) -> list[Choice]:
        """The ``k`` sentences that best cover the article, in article order; only those
        ``eligible`` marks (all when None or when it marks none) may be chosen.
        ``sections``: each sentence's section (0 the introduction, -1 furniture) on a
        page built of sections (module doc, point 5); None reads the page as a story."""
        vectors = unit_rows(embeddings, np.float64)
        n = len(vectors)
        if n == 0 or k <= 0:
            return []
        allowed = self.choosable(n, words, eligible)
        position = owner = None
        if sections is not None:
            owner = self._section_ids(sections, n)
            allowed &= owner >= 0
            if not allowed.any():
                return []
            position = section_positions(owner, self.position_decay, self.intro_share,
                                         self.section_length_power)
        centroid = lead_weighted_centroid(
            vectors, self.position_decay, only=None if self.ineligible_in_centroid else allowed,
            position=position)
        position, weight = centroid.position, centroid.weight
        similarity = vectors @ centroid.vector
        cosine = vectors @ vectors.T

        gains = self.cover(cosine, weight, k, allowed, owner)
        return [Choice(index=i, score=gains[i], similarity=float(similarity[i]),
                       position_weight=float(position[i])) for i in sorted(gains)]

    def representatives(self, embeddings: np.ndarray, sections: Sequence[int],
                        words: Sequence[int] | None = None,
                        eligible: Sequence[bool] | None = None) -> dict[int, Choice]:
        """For each section (id >= 0), the one eligible sentence that best stands for
        it: the best cover of the section alone, read as a story of its own (its own
        lead-weighted centroid).  A section with no eligible sentence of at least
        ``min_words`` words has none.  ``score``, ``similarity`` and ``position_weight``
        are within the section."""
        vectors = unit_rows(embeddings, np.float64)
        n = len(vectors)
        owner = self._section_ids(sections, n)
        allowed = self._eligible(n, eligible)
        if words is not None:
            allowed &= np.asarray(list(words), dtype=float) >= self.min_words
        found: dict[int, Choice] = {}
        for section in sorted(set(owner[allowed].tolist())):
            if section < 0:
                continue
            members = np.flatnonzero(owner == section)
            inner = vectors[members]
            centroid = lead_weighted_centroid(inner, self.position_decay)
            gains = self.cover(inner @ inner.T, centroid.weight, 1, allowed[members])
            for local, gain in gains.items():
                found[section] = Choice(index=int(members[local]), score=gain,
                                        similarity=float(inner[local] @ centroid.vector),
                                        position_weight=float(centroid.position[local]))
        return found

    @staticmethod
    def _section_ids(sections: Sequence[int], n: int) -> np.ndarray:
        owner = np.asarray(list(sections), dtype=int)
        if len(owner) != n:
            raise ValueError(f"{n} embeddings but {len(owner)} section ids")
        return owner

    def cover(self, cosine: np.ndarray, weight: np.ndarray, k: int,
              allowed: np.ndarray, groups: np.ndarray | None = None) -> dict[int, float]:
        """The greedy coverage choice (module doc, point 2) over sentences with pairwise
        ``cosine`` and centroid ``weight``: up to ``k`` of the ``allowed`` ones, none
        closer than ``redundancy`` to another; each chosen index with its marginal gain,
        in the order chosen.  One article's sentences here, or a story's, across pages.
        With ``groups`` (each sentence's section), the choice also earns
        ``section_diversity`` times Lin & Bilmes' diversity reward (module doc, point 5);
        the gains reported stay the coverage gains."""
        match = np.clip(cosine, 0.0, 1.0) ** float(self.sharpness)
        np.fill_diagonal(match, 1.0)   # a sentence always stands for itself (zero rows too)
        covered = np.zeros(len(weight))
        chosen: list[int] = []
        gains: dict[int, float] = {}
        spread = groups is not None and self.section_diversity > 0
        if spread:
            reward = match @ weight            # what each sentence covers alone
            earned = np.zeros(int(groups.max()) + 2)   # per section (furniture -1 last)
        while len(chosen) < k:
            candidates = allowed.copy()
            if chosen:
                candidates[chosen] = False
                candidates &= cosine[:, chosen].max(axis=1) <= self.redundancy
            if not candidates.any():
                break
            gain = np.maximum(match - covered, 0.0) @ weight
            objective = gain.copy()
            if spread:
                objective += self.section_diversity * (
                    np.sqrt(earned[groups] + reward) - np.sqrt(earned[groups]))
            objective[~candidates] = -np.inf
            best = int(np.argmax(objective))     # first index among equal gains
            chosen.append(best)
            gains[best] = float(gain[best])
            covered = np.maximum(covered, match[best])
            if spread:
                earned[groups[best]] += reward[best]
        return gains

    def choosable(self, n: int, words: Sequence[int] | None,
                 eligible: Sequence[bool] | None) -> np.ndarray:
        """The sentences that may be chosen: eligible and not fragments, or failing any,
        eligible fragments (better them than nothing), or failing any, all."""
        allowed = self._eligible(n, eligible)
        if not allowed.any():
            allowed = np.ones(n, dtype=bool)
        if words is not None:
            counts = np.asarray(list(words), dtype=float)
            if len(counts) != n:
                raise ValueError(f"{n} embeddings but {len(counts)} word counts")
            long_enough = allowed & (counts >= self.min_words)
            if long_enough.any():
                allowed = long_enough
        return allowed

    @staticmethod
    def _eligible(n: int, eligible: Sequence[bool] | None) -> np.ndarray:
        if eligible is None:
            return np.ones(n, dtype=bool)
        allowed = np.asarray(list(eligible), dtype=bool)
        if len(allowed) != n:
            raise ValueError(f"{n} embeddings but {len(allowed)} eligibility marks")
        return allowed


@dataclass(frozen=True)
class Centroid:
    """An article as one vector: its lead-weighted centroid (module doc, point 1).

    ``vector``: unit length (zeros if the sentences cancel out), the article-level
    embedding a digest groups pages by.  ``weight``: each sentence's weight in it
    (position times centrality, summing to 1).  ``position``: the position weights
    alone, normalised."""

    vector: np.ndarray
    weight: np.ndarray
    position: np.ndarray


def section_positions(owner: np.ndarray, position_decay: float = 1.0, intro_share: float = 1.0,
                      length_power: float = 0.0) -> np.ndarray:
    """Position weights on a page built of sections (module doc, point 5), summing to 1:
    the harmonic decay restarting in each section, each section's weights summing to its
    share (``intro_share`` for the introduction, section 0; a body section's grows with
    its sentence count to ``length_power``); furniture (-1) gets none."""
    position = np.zeros(len(owner))
    for section in set(owner.tolist()):
        if section < 0:
            continue
        members = np.flatnonzero(owner == section)
        decay = (1.0 + np.arange(len(members))) ** -float(position_decay)
        share = (intro_share if section == 0 else 1.0) * len(members) ** float(length_power)
        position[members] = share * decay / decay.sum()
    total = float(position.sum())
    return position / total if total > 0 else position


def lead_weighted_centroid(embeddings: np.ndarray, position_decay: float = 1.0,
                           only: np.ndarray | None = None,
                           position: np.ndarray | None = None) -> Centroid:
    """The article's lead-weighted centroid from its sentence embeddings, in article order;
    with ``only`` (a boolean mask), the other sentences get no weight in it; ``position``
    replaces the harmonic decay over the whole article (``section_positions``)."""
    vectors = unit_rows(embeddings, np.float64)
    n = len(vectors)
    if position is None:
        position = (1.0 + np.arange(n)) ** -float(position_decay)
        position /= max(float(position.sum()), 1e-300)
    related = np.clip(vectors @ vectors.T, 0.0, 1.0)
    np.fill_diagonal(related, 0.0)
    centrality = related.sum(axis=1) / (n - 1) if n > 1 else np.ones(n)
    weight = position * centrality
    if only is not None:
        weight = np.where(only, weight, 0.0)
    total = float(weight.sum())
    weight = weight / total if total > 0 else position
    centroid = weight @ vectors if n else np.zeros(vectors.shape[1])
    norm = float(np.linalg.norm(centroid))
    return Centroid(vector=centroid / norm if norm > 0 else np.zeros_like(centroid),
                    weight=weight, position=position)

