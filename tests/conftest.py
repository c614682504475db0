"""Shared fixtures: a fast fake encoder for unit tests, the Flask ``client``,
and the real-model pipeline for integration tests (marked ``slow``)."""

from __future__ import annotations

import pytest

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.pipeline import Pipeline
from support import FIXTURES, HashingEncoder  # noqa: F401  (re-exported)


@pytest.fixture
def settings(tmp_path) -> Settings:
    # The reading history of a test is its own (never the user's data directory).
    return Settings(data_dir=str(tmp_path / "data"))


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
