"""Stand-ins for page extraction that run inside extraction worker processes and
misbehave on request: hang until released, crash, or eat memory.  The worker
imports this module by name (it sees the test process's ``sys.path``).

A page containing ``GATE:<dir>`` creates ``<dir>/started`` and then waits until
``<dir>/release`` exists (at most ``BOUND`` seconds): a page that is provably
being processed, for as long as the test needs.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

from newsgist.pipeline import prepare_html

BOUND = 120.0


def misbehaving_prepare_html(html: str, url=None, budget=None):
    m = re.search(r"GATE:(\S+?)(?=[\s<\"]|$)", html)
    if m:
        gate = Path(m.group(1))
        (gate / "started").write_text(str(os.getpid()))
        end = time.monotonic() + BOUND
        while not (gate / "release").exists() and time.monotonic() < end:
            time.sleep(0.02)
    if "CRASH-NOW" in html:
        os.kill(os.getpid(), signal.SIGKILL)
    if "EAT-MEMORY" in html:
        hog = [bytearray(64 * 2**20) for _ in range(64)]  # 4 GB, past any worker cap
        del hog
    return prepare_html(html, url, budget)
