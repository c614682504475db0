"""The local runner: every core, one worker process per core, each with its own encoder.

Why processes with an encoder each rather than one encoder fed by several
extraction processes: measured by ``bench/batch.py`` (see docs/batch.md), the
front half (lxml, readability, sentence splitting) is pure Python for much of
a page's time and the encoder's intra-op threads do not scale to the
cores on a document's few batches, while N single-threaded workers keep every
core busy on whole records.  Batching embeddings across documents would also
change the numbers: the int8 model scales its activations per batch, so a
summary would depend on which other pages shared its batch.  A worker costs
the model's memory once (about 150-250 MB).

Records stream through a bounded window: at most ``window`` records are read
but not yet written, so memory does not grow with the input.  Outcomes come
out in input order.  A worker that dies on a record (a crash in native code,
the kernel's OOM killer) is replaced; the records it may have been working
on are tried again one at a time, and the record that kills a worker when it
runs alone gets an ``internal_error`` line.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import signal
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator

from ..config import Settings
from ..embed import cpu_threads
from ..errors import WorkerFailed
from ..workers import exit_with_parent
from .records import Record
from .summarize import Outcome, RecordSummarizer, error_line, unreadable

_summarizer: RecordSummarizer | None = None


class WorkersFailed(RuntimeError):
    """The worker processes could not start (e.g. the model cannot be loaded)."""


def _init_worker(parent: int, settings: Settings, sentences: int | None,
                 encoder_factory: Callable[[], Any] | None) -> None:
    global _summarizer
    # Ctrl-C reaches the whole process group: the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's pid comes from the parent: one killed while this worker was still
    # starting is noticed too (os.getppid() would already be someone else).
    exit_with_parent(parent)
    _summarizer = RecordSummarizer(settings, sentences, encoder_factory)
    # Run when the pool lets the worker go: its page reader is stopped, not orphaned.
    multiprocessing.util.Finalize(None, _summarizer.close, exitpriority=10)


def _ready() -> bool:
    return _summarizer is not None


def _work(record: Record) -> Outcome:
    assert _summarizer is not None
    return _summarizer(record)


def run_local(records: Iterable[Record], settings: Settings, sentences: int | None = None,
              workers: int = 0, encoder_factory: Callable[[], Any] | None = None,
              window: int = 0) -> Iterator[Outcome]:
    """The outcomes of ``records``, in their order, computed by ``workers`` processes
    (0: one per core).  Each worker uses ``cores // workers`` inference threads."""
    workers = workers or cpu_threads()
    threads = max(1, cpu_threads() // workers)
    settings = settings.with_(threads=threads)
    window = window or max(8, 4 * workers)
    pool = _Pool(workers, settings, sentences, encoder_factory)
    order: deque[int] = deque()          # positions read and not yet yielded, in order
    records_by_pos: dict[int, Record] = {}
    done: dict[int, Outcome] = {}
    running: dict[Future, int] = {}
    suspects: deque[int] = deque()       # in flight when a worker died: retried one by one
    solo: int | None = None              # the suspect now running alone
    source = iter(records)
    exhausted = False

    def submit(position: int) -> None:
        running[pool.submit(records_by_pos[position])] = position

    try:
        while True:
            while not exhausted and not suspects and solo is None and len(order) < window:
                try:
                    record = next(source)
                except StopIteration:
                    exhausted = True
                    break
                order.append(record.position)
                if record.error is not None:  # unreadable: no worker needed
                    done[record.position] = unreadable(record)
                else:
                    records_by_pos[record.position] = record
                    submit(record.position)
            if suspects and solo is None and not running:
                solo = suspects.popleft()
                submit(solo)
            while order and order[0] in done:
                position = order.popleft()
                records_by_pos.pop(position, None)
                yield done.pop(position)
            if not order:
                if exhausted:
                    pool.close(wait=True)
                    return
                continue
            if not running:
                continue
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                position = running[future]
                try:
                    done[position] = future.result()
                    del running[future]
                    if position == solo:
                        solo = None
                except BrokenProcessPool:
                    broken = True
            if broken:
                pool.restart()
                if solo is not None:  # it was alone: it is the one that kills workers
                    done[solo] = Outcome(error_line(records_by_pos[solo], WorkerFailed(
                        "A batch worker stopped while summarizing this record; please "
                        "report the page that caused it.")), 0.0)
                    solo = None
                else:  # any of those in flight may be the cause: each is tried alone
                    suspects.extend(sorted(running.values()))
                running.clear()
    except KeyboardInterrupt:
        # Keep what is finished (these lines carry their position), then stop.
        for position in sorted(done):
            yield done.pop(position)
        raise
    finally:
        pool.close()


class _Pool:
    """A ProcessPoolExecutor that can be replaced when a worker dies."""

    def __init__(self, workers: int, settings: Settings, sentences: int | None,
                 encoder_factory: Callable[[], Any] | None):
        self.args = (os.getpid(), settings, sentences, encoder_factory)
        self.workers = workers
        self.executor = self._new()
        try:  # a worker that cannot start (no model...) fails here, not on a record
            # One task per worker, submitted at once: the pool starts (and loads the
            # model in) all its workers side by side, not one after the other.
            for future in [self.executor.submit(_ready) for _ in range(workers)]:
                future.result()
        except BrokenProcessPool:
            self.close()
            raise WorkersFailed("the batch workers could not start (the reason is above)") \
                from None

    def _new(self) -> ProcessPoolExecutor:
        # spawn: the parent runs threads (progress, counting), which fork does not mix with.
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=self.args)

    def submit(self, record: Record) -> Future:
        try:
            return self.executor.submit(_work, record)
        except BrokenProcessPool:
            self.restart()
            return self.executor.submit(_work, record)

    def restart(self) -> None:
        self.close()
        self.executor = self._new()

    def close(self, wait: bool = False) -> None:
        """Stop the workers: at the end, once they are idle (``wait``); else at once,
        without waiting for records in progress."""
        if wait:
            self.executor.shutdown(wait=True)
            return
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for p in processes:  # a record in progress is not waited for
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(timeout=5)
