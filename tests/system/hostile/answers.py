"""What the hostile suites (summary and digest) share: a Flask test client whose pipeline
extracts in a worker process with a deadline, as ``newsgist serve`` runs it, and the check of
an answer against the OpenAPI document."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import jsonschema

from hostile import live
from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.openapi import openapi_document
from newsgist.pipeline import Pipeline
from newsgist.workers import WorkerPool

SPEC = openapi_document()


@contextlib.contextmanager
def worker_client(request_timeout: float) -> Iterator:
    """A test client over the fake encoder, extraction in one worker process."""
    settings = Settings(request_timeout=request_timeout)
    pool = WorkerPool(workers=1).start()
    try:
        app = create_app(settings, Pipeline(settings, encoder=live.hashing_encoder(), runner=pool))
        yield app.test_client()
    finally:
        pool.close()


def validate(route: str, status: int, body: dict) -> None:
    """The answer of ``POST route`` matches the OpenAPI document's schema for that status."""
    responses = SPEC["paths"][route]["post"]["responses"]
    assert str(status) in responses, f"status {status} is not documented"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**SPEC, **schema}).validate(body)
