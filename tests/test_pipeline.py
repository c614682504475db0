"""The composed pipeline with a fake encoder: what every summary promises."""

from __future__ import annotations

import pytest

from newsgist.errors import InvalidInput, NoArticle
from newsgist.pipeline import Pipeline, reading_minutes

PARAGRAPHS = [
    "Heavy rain flooded the river valley overnight, forcing hundreds of families from their homes.",
    "Emergency crews used boats to reach villages cut off by the water. "
    "The regional governor declared a state of emergency on Tuesday morning.",
    "Forecasters expect more rain this week, and the river has not yet peaked. "
    "Schools in the valley will stay closed until Friday.",
    "Residents said the flooding was the worst they had seen in thirty years. "
    "Volunteers filled sandbags along the main street through the night.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def test_summary_is_exactly_n_sentences_in_article_order(pipeline):
    for n in range(1, 8):
        summary = pipeline.summarize_text(TEXT, sentences=n)
        assert len(summary.sentences) == n
        indices = [s.index for s in summary.sentences]
        assert indices == sorted(indices) and len(set(indices)) == n


def test_fewer_sentences_only_when_the_article_has_fewer(pipeline):
    summary = pipeline.summarize_text(TEXT, sentences=20)
    assert len(summary.sentences) == summary.stats.sentences_total == 7


def test_spans_point_into_the_article_text(pipeline):
    summary = pipeline.summarize_text(TEXT, sentences=7)
    for s in summary.sentences:
        assert summary.article.text[s.start:s.end] == s.text
        assert summary.article.paragraphs[s.paragraph].find(s.text) >= 0


def test_stats_and_timings(pipeline):
    summary = pipeline.summarize_text(TEXT, sentences=2)
    words = len(TEXT.split())
    assert summary.stats.words_total == words
    assert summary.stats.summary_words == sum(len(s.text.split()) for s in summary.sentences)
    assert summary.stats.reading_minutes_article == reading_minutes(words)
    assert set(summary.timings_ms) == {"extract", "segment", "embed", "rank", "total"}


def test_repeated_sentences_are_never_chosen_twice(pipeline):
    repeated = TEXT + "\n\n" + PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[0]
    summary = pipeline.summarize_text(repeated, sentences=7)
    texts = [s.text for s in summary.sentences]
    assert len(texts) == len(set(texts))


def test_too_little_text_is_no_article(pipeline):
    with pytest.raises(NoArticle, match="Only 2 sentences"):
        pipeline.summarize_text("One short story. It ends here.")


def test_sentence_count_is_validated(pipeline):
    for bad in (0, 21, -1, "3", 3.5, True):
        with pytest.raises(InvalidInput):
            pipeline.summarize_text(TEXT, sentences=bad)


def test_sentence_budget_truncates_and_says_so(settings, fake_encoder):
    pipe = Pipeline(settings.with_(max_article_sentences=4), encoder=fake_encoder)
    summary = pipe.summarize_text(TEXT, sentences=3)
    assert summary.truncated and summary.warnings
    assert all(s.index < 4 for s in summary.sentences)
    assert summary.stats.sentences_total == 7
    assert not pipe.summarize_text("\n\n".join(PARAGRAPHS[:2]), sentences=2).truncated


def test_rank_sentences_returns_ascending_indices(pipeline):
    sentences = [s for p in PARAGRAPHS for s in p.split(". ")]
    chosen = pipeline.rank_sentences(sentences, k=3)
    assert len(chosen) == 3 and chosen == sorted(chosen)
    assert pipeline.rank_sentences([], k=3) == []


def test_to_dict_is_the_api_shape(pipeline):
    d = pipeline.summarize_text(TEXT, sentences=2).to_dict(include_text=True)
    assert d["text"] == TEXT.replace("  ", " ")
    assert set(d["sentences"][0]) == {"text", "index", "paragraph", "kind", "start", "end",
                                      "score", "why", "context"}
    assert [b["kind"] for b in d["blocks"]] == ["paragraph"] * len(PARAGRAPHS)


def test_public_api_uses_one_shared_pipeline(monkeypatch, fake_encoder, news_html):
    import newsgist
    from newsgist import pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "_default", Pipeline(encoder=fake_encoder))
    summary = newsgist.summarize_html(news_html, sentences=2)
    assert len(summary.sentences) == 2
    assert newsgist.summarize_text(TEXT, sentences=1).sentences
    assert len(newsgist.rank_sentences(PARAGRAPHS, k=2)) == 2
    assert newsgist.extract_article(news_html).title.startswith("Paris-China Talks")
