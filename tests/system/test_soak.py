"""A bounded soak on loopback: ``newsgist serve`` with the real model, 4 clients sending
the repository's news pages (and health checks) until a time or request budget
runs out, whichever comes first.  Zero errors; afterwards the server's memory
has grown less than 10%, and it holds no more threads or file descriptors than
before.

The embedding cache is off (``NEWSGIST_CACHE_DOCUMENTS=0``) so that every request
does the whole work; all traffic goes to 127.0.0.1.  ``NEWSGIST_SOAK_SECONDS``
(default 50) and ``NEWSGIST_SOAK_REQUESTS`` (default 400) set the budget.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

import processes
from hostile import live

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parents[1]  # tests/
CLIENTS = 4
SECONDS = float(os.environ.get("NEWSGIST_SOAK_SECONDS", "50"))
REQUESTS = int(os.environ.get("NEWSGIST_SOAK_REQUESTS", "400"))


def _pages() -> list[dict]:
    files = [TESTS / "fixtures" / "news_article.html", TESTS / "e2e" / "site" / "article.html",
             *sorted((TESTS / "fixtures" / "pages").glob("*.html"))]
    bodies = [{"html": f.read_text(encoding="utf-8"), "url": f"https://news.example/{f.stem}"}
              for f in files if f.exists()]
    bodies += [{"html": b["html"], "length": "long", "include_text": True} for b in bodies[:2]]
    return bodies


def test_soak(capsys):
    server = processes.ServerProcess(["--port", "0"], env={"NEWSGIST_CACHE_DOCUMENTS": "0"})
    try:
        port, pid = server.port, server.proc.pid
        pages = []
        for body in _pages():  # warm-up; pages that hold no article are left out
            status, _ = live.post_json(port, body)
            if status == 200:
                pages.append(body)
        assert len(pages) >= 8, "too few article pages to soak with"
        for body in pages:  # a second round: first-use allocations are behind us
            assert live.post_json(port, body)[0] == 200
        before = processes.footprint(pid)

        counter = {"n": 0}
        errors: list[str] = []
        lock = threading.Lock()
        end = time.monotonic() + SECONDS

        def client(k: int) -> None:
            i = k
            while time.monotonic() < end:
                with lock:
                    if counter["n"] >= REQUESTS or errors:
                        return
                    counter["n"] += 1
                try:
                    if i % 5 == 4:
                        status, _, payload = live.http(port, "GET", "/v1/health")
                        ok = status == 200 and json.loads(payload)["status"] == "ok"
                    else:
                        status, payload = live.post_json(port, pages[i % len(pages)])
                        ok = status == 200 and len(payload["sentences"]) >= 3
                    if not ok:
                        with lock:
                            errors.append(f"{status}: {str(payload)[:200]}")
                except Exception as exc:  # noqa: BLE001 - any failure is an error here
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                i += CLIENTS

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(SECONDS + 300)
        took = time.monotonic() - started
        assert not any(t.is_alive() for t in threads)
        assert not errors, errors[:5]
        assert counter["n"] >= 4 * CLIENTS, "the soak hardly ran"

        settled = processes.wait_until(
            lambda: processes.thread_count(pid) <= before["threads"]
            and processes.fd_count(pid) <= before["fds"], bound=30)
        after = processes.footprint(pid)
        with capsys.disabled():
            print(f"\nsoak: {counter['n']} requests from {CLIENTS} clients in {took:.0f} s, "
                  f"0 errors; server RSS {before['rss']:.0f} -> {after['rss']:.0f} MB, with "
                  f"workers {before['tree']:.0f} -> {after['tree']:.0f} MB, threads "
                  f"{before['threads']} -> {after['threads']}, fds {before['fds']} -> "
                  f"{after['fds']}")
        assert settled, (before, after)
        assert after["rss"] < before["rss"] * 1.10, (before, after)
        assert after["tree"] < before["tree"] * 1.10, (before, after)
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output
