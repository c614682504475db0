"""The digest of many pages (newsgist.stories) with a fake encoder: grouping, the
summary of a story across its sources, singles, failures and the cache.

The real model on the labeled news fixtures is in test_digest_integration.py."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from newsgist.config import Settings
from newsgist.errors import ClientGone, DeadlineExceeded
from newsgist.runner import InThreadRunner
from newsgist.pipeline import Pipeline
from newsgist.rank import CentroidRanker, lead_weighted_centroid
from newsgist.stories import Page, build_digest, headline, site_of
from newsgist.stories.grouping import GroupingParams, group, page_similarity
from newsgist.stories.render import to_markdown, to_text
from newsgist.stories.summary import story_summary
from support import ARTICLE, HashingEncoder

# The bus story as another outlet tells it: the same facts, partly other words.
ARTICLE_B = (
    "On Monday the city council approved a new budget for public transport.\n\n"
    "The budget adds forty electric buses to the fleet by next spring, and council members "
    "said the buses will cut emissions and noise downtown. "
    "The first electric buses are expected on the busiest routes in April. "
    "Opponents said the money should go to road repairs instead."
)
FOOTBALL = (
    "Rovers broke their transfer record on Friday to sign a striker from Valencia. "
    "The striker scored twenty goals in Spain last season and signed a five-year contract.\n\n"
    "The manager said the new signing would play against the league leaders on Sunday. "
    "Fans gathered outside the stadium to welcome him."
)
RAIN = (
    "Heavy rain flooded the river valley overnight, forcing hundreds of families from homes. "
    "Emergency crews used boats to reach villages cut off by the water.\n\n"
    "Forecasters expect more rain this week, and the river has not yet peaked. "
    "Schools in the valley will stay closed until Friday."
)


def pages() -> list[Page]:
    return [Page(text=ARTICLE, url="https://www.citydesk.example/buses",
                 title="Council approves electric buses"),
            Page(text=FOOTBALL, url="https://sport.example/rovers", title="Rovers sign striker"),
            Page(text=ARTICLE_B, url="https://courier.example/transport",
                 title="Electric buses approved by the council | Courier"),
            Page(text=RAIN, url="https://weather.example/floods", title="Floods in the valley")]


def partition(digest) -> set[frozenset[str]]:
    """The digest's groups, each as the set of its pages' URLs."""
    groups = {frozenset(s.url for s in story.sources) for story in digest.stories}
    groups |= {frozenset([one.summary.article.url]) for one in digest.singles}
    return groups


# -- grouping ------------------------------------------------------------------------------
def test_the_same_story_from_two_outlets_is_one_story_with_both_sources(pipeline):
    digest = build_digest(pipeline, pages())
    assert len(digest.stories) == 1
    story = digest.stories[0]
    assert [s.page for s in story.sources] == [0, 2]
    assert [s.site for s in story.sources] == ["citydesk.example", "courier.example"]
    assert story.title in ("Council approves electric buses",
                           "Electric buses approved by the council")
    assert sorted(one.page for one in digest.singles) == [1, 3]
    assert digest.failed == []


def test_grouping_does_not_depend_on_page_order(settings):
    first = None
    for order in itertools.permutations(range(4)):
        pipeline = Pipeline(settings, encoder=HashingEncoder())
        digest = build_digest(pipeline, [pages()[i] for i in order])
        story_texts = [[x.text for x in s.sentences] for s in digest.stories]
        result = (partition(digest), story_texts, [s.title for s in digest.stories])
        assert first is None or result == first, order
        first = result


def test_group_ignores_input_order_and_breaks_ties_by_content():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(7, 16))
    vectors[1] = vectors[0] + 0.1 * rng.normal(size=16)
    vectors[4] = vectors[0] + 0.2 * rng.normal(size=16)
    vectors[5] = vectors[6]  # an exact tie
    keys = [f"page-{c}" for c in "qwertyu"]
    sim = page_similarity(vectors)
    expected = {frozenset(keys[i] for i in g) for g in group(keys, sim, 0.5)}
    assert frozenset({"page-q", "page-w", "page-t"}) in expected
    for perm in itertools.islice(itertools.permutations(range(7)), 0, 5040, 97):
        p = list(perm)
        got = group([keys[i] for i in p], sim[np.ix_(p, p)], 0.5)
        assert {frozenset(keys[p[i]] for i in g) for g in got} == expected


def test_two_stories_on_one_topic_are_not_merged_and_linkage_matters():
    # a and b: one event from two outlets; c: the same topic, another event.
    sim = np.array([[1.0, 0.9, 0.5],
                    [0.9, 1.0, 0.62],
                    [0.5, 0.62, 1.0]])
    keys = ["a", "b", "c"]
    assert group(keys, sim, 0.6, "average") == [[0, 1], [2]]    # mean(0.5, 0.62) = 0.56
    assert group(keys, sim, 0.55, "average") == [[0, 1, 2]]
    assert group(keys, sim, 0.6, "complete") == [[0, 1], [2]]
    assert group(keys, sim, 0.6, "single") == [[0, 1, 2]]       # chains through b
    assert group(keys, sim, 0.95) == [[0], [1], [2]]
    with pytest.raises(ValueError):
        group(keys, sim, 0.5, "ward")


def test_headlines_count_only_where_both_pages_have_one():
    articles = np.array([[1.0, 0.0], [0.6, 0.8], [0.6, 0.8]])
    heads = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    sim = page_similarity(articles, heads, [True, True, False], headline_weight=0.5)
    assert sim[0, 1] == pytest.approx(0.5 * 0.6 + 0.5 * 1.0)
    assert sim[0, 2] == pytest.approx(0.6)           # page 2 has no headline
    assert np.allclose(sim, sim.T)


def test_a_single_page_is_summarized_as_summarize_would(pipeline):
    digest = build_digest(pipeline, [pages()[0]], sentences=4)
    assert digest.stories == [] and digest.failed == []
    [one] = digest.singles
    alone = Pipeline(pipeline.settings, encoder=HashingEncoder()).summarize_text(
        ARTICLE, sentences=4, title="Council approves electric buses",
        url="https://www.citydesk.example/buses")
    assert [s.text for s in one.summary.sentences] == [s.text for s in alone.sentences]
    assert [s.score for s in one.summary.sentences] == [s.score for s in alone.sentences]
    assert one.summary.to_dict()["title"] == "Council approves electric buses"


def test_grouping_params_are_the_measured_ones():
    """The defaults are what bench/digest.py chose (docs/digest.md has the table)."""
    params = GroupingParams()
    assert params.linkage == "average"
    assert 0.3 < params.threshold < 0.9


# -- the story summary ------------------------------------------------------------------------
def _random_article(rng, n: int, dim: int = 24) -> np.ndarray:
    base = rng.normal(size=dim)
    return np.stack([base + rng.normal(scale=1.2, size=dim) for _ in range(n)])


def test_with_one_article_the_story_summary_is_the_article_summary():
    rng = np.random.default_rng(11)
    ranker = CentroidRanker()
    for trial in range(20):
        vectors = _random_article(rng, 5 + trial)
        words = [int(w) for w in rng.integers(2, 30, size=len(vectors))]
        for k in (1, 3, 5):
            single = ranker.select(vectors, k, words)
            picks = story_summary([vectors], [words], k, ranker)
            assert sorted(p.row for p in picks) == [c.index for c in single]
            assert sorted((p.row, round(p.score, 9)) for p in picks) == \
                [(c.index, round(c.score, 9)) for c in single]


def test_a_sentence_two_outlets_carry_is_chosen_once_and_credited_to_both():
    rng = np.random.default_rng(5)
    a = _random_article(rng, 8)
    b = _random_article(rng, 6)
    b[2] = a[0] * 1.01 + 0.01 * rng.normal(size=a.shape[1])   # b repeats a's lead
    picks = story_summary([a, b], [[10] * 8, [10] * 6], 5)
    vectors = np.stack([[a, b][p.source][p.row] for p in picks])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = vectors @ vectors.T
    assert all(cos[i, j] <= 0.85 for i, j in itertools.combinations(range(len(picks)), 2))
    shared = [p for p in picks if (p.source, p.row) in ((0, 0), (1, 2))]
    assert len(shared) == 1
    assert shared[0].also_in == (1 - shared[0].source,)
    assert all(p.also_in == () for p in picks if p is not shared[0])


def test_a_story_summary_chooses_real_sentences_only():
    """A heading (marked not eligible) is never chosen for a story, even when it
    would cover the most: the same rule as for one article."""
    rng = np.random.default_rng(3)
    a = _random_article(rng, 8)
    b = _random_article(rng, 6)
    unmarked = story_summary([a, b], [[10] * 8, [10] * 6], 3)
    best = max(unmarked, key=lambda p: p.score)
    marks = [[True] * 8, [True] * 6]
    marks[best.source][best.row] = False      # say it is a heading
    picks = story_summary([a, b], [[10] * 8, [10] * 6], 3, eligible=marks)
    assert len(picks) == 3
    assert all(marks[p.source][p.row] for p in picks)


def test_each_article_keeps_its_own_position_weights():
    """Each article's lead counts most in its own share of the story; a long article
    does not outweigh a short one."""
    rng = np.random.default_rng(8)
    long = _random_article(rng, 40)
    short = _random_article(rng, 5)
    weights = [lead_weighted_centroid(v).weight for v in (long, short)]
    assert all(abs(w.sum() - 1) < 1e-9 for w in weights)
    picks = story_summary([long, short], [[10] * 40, [10] * 5], 4)
    assert {p.source for p in picks} == {0, 1}
    rows = {p.source: p.row for p in sorted(picks, key=lambda p: -p.score)}
    assert rows[0] < 10 and rows[1] < 5


def test_story_sentences_are_traceable_to_their_source(pipeline):
    digest = build_digest(pipeline, pages(), sentences=5)
    [story] = digest.stories
    texts = {0: ARTICLE, 2: ARTICLE_B}
    for x in story.sentences:
        source = story.sources[x.source]
        prepared = pipeline.prepare_page(None, texts[source.page])
        assert prepared.article.text[x.start:x.end] == x.text
        assert prepared.sentences[x.index].text == x.text
        assert all(0 <= o < len(story.sources) and o != x.source for o in x.also_in)
        assert 0 <= x.score <= 1
    assert len(story.sentences) == 5
    # The lead both outlets carry is credited to both.
    lead = [x for x in story.sentences if "approved a new budget" in x.text]
    assert len(lead) == 1 and lead[0].also_in


# -- failures, limits, the cache ---------------------------------------------------------------
def test_a_page_without_an_article_fails_alone(pipeline):
    bad = [Page(html="<html><body><p>Subscribe.</p></body></html>", url="https://x.example/a"),
           Page(text="   "), Page(html="%PDF-1.4 binary")]
    digest = build_digest(pipeline, pages() + bad)
    assert len(digest.stories) == 1 and len(digest.singles) == 2
    assert [f.page for f in digest.failed] == [4, 5, 6]
    codes = [f.code for f in digest.failed]
    assert codes[1] == "empty_input"
    assert codes[2] in ("pdf_document", "not_html")
    assert all(f.message for f in digest.failed)
    assert digest.failed[0].site == "x.example"


def test_a_page_over_the_size_limit_fails_alone(fake_encoder):
    settings = Settings(max_body_bytes=2000)
    digest = build_digest(Pipeline(settings, encoder=fake_encoder),
                          pages() + [Page(text=ARTICLE * 10)])
    assert [(f.page, f.code) for f in digest.failed] == [(4, "page_too_large")]
    assert len(digest.stories) == 1


class _Front(InThreadRunner):
    """Runs pages in the calling thread, but fails the ones that mention a word."""

    def __init__(self, word: str, exc: Exception):
        self.word, self.exc = word, exc

    def run(self, fn, args, deadline):
        if self.word in args[0]:
            raise self.exc
        return super().run(fn, args, deadline)


def test_a_page_past_its_deadline_or_breaking_the_code_fails_alone(settings, fake_encoder):
    for exc, code in [(DeadlineExceeded("late"), "timeout"),
                      (RuntimeError("boom: page text"), "internal_error")]:
        pipeline = Pipeline(settings, encoder=fake_encoder, runner=_Front("striker", exc))
        digest = build_digest(pipeline, pages())
        assert [(f.page, f.code) for f in digest.failed] == [(1, code)]
        assert "page text" not in digest.failed[0].message
        assert len(digest.stories) == 1 and len(digest.singles) == 1


def test_a_client_that_went_away_stops_the_digest(settings, fake_encoder):
    pipeline = Pipeline(settings, encoder=fake_encoder, runner=_Front("striker", ClientGone("x")))
    with pytest.raises(ClientGone):
        build_digest(pipeline, pages())


def test_the_second_digest_and_a_later_summary_cost_no_model_call(pipeline, fake_encoder):
    first = build_digest(pipeline, pages())
    assert fake_encoder.calls == 1 and not first.cached      # every page in one call
    again = build_digest(pipeline, list(reversed(pages())))
    assert fake_encoder.calls == 1 and again.cached
    summary = pipeline.summarize_text(FOOTBALL, title="Rovers sign striker",
                                      url="https://sport.example/rovers")
    assert fake_encoder.calls == 1 and summary.cached


def test_timings_and_model(pipeline):
    digest = build_digest(pipeline, pages())
    assert set(digest.timings_ms) == {"read", "extract", "segment", "embed", "group", "rank",
                                      "total"}
    assert digest.model == "fake-hashing-encoder"
    d = digest.to_dict()
    assert list(d) == ["stories", "singles", "failed", "model", "timings_ms", "cached",
                       "warnings"]
    assert d["singles"][0]["page"] == 1 and "sentences" in d["singles"][0]


def test_a_story_of_long_pages_chooses_from_their_first_sentences(pipeline, monkeypatch):
    import newsgist.stories.digest as stories

    monkeypatch.setattr(stories, "STORY_SENTENCE_BUDGET", 8)
    monkeypatch.setattr(stories, "MIN_SENTENCES_PER_SOURCE", 2)
    digest = build_digest(pipeline, pages(), sentences=7)
    [story] = digest.stories
    assert all(x.index < 4 for x in story.sentences)       # 8 // 2 sources
    assert len(story.sentences) >= 4
    assert any("Page 0 has 6 sentences" in w and "first 4" in w for w in digest.warnings)


def test_a_truncated_story_source_is_warned_about(fake_encoder):
    settings = Settings(max_article_sentences=4)
    digest = build_digest(Pipeline(settings, encoder=fake_encoder), pages())
    assert any("Page 0 has 6 sentences" in w and "NEWSGIST_MAX_ARTICLE_SENTENCES" in w
               for w in digest.warnings)


# -- small parts -------------------------------------------------------------------------------
@pytest.mark.parametrize("title, expected", [
    ("Quake kills 40 | World Wire", "Quake kills 40"),
    ("World Wire - Quake kills 40 in Valdoria", "Quake kills 40 in Valdoria"),
    ("Self-driving cars arrive", "Self-driving cars arrive"),
    ("  ", None), (None, None)])
def test_headline(title, expected):
    assert headline(title) == expected


@pytest.mark.parametrize("url, site", [
    ("https://www.bbc.co.uk/news/x", "bbc.co.uk"), ("http://127.0.0.1:8000/a", "127.0.0.1"),
    ("not a url", None), (None, None), ("http://[::1", None)])
def test_site_of(url, site):
    assert site_of(url) == site


def test_markdown_and_text(pipeline):
    digest = build_digest(pipeline, pages() + [Page(text="x", url="https://bad.example/[1]")])
    md = to_markdown(digest)
    assert md.startswith("## ")
    assert "[citydesk.example: Council approves electric buses](<https://www.citydesk.example/" \
           "buses>)" in md
    assert "## Not summarized" in md and "bad.example" in md
    labels = re.findall(r"^- .+ \(([a-z., ]+)\)$", md, re.M)
    assert labels and all(set(x.split(", ")) <= {"citydesk.example", "courier.example"}
                          for x in labels)
    assert "courier.example, citydesk.example" in labels  # a sentence both carry
    text = to_text(digest)
    assert "sources: citydesk.example, courier.example" in text
    assert "Not summarized" not in text


# -- the command line (the model is not needed to refuse) ------------------------------------
def test_cli_digest_refuses_what_it_cannot_read(tmp_path, capsys):
    from newsgist.cli import main

    assert main(["digest", str(tmp_path / "missing.html")]) == 2
    assert "could not be read" in capsys.readouterr().err
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    assert main(["digest"] + [str(page)] * 31) == 2
    assert "at most 30 pages" in capsys.readouterr().err


def test_a_story_in_a_language_the_model_does_not_know_is_warned_about(settings):
    class EnglishOnly(HashingEncoder):
        name = "all-MiniLM-L6-v2"

    german = ("<html lang='de'><head><title>Stadtrat beschließt Elektrobusse</title></head>"
              "<body><article><h1>Stadtrat beschließt Elektrobusse</h1>"
              "<p>Der Stadtrat hat am Montag einen neuen Haushalt für den Nahverkehr "
              "beschlossen. Der Haushalt bringt bis zum nächsten Frühjahr vierzig Elektrobusse "
              "in die Flotte.</p><p>Die Ratsmitglieder sagten, die Busse würden Abgase und Lärm "
              "in der Innenstadt verringern. Die ersten Elektrobusse sollen im April auf den "
              "wichtigsten Linien fahren.</p></article></body></html>")
    pages = [Page(html=german, url="https://a.example/de"),
             Page(html=german.replace("Montag", "Dienstag"), url="https://b.example/de")]
    digest = build_digest(Pipeline(settings, encoder=EnglishOnly()), pages)
    assert len(digest.stories) == 1
    assert sum("is in 'de'" in w for w in digest.warnings) == 2
