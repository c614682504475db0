"""When a request must be done by, and whether its client is still there.

Every summary carries a :class:`Deadline` (``request_timeout`` seconds, and
optionally "the client has gone away"), checked between the pipeline's stages
and between the encoder's batches.  Under ``newsgist serve`` extraction runs in
worker processes (``newsgist.workers``), where a job past its deadline is
stopped by ending its process.
"""

from __future__ import annotations

import time
from typing import Callable

from .errors import ClientGone, DeadlineExceeded


class Deadline:
    """When a request must be done by, and whether its client is still there."""

    def __init__(self, seconds: float | None = None,
                 cancelled: Callable[[], bool] | None = None, start: float | None = None):
        """``seconds`` from ``start`` (a ``time.monotonic()`` value, default now);
        None or 0: no limit.  ``cancelled()`` true means the client has gone."""
        self.seconds = seconds if seconds and seconds > 0 else None
        begin = time.monotonic() if start is None else start
        self.expires = begin + self.seconds if self.seconds else None
        self._cancelled = cancelled

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None when there is no limit."""
        return None if self.expires is None else max(0.0, self.expires - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.expires is not None and time.monotonic() >= self.expires

    @property
    def cancelled(self) -> bool:
        try:
            return bool(self._cancelled and self._cancelled())
        except Exception:  # a broken probe must not fail the request
            return False

    def check(self, stage: str) -> None:
        """Raise ``ClientGone`` or ``DeadlineExceeded`` if the work should stop now."""
        if self.cancelled:
            raise ClientGone(f"The client closed the connection during {stage}.")
        if self.expired:
            raise DeadlineExceeded(
                f"The request took longer than {self.seconds:g} s and was stopped during "
                f"{stage} (setting NEWSGIST_REQUEST_TIMEOUT).")


def ms_since(start: float) -> float:
    """Milliseconds since ``start`` (a ``time.perf_counter()``), as timings report them."""
    return round((time.perf_counter() - start) * 1000, 2)
