"""newsgist.deadline: when a request must stop, and why."""

from __future__ import annotations

import time

import pytest

from newsgist.deadline import Deadline
from newsgist.errors import ClientGone, DeadlineExceeded


def test_no_limit_never_expires():
    for seconds in (None, 0, -1):
        d = Deadline(seconds)
        assert d.seconds is None and d.remaining() is None and not d.expired
        d.check("anything")  # does not raise


def test_a_deadline_that_started_in_the_past_has_expired():
    d = Deadline(5, start=time.monotonic() - 10)
    assert d.expired and d.remaining() == 0.0
    with pytest.raises(DeadlineExceeded, match="during ranking") as info:
        d.check("ranking")
    assert info.value.status == 504 and "NEWSGIST_REQUEST_TIMEOUT" in info.value.message


def test_remaining_counts_down_from_the_start():
    start = time.monotonic()
    d = Deadline(60, start=start - 20)
    assert 0 < d.remaining() <= 40 and not d.expired


def test_a_client_that_left_wins_over_the_clock():
    d = Deadline(5, cancelled=lambda: True, start=time.monotonic() - 10)
    with pytest.raises(ClientGone, match="during embedding"):
        d.check("embedding")


def test_a_broken_probe_does_not_fail_the_request():
    def probe():
        raise RuntimeError("socket gone")

    d = Deadline(60, cancelled=probe)
    assert not d.cancelled
    d.check("extraction")
