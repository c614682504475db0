"""Where a page is read: the ``Runner`` protocol and the runners that need no process.

A runner runs one job (a module-level function with its arguments: extracting
and splitting one page) within a deadline.  ``Pipeline`` receives one at
construction:

* :class:`InThreadRunner` runs the job in the calling thread (the Python API,
  the tests, ``newsgist summarize``); the deadline is checked before and after;
* ``workers.WorkerPool`` runs it in a worker process that is killed at the
  deadline (``newsgist serve``, ``newsgist batch``);
* :class:`FallbackRunner` is the pool until the pool cannot start, then the
  calling thread (``newsgist serve`` must keep answering either way).

``parallel`` says whether jobs given from several threads run side by side
(a digest then reads its pages a few at a time); in one process, threads would
only take turns on the interpreter lock.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from .deadline import Deadline


class Runner(Protocol):
    @property
    def parallel(self) -> bool:
        """True when jobs run from several threads at once make progress side by side."""
        ...

    def run(self, fn: Callable[..., Any], args: tuple, deadline: Deadline) -> Any:
        """``fn(*args)``, stopped (DeadlineExceeded) when ``deadline`` passes."""
        ...

    def close(self) -> None:
        """Let go of what the runner holds (processes); no job runs afterwards."""
        ...


class InThreadRunner:
    """Runs jobs in the calling thread: no hard stop, the deadline is checked after."""

    parallel = False

    def run(self, fn: Callable[..., Any], args: tuple, deadline: Deadline) -> Any:
        deadline.check("extraction")
        result = fn(*args)
        deadline.check("extraction")
        return result

    def close(self) -> None:
        pass


class FallbackRunner:
    """``primary`` (a worker pool) until ``fall_back()``, then the calling thread for good.

    ``newsgist serve`` starts its workers while the model loads; a pool that turns
    out unable to start is replaced here, not by swapping the pipeline's runner."""

    def __init__(self, primary: Runner, wait_ready: Callable[[], None]):
        self.primary = primary
        self._wait_ready = wait_ready
        self._current: Runner = primary

    @property
    def parallel(self) -> bool:
        return self._current.parallel

    @property
    def fell_back(self) -> bool:
        return self._current is not self.primary

    def run(self, fn: Callable[..., Any], args: tuple, deadline: Deadline) -> Any:
        return self._current.run(fn, args, deadline)

    def settle(self) -> Exception | None:
        """Wait until ``primary`` is ready; if it cannot start (``wait_ready`` raised
        OSError or RuntimeError), fall back and return why."""
        try:
            self._wait_ready()
        except (OSError, RuntimeError) as exc:
            self.fall_back()
            return exc
        return None

    def fall_back(self) -> None:
        self._current = InThreadRunner()
        self.primary.close()

    def close(self) -> None:
        self.primary.close()
