"""``newsgist serve`` as a real process: start-up faults and shutdown.

* SIGTERM (and Ctrl-C) finishes the requests in progress, refuses new
  connections meanwhile, and exits 0; the wait is bounded; a second Ctrl-C
  stops at once;
* while the model loads, health says "loading" and summaries get a 503;
* a model that fails to load, a port already in use: a clear message that names
  the setting, a non-zero exit, never a traceback.

Most of these run ``tests/system/hostile/fake_serve.py``: the shipped ``serve`` code with
the fake encoder, so that a request can be held in progress on cue (a gate
file); the model faults use the real loader.
"""

from __future__ import annotations

import json
import signal
import socket
import threading

import pytest

import processes
from hostile import live
from hostile.corpus import ARTICLE

pytestmark = pytest.mark.slow

GATED = ARTICLE.replace("Monday", "Monday GATED")


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except OSError:
        return True


def _held_request(server, gate, results):
    """A summary that is provably in progress once ``gate/started`` exists."""
    def run():
        try:
            results.append(live.post_json(server.port, {"text": GATED}))
        except OSError as exc:  # the server went away without answering
            results.append(exc)
    t = threading.Thread(target=run)
    t.start()
    assert processes.wait_until(lambda: (gate / "started").exists(), bound=60), server.output
    return t


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_finishes_requests_in_progress_then_exits(tmp_path, sig):
    server = processes.ServerProcess(["--port", "0"], fake=True,
                                     env={"NEWSGIST_TEST_GATE": str(tmp_path)})
    results: list = []
    try:
        t = _held_request(server, tmp_path, results)
        server.signal(sig)
        # New connections are refused from now on, while the request is still held...
        assert processes.wait_until(lambda: _refuses_connections(server.port), bound=30), \
            server.output
        assert t.is_alive() and server.proc.poll() is None
        (tmp_path / "release").touch()
        t.join(60)
        # ...and it still gets its whole answer, after which the server exits cleanly.
        status, body = results[0]
        assert status == 200 and len(body["sentences"]) == 3
        assert server.wait_exit(60) == 0
    finally:
        (tmp_path / "release").touch()
        server.kill()
    assert "finishing the requests in progress" in server.output
    assert "NewsGist stopped." in server.output
    assert "Traceback" not in server.output


def test_waiting_for_requests_in_progress_is_bounded(tmp_path):
    """A request that never finishes does not keep the server from exiting."""
    server = processes.ServerProcess(["--port", "0"], fake=True,
                                     env={"NEWSGIST_TEST_GATE": str(tmp_path),
                                          "NEWSGIST_REQUEST_TIMEOUT": "1"})
    results: list = []
    try:
        # Workers still warming up may take longer than 1 s for a first page.
        assert processes.wait_until(
            lambda: live.post_json(server.port, {"text": ARTICLE})[0] == 200, bound=60, step=0.2)
        t = _held_request(server, tmp_path, results)
        server.signal(signal.SIGTERM)
        assert server.wait_exit(60) == 0, server.output  # never released
        t.join(60)
        assert isinstance(results[0], OSError)  # it was cut off, not answered
    finally:
        (tmp_path / "release").touch()
        server.kill()
    assert "NewsGist stopped." in server.output


def test_a_second_ctrl_c_stops_at_once(tmp_path):
    server = processes.ServerProcess(["--port", "0"], fake=True,
                                     env={"NEWSGIST_TEST_GATE": str(tmp_path)})
    results: list = []
    try:
        t = _held_request(server, tmp_path, results)
        server.signal(signal.SIGINT)
        assert processes.wait_until(lambda: _refuses_connections(server.port), bound=30)
        server.signal(signal.SIGINT)
        assert server.wait_exit(60) == 0, server.output
        assert not (tmp_path / "release").exists()  # it did not wait for the request
    finally:
        (tmp_path / "release").touch()
        server.kill()
        t.join(60)
    assert "Traceback" not in server.output


def test_health_says_loading_until_the_model_is_there(tmp_path):
    server = processes.ServerProcess(["--port", "0"], fake=True, wait_ready=False,
                                     env={"NEWSGIST_TEST_LOAD_GATE": str(tmp_path)})
    try:
        port = server.wait_listening()
        status, _, body = live.http(port, "GET", "/v1/health")
        assert status == 200 and json.loads(body)["status"] == "loading"
        status, headers, body = live.http(port, "POST", "/v1/summarize", {"text": ARTICLE})
        assert status == 503 and json.loads(body)["error"]["code"] == "model_loading"
        assert headers.get("retry-after") == "1"
        (tmp_path / "loaded").touch()
        assert server.wait_ready() == port
        status, _, body = live.http(port, "GET", "/v1/health")
        assert json.loads(body)["status"] == "ok"
        status, body = live.post_json(port, {"text": ARTICLE})
        assert status == 200
    finally:
        (tmp_path / "loaded").touch()
        server.stop()


def test_a_model_that_fails_to_load_stops_the_server_with_its_message():
    server = processes.ServerProcess(["--port", "0"], fake=True, wait_ready=False,
                                     env={"NEWSGIST_TEST_LOAD_FAIL":
                                          "Could not load the model (setting NEWSGIST_MODEL)."})
    code = server.wait_exit(120)
    assert code == 3, server.output
    assert "newsgist: Could not load the model (setting NEWSGIST_MODEL)." in server.output
    assert "Traceback" not in server.output and "ready" not in server.output


@pytest.mark.parametrize("model", ["bogus-path", "corrupt-folder"])
def test_a_bad_model_setting_gives_a_clear_message_and_a_non_zero_exit(tmp_path, model):
    """The real loader: NEWSGIST_MODEL pointing nowhere, or at a folder of garbage.
    Either a message that names the setting and exit 3, or a fallback the log names."""
    if model == "bogus-path":
        path = tmp_path / "no" / "such" / "model"
    else:
        path = tmp_path / "model"
        path.mkdir()
        (path / "config.json").write_text('{"model_type": "bert", ')
        (path / "modules.json").write_text("[]")
        (path / "model.safetensors").write_bytes(b"\x00garbage" * 1000)
        (path / "model.onnx").write_bytes(b"not an onnx graph")
    server = processes.ServerProcess(["--port", "0"], wait_ready=False, env={
        "NEWSGIST_MODEL": str(path), "NEWSGIST_CACHE_DIR": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1"})
    code = server.wait_exit(240)
    if code is None:
        server.kill()
    out = server.output
    assert code == 3, out
    assert "NEWSGIST_MODEL" in out and str(path) in out
    assert "Traceback" not in out
    assert "ready on" not in out


def test_a_port_in_use_gives_a_clear_message_and_a_non_zero_exit():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        server = processes.ServerProcess(["--port", str(port)], fake=True, wait_ready=False)
        code = server.wait_exit(120)
    assert code == 2, server.output
    assert f"cannot listen on 127.0.0.1:{port}" in server.output
    assert "already running" in server.output and "--port" in server.output
    assert "Traceback" not in server.output


def test_workers_that_cannot_start_fall_back_named_in_the_log():
    server = processes.ServerProcess(["--port", "0"], fake=True,
                                     env={"NEWSGIST_TEST_BROKEN_WORKERS": "1"})
    try:
        assert "extraction worker processes could not start" in server.output
        assert "falling back to reading pages in the request threads" in server.output
        assert "NEWSGIST_EXTRACT_WORKERS" in server.output
        status, body = live.post_json(server.port, {"text": ARTICLE})
        assert status == 200 and len(body["sentences"]) == 3
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output


def test_the_extraction_workers_go_with_the_server(tmp_path):
    server = processes.ServerProcess(["--port", "0"], fake=True)
    pid = server.proc.pid
    workers = processes.children(pid)
    assert len(workers) == 2  # NEWSGIST_EXTRACT_WORKERS default
    status, _ = live.post_json(server.port, {"text": ARTICLE})
    assert status == 200
    assert server.stop() == 0
    for w in workers:
        assert processes.wait_until(lambda: not processes.alive(w), bound=30), \
            f"worker {w} outlived the server"


def test_workers_of_a_killed_server_do_not_linger():
    """Even SIGKILL (no cleanup at all): the workers notice and leave."""
    server = processes.ServerProcess(["--port", "0"], fake=True)
    workers = processes.children(server.proc.pid)
    assert workers
    server.proc.kill()
    server.proc.wait()
    for w in workers:
        assert processes.wait_until(lambda: not processes.alive(w), bound=30), \
            f"worker {w} was orphaned"
