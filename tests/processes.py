"""Processes, for the tests and the benchmarks alike: a free loopback port, a
``newsgist serve`` child process (the real model, or the tests' fake encoder through
``system/hostile/fake_serve.py``), stopping a child, and /proc readings (alive, children,
memory, threads, file descriptors).  Linux only, as the /proc readings are.

The benchmarks import this module through ``bench/bench_support.py``, which puts
``tests/`` on ``sys.path``; so it imports nothing from the tests but the standard library.
Every wait is bounded; reaching a bound is a failure, not a measurement."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FAKE_SERVE = TESTS / "system" / "hostile" / "fake_serve.py"
# Generous for a shared CI machine (a first start may export the model).
START_BOUND = 240.0


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, bound: float = 30.0, step: float = 0.05) -> bool:
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# -- /proc readings -------------------------------------------------------------------------
def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie (ended, not yet reaped) counts as gone."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def children(pid: int) -> list[int]:
    """The direct children of ``pid``."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _all_stats() -> dict[int, list[str]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(entry)) is not None:
            found[int(entry)] = fields
    return found


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, ...), by their parent ids."""
    below: dict[int, list[int]] = {}
    for child, fields in _all_stats().items():
        below.setdefault(int(fields[1]), []).append(child)
    out, todo = [], list(below.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(below.get(p, []))
    return out


def in_session(sid: int) -> list[int]:
    """The live processes of session ``sid`` (a child started with start_new_session)."""
    return [p for p, fields in _all_stats().items()
            if int(fields[3]) == sid and fields[0] != "Z"]


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of one process now."""
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb(pid: int | str = "self") -> float:
    """VmHWM: the most resident memory the process has held."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every process below it, now."""
    total = rss_mb(pid)
    for p in descendants(pid):
        try:
            total += rss_mb(p)
        except OSError:
            pass  # ended between the listing and the reading
    return total


def thread_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def footprint(pid: int) -> dict:
    """What a long run must not grow: RSS (own and the tree's), threads, descriptors."""
    return {"rss": rss_mb(pid), "tree": tree_rss_mb(pid), "threads": thread_count(pid),
            "fds": fd_count(pid)}


def stop(proc: subprocess.Popen, bound: float = 60.0) -> int | None:
    """SIGTERM, then SIGKILL if ``proc`` has not ended within ``bound`` seconds; the exit
    status of a process that ended on the SIGTERM, else None."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=bound)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


# -- a `newsgist serve` process ------------------------------------------------------------
class ServerProcess:
    """``newsgist serve`` (or ``fake_serve.py``) as a child process, its output collected.

    Runs this checkout's package (``service/`` first on PYTHONPATH), so a benchmark run
    from a checkout without ``pip install -e`` serves the code it measures.  ``started``
    is when the process was spawned (``time.perf_counter``), ``ready_s`` how long it took
    to say it was ready."""

    def __init__(self, args: list[str], env: dict | None = None, fake: bool = False,
                 wait_ready: bool = True):
        cmd = [sys.executable, str(FAKE_SERVE)] if fake else \
            [sys.executable, "-m", "newsgist", "serve"]
        path = os.pathsep.join(p for p in (str(REPO / "service"), os.environ.get("PYTHONPATH"))
                               if p)
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path, **(env or {})}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd + args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=full_env,
                                     cwd=str(REPO))
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port: int | None = None
        self.ready_s: float | None = None
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
            return re.search(pattern, self.output)
        return found[0]

    def wait_ready(self) -> int:
        port = self._wait_port("ready", "did not become ready")
        self.ready_s = time.perf_counter() - self.started
        return port

    def wait_listening(self) -> int:
        return self._wait_port("listening", "did not listen")

    def _wait_port(self, word: str, failure: str) -> int:
        """The port of the line 'NewsGist <word> on http://127.0.0.1:<port>'; the server is
        killed and the caller fails if it ends without printing it."""
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
        code = stop(self.proc, 60)
        self._reader.join(timeout=5)
        return code
