"""``newsgist serve`` exactly as shipped, but with the tests' fake encoder instead of the
model: the server's own code (signals, draining, waitress, worker processes,
logging) is what runs, in seconds instead of a model load.

Loading can be held or made to fail (see ``fake_load_encoder``).  With
``NEWSGIST_TEST_GATE`` set to a directory, encoding a text that contains
"GATED" first creates ``<dir>/started`` and then waits until ``<dir>/release``
exists: a request that is provably in progress, for as long as a test needs.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for support

from support import HashingEncoder  # noqa: E402

import newsgist.pipeline  # noqa: E402
from newsgist.cli import main  # noqa: E402
from newsgist.errors import ModelLoadError  # noqa: E402


class GatedEncoder(HashingEncoder):
    def encode(self, sentences, between_batches=None):
        gate = os.environ.get("NEWSGIST_TEST_GATE")
        if gate and any("GATED" in s for s in sentences):
            Path(gate, "started").touch()
            end = time.monotonic() + 120  # a bound, so a broken test cannot hang forever
            while not Path(gate, "release").exists() and time.monotonic() < end:
                time.sleep(0.02)
        return super().encode(sentences, between_batches)


def fake_load_encoder(*args, **kwargs):
    """``NEWSGIST_TEST_LOAD_GATE=<dir>``: loading waits until ``<dir>/loaded`` exists.
    ``NEWSGIST_TEST_LOAD_FAIL=<message>``: loading fails with that message."""
    gate = os.environ.get("NEWSGIST_TEST_LOAD_GATE")
    if gate:
        end = time.monotonic() + 120
        while not Path(gate, "loaded").exists() and time.monotonic() < end:
            time.sleep(0.02)
    failure = os.environ.get("NEWSGIST_TEST_LOAD_FAIL")
    if failure:
        raise ModelLoadError(failure)
    return GatedEncoder()


newsgist.pipeline.load_encoder = fake_load_encoder
if os.environ.get("NEWSGIST_TEST_BROKEN_WORKERS"):
    # Extraction workers cannot start: their interpreter exits at once.
    import newsgist.workers

    newsgist.workers.sys = type("sys", (), {"executable": "/bin/false", "path": sys.path})

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
