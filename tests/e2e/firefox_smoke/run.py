"""Manual smoke check of the extension in Firefox ESR (not part of `make test`: Firefox has no
Playwright driver here). Needs `apt-get install firefox-esr`, `npm ci` and the .venv.

    .venv/bin/python tests/e2e/firefox_smoke/run.py

Starts the real service and the fixture site, runs `web-ext run` headless on a temporary copy
of extension/ with smoke.js added to the background scripts, checks what the panel showed, and
saves a screenshot (WebDriver BiDi) to artifacts/firefox-panel.png. Exit status 0 = all good.

    .venv/bin/python tests/e2e/firefox_smoke/run.py --digest

checks the digest of tabs instead (digest_smoke.js): one story from two sites, one single, and
a sentence click that brings its tab forward with the sentence highlighted.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from bidi import Bidi  # noqa: E402
from conftest import ARTIFACTS, EXT_DIR, ROOT, SITE_DIR, Service, free_port  # noqa: E402

FIREFOX = os.environ.get("FIREFOX", "/usr/bin/firefox-esr")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(handler) -> http.server.ThreadingHTTPServer:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def digest_checks(result: dict) -> dict[str, bool]:
    norm = lambda s: "".join(str(s or "").split())  # noqa: E731
    return {
        "no error in the driver": not result.get("error"),
        "shortcut Alt+Shift+D": any(c.get("shortcut") == "Alt+Shift+D" for c in result.get("commands", [])),
        "digest done": result.get("state") == "done",
        "progress shown": "Reading tabs: 3 of 3" in (result.get("progressLog") or []),
        "one story from two sites": result.get("stories") == 1 and result.get("sites") == ["127.0.0.1", "localhost"],
        "one single": result.get("singles") == 1,
        "its tab in front": result.get("activeUrl") == result.get("expectedUrl"),
        "sentence highlighted there": bool(result.get("clicked")) and norm(result.get("highlight")) == norm(result.get("clicked")),
    }


def main() -> int:
    digest = "--digest" in sys.argv[1:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")
    work = Path(tempfile.mkdtemp(prefix="newsgist-ff-"))
    ext = work / "extension"
    shutil.copytree(EXT_DIR, ext)
    reports: list[dict] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            reports.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

    site = serve(functools.partial(_Quiet, directory=str(SITE_DIR)))
    recorder = serve(Recorder)
    service = Service(free_port(), work)
    service.start()
    site_url = f"http://127.0.0.1:{site.server_port}"
    cfg = {"site": site_url, "other": f"http://localhost:{site.server_port}", "report": f"http://127.0.0.1:{recorder.server_port}/", "service": service.url}
    (ext / "smoke_cfg.js").write_text(f"globalThis.__SMOKE_CFG = {json.dumps(cfg)};\n")
    shutil.copy(HERE / ("digest_smoke.js" if digest else "smoke.js"), ext / "smoke.js")
    manifest = json.loads((ext / "manifest.json").read_text())
    manifest["background"]["scripts"] += ["smoke_cfg.js", "smoke.js"]
    (ext / "manifest.json").write_text(json.dumps(manifest, indent=2))

    bidi_port = free_port()
    ff = subprocess.Popen(
        ["npx", "web-ext", "run", "--source-dir", str(ext), "--no-config-discovery", f"--firefox={FIREFOX}",
         "--arg=--headless", f"--arg=--remote-debugging-port={bidi_port}", "--no-reload", "--no-input",
         f"--start-url={site_url}/article.html"],
        cwd=ROOT, stdout=open(work / "web-ext.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    shot = None
    try:
        while time.monotonic() - started < 300 and ff.poll() is None and not any("ua" in r for r in reports):
            if shot is None and not digest and any(r.get("phase") == "jumped" for r in reports):
                try:
                    b = Bidi(bidi_port)
                    b.call("session.new", {"capabilities": {}})
                    tab = next(c for c in b.call("browsingContext.getTree")["contexts"] if "article.html" in c["url"])
                    data = b.call("browsingContext.captureScreenshot", {"context": tab["context"]})["data"]
                    shot = ARTIFACTS / "firefox-panel.png"
                    shot.write_bytes(base64.b64decode(data))
                except Exception as e:  # the screenshot is a bonus, the checks below are the test
                    shot = f"screenshot failed: {e!r}"
            time.sleep(0.3)
    finally:
        os.killpg(ff.pid, 2)
        try:
            ff.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(ff.pid, 9)
        service.stop()
    elapsed = time.monotonic() - started
    result = next((r for r in reports if "ua" in r), None)
    if result is None:
        print(f"FAIL: no report from Firefox after {elapsed:.0f} s; see {work / 'web-ext.log'}")
        return 1
    first, jump, long = result.get("first") or {}, result.get("jump") or {}, result.get("long") or {}
    checks = digest_checks(result) if digest else {
        "no error in the driver": not result.get("error"),
        "permissions granted": sorted((result.get("permissions") or {}).get("origins", []))
        == ["http://127.0.0.1/*", "http://localhost/*"],
        "shortcut Alt+Shift+S": any(c.get("shortcut") == "Alt+Shift+S" for c in result.get("commands", [])),
        "panel done with 3 sentences": first.get("state") == "done" and len(first.get("sentences", [])) == 3,
        "panel styled (400 px wide)": first.get("panelWidth") == 400,
        "sentence highlighted": jump.get("highlights") == 1 or jump.get("marks", 0) > 0,
        "page scrolled": jump.get("scrollY", 0) > 0,
        "long = 7 sentences": long.get("state") == "done" and len(long.get("sentences", [])) == 7,
    }
    print(result["ua"])
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if result.get("error"):
        print(result["error"])
    if digest and not all(checks.values()):
        print(json.dumps(result, indent=1))
    print(f"screenshot: {shot}")
    print(f"{sum(checks.values())} passed, {len(checks) - sum(checks.values())} failed ({elapsed:.0f} s)")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
