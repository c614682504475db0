"""Test doubles for the batch tests, importable by the job's worker processes
(they are started with ``spawn`` and import this module by name)."""

from __future__ import annotations

import time

from support import HashingEncoder

SLOW_WORD = "glacially"


class SlowEncoder(HashingEncoder):
    """The fake encoder, but a document that contains SLOW_WORD takes far longer than
    the deadline the test sets: its record must end as a timeout, the others not."""

    def encode(self, sentences):
        if any(SLOW_WORD in s for s in sentences):
            time.sleep(8.0)
        return super().encode(sentences)
