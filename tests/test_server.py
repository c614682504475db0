"""newsgist.server: waitress as ``newsgist serve`` runs it, in a thread of this process.

The refusals waitress makes by itself, hostile HTTP and the ``serve`` process are in
``tests/system/``; here: the options, the one 413 answer, and a graceful stop."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.pipeline import Pipeline
from newsgist.server import make_server, server_options
from support import ARTICLE, HashingEncoder


def test_options_keep_bodies_in_memory_and_threads_for_health():
    s = Settings(max_body_bytes=1000, max_digest_bytes=2000, max_queue=30, server_threads=4)
    options = server_options(s)
    assert options["threads"] == 32  # every admitted summary, and health besides
    # The largest body a route takes (a digest's here), and room: the app answers its own 413.
    assert options["max_request_body_size"] == 2000 + 2**20
    assert options["inbuf_overflow"] > options["max_request_body_size"]  # never to disk
    assert server_options(Settings(max_body_bytes=8 * 2**20, max_digest_bytes=2**20))[
        "max_request_body_size"] == 16 * 2**20


@pytest.fixture
def served():
    """The app under waitress on a free loopback port, in a thread; the loop is stopped
    and drained at the end as ``serve`` does it."""
    settings = Settings(port=0, max_body_bytes=1000)
    app = create_app(settings, Pipeline(settings, encoder=HashingEncoder()))
    loop = make_server(app, settings)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    yield loop, loop.listeners[0].effective_port, settings
    loop.stop()
    thread.join(30)
    loop.drain(5)
    loop.close()


def _announce(port: int, length: int) -> tuple[int, dict]:
    """Headers only, announcing a body of ``length`` bytes: answered before it is sent."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.putrequest("POST", "/v1/summarize")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def _post(port: int, body: bytes) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/v1/summarize", body=body,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def test_a_body_over_the_limit_gets_one_answer_whoever_refuses_it(served):
    loop, port, settings = served
    by_flask = _post(port, json.dumps({"text": "x" * 2000}).encode())  # over 1000 bytes
    by_waitress = _announce(port, server_options(settings)["max_request_body_size"] + 1)
    assert by_flask == by_waitress == (413, {"error": {
        "code": "body_too_large",
        "message": "The request body is larger than the limit of 1000 bytes."}})


def test_the_url_names_the_port_and_brackets_ipv6(served):
    loop, port, _ = served
    assert loop.url("127.0.0.1") == f"http://127.0.0.1:{port}"
    assert loop.url("::1") == f"http://[::1]:{port}"


def test_a_stopped_loop_answers_what_is_in_progress_and_listens_no_more():
    """As on SIGTERM: the request in progress when the loop is stopped is answered in
    full during the drain, and the listening socket is closed."""
    started, release = threading.Event(), threading.Event()

    class Held(HashingEncoder):
        def encode(self, sentences, between_batches=None):
            started.set()
            release.wait(60)  # bounded: a broken test cannot hang
            return super().encode(sentences, between_batches)

    settings = Settings(port=0)
    app = create_app(settings, Pipeline(settings, encoder=Held()))
    loop = make_server(app, settings)
    port = loop.listeners[0].effective_port
    running = threading.Thread(target=loop.run, daemon=True)
    running.start()
    answers = []
    client = threading.Thread(target=lambda: answers.append(
        _post(port, json.dumps({"text": ARTICLE}).encode())), daemon=True)
    client.start()
    try:
        assert started.wait(60)
        loop.stop()
        running.join(30)
        assert not running.is_alive()      # the loop returned; the request is still held
        release.set()
        loop.drain(30)
        client.join(30)
        assert answers and answers[0][0] == 200 and len(answers[0][1]["sentences"]) == 3
        listening = [o for o in loop.map.values() if o in loop.listeners]
        assert listening == [] and not any(listener.accepting for listener in loop.listeners)
    finally:
        release.set()
        loop.close()
