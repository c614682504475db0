"""The reading history in headless Debian Firefox ESR against the real service: the driver
(``firefox_smoke/history_smoke.js``) runs inside the add-on, as ``test_firefox.py``'s do."""

from __future__ import annotations

import json
import urllib.request

import pytest

from test_firefox import _norm, pytestmark, run_in_firefox  # noqa: F401  (its skip applies)

FIRST = "Wildfire forces evacuations in Carrow Valley"


@pytest.fixture(autouse=True)
def extension_settings():
    """Replaces the e2e conftest's Chromium settings fixture: this test drives Firefox."""


def test_firefox_remembers_shows_what_is_new_and_manages_the_history(live_service):
    request = urllib.request.Request(live_service.url + "/v1/history", method="DELETE")
    urllib.request.urlopen(request, timeout=60).close()
    result, site_url, log = run_in_firefox(live_service.url, None, driver="history_smoke.js")
    assert result is not None, f"no report from Firefox:\n{log}"
    assert "Firefox/" in result["ua"]
    assert not result.get("error"), result["error"]
    assert result["first"]["state"] == "done" and not result["first"]["sinceShown"]
    later = result["later"]
    assert later["state"] == "done" and later["sinceShown"]
    assert later["sinceHeading"].startswith("New since you read")
    assert later["sinceTitle"].startswith(FIRST)
    assert later["sinceNew"]
    assert all(_norm(s) in _norm(result["pageText"]) for s in later["sinceNew"])
    assert len(result["listed"]) == 2 and result["days"] == 1
    assert result["found"] >= 1
    assert result["afterForget"] == 1
    assert result["dialogOpen"] is True and result["afterClear"] == 0
    assert result["service"] == {"entries": []}
    with urllib.request.urlopen(live_service.url + "/v1/history", timeout=60) as answer:
        assert json.load(answer)["entries"] == []
