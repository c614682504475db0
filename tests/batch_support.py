"""Test doubles for the batch tests, importable by the job's worker processes
(they are started with ``spawn`` and import this module by name)."""

from __future__ import annotations

import time

from support import HashingEncoder

SLOW_WORD = "glacially"


class SlowEncoder(HashingEncoder):
    """The fake encoder, but a document that contains SLOW_WORD takes far longer than
    the deadline the test sets: its record must end as a timeout, the others not."""

    def encode(self, sentences, between_batches=None):
        if any(SLOW_WORD in s for s in sentences):
            time.sleep(8.0)
        return super().encode(sentences, between_batches)


CRASH_WORD = "kaboom"


class CrashingEncoder(HashingEncoder):
    """The fake encoder, but the worker process dies outright (as in a crash in native
    code) on a document that contains CRASH_WORD."""

    def encode(self, sentences, between_batches=None):
        if any(CRASH_WORD in s for s in sentences):
            import os

            os._exit(70)
        return super().encode(sentences, between_batches)


class BrokenModel:
    """A model that cannot be loaded: the workers cannot start."""

    def __init__(self):
        raise RuntimeError("no model here")
