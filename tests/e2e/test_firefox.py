"""The add-on in headless Debian Firefox ESR against the real service.

Firefox has no Playwright driver on this machine (no geckodriver in Debian, and Playwright's
Firefox is a build of its own), so the driver runs inside the add-on: ``web-ext run`` loads
a temporary copy of the Firefox package (``tools/release.py``'s manifest for Firefox) with
``firefox_smoke/smoke.js`` added to its background scripts.  smoke.js calls the add-on's own
toolbar handler on the fixture tab, reads what the panel shows, and POSTs it to a recorder
here.  A screenshot of the panel is taken over WebDriver BiDi.

Four runs: the panel against a running service; the panel with no service but
``newsgist-host`` installed for Firefox (``allowed_extensions``, Firefox's way of calling the
host), which starts it; the digest of tabs (``firefox_smoke/digest_smoke.js`` instead of
smoke.js: three fixture tabs on two host names, the extension's own ``openDigest``, a sentence
clicked on the digest page); and the page's outline in the panel
(``firefox_smoke/outline_smoke.js``: the listicle fixture, each heading and a sentence clicked).
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, SITE_DIR

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "firefox_smoke"))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))
from bidi import Bidi  # noqa: E402
from host_support import forget, listening, service_pid  # noqa: E402
from processes import alive, free_port  # noqa: E402
from release import browser_manifest  # noqa: E402

from newsgist.config import Settings  # noqa: E402

NEWSGIST = Path(sys.executable).parent / "newsgist"

FIREFOX = os.environ.get("FIREFOX", "/usr/bin/firefox-esr")
WEB_EXT = ROOT / "node_modules" / ".bin" / "web-ext"
RUN_BOUND_S = 300  # stops a hung run only

pytestmark = pytest.mark.skipif(
    not (Path(FIREFOX).exists() and WEB_EXT.exists()),
    reason=f"needs {FIREFOX} (apt-get install firefox-esr) and web-ext (npm ci): `make test` installs both")


@pytest.fixture(autouse=True)
def extension_settings():
    """Replaces the e2e conftest's Chromium settings fixture: this test drives Firefox."""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(handler) -> http.server.ThreadingHTTPServer:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _norm(s: str) -> str:
    return " ".join(s.split())


def run_in_firefox(service_url: str, shot: Path | None, *, native: bool = False,
                   env: dict | None = None,
                   driver: str = "smoke.js") -> tuple[dict | None, str, str]:
    """Loads the Firefox package plus the driver (a script in firefox_smoke/), lets it work
    on the fixture site, and returns (the driver's report, the fixture site's URL as
    127.0.0.1, web-ext's log); the site also answers as localhost. With ``native``
    the manifest asks for nativeMessaging at install (a headless run cannot answer a
    permission prompt); ``env`` is Firefox's environment (HOME decides where it looks for
    native messaging hosts)."""
    work = Path(tempfile.mkdtemp(prefix="newsgist-firefox-"))
    ext = work / "extension"
    shutil.copytree(ROOT / "extension", ext)
    reports: list[dict] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            reports.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

    site = _serve(functools.partial(_Quiet, directory=str(SITE_DIR)))
    recorder = _serve(Recorder)
    site_url = f"http://127.0.0.1:{site.server_port}"
    cfg = {"site": site_url, "other": f"http://localhost:{site.server_port}",
           "report": f"http://127.0.0.1:{recorder.server_port}/", "service": service_url}
    (ext / "smoke_cfg.js").write_text(f"globalThis.__SMOKE_CFG = {json.dumps(cfg)};\n")
    shutil.copy(HERE / "firefox_smoke" / "driver.js", ext / "smoke_driver.js")
    shutil.copy(HERE / "firefox_smoke" / driver, ext / "smoke.js")
    manifest = browser_manifest(json.loads((ROOT / "extension" / "manifest.json").read_text()),
                                "firefox")
    manifest["background"]["scripts"] += ["smoke_cfg.js", "smoke_driver.js", "smoke.js"]
    if native:
        manifest["permissions"].append("nativeMessaging")
        manifest["optional_permissions"].remove("nativeMessaging")
    (ext / "manifest.json").write_text(json.dumps(manifest, indent=2))

    bidi_port = free_port()
    log = open(work / "web-ext.log", "w")
    firefox = subprocess.Popen(
        [str(WEB_EXT), "run", "--source-dir", str(ext), "--no-config-discovery",
         f"--firefox={FIREFOX}", "--arg=--headless", f"--arg=--remote-debugging-port={bidi_port}",
         "--no-reload", "--no-input", f"--start-url={site_url}/article.html"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, env=env)
    started = time.monotonic()
    try:
        while time.monotonic() - started < RUN_BOUND_S and firefox.poll() is None \
                and not any("ua" in r for r in reports):
            if shot and any(r.get("phase") == "jumped" for r in reports) and not shot.exists():
                try:  # a picture for people; the assertions are the test
                    b = Bidi(bidi_port)
                    b.call("session.new", {"capabilities": {}})
                    tab = next(c for c in b.call("browsingContext.getTree")["contexts"]
                               if "article.html" in c["url"])
                    data = b.call("browsingContext.captureScreenshot",
                                  {"context": tab["context"]})["data"]
                    shot.write_bytes(base64.b64decode(data))
                except Exception:  # noqa: BLE001
                    pass
            time.sleep(0.3)
    finally:
        for sig, wait in ((2, 20), (9, 10)):
            try:
                os.killpg(firefox.pid, sig)
                firefox.wait(wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()
        site.shutdown()
        recorder.shutdown()
    result = next((r for r in reports if "ua" in r), None)
    web_ext_log = (work / "web-ext.log").read_text(errors="replace")[-3000:]
    shutil.rmtree(work, ignore_errors=True)
    return result, site_url, web_ext_log


def _answer(result: dict, service, site_url: str, page: str) -> dict:
    """Checks the driver's report came from Firefox without an error, and returns the service's
    own answer for the fixture `page`, which the panel must have shown."""
    assert "Firefox/" in result["ua"]
    assert not result.get("error"), result["error"]
    status, data = service.summarize(html=(SITE_DIR / page).read_text(),
                                     url=f"{site_url}/{page}", length="short")
    assert status == 200
    return data


def _check_panel(result: dict, service, site_url: str) -> None:
    data = _answer(result, service, site_url, "article.html")
    first = result["first"]
    assert first["state"] == "done", first
    assert len(first["sentences"]) == 3
    assert [_norm(s) for s in first["sentences"]] == [_norm(s["text"]) for s in data["sentences"]]
    assert first["panelWidth"] == 400  # the panel's stylesheet applied
    assert any(c.get("shortcut") == "Alt+Shift+S" for c in result["commands"])
    assert result["jump"]["highlights"] == 1 or result["jump"]["marks"] > 0
    long = result["long"]
    assert long["state"] == "done" and len(long["sentences"]) == 7


def test_firefox_shows_the_summary_in_the_panel(live_service, artifacts):
    result, site_url, log = run_in_firefox(live_service.url, artifacts / "firefox-panel.png")
    assert result is not None, f"no report from Firefox:\n{log}"
    _check_panel(result, live_service, site_url)


def test_firefox_digests_the_tabs(live_service):
    """Two tabs of one story on two sites (127.0.0.1 and localhost) and an unrelated one, read
    by the digest page in Firefox; a click on a sentence brings its tab forward, highlighted."""
    result, site_url, log = run_in_firefox(live_service.url, None, driver="digest_smoke.js")
    assert result is not None, f"no report from Firefox:\n{log}"
    assert "Firefox/" in result["ua"]
    assert not result.get("error"), result["error"]
    assert any(c.get("shortcut") == "Alt+Shift+D" for c in result["commands"])
    assert result["state"] == "done"
    assert "Reading tabs: 3 of 3" in result["progressLog"]
    assert result["stories"] == 1 and result["sites"] == ["127.0.0.1", "localhost"]
    assert result["singles"] == 1
    # The clicked sentence is the localhost page's: that tab is in front, the sentence lit.
    localhost_page = site_url.replace("127.0.0.1", "localhost") + "/digest/courier-bridge.html"
    assert result["activeUrl"] == localhost_page
    compact = lambda s: "".join(str(s or "").split())  # noqa: E731  (ranges drop line breaks)
    assert compact(result["clicked"]) and compact(result["highlight"]) == compact(result["clicked"])


def _outline_rows(entries, depth=0):
    for e in entries:
        yield [depth, _norm(e["heading"]), _norm(e["sentence"]["text"]) if e["sentence"] else None]
        yield from _outline_rows(e["children"], depth + 1)


def test_firefox_shows_the_outline(live_service):
    """The listicle's outline in the panel, as the service answers it; a click on each heading
    lands on the article's heading (the table of contents above holds the same texts), a click
    on a sentence on that sentence."""
    result, site_url, log = run_in_firefox(live_service.url, None, driver="outline_smoke.js")
    assert result is not None, f"no report from Firefox:\n{log}"
    data = _answer(result, live_service, site_url, "listicle.html")
    panel = result["panel"]
    assert panel["state"] == "done", panel
    assert data["outline"], "the service gives the listicle no outline"
    shown = [[d, _norm(h), _norm(s) if s else None] for d, h, s in panel["outline"]]
    assert shown == list(_outline_rows(data["outline"]))
    assert panel["open"] == (data["outline_kind"] == "list")
    assert panel["summary"].startswith("In this article")
    assert len(result["headings"]) == len(shown)
    for hit in result["headings"]:
        assert _norm(hit.get("text") or "") == _norm(hit["clicked"]), hit
        assert hit["inArticle"] and not hit["inToc"] and hit["heading"], hit
    sentence = result["sentence"]
    assert _norm(sentence.get("text") or "") == _norm(sentence["clicked"]), sentence
    assert sentence["inArticle"], sentence


def test_firefox_starts_the_service_through_the_host(tmp_path):
    """No service running; the host installed for Firefox (in a home folder of the test's):
    the button's summary comes from a service the host started."""
    port = free_port()
    home = tmp_path / "home"
    (home / ".mozilla").mkdir(parents=True)
    run_dir = Path(Settings.from_env().cache_dir) / "run"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEWSGIST_")}
    environ["HOME"] = str(home)
    # The launcher keeps these: the service finds the model export already made.
    install_env = {**environ, "NEWSGIST_PORT": str(port),
                   "NEWSGIST_CACHE_DIR": Settings.from_env().cache_dir}
    done = subprocess.run([str(NEWSGIST), "host", "install", "--browser", "firefox"],
                          env=install_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (home / ".mozilla/native-messaging-hosts/newsgist.host.json").is_file()
    try:
        assert not listening(port)
        result, site_url, log = run_in_firefox(f"http://127.0.0.1:{port}", None, native=True,
                                               env=environ)
        assert result is not None, f"no report from Firefox:\n{log}"
        pid = service_pid(run_dir, port)
        assert pid and alive(pid), "the host did not start the service"
        _check_panel(result, _Service(port), site_url)
    finally:
        forget(run_dir, port)


class _Service:
    """summarize() against the service the host started, as the conftest's Service does."""

    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}"

    def summarize(self, **body):
        request = urllib.request.Request(self.url + "/v1/summarize", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as r:
            return r.status, json.load(r)
