"""The Chromium package of `make dist`, loaded in Chromium: no manifest warnings, NewsGist's id."""

from __future__ import annotations

import sys
import tempfile
import zipfile

import pytest

from conftest import CHROMIUM, FLAGS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from release import dist  # noqa: E402

from newsgist.host import CHROMIUM_EXTENSION_ID  # noqa: E402

pytestmark = pytest.mark.skipif(not (ROOT / "node_modules" / ".bin" / "web-ext").exists(),
                                reason="web-ext not installed (npm ci; `make test` does it)")


@pytest.fixture(autouse=True)
def extension_settings():
    """Replaces the e2e conftest's: this test loads its own copy of the extension."""


def test_the_chromium_package_loads_without_warnings_under_newsgists_id(pw, tmp_path):
    [zip_path, _] = dist(tmp_path / "dist")
    unpacked = tmp_path / "newsgist-chromium"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(unpacked)
    ctx = pw.chromium.launch_persistent_context(
        tempfile.mkdtemp(dir=tmp_path), executable_path=CHROMIUM, headless=True,
        args=FLAGS + [f"--disable-extensions-except={unpacked}", f"--load-extension={unpacked}"])
    try:
        sw = ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker")
        assert sw.url == f"chrome-extension://{CHROMIUM_EXTENSION_ID}/background.js"
        page = ctx.new_page()
        page.goto("chrome://extensions")
        errors = page.evaluate("""async id => {
          await chrome.developerPrivate.updateProfileConfiguration({inDeveloperMode: true});
          await chrome.developerPrivate.reload(id, {failQuietly: false, populateErrorForUnpacked: true});
          const info = await chrome.developerPrivate.getExtensionInfo(id);
          return info.manifestErrors.map(e => e.message);
        }""", CHROMIUM_EXTENSION_ID)
        assert errors == []
    finally:
        ctx.close()
