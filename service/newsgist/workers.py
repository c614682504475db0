"""Where extraction runs: a pool of worker processes, or the calling thread.

Extraction (lxml + readability) and sentence splitting are CPU-bound work
driven by whatever HTML the web produces.  A hostile or merely pathological
page can keep them busy for minutes or make them balloon in memory, and a
Python thread cannot be stopped.  So:

* ``newsgist serve`` runs them in a :class:`WorkerPool` of processes.  A job
  whose deadline passes kills its worker (a fresh one takes its place) and
  ends with a 504, while the server process itself, idle while it waits, keeps
  answering ``/v1/health``.  A worker that grew large on a big page is
  replaced after the job, so the memory a page took goes back to the system.
* the Python API and the tests run them in the calling thread
  (``runner.InThreadRunner``): the deadline is then checked before and after.

Both are ``runner.Runner``s: ``run(fn, args, deadline)``.  Jobs are module-level functions sent by
reference (pickled by name) with their arguments; only the service itself
chooses them, never a request.  A job's ``NewsGistError`` crosses back to the
caller as itself (code, status and headers intact).  A worker says "ready"
once it has loaded what extraction needs; if workers cannot start at all,
``newsgist serve`` falls back to the calling thread and logs it.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any, Callable

from .deadline import Deadline
from .errors import NewsGistError, PageTooComplex, WorkerFailed
from .memory import malloc_trim, resident_mb, tune_malloc

log = logging.getLogger("newsgist.workers")


class WorkerProcess:
    """One worker process and the socket it takes jobs on."""

    def __init__(self, memory_limit_mb: int):
        parent, child = socket.socketpair()
        env = dict(os.environ)
        # The child imports what this process imports, from where it imports it.
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newsgist._worker", str(child.fileno()),
                 str(memory_limit_mb)],
                pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, close_fds=True)
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.jobs = 0
        self.ready = False  # it says so once it has loaded what extraction needs
        self.ready_mb: float | None = None  # its resident size then, as it reported it

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        self.conn.close()

    def stop(self) -> None:
        """Ask the worker to leave (end of its input), then make sure it did."""
        self.conn.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()


# A worker that a page left this much larger than it was when ready is replaced,
# whatever ``max_rss_mb`` allows: memory lxml, readability and trafilatura took for a
# big page stays in the process (malloc_trim gives back only what is free at the top).
GROWTH_MB = 64


def _reported_mb(text: bytes) -> float | None:
    try:
        value = float(text.strip() or b"0")
    except ValueError:
        return None
    return value if value > 0 else None


class WorkerPool:
    """A pool of extraction worker processes; a job past its deadline is killed.

    ``workers`` processes at most run at once; a request waits (within its
    deadline) for a free one.  After a job, a worker whose resident memory is
    above ``max_rss_mb``, or ``GROWTH_MB`` above what it was when ready, is replaced.  ``memory_limit_mb`` caps each worker's
    address space (0: no cap), so a page that would take all memory fails
    alone with a 422 instead."""

    POLL = 0.1  # seconds between checks of the deadline and the client while waiting
    parallel = True  # (runner.Runner) each job has a process of its own

    def __init__(self, workers: int = 2, max_rss_mb: int = 256, memory_limit_mb: int = 0):
        if os.name != "posix":  # pragma: no cover - the service targets Linux and macOS
            raise RuntimeError("worker processes need a POSIX system")
        self.size = max(1, workers)
        self.max_rss_mb = max_rss_mb
        self.memory_limit_mb = memory_limit_mb
        self._slots: queue.Queue[WorkerProcess | None] = queue.Queue()
        for _ in range(self.size):
            self._slots.put(None)
        self._lock = threading.Lock()
        self._live: set[WorkerProcess] = set()
        self._closed = False
        # Counters for the log and the tests.
        self.started = 0
        self.killed = 0
        self.recycled = 0

    # -- life cycle ---------------------------------------------------------------------
    def start(self, wait: bool = True, bound: float = 120.0) -> "WorkerPool":
        """Start every worker now, so the first requests do not wait for one; with
        ``wait``, return once all are ready (RuntimeError if one cannot start)."""
        slots = [self._slots.get() for _ in range(self.size)]
        try:
            for i, w in enumerate(slots):
                if w is None:
                    slots[i] = self._spawn()
        finally:
            for w in slots:
                self._slots.put(w)
        if wait:
            self.wait_ready(bound)
        return self

    def wait_ready(self, bound: float = 120.0) -> None:
        slots = [self._slots.get() for _ in range(self.size)]
        try:
            for i, w in enumerate(slots):
                if w is not None and not w.ready:
                    try:
                        self._await_ready(w, Deadline(bound))
                    except NewsGistError as exc:
                        slots[i] = None
                        raise RuntimeError(f"an extraction worker did not start: {exc.message}") \
                            from None
        finally:
            for w in slots:
                self._slots.put(w)

    def _await_ready(self, worker: WorkerProcess, deadline: Deadline) -> None:
        """Wait for a new worker's "ready" (within the deadline; it is not killed if
        the deadline passes: it is not doing this request's work yet)."""
        try:
            while not worker.ready:
                remaining = deadline.remaining()
                wait = self.POLL if remaining is None else min(self.POLL, remaining)
                if worker.conn.poll(wait):
                    message = worker.conn.recv_bytes()
                    worker.ready = message.startswith(b"ready")
                    if not worker.ready:
                        raise EOFError("unexpected message")
                    worker.ready_mb = _reported_mb(message[len(b"ready"):])
                else:
                    deadline.check("the start of an extraction worker")
        except (EOFError, OSError):
            code = worker.proc.poll()
            self._discard(worker, "kill")
            log.error("extraction worker %d could not start (exit %s)", worker.pid, code)
            raise WorkerFailed(f"NewsGist's page reader could not start (exit {code}).") \
                from None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            live, self._live = list(self._live), set()
        for w in live:
            w.stop()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._live)

    def _spawn(self) -> WorkerProcess:
        with self._lock:
            if self._closed:
                raise WorkerFailed("The service is shutting down.")
            w = WorkerProcess(self.memory_limit_mb)
            self._live.add(w)
            self.started += 1
        return w

    def _discard(self, w: WorkerProcess, how: str) -> None:
        with self._lock:
            self._live.discard(w)
            if how == "kill":
                self.killed += 1
            else:
                self.recycled += 1
        if how == "kill":
            w.kill()
        else:  # it leaves when its socket closes; reap it off the request's path
            threading.Thread(target=w.stop, name="worker-reaper", daemon=True).start()

    # -- jobs -----------------------------------------------------------------------------
    def run(self, fn: Callable[..., Any], args: tuple, deadline: Deadline) -> Any:
        deadline.check("extraction")
        try:
            worker = self._slots.get(timeout=deadline.remaining())
        except queue.Empty:
            deadline.check("the wait for a free extraction worker")
            raise  # pragma: no cover - get() only times out once the deadline passed
        try:
            if worker is not None and worker.proc.poll() is not None:
                self._discard(worker, "kill")  # died while idle
                worker = None
            if worker is None:
                worker = self._spawn()
            if not worker.ready:
                self._await_ready(worker, deadline)
            status, payload, rss_mb = self._call(worker, fn, args, deadline)  # on failure:
            worker.jobs += 1                                                  # discarded
            if rss_mb is not None and (rss_mb > self.max_rss_mb or (
                    worker.ready_mb is not None and rss_mb > worker.ready_mb + GROWTH_MB)):
                # A big page left this worker big: a fresh, small one takes the slot.
                log.info("extraction worker %d grew to %.0f MB: replaced", worker.pid, rss_mb)
                old, worker = worker, None
                self._discard(old, "stop")
        except BaseException:
            if worker is not None and worker.conn.closed:
                worker = None
            raise
        finally:
            if worker is None:
                # Start the replacement now: it warms up while nobody waits for it.
                try:
                    worker = self._spawn()
                except Exception:  # closed, or cannot start one: the next job retries
                    worker = None
            self._slots.put(worker)
        if status == "ok":
            return payload
        if status == "error":
            raise payload  # the job's own NewsGistError
        # A bug in extraction: its message may quote the page, so only the type is logged.
        log.error("extraction failed with %s (a bug; the page is not logged)", payload)
        raise WorkerFailed("NewsGist failed to read this page; the service is still running. "
                           "Please report the page that caused it.")

    def _call(self, worker: WorkerProcess, fn: Callable[..., Any], args: tuple,
              deadline: Deadline) -> tuple:
        try:
            worker.conn.send_bytes(pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL))
            while True:
                remaining = deadline.remaining()
                wait = self.POLL if remaining is None else min(self.POLL, remaining)
                if worker.conn.poll(wait):
                    return pickle.loads(worker.conn.recv_bytes())
                try:
                    deadline.check("extraction")
                except NewsGistError as exc:
                    log.warning("extraction stopped (%s): worker %d killed", exc.code, worker.pid)
                    self._discard(worker, "kill")
                    raise
        except (EOFError, OSError, pickle.UnpicklingError):
            code = worker.proc.poll()
            self._discard(worker, "kill")
            log.error("extraction worker %d stopped on a page (exit %s); replaced", worker.pid,
                      code)
            raise WorkerFailed("NewsGist's page reader stopped on this page (it has been "
                               "restarted); the service is still running.") from None


# -- the worker process ---------------------------------------------------------------
def worker_main(fd: int, memory_limit_mb: int = 0,
                warm_up: Callable[[], Any] | None = None) -> None:
    """Serve jobs from the socket ``fd`` until it closes (``python -m newsgist._worker``).

    ``warm_up`` loads what extraction loads lazily, so the first real page does not
    wait for it; it runs before the worker says "ready" (its failure is ignored).

    Each job is answered with ``(status, payload, resident MB)``: ``("ok", result)``,
    ``("error", the NewsGistError raised)`` or ``("crash", the exception's type name)``."""
    # Ctrl-C in a terminal reaches the whole process group, and a service
    # manager may signal every process: the server decides when workers go
    # (it closes their socket once in-flight requests are done).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Libraries log at most warnings; page content must never reach a log.
    logging.disable(logging.CRITICAL)
    if memory_limit_mb > 0:
        try:
            import resource

            limit = memory_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    exit_with_parent(os.getppid())
    tune_malloc()
    trim = malloc_trim()
    if warm_up is not None:
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - the first real page then pays for the loading
            pass
    conn = Connection(fd)
    try:
        conn.send_bytes(b"ready %.1f" % (resident_mb() or 0.0))
    except OSError:
        return
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        big, (fn, args), raw = len(raw) >= 256 * 1024, pickle.loads(raw), None
        try:
            reply: tuple = ("ok", fn(*args))
        except NewsGistError as exc:
            reply = ("error", exc.with_traceback(None))
        except (MemoryError, RecursionError):
            reply = ("error", PageTooComplex())
        except Exception as exc:  # noqa: BLE001 - reported, with its type only
            reply = ("crash", type(exc).__name__)
        fn = args = None  # let the page go before waiting for the next one
        if big and trim is not None:
            trim(0)  # and give its memory back to the system (glibc keeps it otherwise)
        try:
            data = pickle.dumps(reply + (resident_mb(),), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("error", PageTooComplex(), resident_mb()))
        reply = None
        try:
            conn.send_bytes(data)
        except OSError:
            return


def exit_with_parent(parent: int) -> None:
    """End this process (within a second) once ``parent`` is gone, from a daemon thread.

    If the server or a batch job dies without closing our socket (SIGKILL while we were
    busy), a worker must not live on as an orphan burning CPU on someone's page."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
