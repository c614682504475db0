"""Speed features that must not regress: the document-embedding cache (a length
change costs no model call), one embedding call per request, the sentence
budget with its ``truncated`` flag, and the encoder's backend choice.

No wall-clock thresholds here: ``bench/latency.py`` measures time."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from newsgist import embed
from newsgist.config import Settings
from newsgist.errors import ModelLoadError
from newsgist.pipeline import Pipeline

from support import HashingEncoder

PARAGRAPHS = [
    "The city council approved a new budget for public transport on Monday.",
    "The budget adds forty electric buses to the fleet by next spring. "
    "Fares will stay the same for at least two years.",
    "Opposition members said the plan came too late for commuters. "
    "The mayor answered that the buses were ordered last autumn.",
    "Construction of two new depots starts in March. "
    "The first electric routes will open in the northern districts.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def _numbered_article(n: int) -> str:
    return "\n\n".join(f"Report number {i} says the river rose {i} centimetres overnight."
                       for i in range(n))


def test_same_text_again_does_not_call_the_model(pipeline, fake_encoder):
    first = pipeline.summarize_text(TEXT, sentences=3)
    assert fake_encoder.calls == 1 and not first.cached
    again = pipeline.summarize_text(TEXT, sentences=3)
    assert fake_encoder.calls == 1 and again.cached
    assert [s.index for s in again.sentences] == [s.index for s in first.sentences]


def test_length_change_answers_from_the_cache(pipeline, fake_encoder):
    pipeline.summarize_text(TEXT, sentences=3)
    for n in (1, 5, 7, 2):   # the reader moves the length slider
        summary = pipeline.summarize_text(TEXT, sentences=n)
        assert summary.cached and len(summary.sentences) == n
    assert fake_encoder.calls == 1


def test_same_page_html_again_does_not_call_the_model(pipeline, fake_encoder, news_html):
    pipeline.summarize_html(news_html, sentences=3)
    calls = fake_encoder.calls
    assert calls == 1
    pipeline.summarize_html(news_html, sentences=5)
    assert fake_encoder.calls == calls


def test_a_different_document_calls_the_model_once(pipeline, fake_encoder):
    pipeline.summarize_text(TEXT, sentences=3)
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
    pipe.summarize_text(TEXT)
    pipe.summarize_text(TEXT)
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


def test_budget_is_configurable_from_the_environment():
    settings = Settings.from_env({"NEWSGIST_MAX_ARTICLE_SENTENCES": "250"})
    assert settings.max_article_sentences == 250


# -- the encoder: backend choice and the bucketed batching ----------------------------
def test_unknown_backend_names_the_setting():
    with pytest.raises(ModelLoadError, match="NEWSGIST_BACKEND"):
        embed.load_encoder("bundled:all-MiniLM-L6-v2", backend="tensorflow")


def test_torch_fallback_when_onnxruntime_is_missing(monkeypatch, caplog):
    created = []

    class FakeTorchEncoder:
        def __init__(self, model, threads=0, batch_size=64):
            created.append((model, threads))
            self.name = "fake"

    monkeypatch.setattr(embed, "SentenceTransformerEncoder", FakeTorchEncoder)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)   # import fails
    with caplog.at_level(logging.WARNING, logger="newsgist.embed"):
        encoder = embed.load_encoder("some/model", backend="auto", threads=2)
    assert isinstance(encoder, FakeTorchEncoder) and created == [("some/model", 2)]
    assert "falling back to torch-fp32" in caplog.text and "onnxruntime" in caplog.text
    with pytest.raises(ModelLoadError, match="onnxruntime"):
        embed.load_encoder("some/model", backend="onnx-int8")


def test_cpu_threads_defaults_to_usable_cores():
    assert embed.cpu_threads(3) == 3
    assert embed.cpu_threads(0) >= 1


class _FakeTokenizer:
    """Token ids = one per word, so lengths differ by sentence."""

    def encode_batch(self, sentences):
        class Enc:
            def __init__(self, n):
                self.ids = list(range(1, n + 1))
        return [Enc(len(s.split()) + 2) for s in sentences]


class _FakeSession:
    """Hidden state of each token = (sum of its row's real ids, 1, ...): the pooled
    vector then depends only on the sentence, never on its batch-mates."""

    def __init__(self):
        self.widths = []

    def run(self, _outputs, feed):
        ids, mask = feed["input_ids"], feed["attention_mask"]
        self.widths.append(ids.shape[1])
        hidden = np.zeros(ids.shape + (4,), dtype=np.float32)
        hidden[..., 0] = (ids * mask).sum(axis=1, keepdims=True)
        hidden[..., 1] = 1.0
        return [hidden]


def _fake_onnx_encoder(batch_size):
    enc = embed.OnnxEncoder.__new__(embed.OnnxEncoder)
    enc.name, enc.backend, enc.batch_size, enc.pooling = "fake", "onnx-int8", batch_size, "mean"
    enc._tokenizer, enc._session, enc._pad_id = _FakeTokenizer(), _FakeSession(), 0
    enc._inputs = {"input_ids", "attention_mask"}
    import threading
    enc._lock = threading.Lock()
    return enc


def test_onnx_encoder_batches_by_length_and_keeps_input_order():
    sentences = ["word " * n for n in (30, 2, 15, 2, 30, 7, 1, 15)]
    enc = _fake_onnx_encoder(batch_size=2)
    vectors = enc.encode(sentences)
    assert vectors.shape == (8, 4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    # Each batch pads only to its own longest sentence: the two shortest (3 and 4
    # tokens) run together at width 4, the two longest at 32.
    assert enc._session.widths == [4, 9, 17, 32]
    # Row i belongs to sentence i, whatever batch it ran in.
    one_by_one = np.vstack([_fake_onnx_encoder(batch_size=1).encode([s]) for s in sentences])
    assert np.allclose(vectors, one_by_one, atol=1e-6)


def test_onnx_encoder_empty_input():
    assert _fake_onnx_encoder(4).encode([]).shape[0] == 0


@pytest.mark.slow
def test_onnx_export_is_cached_and_agrees_with_torch(tmp_path):
    """The real model: exported once into the cache, reused, close to PyTorch fp32."""
    pytest.importorskip("onnxruntime")
    sentences = ["The U.S. Senate approved the spending bill on Thursday.",
                 "Heavy rain flooded the river valley overnight.",
                 "Shares of Apple rose 3.5% to $189.25 on Friday."]
    first = embed.load_encoder(backend="onnx-int8", cache_dir=str(tmp_path))
    assert first.exported_now and str(first.model_dir).startswith(str(tmp_path))
    second = embed.load_encoder(backend="onnx-int8", cache_dir=str(tmp_path))
    assert not second.exported_now and second.model_dir == first.model_dir
    reference = embed.load_encoder(backend="torch").encode(sentences)
    vectors = second.encode(sentences)
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(vectors * reference, axis=1))) > 0.9

    # A cached export that no longer loads is exported again, not given up for PyTorch.
    onnx_file = next(first.model_dir.glob("*.onnx"))
    onnx_file.write_bytes(b"this is not an onnx model")
    repaired = embed.load_encoder(backend="auto", cache_dir=str(tmp_path))
    assert repaired.backend == "onnx-int8" and repaired.exported_now
    assert np.allclose(repaired.encode(sentences), vectors, atol=1e-4)
