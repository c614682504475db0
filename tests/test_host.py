"""The native messaging host: its protocol, who it answers, what it starts, and its install.

Fast tests use the host's functions and fake services; the slow ones run the installed
``newsgist-host`` program the way a browser does, against the real service and model.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import struct
import subprocess
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from newsgist import host, host_install
from newsgist.config import HOST_IDLE_EXIT, Settings, host_settings
from newsgist.idle import IdleWatch

from host_support import (CHROMIUM_ARGS, FIREFOX_ARGS, HOST_PROGRAM, forget, frame, host_env,
                          listening, replies, run_host, service_pid)
from processes import alive, free_port

ROOT = Path(__file__).resolve().parents[1]


# --- protocol --------------------------------------------------------------------------------

def test_frames_round_trip():
    out = io.BytesIO()
    host.write_message(out, {"ok": True, "url": "http://127.0.0.1:1", "note": "é"})
    assert host.read_message(io.BytesIO(out.getvalue())) == {"ok": True, "url": "http://127.0.0.1:1",
                                                            "note": "é"}
    assert host.read_message(io.BytesIO(b"")) is None


@pytest.mark.parametrize("data", [b"\x05\x00", struct.pack("<I", 20) + b'{"cmd":', frame(b"not json"),
                                  frame(b"\xff\xfe"), frame([1, 2]), frame("ensure")],
                         ids=["short-prefix", "short-body", "not-json", "not-utf8", "array", "string"])
def test_malformed_frames_are_refused(data):
    with pytest.raises(host.HostError) as err:
        host.read_message(io.BytesIO(data))
    assert err.value.code == "malformed_frame"


def test_an_oversized_frame_is_refused_without_reading_it():
    class Tracking(io.BytesIO):
        read_total = 0

        def read(self, n=-1):
            chunk = super().read(n)
            Tracking.read_total += len(chunk)
            return chunk

    stream = Tracking(struct.pack("<I", 50_000_000) + b"x" * 10_000)
    with pytest.raises(host.HostError) as err:
        host.read_message(stream)
    assert err.value.code == "frame_too_large"
    assert Tracking.read_total == 4


@pytest.mark.parametrize("argv,allowed", [
    (CHROMIUM_ARGS, True),
    ([host.CHROMIUM_ORIGIN, "--parent-window=0"], True),
    (FIREFOX_ARGS, True),
    (["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"], False),
    (["/path/newsgist.host.json", "other@example.org"], False),
    ([], False),
    (["--cmd", "ensure"], False),
])
def test_only_newsgists_own_extension_is_answered(argv, allowed):
    assert host.caller_allowed(argv) is allowed


@pytest.fixture
def no_start(monkeypatch):
    """Fails the test if the host tries to start anything."""
    calls = []
    monkeypatch.setattr(host, "start_service", lambda settings: calls.append(settings))
    return calls


def _stdio(argv, data, settings):
    out = io.BytesIO()
    status = host.serve_stdio(argv, io.BytesIO(data), out, settings)
    return status, replies(out.getvalue())


@pytest.mark.parametrize("argv,data,code", [
    (["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"], frame({"cmd": "ensure"}), "forbidden_origin"),
    (CHROMIUM_ARGS, frame({"cmd": "serve"}), "unknown_command"),
    (CHROMIUM_ARGS, frame({"cmd": ["ensure"]}), "unknown_command"),
    (CHROMIUM_ARGS, frame({}), "unknown_command"),
    (FIREFOX_ARGS, frame(b"{oops"), "malformed_frame"),
    (FIREFOX_ARGS, struct.pack("<I", 1 << 20), "frame_too_large"),
])
def test_refusals_are_json_errors_and_start_nothing(argv, data, code, no_start, tmp_path):
    status, answers = _stdio(argv, data, Settings(port=free_port(), cache_dir=str(tmp_path)))
    assert answers == [{"ok": False, "error": {"code": code, "message": answers[0]["error"]["message"]}}]
    assert answers[0]["error"]["message"]
    assert no_start == []


class _Fake(http.server.BaseHTTPRequestHandler):
    body = b"{}"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture
def fake_service():
    servers = []

    def start(body: bytes) -> int:
        handler = type("Handler", (_Fake,), {"body": body})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return httpd.server_port

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_ensure_reuses_a_service_that_answers(fake_service, no_start, tmp_path):
    port = fake_service(b'{"status": "ok", "model": "m", "version": "0"}')
    status, answers = _stdio(CHROMIUM_ARGS, frame({"cmd": "ensure"}) * 2,
                             Settings(port=port, cache_dir=str(tmp_path)))
    assert status == 0
    assert answers == [{"ok": True, "url": f"http://127.0.0.1:{port}", "started": False}] * 2
    assert no_start == []


def test_ensure_refuses_a_port_taken_by_another_program(fake_service, no_start, tmp_path):
    port = fake_service(b'{"hello": "world"}')
    _, answers = _stdio(FIREFOX_ARGS, frame({"cmd": "ensure"}), Settings(port=port, cache_dir=str(tmp_path)))
    assert answers[0]["error"]["code"] == "port_in_use"
    assert no_start == []


def test_the_only_command_run_is_serve_on_loopback_with_fixed_arguments():
    cmd = host.serve_command(Settings(port=9123, idle_exit=1800))
    assert cmd[1:] == ["-m", "newsgist", "serve", "--host", "127.0.0.1", "--port", "9123",
                       "--idle-exit", "1800.0"]


def test_host_started_services_stop_after_30_minutes_unless_configured():
    assert Settings().idle_exit == 0  # `newsgist serve`: never
    assert host_settings({}).idle_exit == HOST_IDLE_EXIT == 1800
    assert host_settings({"NEWSGIST_IDLE_EXIT": "5"}).idle_exit == 5
    assert host_settings({"NEWSGIST_IDLE_EXIT": "0"}).idle_exit == 0
    assert host_settings({"NEWSGIST_PORT": "9999"}).port == 9999


# --- idle exit (fake clock) -----------------------------------------------------------------------

def test_idle_watch_fires_once_after_the_idle_time_and_never_during_a_request():
    now = [0.0]
    fired = []

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"x"]

    watch = IdleWatch(app, 10, lambda: fired.append(now[0]), clock=lambda: now[0])
    now[0] = 9
    assert not watch.check()
    answer = watch({}, lambda *a: None)  # a request arrives and is in progress
    now[0] = 100
    assert not watch.check() and fired == []
    answer.close()  # sent
    now[0] = 109
    assert not watch.check()
    now[0] = 110
    assert watch.check() and fired == [110]
    now[0] = 500
    assert watch.check() and fired == [110]


# --- install ------------------------------------------------------------------------------------

def _cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(HOST_PROGRAM.parent / "newsgist"), *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_install_into_a_chromium_profile_writes_a_manifest_for_our_extension_only(tmp_path):
    profile = tmp_path / "profile"
    env = host_env(18765, cache_dir=tmp_path / "cache")
    done = _cli("host", "install", "--user-data-dir", str(profile), env=env)
    assert done.returncode == 0, done.stderr
    manifest_path = profile / "NativeMessagingHosts" / "newsgist.host.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest == {"name": "newsgist.host", "description": manifest["description"],
                        "path": str(profile / "NativeMessagingHosts" / "newsgist-host"),
                        "type": "stdio",
                        "allowed_origins": ["chrome-extension://dndimpdfppabkfnbjcjdiengdmogejne/"]}
    launcher = Path(manifest["path"])
    assert os.access(launcher, os.X_OK)
    assert "NEWSGIST_PORT=18765" in launcher.read_text()

    # The launcher runs the real host: it answers (and refuses) as the browser would see it.
    status, answers = run_host(["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"],
                               frame({"cmd": "ensure"}), env, program=[str(launcher)])
    assert (status, answers[0]["error"]["code"]) == (1, "forbidden_origin")
    status, answers = run_host(CHROMIUM_ARGS, frame({"cmd": "stop"}), env, program=[str(launcher)])
    assert (status, answers[0]["error"]["code"]) == (0, "unknown_command")

    status_out = _cli("host", "status", "--user-data-dir", str(profile), env=env).stdout
    assert f"installed: {manifest_path} (port 18765)" in status_out
    assert "http://127.0.0.1:18765: not running" in status_out

    done = _cli("host", "uninstall", "--user-data-dir", str(profile), env=env)
    assert done.returncode == 0
    assert not manifest_path.exists() and not launcher.exists()
    assert "not installed" in _cli("host", "status", "--user-data-dir", str(profile), env=env).stdout


def test_install_finds_each_browsers_per_user_folder(tmp_path):
    home = tmp_path / "home"
    (home / ".config" / "chromium").mkdir(parents=True)
    (home / ".mozilla").mkdir()
    env = {**host_env(8765), "HOME": str(home)}
    done = _cli("host", "install", env=env)
    assert done.returncode == 0, done.stderr
    chromium = home / ".config/chromium/NativeMessagingHosts/newsgist.host.json"
    firefox = home / ".mozilla/native-messaging-hosts/newsgist.host.json"
    assert json.loads(chromium.read_text())["allowed_origins"] == [host.CHROMIUM_ORIGIN]
    assert json.loads(firefox.read_text())["allowed_extensions"] == ["newsgist@newsgist.local"]
    assert "allowed_origins" not in json.loads(firefox.read_text())
    # Browsers never used here are left alone unless asked for.
    assert not (home / ".config/google-chrome").exists()
    done = _cli("host", "install", "--browser", "brave", env=env)
    assert (home / ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts/newsgist.host.json").is_file()
    # A manifest that is not ours is never removed.
    foreign = home / ".config/chromium/NativeMessagingHosts/other.host.json"
    foreign.write_text('{"name": "other.host"}')
    assert _cli("host", "uninstall", env=env).returncode == 0
    assert not chromium.exists() and not firefox.exists() and foreign.exists()
    assert _cli("host", "install", "--browser", "firefox", "--user-data-dir", str(tmp_path),
                env=env).returncode == 2


@pytest.mark.parametrize("platform,browser,folder", [
    ("linux", "chrome", ".config/google-chrome/NativeMessagingHosts"),
    ("linux", "edge", ".config/microsoft-edge/NativeMessagingHosts"),
    ("darwin", "chrome", "Library/Application Support/Google/Chrome/NativeMessagingHosts"),
    ("darwin", "chromium", "Library/Application Support/Chromium/NativeMessagingHosts"),
    ("darwin", "edge", "Library/Application Support/Microsoft Edge/NativeMessagingHosts"),
    ("darwin", "brave", "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts"),
    ("darwin", "firefox", "Library/Application Support/Mozilla/NativeMessagingHosts"),
])
def test_manifest_locations(platform, browser, folder, tmp_path):
    [target] = host_install.targets([browser], home=tmp_path, platform=platform)
    assert target.manifest == tmp_path / folder / "newsgist.host.json"


def test_windows_registry_keys(tmp_path):
    keys = {t.browser: t.registry_key for t in host_install.targets(
        list(host_install.BROWSERS), home=tmp_path, platform="win32")}
    assert keys == {
        "chrome": r"Software\Google\Chrome\NativeMessagingHosts\newsgist.host",
        "chromium": r"Software\Chromium\NativeMessagingHosts\newsgist.host",
        "edge": r"Software\Microsoft\Edge\NativeMessagingHosts\newsgist.host",
        "brave": r"Software\BraveSoftware\Brave-Browser\NativeMessagingHosts\newsgist.host",
        "firefox": r"Software\Mozilla\NativeMessagingHosts\newsgist.host",
    }


def test_the_pinned_extension_id_follows_from_the_manifest_key():
    import base64
    import hashlib

    key = json.loads((ROOT / "extension" / "manifest.json").read_text())["key"]
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    assert "".join(chr(ord("a") + int(c, 16)) for c in digest) == host.CHROMIUM_EXTENSION_ID
    gecko = json.loads((ROOT / "extension" / "manifest.json").read_text())
    assert gecko["browser_specific_settings"]["gecko"]["id"] == host.GECKO_ID


# --- the real host starting the real service ----------------------------------------------------

@pytest.fixture
def port_and_run_dir():
    port = free_port()
    run_dir = Path(Settings.from_env().cache_dir) / "run"
    yield port, run_dir
    forget(run_dir, port)


@pytest.mark.slow
@pytest.mark.parametrize("args,data,code", [
    (["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"], frame({"cmd": "ensure"}), "forbidden_origin"),
    (["/x/newsgist.host.json", "evil@example.org"], frame({"cmd": "ensure"}), "forbidden_origin"),
    (CHROMIUM_ARGS, b"\x07\x00\x00\x00{\"cmd\":", "malformed_frame"),
    (CHROMIUM_ARGS, struct.pack("<I", 100_000_000) + b"{}", "frame_too_large"),
    (FIREFOX_ARGS, frame({"cmd": "exec", "argv": ["sh", "-c", "touch /tmp/x"]}), "unknown_command"),
])
def test_the_host_program_refuses_and_starts_nothing(args, data, code, tmp_path):
    port = free_port()
    status, answers = run_host(args, data, host_env(port, cache_dir=tmp_path))
    assert answers[0]["ok"] is False and answers[0]["error"]["code"] == code
    assert len(answers) == 1
    assert not listening(port)
    assert not (tmp_path / "run" / f"service-{port}.pid").exists()


@pytest.mark.slow
def test_ensure_starts_one_service_and_a_second_ensure_reuses_it(port_and_run_dir):
    port, run_dir = port_and_run_dir
    env = host_env(port)
    status, [first] = run_host(CHROMIUM_ARGS, frame({"cmd": "ensure"}), env)
    assert status == 0 and first["ok"] is True, first
    assert first["started"] is True and first["url"] == f"http://127.0.0.1:{port}"
    assert service_pid(run_dir, port) == first["pid"]
    status, [second] = run_host(FIREFOX_ARGS, frame({"cmd": "ensure"}), env)
    assert second == {"ok": True, "url": first["url"], "started": False}
    # The service outlived the host that started it and answers summaries.
    html = (ROOT / "tests" / "fixtures" / "news_article.html").read_text()
    request = urllib.request.Request(first["url"] + "/v1/summarize", method="POST",
                                     data=json.dumps({"html": html}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as r:
        assert len(json.load(r)["sentences"]) == 3


@pytest.mark.slow
def test_two_hosts_asking_at_once_start_exactly_one_service(port_and_run_dir):
    port, run_dir = port_and_run_dir
    env = host_env(port)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda args: run_host(args, frame({"cmd": "ensure"}), env),
                                [CHROMIUM_ARGS, FIREFOX_ARGS]))
    answers = [r[1][0] for r in results]
    assert all(a["ok"] for a in answers), answers
    assert sorted(a["started"] for a in answers) == [False, True]
    started = next(a for a in answers if a["started"])
    assert service_pid(run_dir, port) == started["pid"]


@pytest.mark.slow
def test_a_host_started_service_exits_after_the_idle_time(port_and_run_dir):
    port, run_dir = port_and_run_dir
    status, [answer] = run_host(CHROMIUM_ARGS, frame({"cmd": "ensure"}),
                                host_env(port, NEWSGIST_IDLE_EXIT="3"))
    assert answer["ok"] and answer["started"], answer
    pid = answer["pid"]

    deadline = time.monotonic() + 120  # an upper bound only: it stops 3 s after the last request
    while time.monotonic() < deadline and (alive(pid) or listening(port)):
        time.sleep(0.2)
    assert not alive(pid) and not listening(port)
    log = (run_dir / f"service-{port}.log").read_text()
    assert "no request for 3 s (NEWSGIST_IDLE_EXIT): stopping" in log
    assert "NewsGist stopped." in log


def test_every_error_code_the_host_raises_is_documented():
    import re

    source = (ROOT / "service" / "newsgist" / "host.py").read_text()
    used = set(re.findall(r'host_error\(\s*"([a-z_]+)"', source))
    assert used and used <= set(host.HOST_ERRORS), used - set(host.HOST_ERRORS)
    docs = (ROOT / "docs" / "install.md").read_text()
    assert all(f"`{code}`" in docs for code in host.HOST_ERRORS)


def test_a_host_without_a_fixed_port_refuses_and_starts_nothing(no_start, tmp_path):
    _, answers = _stdio(CHROMIUM_ARGS, frame({"cmd": "ensure"}), Settings(port=0, cache_dir=str(tmp_path)))
    assert answers[0]["error"]["code"] == "bad_setting"
    assert no_start == []


def test_idle_watch_tries_again_when_the_server_cannot_stop_yet():
    now = [100.0]
    calls = []

    def on_idle():
        calls.append(now[0])
        if len(calls) == 1:
            raise NameError("loop")  # the server object does not exist yet

    watch = IdleWatch(lambda e, s: [], 10, on_idle, clock=lambda: now[0])
    now[0] = 111
    assert not watch.check()
    assert watch.check() and calls == [111, 111]
