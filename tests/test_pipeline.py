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
    texts = [s for p in PARAGRAPHS for s in p.split(". ")]
    chosen = pipeline.rank_sentences(texts, sentences=3)
    assert len(chosen) == 3 and chosen == sorted(chosen)
    assert pipeline.rank_sentences([], sentences=3) == []


def test_one_vocabulary_with_keyword_only_arguments(pipeline):
    texts = [s for p in PARAGRAPHS for s in p.split(". ")]
    assert pipeline.rank_sentences(texts, k=2) == pipeline.rank_sentences(texts, sentences=2)
    assert len(pipeline.rank_sentences(texts)) == pipeline.settings.default_sentences
    for call in (lambda: pipeline.rank_sentences(texts, 2),
                 lambda: pipeline.summarize_text(TEXT, None, None, 2),
                 lambda: pipeline.summarize_html("<p>x</p>", "https://example.org/")):
        with pytest.raises(TypeError):
            call()


def test_to_dict_is_the_api_shape(pipeline):
    d = pipeline.summarize_text(TEXT, sentences=2).to_dict(include_text=True)
    assert d["text"] == TEXT.replace("  ", " ")
    assert set(d["sentences"][0]) == {"text", "index", "paragraph", "start", "end", "score", "why"}


def test_public_api_uses_one_shared_pipeline(monkeypatch, fake_encoder, news_html):
    import newsgist
    from newsgist import pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "_default", Pipeline(encoder=fake_encoder))
    summary = newsgist.summarize_html(news_html, sentences=2)
    assert len(summary.sentences) == 2
    assert newsgist.summarize_text(TEXT, sentences=1).sentences
    assert len(newsgist.rank_sentences(PARAGRAPHS, sentences=2)) == 2
    assert newsgist.extract_article(news_html).title.startswith("Paris-China Talks")


def test_input_is_read_in_nfc_whichever_way_an_accent_was_typed(pipeline):
    composed = "\n\n".join(PARAGRAPHS).replace("valley", "vall\u00e9e")
    decomposed = composed.replace("\u00e9", "e\u0301")
    one = pipeline.summarize_text(composed, sentences=3, title="Caf\u00e9")
    other = pipeline.summarize_text(decomposed, sentences=3, title="Cafe\u0301")
    assert other.article == one.article and "e\u0301" not in other.article.text
    assert [s.text for s in other.sentences] == [s.text for s in one.sentences]
    page = "".join(f"<p>{p}</p>" for p in decomposed.split("\n\n"))
    html = pipeline.summarize_html(f"<html><body><article>{page}</article></body></html>",
                                   sentences=3)
    assert "e\u0301" not in html.article.text and "vall\u00e9e" in html.article.text


def test_a_lone_surrogate_is_replaced_not_a_crash(pipeline):
    summary = pipeline.summarize_text(TEXT + " Broken \ud800 here.", title="A \udfff title",
                                      url="https://example.org/\ud800")
    assert summary.article.title == "A ? title"
    assert summary.article.url == "https://example.org/?"
    assert "\ud800" not in summary.article.text


def test_the_language_warning_follows_what_the_encoder_declares(settings):
    from support import HashingEncoder

    class Declaring(HashingEncoder):
        def __init__(self, languages):
            super().__init__()
            self.declared = languages

        @property
        def languages(self):
            return self.declared

    page = ("<html lang='de'><body><article><p>Die Stadt hat am Montag einen neuen Haushalt "
            "beschlossen. Der Rat will mehr Geld für Busse ausgeben und weniger für Straßen."
            "</p><p>Die Opposition hält das für falsch und will dagegen klagen. Die ersten "
            "neuen Busse sollen im April auf den Straßen fahren.</p></article></body></html>")
    for languages, warned in ((frozenset({"en"}), "knows English only"),
                              (frozenset({"fr", "en"}), "knows en, fr only"),
                              (frozenset({"de", "en"}), None), (None, None)):
        summary = Pipeline(settings, encoder=Declaring(languages)).summarize_html(page)
        assert summary.article.lang == "de"
        if warned:
            assert len(summary.warnings) == 1 and warned in summary.warnings[0]
        else:
            assert summary.warnings == []
