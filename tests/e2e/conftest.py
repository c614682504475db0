"""End-to-end fixtures: the real NewsGist service (real model) as a process, a news-page site on
127.0.0.1, and Debian's Chromium (headless, via Python Playwright) with the unpacked extension.

Everything expensive is session-scoped: one service process, one browser. See
../../../shared/recipes/extension-e2e.md for why the flags and triggers look the way they do.
"""

from __future__ import annotations

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
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from processes import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
EXT_DIR = ROOT / "extension"
SITE_DIR = Path(__file__).resolve().parent / "site"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "artifacts"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HEADLESS = os.environ.get("E2E_HEADFUL") != "1"
# Playwright adds --no-sandbox, --no-first-run, --disable-sync, ... itself; these are the rest.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Upper bounds for waits, not performance thresholds: they only stop a hung run.
SERVICE_START_S = 300
UI_WAIT_MS = 120_000


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives a real browser with the extension loaded")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    skip = None
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"Debian chromium not found at {CHROMIUM} "
                                       "(apt-get install chromium; `make browser` does it)")
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if skip:
                item.add_marker(skip)


# The class of what has the keyboard focus in the panel's shadow root.
PANEL_FOCUS_JS = "document.getElementById('newsgist-root').shadowRoot.activeElement?.className"


def tab_to(page, class_name: str, presses: int = 20) -> str:
    """Presses Tab until the panel's focus is on an element of class `class_name` (at most
    `presses` times); returns the class the focus ended on."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(PANEL_FOCUS_JS) == class_name:
            break
    return page.evaluate(PANEL_FOCUS_JS)


class Service:
    """`newsgist serve` as a real process on a fixed port, so it can be stopped and started again."""

    def __init__(self, port: int, log_dir: Path):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_dir / "service.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newsgist", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + SERVICE_START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"newsgist serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            health = self.health()
            if health and health.get("status") == "ok":
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"newsgist serve not ready after {SERVICE_START_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc:
            stop(self.proc, 30)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def health(self) -> dict | None:
        try:
            with urllib.request.urlopen(self.url + "/v1/health", timeout=5) as r:
                return json.load(r)
        except (OSError, ValueError):
            return None

    def summarize(self, **body) -> tuple[int, dict]:
        """POST /v1/summarize as curl would (no Origin); returns (status, JSON)."""
        req = urllib.request.Request(self.url + "/v1/summarize", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")
    return ARTIFACTS


@pytest.fixture(scope="session")
def service(artifacts):
    svc = Service(free_port(), artifacts)
    svc.log_path.write_bytes(b"")
    svc.start()
    yield svc
    svc.stop()


@pytest.fixture
def live_service(service):
    """The service, started again if a test left it stopped."""
    if not service.running:
        service.start()
    return service


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve_site(host: str):
    """Serves the fixture pages on 127.0.0.1 (a port of its own), yielding the site's URL
    under the name `host`; stopped at the end."""
    handler = functools.partial(_QuietHandler, directory=str(SITE_DIR))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://{host}:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def site():
    yield from _serve_site("127.0.0.1")


@pytest.fixture(scope="session")
def other_site():
    """The fixture pages again, as a second site: 'localhost' on a port of its own (another
    host name, so the service counts another site)."""
    yield from _serve_site("localhost")


@pytest.fixture(scope="session")
def pw():
    """One Playwright for the whole run: its sync API cannot be started twice at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def launch_browser(artifacts, pw):
    """launch_browser(ext_dir) -> a Chromium (own fresh profile) with that unpacked extension;
    every browser launched is closed at the end of the session."""
    profiles, contexts = [], []

    def launch(ext_dir: Path = EXT_DIR):
        profile = tempfile.mkdtemp(prefix="newsgist-e2e-profile-")
        profiles.append(profile)
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=HEADLESS,
            viewport={"width": 1280, "height": 800},
            permissions=["clipboard-read", "clipboard-write"],
            args=FLAGS + [f"--disable-extensions-except={ext_dir}", f"--load-extension={ext_dir}"])
        ctx.set_default_timeout(UI_WAIT_MS)
        contexts.append(ctx)
        return ctx

    try:
        yield launch
    finally:
        for ctx in contexts:
            ctx.close()
        for profile in profiles:
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_context(launch_browser):
    return launch_browser()


@pytest.fixture(scope="session")
def sw(browser_context):
    """The extension's service worker (its id is read from its URL: it depends on the path)."""
    ctx = browser_context
    return ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker")


@pytest.fixture(scope="session")
def ext_id(sw) -> str:
    return sw.url.split("/")[2]


@pytest.fixture(autouse=True)
def extension_settings(sw, service):
    """Each test starts with the default settings, pointed at the test service's port."""
    sw.evaluate("url => chrome.storage.sync.clear().then(() => chrome.storage.sync.set({serviceUrl: url}))",
                service.url)


@pytest.fixture
def open_tab(browser_context, live_service):
    """open_tab(url) -> a new tab showing `url`; the tabs it opened are closed after the test."""
    pages = []

    def open_(url: str):
        pg = browser_context.new_page()
        pg.goto(url)
        pages.append(pg)
        return pg

    yield open_
    for pg in pages:
        if not pg.is_closed():
            pg.close()


@pytest.fixture
def page(open_tab, site):
    pg = open_tab(f"{site}/article.html")
    pg.bring_to_front()
    return pg


@pytest.fixture
def tab_id(sw, page) -> int:
    """Id of the tab showing `page` (the active tab after bring_to_front)."""
    page.bring_to_front()
    return sw.evaluate("async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")
