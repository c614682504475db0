"""``newsgist-host``: the browser's native messaging host, which starts the service on demand.

The browser starts this program when the extension calls
``runtime.sendNativeMessage("newsgist.host", {"cmd": "ensure"})`` and talks to it
over stdin/stdout: each message is a 4-byte little-endian length, then that many
bytes of UTF-8 JSON.  It does one job.  Asked ``{"cmd": "ensure"}``, it checks
whether a NewsGist service answers ``GET /v1/health`` on the configured loopback
port; if none does, it starts ``newsgist serve`` detached, with fixed arguments
on 127.0.0.1, waits until the model is loaded (or the start failed) and replies::

    {"ok": true, "url": "http://127.0.0.1:8765", "started": true, "pid": 1234}
    {"ok": false, "error": {"code": "...", "message": "..."}}

Nothing from a message ever reaches a command line or a shell.  A lock file makes
two hosts asking at once (two browsers, two windows) start exactly one service.
Messages from another extension, frames that are not well formed or larger than
MAX_MESSAGE_BYTES, and any other ``cmd`` get a JSON error and start nothing.
Stdout carries the protocol only: everything else goes to stderr (the browser's log).
"""

from __future__ import annotations

import http.client
import json
import os
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .config import Settings, host_settings
from .errors import NewsGistError

HOST_NAME = "newsgist.host"
# The extension's ids: Chromium's follows from the "key" in extension/manifest.json,
# Firefox's is its browser_specific_settings.gecko.id.
CHROMIUM_EXTENSION_ID = "dndimpdfppabkfnbjcjdiengdmogejne"
CHROMIUM_ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"
GECKO_ID = "newsgist@newsgist.local"

# {"cmd": "ensure"} is 17 bytes: anything near this size is not ours.
MAX_MESSAGE_BYTES = 4096
# Upper bounds, not expectations: the first start exports the model (a minute or more
# on a slow machine); a later one is ready in seconds.
START_TIMEOUT_S = 600.0
PROBE_TIMEOUT_S = 5.0
POLL_S = 0.2


class HostError(NewsGistError):
    """A refusal or failure of the host; the reply carries its code and message."""


# The codes of the host's error replies (its own protocol, not the HTTP API's).
HOST_ERRORS = {
    "forbidden_origin": "the caller is not NewsGist's extension",
    "malformed_frame": "a frame cut short, not UTF-8 JSON, or not a JSON object",
    "frame_too_large": "a frame over MAX_MESSAGE_BYTES (its body is not read)",
    "unknown_command": "a cmd other than \"ensure\"",
    "bad_setting": "a NEWSGIST_* setting of the host that does not parse",
    "port_in_use": "another program answers on the configured port",
    "start_failed": "`newsgist serve` could not be started or exited while starting",
    "start_timeout": "the service was not ready within START_TIMEOUT_S",
}


def host_error(code: str, message: str) -> HostError:
    if code not in HOST_ERRORS:
        raise ValueError(f"undocumented host error code {code!r}")
    return HostError(message, code=code)


@dataclass(frozen=True)
class Probe:
    """What answers on the port: nothing, a NewsGist service (``status`` "ok" or "loading"),
    or something else (``foreign``)."""

    status: str | None = None
    foreign: bool = False

    @property
    def listening(self) -> bool:
        return self.status is not None or self.foreign


# --- the protocol ---------------------------------------------------------------------------

def read_message(stream: BinaryIO) -> dict | None:
    """The next message, or None at a clean end of input.

    Raises HostError for a frame that is cut short, larger than MAX_MESSAGE_BYTES
    (its body is not read), not UTF-8 JSON, or not a JSON object."""
    header = _read_exactly(stream, 4)
    if not header:
        return None
    if len(header) < 4:
        raise host_error("malformed_frame", "The message's 4-byte length prefix is cut short.")
    (length,) = struct.unpack("<I", header)
    if length > MAX_MESSAGE_BYTES:
        raise host_error("frame_too_large",
                         f"The message is {length} bytes; the limit is {MAX_MESSAGE_BYTES}.")
    body = _read_exactly(stream, length)
    if len(body) < length:
        raise host_error("malformed_frame",
                         f"The message ended after {len(body)} of {length} bytes.")
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise host_error("malformed_frame", "The message is not UTF-8 JSON.") from None
    if not isinstance(message, dict):
        raise host_error("malformed_frame", "The message must be a JSON object.")
    return message


def write_message(stream: BinaryIO, message: dict) -> None:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    stream.write(struct.pack("<I", len(body)) + body)
    stream.flush()


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def error_reply(exc: NewsGistError) -> dict:
    return {"ok": False, **exc.to_dict()}


# --- who is asking ----------------------------------------------------------------------------

def caller_allowed(argv: list[str]) -> bool:
    """Whether the browser says NewsGist's own extension started us.

    Chromium passes the caller's origin as the first argument (Windows adds
    ``--parent-window=N``); Firefox passes the host manifest's path and then the
    add-on's id.  The browsers already enforce the manifest's allowed_origins /
    allowed_extensions: this check keeps a host started any other way from acting."""
    if argv and argv[0] == CHROMIUM_ORIGIN:
        return True
    return len(argv) >= 2 and argv[1] == GECKO_ID


# --- ensure -----------------------------------------------------------------------------------

def service_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.port}"


def runtime_dir(settings: Settings) -> Path:
    """Where the lock, the pid and the log of a host-started service live (per port)."""
    return Path(settings.cache_dir) / "run"


def probe(port: int, timeout: float = PROBE_TIMEOUT_S) -> Probe:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/v1/health")
        response = conn.getresponse()
        body = response.read(65536)
    except (OSError, http.client.HTTPException):
        return Probe()
    finally:
        conn.close()
    try:
        data = json.loads(body)
    except ValueError:
        return Probe(foreign=True)
    newsgist = isinstance(data, dict) and "model" in data and "version" in data
    if response.status == 200 and newsgist and data.get("status") in ("ok", "loading"):
        return Probe(status=data["status"])
    return Probe(foreign=True)


def serve_command(settings: Settings) -> list[str]:
    """The one command the host ever runs: fixed arguments, loopback, the configured port."""
    return [sys.executable, "-m", "newsgist", "serve", "--host", "127.0.0.1",
            "--port", str(int(settings.port)), "--idle-exit", repr(float(settings.idle_exit))]


def start_service(settings: Settings) -> subprocess.Popen:
    """``newsgist serve`` detached from the host (its own session, no stdin, output to a log),
    so it outlives the host, which the browser ends after the reply."""
    run = runtime_dir(settings)
    run.mkdir(parents=True, exist_ok=True)
    with open(run / f"service-{settings.port}.log", "wb") as log:
        options: dict = {}
        if os.name == "nt":
            options["creationflags"] = (subprocess.DETACHED_PROCESS
                                        | subprocess.CREATE_NEW_PROCESS_GROUP
                                        | subprocess.CREATE_NO_WINDOW)
        else:
            options["start_new_session"] = True
        proc = subprocess.Popen(serve_command(settings), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, cwd=str(run), close_fds=True, **options)
    (run / f"service-{settings.port}.pid").write_text(f"{proc.pid}\n")
    return proc


def log_tail(settings: Settings, limit: int = 600) -> str:
    try:
        text = (runtime_dir(settings) / f"service-{settings.port}.log").read_text(errors="replace")
    except OSError:
        return ""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else "")[-limit:]


def ensure(settings: Settings, deadline_s: float = START_TIMEOUT_S) -> dict:
    """A ready service on the configured port: the one already there, or one started now."""
    url = service_url(settings)
    if not 1 <= settings.port <= 65535:
        raise host_error("bad_setting", f"The host needs a fixed port (1-65535), not "
                                        f"{settings.port} (NEWSGIST_PORT).")
    deadline = time.monotonic() + deadline_s
    started: subprocess.Popen | None = None
    while time.monotonic() < deadline:
        state = probe(settings.port)
        if state.foreign:
            raise host_error("port_in_use",
                             f"Something other than NewsGist answers at {url}. Stop it, or give "
                             "NewsGist another port (NEWSGIST_PORT, then `newsgist host install` "
                             "again and the same port in the extension's settings).")
        if state.status == "ok":
            reply = {"ok": True, "url": url, "started": started is not None}
            if started is not None:
                reply["pid"] = started.pid
            return reply
        if state.status is None:
            # Nobody listens. Whoever holds the lock starts the service; the others find it
            # listening once they get the lock.
            with PortLock(runtime_dir(settings) / f"service-{settings.port}.lock", deadline):
                if not probe(settings.port).listening:
                    started = start_service(settings)
                    _wait_listening(settings, started, deadline)
        if started is not None and started.poll() is not None:
            raise _start_failed(settings, started)
        time.sleep(POLL_S)
    raise host_error("start_timeout",
                     f"NewsGist did not get ready at {url} within {deadline_s:.0f} s.")


def _wait_listening(settings: Settings, proc: subprocess.Popen, deadline: float) -> None:
    """Holds the lock until the new service has its port open (it answers "loading" while
    the model loads), so that a second host sees it instead of starting another."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise _start_failed(settings, proc)
        if probe(settings.port).listening:
            return
        time.sleep(POLL_S)


def _start_failed(settings: Settings, proc: subprocess.Popen) -> HostError:
    tail = log_tail(settings)
    return host_error("start_failed", f"`newsgist serve` exited with status {proc.returncode}"
                      + (f": {tail}" if tail else "."))


class PortLock:
    """An exclusive lock on a file, held while one host checks and starts the service.

    ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows; both are released by the
    system if the holder dies, so a crashed host never blocks the next one."""

    def __init__(self, path: Path, deadline: float):
        self.path = path
        self.deadline = deadline
        self._fh = None

    def __enter__(self) -> "PortLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+b")
        while True:
            try:
                _try_lock(self._fh)
                return self
            except OSError:
                if time.monotonic() >= self.deadline:
                    self._fh.close()
                    raise host_error("start_timeout", "Another NewsGist host kept the start "
                                     "lock too long.") from None
                time.sleep(POLL_S)

    def __exit__(self, *exc) -> None:
        try:
            _unlock(self._fh)
        finally:
            self._fh.close()


if os.name == "nt":  # pragma: no cover - not testable on this machine
    import msvcrt

    def _try_lock(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# --- the program ------------------------------------------------------------------------------

def handle(message: dict, settings: Settings) -> dict:
    cmd = message.get("cmd")
    if cmd != "ensure":
        raise host_error("unknown_command",
                         f"Unknown command {str(cmd)[:40]!r}: the only command is \"ensure\".")
    return ensure(settings)


def serve_stdio(argv: list[str], stdin: BinaryIO, stdout: BinaryIO,
                settings: Settings | None = None) -> int:
    """Answers each message until the browser closes stdin; stops at a broken frame (the
    stream cannot be trusted after it) or a caller that is not NewsGist's extension."""
    if not caller_allowed(argv):
        write_message(stdout, error_reply(host_error(
            "forbidden_origin", "This native messaging host answers NewsGist's extension only.")))
        return 1
    try:
        settings = settings or host_settings()
    except ValueError as exc:
        write_message(stdout, error_reply(host_error("bad_setting", str(exc))))
        return 1
    while True:
        try:
            message = read_message(stdin)
        except HostError as exc:
            write_message(stdout, error_reply(exc))
            return 1
        if message is None:
            return 0
        try:
            reply = handle(message, settings)
        except HostError as exc:
            reply = error_reply(exc)
        except OSError as exc:
            reply = error_reply(host_error("start_failed", f"Could not start NewsGist: {exc}"))
        write_message(stdout, reply)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return serve_stdio(argv, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main())
