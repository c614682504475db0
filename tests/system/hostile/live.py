"""Helpers for tests that talk to a real server over loopback: waitress in a thread of
the test process and plain HTTP calls.  The ``newsgist serve`` process and the /proc
readings are in ``tests/processes.py`` (shared with the benchmarks)."""

from __future__ import annotations

import http.client as httplib
import json
import threading

# A bound on waiting for an answer, generous for a shared CI machine; reaching it is a
# failure, not a measurement.
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
