"""newsgist.workers: where extraction runs (worker processes, or the calling thread).

The pool's behaviour under misbehaving pages (deadlines, crashes, memory) is in
``tests/system/test_faults.py``; here: what crosses the pipe, and the in-thread runner."""

from __future__ import annotations

import time

import pytest

from newsgist.deadline import Deadline
from newsgist.errors import (DeadlineExceeded, ModelNotReady, NewsGistError, NoArticle,
                             Overloaded, WorkerFailed)
from newsgist.pipeline import Prepared, prepare_text
from newsgist.runner import InThreadRunner
from newsgist.workers import WorkerPool
from support import ARTICLE, job_echo, job_hold_mb, job_raise


def test_the_in_thread_runner_runs_the_job_and_returns_its_result():
    assert InThreadRunner().run(job_echo, ({"a": [1, 2]},), Deadline()) == {"a": [1, 2]}


def test_the_in_thread_runner_checks_the_deadline_before_the_job():
    ran = []
    expired = Deadline(1, start=time.monotonic() - 5)
    with pytest.raises(DeadlineExceeded, match="extraction"):
        InThreadRunner().run(ran.append, (1,), expired)
    assert ran == []


@pytest.fixture(scope="module")
def pool():
    p = WorkerPool(workers=1).start()
    yield p
    p.close()


@pytest.mark.slow
def test_a_job_runs_in_another_process_and_its_result_comes_back(pool):
    prepared = pool.run(prepare_text, (ARTICLE, "Buses", None), Deadline(60))
    assert isinstance(prepared, Prepared)
    assert prepared.article.title == "Buses" and prepared.total == 6
    assert prepared.sentences[0].text.startswith("The city council approved")


@pytest.mark.slow
@pytest.mark.parametrize("error", [
    NoArticle("Only a wall.", code="paywall"),
    Overloaded("Busy.", headers={"Retry-After": "1"}),
    ModelNotReady("Loading.", headers={"Retry-After": "3"}),
    NewsGistError("Teapot.", code="forbidden_host", status=403),
], ids=lambda e: type(e).__name__)
def test_an_error_raised_in_a_worker_arrives_whole(pool, error):
    """The job's own exception crosses the pipe: class, code, status, message, headers."""
    with pytest.raises(NewsGistError) as info:
        pool.run(job_raise, (error,), Deadline(60))
    got = info.value
    assert type(got) is type(error)
    assert (got.code, got.status, got.message, got.headers) == \
        (error.code, error.status, error.message, error.headers)
    assert pool.killed == 0  # an error is an answer, not a failure of the worker


@pytest.mark.slow
def test_a_bug_in_a_job_is_a_worker_failure_that_names_no_page_text(pool, caplog):
    with pytest.raises(WorkerFailed) as info:
        pool.run(job_raise, (ValueError("page text: secret"),), Deadline(60))
    assert info.value.status == 500 and "secret" not in info.value.message
    assert "ValueError" in caplog.text and "secret" not in caplog.text
    assert pool.run(job_echo, (7,), Deadline(60)) == 7  # the worker is still there


@pytest.mark.slow
def test_a_worker_a_job_left_much_larger_than_it_started_is_replaced():
    """Below the absolute cap, a worker that grew GROWTH_MB over its size when ready
    is replaced; one that grew a little is kept."""
    from newsgist.workers import GROWTH_MB

    p = WorkerPool(workers=1, max_rss_mb=100_000).start()
    try:
        first = p.pids()
        assert p.run(job_hold_mb, (1,), Deadline(60)) == 1
        assert p.pids() == first and p.recycled == 0      # a little: kept
        assert p.run(job_hold_mb, (GROWTH_MB + 16,), Deadline(60)) == 2
        assert p.recycled == 1                            # much larger: replaced
        assert p.run(job_echo, ("after",), Deadline(60)) == "after"
        assert p.pids() != first
    finally:
        p.close()


class _Pool(InThreadRunner):
    """Stands in for a worker pool: runs in the thread, reports whether it was closed."""

    parallel = True
    closed = False

    def close(self) -> None:
        self.closed = True


def test_the_fallback_runner_is_its_pool_until_the_pool_cannot_start():
    from newsgist.runner import FallbackRunner

    pool = _Pool()
    runner = FallbackRunner(pool, lambda: None)
    assert runner.settle() is None and runner.parallel and not runner.fell_back

    def cannot_start() -> None:
        raise RuntimeError("an extraction worker did not start")

    pool = _Pool()
    runner = FallbackRunner(pool, cannot_start)
    assert "did not start" in str(runner.settle())
    assert runner.fell_back and pool.closed and not runner.parallel
    assert runner.run(job_echo, (7,), Deadline()) == 7
