"""Time and faults inside a running service: the per-request deadline, health checks
while a pathological page is processed, a crashing or memory-hungry extraction
worker, and clients that go away mid-request.

Extraction runs in worker processes as under ``newsgist serve``; the pages that
misbehave on cue are in ``tests/system/hostile/jobs.py``.  Waits are bounded, never
measured: "health answered while the slow page was in progress" is checked by
order of events, not by milliseconds.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import numpy as np
import pytest

import processes
from hostile import jobs, live
from hostile.corpus import ARTICLE, normal_request
from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.errors import DeadlineExceeded
from newsgist.deadline import Deadline
from newsgist.language import detect_language
from newsgist.pipeline import Pipeline, prepare_html
from newsgist.workers import WorkerPool
from support import HashingEncoder

PAGE = ("<html><head><title>Budget</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")) + "</article></body></html>")


class MisbehavingPool(WorkerPool):
    """The real worker pool, running the misbehaving stand-in for page extraction."""

    def run(self, fn, args, deadline):
        if fn is prepare_html:
            fn = jobs.misbehaving_prepare_html
        return super().run(fn, args, deadline)


def make_app(pool, **settings):
    s = Settings(**settings)
    return create_app(s, Pipeline(s, encoder=HashingEncoder(), runner=pool)), s


@pytest.fixture
def pool():
    f = MisbehavingPool(workers=1, memory_limit_mb=1024).start()
    yield f
    f.close()


def summarize(client, html, **extra):
    return client.post("/v1/summarize", json={"html": html, **extra})


def assert_normal(client):
    r = client.post("/v1/summarize", data=normal_request(), content_type="application/json")
    assert r.status_code == 200 and len(r.get_json()["sentences"]) == 3


# -- the deadline ----------------------------------------------------------------------------
def test_a_page_past_the_deadline_ends_with_504_and_its_worker(pool, tmp_path):
    assert_normal(make_app(pool)[0].test_client())  # the worker is up and warm
    app, _ = make_app(pool, request_timeout=1.0)
    client = app.test_client()
    worker = pool.pids()
    r = summarize(client, PAGE.replace("Budget", f"GATE:{tmp_path}"))  # never released
    assert r.status_code == 504
    body = r.get_json()
    assert body["error"]["code"] == "timeout" and "NEWSGIST_REQUEST_TIMEOUT" in \
        body["error"]["message"]
    assert (tmp_path / "started").exists()
    assert pool.killed == 1 and pool.pids() != worker  # stopped, and replaced
    # The same workers serve the next request (with room for the new one to start).
    assert_normal(make_app(pool)[0].test_client())


def test_a_real_pathological_page_is_stopped_at_the_deadline():
    """No stand-in: 100,000 one-sentence paragraphs keep readability busy for many
    seconds; a 1 s deadline ends the request and the worker that was reading it."""
    f = WorkerPool(workers=1).start()
    try:
        app, _ = make_app(f, request_timeout=1.0)
        client = app.test_client()
        page = "".join(f"<p>Item {i} of the list is here.</p>" for i in range(100_000))
        r = summarize(client, f"<html><body>{page}</body></html>")
        assert r.status_code == 504 and r.get_json()["error"]["code"] == "timeout"
        assert f.killed == 1
        assert_normal(make_app(f)[0].test_client())
    finally:
        f.close()


def test_in_process_the_deadline_is_checked_between_stages():
    """The Python API has no worker to stop: a stage that overran ends the request at
    the next stage boundary, with the same error."""

    class Slow(HashingEncoder):
        deadline = None

        def encode(self, sentences, between_batches=None):
            while not self.deadline.expired:  # overrun, for as long as it takes
                time.sleep(0.01)
            return super().encode(sentences)  # and ignore between_batches: no batches

    encoder = Slow()
    pipeline = Pipeline(Settings(), encoder=encoder)
    detect_language(ARTICLE)   # the detector loads its model once per process, not in 0.2 s
    encoder.deadline = Deadline(0.2)
    with pytest.raises(DeadlineExceeded, match="ranking"):
        pipeline.summarize_text(ARTICLE, deadline=encoder.deadline)
    assert pipeline.summarize_text(ARTICLE).sentences  # and the next one is normal


class BatchedEncoder(HashingEncoder):
    """Encodes one sentence per batch, like the real encoders, calling
    ``between_batches`` between them; the first batch overruns the deadline."""

    def __init__(self, deadline):
        super().__init__()
        self.deadline = deadline
        self.batches = 0

    def encode(self, sentences, between_batches=None):
        rows = []
        for i, s in enumerate(sentences):
            if i and between_batches is not None:
                between_batches()
            while i == 0 and not self.deadline.expired:
                time.sleep(0.01)
            self.batches += 1
            rows.append(super().encode([s]))
        return np.concatenate(rows)


def test_embedding_stops_at_the_deadline_between_batches():
    deadline = Deadline(0.2)
    encoder = BatchedEncoder(deadline)
    pipeline = Pipeline(Settings(), encoder=encoder)
    with pytest.raises(DeadlineExceeded, match="embedding"):
        pipeline.summarize_text(ARTICLE, deadline=deadline)
    assert encoder.batches == 1  # stopped at the first boundary, not after all six


@pytest.mark.slow
def test_a_huge_article_is_stopped_during_embedding_by_the_real_model(real_pipeline):
    """1000 sentences of maximal length take the real model minutes on a small CPU;
    the request ends at its deadline, long before the last batch."""
    encoder = real_pipeline.encoder
    calls = []

    class Counting:
        name = encoder.name
        languages = encoder.languages

        def encode(self, sentences, between_batches=None):
            def counted():
                calls.append(1)
                between_batches()
            return encoder.encode(sentences, between_batches=counted)

    settings = Settings(request_timeout=2, cache_documents=0)
    app = create_app(settings, Pipeline(settings, encoder=Counting()))
    text = "\n\n".join(f"Sentence {i} is " + "about the council and its budget for buses " * 50
                        + "in town." for i in range(1000))
    r = app.test_client().post("/v1/summarize", json={"text": text})
    assert r.status_code == 504
    assert "embedding" in r.get_json()["error"]["message"]
    batches = 1000 // getattr(encoder, "batch_size", 8)
    assert 0 < len(calls) < batches // 2, (len(calls), batches)


def test_health_answers_while_a_pathological_page_is_processed(pool, tmp_path):
    app, settings = make_app(pool, request_timeout=60)
    server = live.ThreadedServer(app, settings)
    slow_result = {}

    def slow():
        slow_result["answer"] = live.post_json(
            server.port, {"html": PAGE.replace("Budget", f"GATE:{tmp_path}")})

    t = threading.Thread(target=slow)
    try:
        t.start()
        assert processes.wait_until(lambda: (tmp_path / "started").exists(), bound=60)
        for _ in range(5):
            status, _, body = live.http(server.port, "GET", "/v1/health")
            assert status == 200 and json.loads(body)["status"] == "ok"
        status, _, _ = live.http(server.port, "GET", "/openapi.json")
        assert status == 200
        assert t.is_alive() and "answer" not in slow_result  # it was still being read
        (tmp_path / "release").touch()
        t.join(60)
        status, body = slow_result["answer"]
        assert status == 200 and len(body["sentences"]) == 3
    finally:
        (tmp_path / "release").touch()
        t.join(60)
        server.close()


def test_health_answers_while_every_summary_slot_is_busy(tmp_path):
    """All admitted summaries in progress at once: summaries beyond the limit get a
    quick 503, and health is still answered (waitress has threads to spare)."""
    f = MisbehavingPool(workers=2).start()
    app, settings = make_app(f, request_timeout=60, max_queue=3, server_threads=2)
    server = live.ThreadedServer(app, settings)
    gated = PAGE.replace("Budget", f"GATE:{tmp_path}")
    threads = [threading.Thread(target=live.post_json, args=(server.port, {"html": gated}))
               for _ in range(3)]
    try:
        for t in threads:
            t.start()
        admission = app.extensions["newsgist"]["admission"]
        assert processes.wait_until(lambda: admission.in_progress == 3, bound=60)
        status, body = live.post_json(server.port, {"text": ARTICLE})
        assert status == 503 and body["error"]["code"] == "overloaded"
        status, _, _ = live.http(server.port, "GET", "/v1/health")
        assert status == 200
        assert all(t.is_alive() for t in threads)
    finally:
        (tmp_path / "release").touch()
        for t in threads:
            t.join(60)
        server.close()
        f.close()


# -- a worker that fails -----------------------------------------------------------------------
def test_a_worker_that_dies_gives_a_500_and_is_replaced(pool, caplog):
    caplog.set_level(logging.INFO)
    app, _ = make_app(pool)
    client = app.test_client()
    r = summarize(client, PAGE + "CRASH-NOW")
    assert r.status_code == 500 and r.get_json()["error"]["code"] == "internal_error"
    assert "restarted" in r.get_json()["error"]["message"]
    assert "stopped on a page" in caplog.text
    assert_normal(client)
    assert summarize(client, PAGE).status_code == 200


def test_a_page_that_would_take_all_memory_fails_alone(pool):
    app, _ = make_app(pool)
    client = app.test_client()
    r = summarize(client, PAGE + "EAT-MEMORY")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "page_too_complex"
    assert_normal(client)


def test_a_worker_left_big_is_replaced_after_its_job():
    f = WorkerPool(workers=1, max_rss_mb=1).start()  # every worker is "too big"
    try:
        app, _ = make_app(f)
        client = app.test_client()
        pids = set()
        for _ in range(3):
            assert summarize(client, PAGE).status_code == 200
            pids.update(f.pids())
        assert f.recycled == 3 and len(pids) >= 3
        assert len(f.pids()) == 1  # one live worker per slot, the old ones gone
    finally:
        f.close()


# -- clients that go away ------------------------------------------------------------------------
def _raw_post(port: int, body: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
              + body)
    return s


def test_a_client_that_disconnects_mid_request_stops_its_work(pool, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    app, settings = make_app(pool, request_timeout=60)
    server = live.ThreadedServer(app, settings)
    try:
        threads_before = threading.active_count()
        s = _raw_post(server.port, json.dumps(
            {"html": PAGE.replace("Budget", f"GATE:{tmp_path}")}).encode())
        assert processes.wait_until(lambda: (tmp_path / "started").exists(), bound=60)
        s.close()  # the reader closed the tab
        # The server notices, stops the extraction (its worker is ended) and logs a 499.
        assert processes.wait_until(lambda: pool.killed == 1, bound=60)
        assert processes.wait_until(lambda: "POST /v1/summarize 499" in caplog.text, bound=30)
        status, _, _ = live.http(server.port, "GET", "/v1/health")
        assert status == 200
        status, body = live.post_json(server.port, {"text": ARTICLE})
        assert status == 200 and len(body["sentences"]) == 3
        assert processes.wait_until(lambda: threading.active_count() <= threads_before, bound=30)
        assert "Traceback" not in caplog.text
    finally:
        (tmp_path / "release").touch()
        server.close()


def test_a_client_that_leaves_while_a_big_answer_is_sent(caplog):
    """The answer is several megabytes; the client reads a little and hangs up."""
    caplog.set_level(logging.INFO)
    settings = Settings()
    app = create_app(settings, Pipeline(settings, encoder=HashingEncoder()))
    server = live.ThreadedServer(app, settings)
    try:
        text = "\n\n".join(f"Paragraph {i} says the council met about the budget."
                           for i in range(60_000))
        for _ in range(3):
            s = _raw_post(server.port, json.dumps({"text": text, "include_text": True}).encode())
            assert s.recv(1024).startswith(b"HTTP/1.1 200")
            s.close()
        status, _, _ = live.http(server.port, "GET", "/v1/health")
        assert status == 200
        status, body = live.post_json(server.port, {"text": ARTICLE})
        assert status == 200
        assert "Traceback" not in caplog.text
    finally:
        server.close()


def test_a_client_that_sends_half_a_body_and_leaves():
    settings = Settings()
    app = create_app(settings, Pipeline(settings, encoder=HashingEncoder()))
    server = live.ThreadedServer(app, settings)
    try:
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            s.sendall(b"POST /v1/summarize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                      b'{"text": "only the beginning')
            s.close()
        status, body = live.post_json(server.port, {"text": ARTICLE})
        assert status == 200 and len(body["sentences"]) == 3
    finally:
        server.close()
