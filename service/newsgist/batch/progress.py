"""How far the job is: a tqdm bar on a terminal, plain periodic lines elsewhere, and
the summary line at the end (counts by outcome, pages per second, slowest records)."""

from __future__ import annotations

import heapq
import os
import threading
import time
from collections import Counter
from typing import IO

from .summarize import Outcome

SLOWEST = 3


class Tally:
    """Counts by outcome, the slowest records, and the rate."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.done = 0
        self.by_code: Counter[str] = Counter()
        self._slowest: list[tuple[float, int, str]] = []  # a min-heap of the SLOWEST largest

    def add(self, outcome: Outcome) -> None:
        self.done += 1
        self.by_code[outcome.code] += 1
        item = (outcome.seconds, -outcome.position, str(outcome.line.get("id")))
        if len(self._slowest) < SLOWEST:
            heapq.heappush(self._slowest, item)
        else:
            heapq.heappushpop(self._slowest, item)

    @property
    def errors(self) -> int:
        return self.done - self.by_code["ok"]

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def slowest(self) -> list[tuple[str, float]]:
        return [(rid, s) for s, _, rid in sorted(self._slowest, reverse=True)]

    def summary_line(self, skipped: int = 0) -> str:
        counts = ", ".join(f"{code} {n}" for code, n in
                           sorted(self.by_code.items(), key=lambda kv: (kv[0] != "ok", -kv[1])))
        slow = ", ".join(f"{rid} ({s:.2f} s)" for rid, s in self.slowest())
        parts = [f"newsgist batch: {self.done} records in {self.elapsed:.1f} s "
                 f"({self.rate:.2f} pages/s)"]
        if counts:
            parts.append(counts)
        if skipped:
            parts.append(f"skipped {skipped} already in the output (--resume)")
        if slow:
            parts.append(f"slowest: {slow}")
        return "; ".join(parts)


class Progress:
    """Shows the tally as it grows: ``bar`` (tqdm, on a terminal) or periodic lines."""

    def __init__(self, stream: IO[str], bar: bool, every: float = 10.0,
                 total: int | None = None):
        self.tally = Tally()
        self.stream = stream
        self.total = total
        self.every = every
        self._last_line = time.monotonic()
        self._lock = threading.Lock()
        self._bar = None
        if bar:
            from tqdm import tqdm

            sized = _columns(stream) > 0  # a terminal that has not said its width: 100
            self._bar = tqdm(total=total, file=stream, unit="rec", dynamic_ncols=sized,
                             ncols=None if sized else 100, smoothing=0.1, desc="newsgist batch")
            self._bar.set_postfix_str("errors 0", refresh=False)

    def set_total(self, total: int) -> None:
        """The input was counted (in the background): now the ETA can be shown."""
        with self._lock:
            self.total = total
            if self._bar is not None:
                self._bar.total = total
                self._bar.refresh()

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.tally.add(outcome)
            if self._bar is not None:
                self._bar.set_postfix_str(f"errors {self.tally.errors}", refresh=False)
                self._bar.update(1)
            elif time.monotonic() - self._last_line >= self.every:
                self._last_line = time.monotonic()
                self._print(self._status())

    def _status(self) -> str:
        t = self.tally
        of = f"/{self.total}" if self.total is not None else ""
        line = f"newsgist batch: {t.done}{of} records, {t.rate:.2f} records/s, " \
               f"{t.errors} errors"
        if self.total is not None and t.rate > 0:
            left = max(0, self.total - t.done) / t.rate
            line += f", ETA {_clock(left)}"
        return line

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def close(self, skipped: int = 0) -> str:
        with self._lock:
            if self._bar is not None:
                self._bar.close()
            summary = self.tally.summary_line(skipped)
            self._print(summary)
            return summary


def _columns(stream: IO[str]) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
