"""Helpers for tests that talk to a real server over loopback: a ``newsgist serve``
process (real model, or the fake encoder through ``fake_serve.py``), waitress in
a thread of the test process, plain HTTP calls, and /proc readings (RSS,
threads, file descriptors).  Every wait is bounded; none is an assertion."""

from __future__ import annotations

import http.client as httplib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
TESTS = HERE.parents[1]  # tests/
# Bounds on waiting for things that should happen, generous for a shared CI
# machine; reaching one is a failure, not a measurement.
START_BOUND = 240.0
REQUEST_BOUND = 180.0


def hashing_encoder():
    """The tests' fake encoder (``tests/support.py``), for fixtures wider than a function."""
    from support import HashingEncoder

    return HashingEncoder()


def http(port: int, method: str, path: str, body: bytes | dict | None = None,
         headers: dict | None = None, content_type: str | None = "application/json",
         timeout: float = REQUEST_BOUND) -> tuple[int, dict, bytes]:
    conn = httplib.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        hdrs = {}
        if data is not None and content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def post_json(port: int, body, **kw) -> tuple[int, dict]:
    status, _, payload = http(port, "POST", "/v1/summarize", body, **kw)
    return status, json.loads(payload)


# -- /proc readings (Linux) --------------------------------------------------------------
def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def tree_rss_mb(pid: int) -> float:
    total = rss_mb(pid)
    for child in children(pid):
        try:
            total += rss_mb(child)
        except OSError:
            pass  # ended between the listing and the reading
    return total


def thread_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_until(predicate, bound: float = 30.0, step: float = 0.05) -> bool:
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a `newsgist serve` process ------------------------------------------------------------
class ServerProcess:
    """``newsgist serve`` (or ``fake_serve.py``) as a child process, its output collected."""

    def __init__(self, args: list[str], env: dict | None = None, fake: bool = False,
                 wait_ready: bool = True):
        cmd = [sys.executable, str(HERE / "fake_serve.py")] if fake else \
            [sys.executable, "-m", "newsgist", "serve"]
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen(cmd + args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=full_env,
                                     cwd=str(TESTS.parent))
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port: int | None = None
        if wait_ready:
            self.wait_ready()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line)

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def wait_for(self, pattern: str, bound: float = START_BOUND) -> re.Match | None:
        found: list[re.Match] = []

        def seen() -> bool:
            m = re.search(pattern, self.output)
            if m:
                found.append(m)
            return bool(m) or self.proc.poll() is not None

        wait_until(seen, bound, 0.1)
        if not found:  # the process may have printed it just before ending
            m = re.search(pattern, self.output)
            return m
        return found[0]

    def wait_ready(self) -> int:
        return self._wait_port("ready", "did not become ready")

    def wait_listening(self) -> int:
        return self._wait_port("listening", "did not listen")

    def _wait_port(self, word: str, failure: str) -> int:
        """The port of the line 'NewsGist <word> on http://127.0.0.1:<port>'; the server is
        killed and the test fails if it ends without printing it."""
        m = self.wait_for(rf"NewsGist {word} on http://127\.0\.0\.1:(\d+)")
        if not m:
            self.kill()
            raise AssertionError(f"server {failure}:\n" + self.output)
        self.port = int(m.group(1))
        return self.port

    def wait_exit(self, bound: float = 60.0) -> int | None:
        try:
            code = self.proc.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(timeout=5)
        return code

    def signal(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> int | None:
        self.signal(signal.SIGTERM)
        code = self.wait_exit(60)
        if code is None:
            self.kill()
        return code


# -- waitress in a thread of this process --------------------------------------------------
class ThreadedServer:
    """The app under waitress with the options ``newsgist serve`` uses, on a free port."""

    def __init__(self, app, settings, options: dict | None = None):
        from newsgist.server import make_server

        self.loop = make_server(app, settings.with_(port=0),
                                {**options, "port": 0} if options else None)
        self.port = self.loop.listeners[0].effective_port
        self.thread = threading.Thread(target=self._run, name="test-waitress", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.loop.run()
        self.loop.drain(10)
        self.loop.close()

    def close(self) -> None:
        self.loop.stop()
        self.thread.join(timeout=30)
