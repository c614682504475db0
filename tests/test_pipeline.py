"""The composed pipeline with a fake encoder: what every summary promises."""

from __future__ import annotations

import pytest

from newsgist.config import Settings
from newsgist.errors import InvalidInput, NoArticle
from newsgist.pipeline import Pipeline, reading_minutes
from support import HashingEncoder

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
    assert len(pipeline.rank_sentences(texts, sentences=2)) == 2
    assert len(pipeline.rank_sentences(texts)) == pipeline.settings.default_sentences
    for call in (lambda: pipeline.rank_sentences(texts, 2),
                 lambda: pipeline.summarize_text(TEXT, None, None, 2),
                 lambda: pipeline.summarize_html("<p>x</p>", "https://example.org/")):
        with pytest.raises(TypeError):
            call()


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


# -- speed features that must not regress: the document-embedding cache (a length
# change costs no model call), one embedding call per request, and the sentence
# budget with its ``truncated`` flag.  No clocks: ``bench/latency.py`` measures time.
BUS_TEXT = "\n\n".join([
    "The city council approved a new budget for public transport on Monday.",
    "The budget adds forty electric buses to the fleet by next spring. "
    "Fares will stay the same for at least two years.",
    "Opposition members said the plan came too late for commuters. "
    "The mayor answered that the buses were ordered last autumn.",
    "Construction of two new depots starts in March. "
    "The first electric routes will open in the northern districts.",
])


def _numbered_article(n: int) -> str:
    return "\n\n".join(f"Report number {i} says the river rose {i} centimetres overnight."
                       for i in range(n))


def test_same_text_again_does_not_call_the_model(pipeline, fake_encoder):
    first = pipeline.summarize_text(BUS_TEXT, sentences=3)
    assert fake_encoder.calls == 1 and not first.cached
    again = pipeline.summarize_text(BUS_TEXT, sentences=3)
    assert fake_encoder.calls == 1 and again.cached
    assert [s.index for s in again.sentences] == [s.index for s in first.sentences]


def test_length_change_answers_from_the_cache(pipeline, fake_encoder):
    pipeline.summarize_text(BUS_TEXT, sentences=3)
    for n in (1, 5, 7, 2):   # the reader moves the length slider
        summary = pipeline.summarize_text(BUS_TEXT, sentences=n)
        assert summary.cached and len(summary.sentences) == n
    assert fake_encoder.calls == 1


def test_same_page_html_again_does_not_call_the_model(pipeline, fake_encoder, news_html):
    pipeline.summarize_html(news_html, sentences=3)
    calls = fake_encoder.calls
    assert calls == 1
    pipeline.summarize_html(news_html, sentences=5)
    assert fake_encoder.calls == calls


def test_a_different_document_calls_the_model_once(pipeline, fake_encoder):
    pipeline.summarize_text(BUS_TEXT, sentences=3)
    pipeline.summarize_text(_numbered_article(12), sentences=3)
    assert fake_encoder.calls == 2


def test_one_embedding_call_per_request_even_for_long_articles(pipeline, fake_encoder):
    pipeline.summarize_text(_numbered_article(300), sentences=5)
    assert fake_encoder.calls == 1


def test_cache_is_bounded_lru():
    encoder = HashingEncoder()
    pipe = Pipeline(Settings(cache_documents=2), encoder=encoder)
    a, b, c = (_numbered_article(n) for n in (5, 6, 7))
    for text in (a, b, a, c):   # a is used again, so b is the oldest when c arrives
        pipe.summarize_text(text)
    assert encoder.calls == 3
    pipe.summarize_text(a)
    assert encoder.calls == 3     # still cached
    pipe.summarize_text(b)
    assert encoder.calls == 4     # was evicted


def test_cache_can_be_turned_off():
    encoder = HashingEncoder()
    pipe = Pipeline(Settings(cache_documents=0), encoder=encoder)
    pipe.summarize_text(BUS_TEXT)
    pipe.summarize_text(BUS_TEXT)
    assert encoder.calls == 2


def test_past_the_budget_the_answer_says_truncated():
    encoder = HashingEncoder()
    pipe = Pipeline(Settings(max_article_sentences=20), encoder=encoder)
    summary = pipe.summarize_text(_numbered_article(50), sentences=4)
    assert summary.truncated
    assert summary.stats.sentences_total == 50
    assert all(s.index < 20 for s in summary.sentences)
    assert any("NEWSGIST_MAX_ARTICLE_SENTENCES" in w for w in summary.warnings)
    assert summary.to_dict()["truncated"] is True


def test_within_the_budget_nothing_is_truncated():
    encoder = HashingEncoder()
    pipe = Pipeline(Settings(max_article_sentences=20), encoder=encoder)
    summary = pipe.summarize_text(_numbered_article(20), sentences=4)
    assert not summary.truncated and not summary.warnings
    assert summary.to_dict()["truncated"] is False


def test_budget_limits_the_sentences_sent_to_the_model():
    seen = []

    class Recording(HashingEncoder):
        def encode(self, sentences, between_batches=None):
            seen.append(len(sentences))
            return super().encode(sentences, between_batches)

    pipe = Pipeline(Settings(max_article_sentences=30), encoder=Recording())
    pipe.summarize_text(_numbered_article(400))
    assert seen == [30]
