"""The button starts NewsGist itself: headless Chromium, the real ``newsgist-host`` installed
into the test profile with ``newsgist host install --user-data-dir``, and no service running.

The extension is loaded twice over: a copy with ``nativeMessaging`` moved from
``optional_permissions`` to ``permissions`` (a headless browser cannot click the
permission prompt; the copy keeps the manifest ``key``, hence NewsGist's id), and the
unchanged extension for the path where the permission is not granted yet.  A third copy
without the ``key`` (another extension id) checks that the host refuses strangers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CHROMIUM, EXT_DIR, FLAGS, HEADLESS, UI_WAIT_MS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from host_support import forget, listening, service_pid, stop_service  # noqa: E402
from processes import alive, free_port  # noqa: E402

from newsgist.config import Settings  # noqa: E402
from newsgist.host import CHROMIUM_EXTENSION_ID  # noqa: E402

PANEL = "#newsgist-root"
NEWSGIST = Path(sys.executable).parent / "newsgist"
RUN_DIR = Path(Settings.from_env().cache_dir) / "run"


@pytest.fixture(autouse=True)
def extension_settings():
    """Replaces the e2e conftest's: these tests bring their own browser and no service."""


def _copy_extension(dest: Path, *, native_required: bool, keep_key: bool = True) -> Path:
    shutil.copytree(EXT_DIR, dest)
    manifest = json.loads((dest / "manifest.json").read_text())
    if native_required:
        manifest["permissions"].append("nativeMessaging")
        manifest["optional_permissions"].remove("nativeMessaging")
    if not keep_key:
        manifest.pop("key")
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return dest


def _host(action: str, profile: Path, port: int, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEWSGIST_")}
    environ.update({"NEWSGIST_PORT": str(port), **env})
    done = subprocess.run([str(NEWSGIST), "host", action, "--user-data-dir", str(profile)],
                          env=environ, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def world(pw, artifacts):
    """One browser with NewsGist (permission granted) and a stranger extension, the host
    installed into its profile for a free port, and nothing listening there."""
    work = Path(tempfile.mkdtemp(prefix="newsgist-native-"))
    ours = _copy_extension(work / "newsgist", native_required=True)
    stranger = _copy_extension(work / "stranger", native_required=True, keep_key=False)
    profile = work / "profile"
    port = free_port()
    _host("install", profile, port)
    exts = f"{ours},{stranger}"
    try:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=HEADLESS,
            viewport={"width": 1280, "height": 800},
            args=FLAGS + [f"--disable-extensions-except={exts}", f"--load-extension={exts}"])
        ctx.set_default_timeout(UI_WAIT_MS)
        try:
            workers = {}
            deadline = time.monotonic() + 60
            while len(workers) < 2 and time.monotonic() < deadline:
                workers = {w.url.split("/")[2]: w for w in ctx.service_workers}
                if len(workers) < 2:
                    ctx.wait_for_event("serviceworker", timeout=10_000)
            sw = workers.pop(CHROMIUM_EXTENSION_ID)
            [other] = workers.values()
            sw.evaluate("url => chrome.storage.sync.set({serviceUrl: url})", f"http://127.0.0.1:{port}")
            yield {"ctx": ctx, "sw": sw, "other": other, "port": port, "profile": profile}
        finally:
            ctx.close()
    finally:
        forget(RUN_DIR, port)
        shutil.rmtree(work, ignore_errors=True)


def _open_article(world, site):
    page = world["ctx"].new_page()
    page.goto(f"{site}/article.html")
    page.bring_to_front()
    tab = world["sw"].evaluate(
        "async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")
    return page, tab


def _click(world, tab):
    world["sw"].evaluate("async id => chrome.action.onClicked.dispatch(await chrome.tabs.get(id))", tab)


def _final_state(page) -> str:
    page.wait_for_selector(f"{PANEL}:is([data-state=done], [data-state=error])", state="attached")
    return page.locator(PANEL).get_attribute("data-state")


def _expected(port, page) -> list[str]:
    body = page.evaluate("() => ({html: document.documentElement.outerHTML, url: location.href,"
                         " title: document.title})")
    body["length"] = "short"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/summarize", method="POST",
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as r:
        return [s["text"] for s in json.load(r)["sentences"]]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def test_another_extension_is_refused_and_nothing_starts(world):
    error = world["other"].evaluate("""async () => {
      try { return {reply: await chrome.runtime.sendNativeMessage('newsgist.host', {cmd: 'ensure'})}; }
      catch (e) { return {error: String(e.message || e)}; }
    }""")
    assert "forbidden" in error.get("error", "").lower(), error
    assert not listening(world["port"])
    assert service_pid(RUN_DIR, world["port"]) is None or not alive(service_pid(RUN_DIR, world["port"]))


def test_the_button_starts_the_service_and_shows_the_summary(world, site, artifacts):
    port = world["port"]
    assert not listening(port)
    page, tab = _open_article(world, site)
    _click(world, tab)
    # The panel says what happens while the host starts the service and the model loads.
    page.wait_for_selector(f"{PANEL}[data-starting]", state="attached")
    assert "Starting NewsGist" in page.locator(f"{PANEL} .status").text_content()
    page.screenshot(path=str(artifacts / "panel-starting.png"))
    assert _final_state(page) == "done", page.locator(f"{PANEL} .error").text_content()
    shown = [_norm(s) for s in page.locator(f"{PANEL} .sentence").all_text_contents()]
    assert shown == [_norm(s) for s in _expected(port, page)]
    assert len(shown) == 3
    # ... started by the host: detached `newsgist serve` with its fixed arguments.
    pid = service_pid(RUN_DIR, port)
    assert pid and alive(pid)
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert [b"-m", b"newsgist", b"serve", b"--host", b"127.0.0.1", b"--port", str(port).encode()] \
        == cmdline[1:8]
    assert os.getsid(pid) == pid  # its own session: it outlives the host and the browser's group

    # A second command reuses it: same process, no second start.
    log_before = (RUN_DIR / f"service-{port}.log").read_text()
    assert log_before.count("NewsGist listening") == 1
    page.close()
    page, tab = _open_article(world, site)
    _click(world, tab)
    assert _final_state(page) == "done"
    assert [_norm(s) for s in page.locator(f"{PANEL} .sentence").all_text_contents()] == shown
    assert service_pid(RUN_DIR, port) == pid and alive(pid)
    assert (RUN_DIR / f"service-{port}.log").read_text().count("NewsGist listening") == 1
    page.close()


def test_without_the_host_the_panel_shows_the_install_command(world, site, artifacts):
    stop_service(RUN_DIR, world["port"])
    _host("uninstall", world["profile"], world["port"])
    try:
        page, tab = _open_article(world, site)
        _click(world, tab)
        assert _final_state(page) == "error"
        panel = page.locator(PANEL)
        assert panel.get_attribute("data-error-kind") == "unreachable"
        error = panel.locator(".error")
        assert "not running" in error.text_content()
        assert "newsgist host install" in error.locator("code").all_text_contents()
        page.screenshot(path=str(artifacts / "panel-no-host.png"))
        assert not listening(world["port"])
        page.close()
    finally:
        _host("install", world["profile"], world["port"])


def test_a_host_started_service_exits_after_the_idle_time(world, site):
    port = world["port"]
    stop_service(RUN_DIR, port)
    _host("install", world["profile"], port, NEWSGIST_IDLE_EXIT="4")  # the launcher keeps it
    try:
        page, tab = _open_article(world, site)
        _click(world, tab)
        assert _final_state(page) == "done"
        pid = service_pid(RUN_DIR, port)
        assert pid and alive(pid)
        page.close()
        deadline = time.monotonic() + 120  # only stops a hung run: it exits 4 s after the last request
        while time.monotonic() < deadline and alive(pid):
            time.sleep(0.2)
        assert not alive(pid) and not listening(port)
        assert "(NEWSGIST_IDLE_EXIT): stopping" in (RUN_DIR / f"service-{port}.log").read_text()
    finally:
        _host("install", world["profile"], port)


def test_the_permission_page_says_it_is_allowed(world):
    page = world["ctx"].new_page()
    page.goto(f"chrome-extension://{CHROMIUM_EXTENSION_ID}/permission/permission.html")
    page.get_by_role("button", name="Stop allowing").wait_for()
    assert not page.get_by_role("button", name="Allow", exact=True).is_visible()
    assert "Allowed:" in page.locator("#status").text_content()
    page.close()


def test_a_click_while_the_model_loads_waits_for_it(world, site):
    """A service that answers but still loads its model (503 model_loading): the helper waits
    for it to be ready instead of the panel saying "busy"."""
    port = world["port"]
    stop_service(RUN_DIR, port)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEWSGIST_")}
    proc = subprocess.Popen([str(NEWSGIST), "serve", "--port", str(port)], env=environ,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # bounds a hung start only
        status = None
        while time.monotonic() < deadline and status is None and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2) as r:
                    status = json.load(r)["status"]
            except OSError:
                time.sleep(0.05)
        assert status in ("loading", "ok")
        page, tab = _open_article(world, site)
        _click(world, tab)
        assert _final_state(page) == "done", page.locator(f"{PANEL} .error").text_content()
        assert len(page.locator(f"{PANEL} .sentence").all_text_contents()) == 3
        page.close()
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_before_the_permission_is_granted_the_panel_offers_it(pw, site, artifacts):
    """The unchanged extension: nativeMessaging is optional, so the first "not running" offers
    to allow it, which opens the extension page that asks for it."""
    profile = tempfile.mkdtemp(prefix="newsgist-native-optional-")
    port = free_port()
    try:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=HEADLESS,
            args=FLAGS + [f"--disable-extensions-except={EXT_DIR}", f"--load-extension={EXT_DIR}"])
        ctx.set_default_timeout(UI_WAIT_MS)
        try:
            sw = ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker")
            assert sw.evaluate("chrome.permissions.contains({permissions: ['nativeMessaging']})") is False
            sw.evaluate("url => chrome.storage.sync.set({serviceUrl: url})", f"http://127.0.0.1:{port}")
            page = ctx.new_page()
            page.goto(f"{site}/article.html")
            page.bring_to_front()
            tab = sw.evaluate("async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")
            sw.evaluate("async id => chrome.action.onClicked.dispatch(await chrome.tabs.get(id))", tab)
            assert _final_state(page) == "error"
            error = page.locator(f"{PANEL} .error")
            assert "newsgist host install" in error.locator("code").all_text_contents()
            with ctx.expect_page() as opened:
                error.get_by_role("button", name="Start it automatically").click()
            permission = opened.value
            permission.wait_for_load_state()
            assert permission.url.endswith(f"/permission/permission.html?tab={tab}")
            assert "native messaging" in permission.locator("main").text_content()
            assert permission.get_by_role("button", name="Allow", exact=True).is_visible()
            assert not permission.get_by_role("button", name="Stop allowing").is_visible()
            permission.screenshot(path=str(artifacts / "permission-page.png"))
            # The options page leads to the same page.
            options = ctx.new_page()
            options.goto(sw.url.replace("background.js", "options/options.html"))
            options.get_by_role("link", name="Start NewsGist automatically…").click()
            options.wait_for_url("**/permission/permission.html")
        finally:
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
