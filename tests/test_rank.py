"""The ranker's promises: article order, no duplicates or near-duplicates, no
fragments, exactly k (fewer only for short articles), deterministic, and
scores that mean what docs/method.md says.

Most tests use the fake bag-of-words ``HashingEncoder`` (sentences that share
words are similar); one small test at the end runs the real model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import HashingEncoder

from newsgist.rank import CentroidRanker

ARTICLE = [
    "Heavy rain flooded the river valley overnight, forcing hundreds of families from their homes.",
    "Emergency crews used boats to reach villages cut off by the rising water.",
    "The regional governor declared a state of emergency on Tuesday morning.",
    "Forecasters expect more rain this week, and the river has not yet peaked.",
    "Schools in the valley will stay closed until Friday at the earliest.",
    "Residents said the flooding was the worst they had seen in thirty years.",
    "Volunteers filled sandbags along the main street through the night.",
    "Insurance companies have begun sending assessors to the worst hit towns.",
]


def words(sentences):
    return [len(s.split()) for s in sentences]


def rank(sentences, k, ranker=None):
    vectors = HashingEncoder().encode(sentences)
    return (ranker or CentroidRanker()).select(vectors, k, words(sentences))


def indices(choices):
    return [c.index for c in choices]


# -- the reader's promises -------------------------------------------------------------
def test_exactly_k_in_article_order_without_repeats():
    for k in range(1, len(ARTICLE) + 1):
        chosen = indices(rank(ARTICLE, k))
        assert len(chosen) == k
        assert chosen == sorted(set(chosen))


def test_fewer_only_when_the_article_is_shorter():
    assert indices(rank(ARTICLE, 20)) == list(range(len(ARTICLE)))
    assert indices(rank(ARTICLE[:2], 3)) == [0, 1]
    assert rank([], 3) == [] and rank(ARTICLE, 0) == []


def test_a_repeated_sentence_is_chosen_once_and_at_its_first_place():
    article = ARTICLE[:4] + [ARTICLE[0]] + ARTICLE[4:] + [ARTICLE[0]]
    for k in range(1, len(ARTICLE) + 1):
        chosen = indices(rank(article, k))
        texts = [article[i] for i in chosen]
        assert len(texts) == len(set(texts)) == k
        assert 4 not in chosen and len(article) - 1 not in chosen


def test_near_duplicates_never_appear_together():
    near = ARTICLE[0].replace("overnight", "on Monday")      # a caption repeating the lead
    article = [ARTICLE[0], near] + ARTICLE[1:]
    vectors = HashingEncoder().encode(article)
    assert vectors[0] @ vectors[1] > CentroidRanker().redundancy   # the premise
    for k in range(1, len(article)):
        chosen = indices(rank(article, k))
        assert not {0, 1} <= set(chosen)
        assert len(chosen) == k    # the rest of the article still fills the summary


def test_an_article_of_near_duplicates_gives_fewer_sentences():
    base = "The city council approved the new budget for parks and libraries on Monday"
    article = [base + ".", base + " night.", base + " evening.", "Parks will open longer hours."]
    chosen = indices(rank(article, 3))
    assert chosen == [0, 3]


def test_fragments_are_never_chosen():
    article = ["By Jane Doe.", ARTICLE[0], "Scroll down for video.", ARTICLE[1], "Pictured.",
               ARTICLE[2], ARTICLE[3], "Updated 5 pm."]
    for k in range(1, 6):
        chosen = indices(rank(article, k))
        assert all(len(article[i].split()) >= CentroidRanker().min_words for i in chosen)
        assert len(chosen) == min(k, 4)


def test_an_article_of_fragments_only_still_gets_a_summary():
    article = ["Stop.", "Look around.", "Listen now.", "Then go."]
    chosen = indices(rank(article, 2))
    assert len(chosen) == 2 and chosen == sorted(set(chosen))


def test_deterministic():
    """One ranker, called again and again on one array: no state kept between calls,
    the embeddings it is given left untouched, and the same answer every time --
    also for a copy in another precision or row-scaled (it works on unit rows)."""
    vectors = HashingEncoder().encode(ARTICLE)
    before = vectors.copy()
    ranker = CentroidRanker()
    first = ranker.select(vectors, 3, words(ARTICLE))
    assert len(first) == 3
    assert np.array_equal(vectors, before)
    for _ in range(3):
        assert ranker.select(vectors, 3, words(ARTICLE)) == first
    assert indices(ranker.select(vectors.astype(np.float64) * 7.5, 3, words(ARTICLE))) == \
        indices(first)


def test_ties_go_to_the_earlier_sentence():
    vectors = np.tile(np.eye(4)[0], (5, 1))     # five identical sentences
    ranker = CentroidRanker(redundancy=1.0)      # let identical ones through
    assert indices(ranker.select(vectors, 2)) == [0, 1]


def test_word_counts_must_match():
    with pytest.raises(ValueError):
        CentroidRanker().select(HashingEncoder().encode(ARTICLE), 3, [10, 10])


def test_zero_vectors_do_not_break_it():
    vectors = np.zeros((4, 8))
    chosen = CentroidRanker().select(vectors, 2)
    assert indices(chosen) == [0, 1]
    assert all(np.isfinite([c.score, c.similarity, c.position_weight]).all() for c in chosen)


# -- what the numbers mean ---------------------------------------------------------------
def coverage(vectors, chosen, decay=1.0, sharpness=2.0):
    """The documented objective, written out plainly."""
    n = len(vectors)
    centrality = [sum(max(0.0, float(vectors[j] @ vectors[m])) for m in range(n) if m != j)
                  / (n - 1) for j in range(n)]
    w = np.array([(1.0 + j) ** -decay * centrality[j] for j in range(n)])
    w /= w.sum()
    total = 0.0
    for j in range(n):
        best = 0.0
        for i in chosen:
            match = 1.0 if i == j else max(0.0, float(vectors[i] @ vectors[j])) ** sharpness
            best = max(best, match)
        total += w[j] * best
    return total


def test_scores_are_coverage_gains_and_add_up_to_the_summary_coverage():
    vectors = HashingEncoder().encode(ARTICLE)
    for k in (1, 3, 5):
        choices = CentroidRanker().select(vectors, k, words(ARTICLE))
        assert all(0.0 <= c.score <= 1.0 for c in choices)
        assert sum(c.score for c in choices) == pytest.approx(
            coverage(vectors, indices(choices)), abs=1e-6)


def test_greedy_follows_the_objective():
    """Each pick is the sentence with the largest gain in coverage, and the set
    is within the (1 - 1/e) bound of the best set of the same size."""
    vectors = HashingEncoder().encode(ARTICLE)
    ranker = CentroidRanker(redundancy=1.0, min_words=0)
    for k in (1, 2, 3):
        chosen = indices(ranker.select(vectors, k))
        picked: list[int] = []
        for _ in range(k):
            rest = [i for i in range(len(ARTICLE)) if i not in picked]
            picked.append(max(rest, key=lambda i: (coverage(vectors, picked + [i]), -i)))
        assert chosen == sorted(picked)
        best = max(coverage(vectors, list(s)) for s in itertools.combinations(range(8), k))
        assert coverage(vectors, chosen) >= (1 - 1 / np.e) * best - 1e-12


def test_position_weights_and_similarity():
    choices = rank(ARTICLE, len(ARTICLE))
    weights = [c.position_weight for c in choices]
    assert sum(weights) == pytest.approx(1.0)
    assert weights == sorted(weights, reverse=True) and weights[0] == pytest.approx(2 * weights[1])
    assert all(-1.0 <= c.similarity <= 1.0 for c in choices)


def test_the_lead_counts_more_than_the_tail():
    """Two sentences alike in content: the one near the top is the one chosen."""
    story = ["The museum reopened its west wing after a two year renovation.",
             "Visitors can again see the collection of ancient maps and globes.",
             "The renovation cost twelve million and was funded by donors.",
             "A new cafe and a reading room were added on the ground floor."]
    early = "Thieves stole three paintings from the city gallery on Sunday night."
    late = "Thieves stole three paintings from the city gallery on Sunday evening."
    assert 1 in indices(rank(story[:1] + [early] + story[1:], 2))
    assert 4 not in indices(rank(story + [late], 1))


def test_an_off_topic_line_near_the_top_is_passed_over():
    story = ["The central bank raised interest rates by half a point on Tuesday.",
             "The rate increase was the largest in two decades, the central bank said.",
             "Sign up for our newsletter to get the news first.",
             "Markets fell after the central bank decision on interest rates.",
             "Analysts expect the bank to raise rates again later this year.",
             "Banks said mortgage rates would rise after the decision."]
    assert 2 not in indices(rank(story, 3))
    # When no sentence relates to any other, position alone decides.
    alone = CentroidRanker().select(np.eye(6), 3)
    assert indices(alone) == [0, 1, 2]
    assert [c.score for c in alone] == pytest.approx([c.position_weight for c in alone])


def test_a_second_sentence_goes_to_what_the_first_does_not_cover():
    flood = ["River floods force families from homes in the valley towns.",
             "Floods force valley families from homes along the river.",
             "Valley river floods force more families out of their homes."]
    other = ["Election officials count ballots after a close mayoral race in the valley.",
             "Officials count mayoral election ballots after the close race.",
             "The close mayoral race leaves election officials counting ballots."]
    chosen = indices(rank(flood + other, 2))
    assert len(set(chosen) & {0, 1, 2}) == 1 and len(set(chosen) & {3, 4, 5}) == 1


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 25), k=st.integers(1, 12), dim=st.integers(2, 12),
       seed=st.integers(0, 2**32 - 1), short=st.floats(0.0, 1.0))
def test_properties_on_random_articles(n, k, dim, seed, short):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    counts = [int(rng.integers(1, 5)) if rng.random() < short else int(rng.integers(5, 30))
              for _ in range(n)]
    ranker = CentroidRanker()
    choices = ranker.select(vectors, k, counts)
    chosen = indices(choices)
    assert chosen == sorted(set(chosen)) and len(chosen) <= min(k, n)
    assert choices == ranker.select(vectors.copy(), k, list(counts))        # deterministic
    full = [i for i in range(n) if counts[i] >= ranker.min_words]
    if full:
        assert set(chosen) <= set(full)                                    # no fragments
    for a, b in itertools.combinations(chosen, 2):
        assert vectors[a] @ vectors[b] <= ranker.redundancy + 1e-9         # no near-duplicates
    if len(chosen) < min(k, n):                                            # fewer: nothing left
        for i in set(full or range(n)) - set(chosen):
            assert max(vectors[i] @ vectors[j] for j in chosen) > ranker.redundancy
    assert sum(c.score for c in choices) <= 1.0 + 1e-9
    assert all(c.score >= 0 for c in choices)


# -- the real model ------------------------------------------------------------------------
REAL_ARTICLE = [
    "A magnitude 6.1 earthquake struck the coastal city of Valdoria early on Saturday, "
    "damaging hundreds of buildings and cutting power to much of the region.",
    "Scroll down for video.",
    "At least twelve people were injured, most by falling debris, the regional health "
    "office said.",
    "A magnitude 6.1 earthquake hit the coastal city of Valdoria early Saturday, damaging "
    "hundreds of buildings and knocking out power across the region.",
    "Rescue teams searched collapsed homes in the old town throughout the day.",
    "'It felt like the whole house was jumping,' said one resident.",
    "The national weather service warned of aftershocks in the coming week.",
    "Schools will remain closed on Monday while engineers inspect them.",
]


@pytest.mark.slow
def test_real_model_rank_sentences(real_pipeline):
    chosen = real_pipeline.rank_sentences(REAL_ARTICLE, sentences=3)
    assert len(chosen) == 3 and chosen == sorted(set(chosen))
    assert 1 not in chosen                       # the fragment
    assert not {0, 3} <= set(chosen)             # the lead and its near-duplicate caption
    assert 0 in chosen                           # the lead carries the story
    assert real_pipeline.rank_sentences(REAL_ARTICLE, sentences=3) == chosen
    assert len(real_pipeline.rank_sentences(REAL_ARTICLE, sentences=20)) == len(REAL_ARTICLE) - 2
