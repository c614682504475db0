"""newsgist.embed: the backend choice, the ONNX encoder's length-bucketed batches,
and what an encoder declares about its model."""

from __future__ import annotations

import logging
import sys
import threading

import numpy as np
import pytest

from newsgist import embed
from newsgist.config import BUNDLED_MODEL
from newsgist.embed import display_name, model_languages, unit_rows
from newsgist.errors import ModelLoadError


def test_the_bundled_model_declares_english():
    assert display_name(BUNDLED_MODEL) == "all-MiniLM-L6-v2"
    assert model_languages(BUNDLED_MODEL) == frozenset({"en"})


@pytest.mark.parametrize("front_matter, languages", [
    ("language: en\nlicense: mit", {"en"}),
    ("license: mit\nlanguage:\n- de\n- FR\ntags:\n- x", {"de", "fr"}),
    ("language: [en, 'es']", {"en", "es"}),
    ("language: multilingual", None),
    ("language:\n- multilingual\n- en", None),
    ("license: mit", None),
])
def test_a_local_model_card_says_its_languages(tmp_path, front_matter, languages):
    (tmp_path / "README.md").write_text(f"---\n{front_matter}\n---\n# A model\nlanguage: xx\n")
    expected = frozenset(languages) if languages is not None else None
    assert model_languages(str(tmp_path)) == expected


def test_no_card_or_no_local_model_means_unknown(tmp_path):
    assert model_languages(str(tmp_path)) is None
    (tmp_path / "README.md").write_text("# No front matter\nlanguage: en\n")
    assert model_languages(str(tmp_path)) is None
    assert model_languages("sentence-transformers/some-hub-model") is None


def test_unit_rows_scales_each_row_and_keeps_zero_rows_zero():
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]]))
    assert rows.dtype == np.float32
    assert rows.tolist() == [[0.6000000238418579, 0.800000011920929], [0.0, 0.0], [0.0, -1.0]]
    assert unit_rows(np.array([[1.0, 1.0]]), np.float64).dtype == np.float64
    assert unit_rows(np.array([1.0, 2.0])).shape == (0, 1)  # not a matrix: no rows


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
