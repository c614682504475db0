"""Idle exit: a service nobody uses stops by itself.

The browser's native messaging host starts ``newsgist serve`` on demand and never
stops it; the service ends itself after ``idle_exit`` seconds in which no request
arrived and none was in progress (``NEWSGIST_IDLE_EXIT``).  A request counts
from its arrival until its answer has been sent, so a long summary is never cut
short by the timer.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterable

log = logging.getLogger("newsgist.idle")


class IdleWatch:
    """WSGI middleware that calls ``on_idle`` once, after ``seconds`` without requests."""

    def __init__(self, app, seconds: float, on_idle: Callable[[], None],
                 clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.seconds = seconds
        self._on_idle = on_idle
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight = 0
        self._last = clock()
        self._fired = threading.Event()

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        self._begin()
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._end()
            raise
        return _ClosingIterable(result, self._end)

    def _begin(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._last = self._clock()

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._last = self._clock()

    def idle_for(self) -> float:
        """Seconds since the last request ended (0 while one is in progress)."""
        with self._lock:
            return 0.0 if self._in_flight else self._clock() - self._last

    def check(self) -> bool:
        """Calls ``on_idle`` (once) when the idle time is up; True if it has been called."""
        if not self._fired.is_set() and self.idle_for() >= self.seconds:
            log.info("no request for %.0f s (NEWSGIST_IDLE_EXIT): stopping", self.seconds)
            try:
                self._on_idle()
            except Exception:  # noqa: BLE001 - e.g. the server is not built yet: next tick
                log.debug("idle exit not possible yet", exc_info=True)
                return False
            self._fired.set()
        return self._fired.is_set()

    def start(self) -> "IdleWatch":
        """Checks in a daemon thread, a few times per idle period."""
        interval = min(max(self.seconds / 4, 0.05), 5.0)

        def loop() -> None:
            while not self.check():
                time.sleep(interval)

        threading.Thread(target=loop, name="idle-exit", daemon=True).start()
        return self


class _ClosingIterable:
    """The app's answer, with ``done`` called once when the server closes it (sent or aborted)."""

    def __init__(self, result: Iterable[bytes], done: Callable[[], None]):
        self._result = result
        self._done = done
        self._closed = False

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            if not self._closed:
                self._closed = True
                self._done()


def watch(app, seconds: float, on_idle: Callable[[], None]):
    """``app`` wrapped so that ``on_idle`` runs after ``seconds`` idle; ``app`` itself if 0."""
    if not seconds or seconds <= 0:
        return app
    return IdleWatch(app, seconds, on_idle).start()
