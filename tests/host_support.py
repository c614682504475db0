"""Running ``newsgist-host`` as the browser does, and cleaning up what it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from newsgist.host import CHROMIUM_ORIGIN, GECKO_ID
from processes import alive

HOST_PROGRAM = Path(sys.executable).parent / "newsgist-host"
CHROMIUM_ARGS = [CHROMIUM_ORIGIN]
FIREFOX_ARGS = ["/somewhere/newsgist.host.json", GECKO_ID]
# Upper bounds that only stop a hung run (the first start may export the model).
HOST_TIMEOUT_S = 600


def frame(message) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return struct.pack("<I", len(body)) + body


def replies(data: bytes) -> list[dict]:
    out = []
    while data:
        (n,) = struct.unpack("<I", data[:4])
        out.append(json.loads(data[4:4 + n]))
        data = data[4 + n:]
    return out


def host_env(port: int, cache_dir: Path | None = None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSGIST_")}
    env["NEWSGIST_PORT"] = str(port)
    if cache_dir is not None:
        env["NEWSGIST_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env


def run_host(args: list[str], data: bytes, env: dict, program: list[str] | None = None):
    """(exit status, replies) of one host run fed ``data`` on stdin."""
    proc = subprocess.run((program or [str(HOST_PROGRAM)]) + args, input=data, env=env,
                          capture_output=True, timeout=HOST_TIMEOUT_S)
    return proc.returncode, replies(proc.stdout)


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def service_pid(run_dir: Path, port: int) -> int | None:
    try:
        return int((run_dir / f"service-{port}.pid").read_text())
    except (OSError, ValueError):
        return None


def forget(run_dir: Path, port: int) -> None:
    """Stops the service and removes the files a host kept for that port (lock, pid, log)."""
    stop_service(run_dir, port)
    for path in run_dir.glob(f"service-{port}.*"):
        path.unlink(missing_ok=True)


def stop_service(run_dir: Path, port: int) -> None:
    """Ends the service a host started (its own process group: the workers too)."""
    pid = service_pid(run_dir, port)
    if pid is None or not alive(pid):
        return
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + wait
        while time.monotonic() < end and alive(pid):
            time.sleep(0.1)
        if not alive(pid):
            return
