"""The reading history of a real ``newsgist serve`` (fake encoder): killed with SIGKILL while
it writes, then started again; two services on one data directory."""

from __future__ import annotations

import json
import sqlite3
import threading
import urllib.request

import pytest

import processes
from newsgist.history.store import DB_NAME
from support import ARTICLE

pytestmark = pytest.mark.slow


def _remember(port: int, n: int) -> int:
    body = json.dumps({"text": ARTICLE + f"\n\nReading number {n} of the page.",
                       "title": f"Read {n}", "remember": True}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/summarize", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)["history_id"]


def _listed(port: int) -> set[int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/history?limit=500",
                                timeout=60) as answer:
        return {e["id"] for e in json.load(answer)["entries"]}


def _integrity(data_dir) -> str:
    with sqlite3.connect(data_dir / DB_NAME) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def test_sigkill_during_writes_loses_no_committed_entry(tmp_path):
    env = {"NEWSGIST_DATA_DIR": str(tmp_path)}
    server = processes.ServerProcess(["--port", "0"], env=env, fake=True)
    answered: list[int] = []
    stop = threading.Event()

    def write():
        n = 0
        while not stop.is_set():
            try:
                answered.append(_remember(server.port, n))
            except OSError:
                return           # the service is gone
            n += 1

    writers = [threading.Thread(target=write) for _ in range(3)]
    for w in writers:
        w.start()
    processes.wait_until(lambda: len(answered) >= 40, 120, 0.05)
    server.kill()                # SIGKILL while the writers keep sending
    stop.set()
    for w in writers:
        w.join(timeout=60)
    assert len(answered) >= 40
    assert _integrity(tmp_path) == "ok"
    again = processes.ServerProcess(["--port", "0"], env=env, fake=True)
    try:
        assert set(answered) <= _listed(again.port)
        assert _remember(again.port, 10_000) not in answered     # and it writes on
    finally:
        again.stop()
    assert _integrity(tmp_path) == "ok"


def test_two_services_on_one_data_directory(tmp_path):
    env = {"NEWSGIST_DATA_DIR": str(tmp_path)}
    servers = [processes.ServerProcess(["--port", "0"], env=env, fake=True) for _ in range(2)]
    try:
        ids: list[int] = []
        lock = threading.Lock()

        def write(server, start):
            for n in range(start, start + 30):
                entry = _remember(server.port, n)
                with lock:
                    ids.append(entry)

        threads = [threading.Thread(target=write, args=(s, 100 * i))
                   for i, s in enumerate(servers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert len(ids) == len(set(ids)) == 60
        for server in servers:     # each sees every entry, the other's too
            assert _listed(server.port) == set(ids)
    finally:
        for server in servers:
            server.stop()
    assert _integrity(tmp_path) == "ok"
