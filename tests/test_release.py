"""One version for the Python package and the extension; the browser packages of `make dist`."""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import newsgist

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import release  # noqa: E402


def test_setup_cfg_and_the_extension_manifest_share_one_version():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["metadata"]["version"] == "attr: newsgist.__version__"
    manifest = json.loads((ROOT / "extension" / "manifest.json").read_text())
    assert manifest["version"] == newsgist.__version__ == release.source_version()
    assert release.check_version() == newsgist.__version__


def test_setting_the_version_writes_both_and_a_mismatch_is_caught(tmp_path, monkeypatch):
    init = tmp_path / "__init__.py"
    manifest = tmp_path / "manifest.json"
    shutil.copy(release.INIT, init)
    shutil.copy(release.MANIFEST, manifest)
    monkeypatch.setattr(release, "INIT", init)
    monkeypatch.setattr(release, "MANIFEST", manifest)
    release.set_version("2.3.4")
    assert release.check_version() == "2.3.4"
    assert json.loads(manifest.read_text())["version"] == "2.3.4"
    assert '__version__ = "2.3.4"' in init.read_text()
    manifest.write_text(manifest.read_text().replace('"2.3.4"', '"2.3.5"', 1))
    with pytest.raises(SystemExit, match="version mismatch"):
        release.check_version()
    with pytest.raises(SystemExit):
        release.set_version("2.3-beta")


def test_each_browser_gets_only_the_keys_it_reads():
    manifest = json.loads((ROOT / "extension" / "manifest.json").read_text())
    chromium = release.browser_manifest(manifest, "chromium")
    firefox = release.browser_manifest(manifest, "firefox")
    assert chromium["background"] == {"service_worker": "background.js"}
    assert "browser_specific_settings" not in chromium and chromium["key"] == manifest["key"]
    assert firefox["background"] == {"scripts": manifest["background"]["scripts"]}
    assert "key" not in firefox
    assert firefox["browser_specific_settings"] == manifest["browser_specific_settings"]
    assert "nativeMessaging" in chromium["optional_permissions"] == firefox["optional_permissions"]


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "node_modules" / ".bin" / "web-ext").exists(),
                    reason="web-ext not installed (npm ci; `make test` does it)")
def test_dist_builds_a_linted_zip_and_xpi(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "release.py"), "dist", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    for name, browser in (("newsgist-chromium.zip", "chromium"), ("newsgist-firefox.xpi", "firefox")):
        with zipfile.ZipFile(tmp_path / name) as z:
            names = {n for n in z.namelist() if not n.endswith("/")}
            shipped = json.loads(z.read("manifest.json"))
        expected = {str(p.relative_to(ROOT / "extension")) for p in (ROOT / "extension").rglob("*")
                    if p.is_file()}
        assert names == expected
        assert shipped["version"] == newsgist.__version__
        assert shipped == release.browser_manifest(
            json.loads((ROOT / "extension" / "manifest.json").read_text()), browser)
