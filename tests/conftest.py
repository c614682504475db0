"""Shared fixtures: a fast fake encoder for unit tests, the Flask ``client``,
and the real-model pipeline for integration tests (marked ``slow``)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.pipeline import Pipeline

FIXTURES = Path(__file__).parent / "fixtures"


class HashingEncoder:
    """A deterministic bag-of-words encoder: words hashed into 256 buckets.

    Sentences that share words get similar vectors, which is all the ranking
    logic needs to be tested; the real model is tested separately."""

    name = "fake-hashing-encoder"

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.calls = 0

    def encode(self, sentences):
        self.calls += 1
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for row, sentence in enumerate(sentences):
            for word in re.findall(r"\w+", sentence.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                out[row, bucket % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def fake_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture
def pipeline(settings, fake_encoder) -> Pipeline:
    return Pipeline(settings, encoder=fake_encoder)


@pytest.fixture
def app(settings, pipeline):
    app = create_app(settings, pipeline)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def real_pipeline() -> Pipeline:
    """The real model, loaded once for the whole test session."""
    pipe = Pipeline(Settings())
    pipe.load()
    return pipe


@pytest.fixture(scope="session")
def news_html() -> str:
    return (FIXTURES / "news_article.html").read_text(encoding="utf-8")
