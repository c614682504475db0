"""Memory a big page took goes back to the system.

glibc keeps freed memory for reuse: in per-thread arenas, and (after a big
block is freed) on the heap instead of in memory maps.  A service that reads
8 MB pages all day would only grow.  These helpers tune and trim glibc's
allocator; without glibc they do nothing.
"""

from __future__ import annotations

import os
import threading
import time


def _libc():
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6")
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return None


def tune_malloc() -> None:
    """Serve big blocks (a page, its text, a request body) from their own memory maps.

    glibc raises its mmap threshold each time a big block is freed, after which
    blocks of megabytes come from the heap, where a few small objects allocated
    between them keep the freed space from ever going back to the system: a
    server that reads 8 MB pages all day would only grow.  A fixed threshold
    (which also turns the raising off) returns each big block when it is freed."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD


def malloc_trim():
    """glibc's ``malloc_trim`` (frees the unused tops of every thread's arena), or None."""
    libc = _libc()
    return getattr(libc, "malloc_trim", None) if libc is not None else None


def resident_mb() -> float | None:
    """This process's resident memory in MB (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


class MemoryTrim:
    """Hands memory freed by a big request back to the system, off the request's path.

    glibc keeps freed memory in per-thread arenas (the tokenizer's threads
    allocate there), so a service that read one 8 MB page would stay that much
    bigger for good; ``malloc_trim`` returns it.  A no-op without glibc."""

    THRESHOLD = 256 * 1024  # request bodies from this size on are followed by a trim

    def __init__(self) -> None:
        self._trim = malloc_trim()
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def after(self, request_bytes: int) -> None:
        if self._trim is None or request_bytes < self.THRESHOLD:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="memory-trim",
                                                daemon=True)
                self._thread.start()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            time.sleep(0.5)  # let the request finish letting go of its page first
            self._wanted.clear()
            self._trim(0)
