"""`newsgist summarize --remember` and `newsgist history ...` as a user runs them (real model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from test_history import FOLLOW_UP
from support import ARTICLE

pytestmark = pytest.mark.slow


@pytest.fixture
def run(tmp_path):
    env = {**os.environ, "NEWSGIST_DATA_DIR": str(tmp_path / "data")}

    def run_(*args, stdin: str = ""):
        return subprocess.run([sys.executable, "-m", "newsgist", *args], input=stdin.encode(),
                              capture_output=True, timeout=300, env=env)
    return run_


def test_remember_then_list_search_export_forget_clear(run, tmp_path):
    assert run("history", "list").stdout == b""                       # empty, not an error
    first = run("summarize", "--text", "--remember", "-", stdin=ARTICLE)
    assert first.returncode == 0 and b"New since" not in first.stdout
    later = run("summarize", "--text", "--remember", "-", stdin=FOLLOW_UP)
    assert later.returncode == 0, later.stderr
    assert b"New since you read" in later.stdout and b"tram line" in later.stdout

    listed = json.loads(run("history", "list", "--json").stdout)["entries"]
    assert len(listed) == 2 and listed[0]["story"] == listed[1]["story"]
    found = json.loads(run("history", "search", "airport tram", "--json").stdout)["entries"]
    assert found and found[0]["id"] == listed[0]["id"]
    markdown = run("history", "export").stdout.decode()
    assert markdown.startswith("# NewsGist reading history") and "> The city council" in markdown
    assert len(json.loads(run("history", "export", "--json").stdout)["entries"]) == 2

    gone = listed[1]["id"]
    assert run("history", "forget", str(gone)).returncode == 0
    again = run("history", "forget", str(gone))
    assert again.returncode == 1 and b"no history entry" in again.stderr
    cleared = run("history", "clear")
    assert cleared.returncode == 0 and b"Deleted 1 entries" in cleared.stdout
    assert run("history", "list").stdout == b""


def test_bad_input_is_a_clear_error(run):
    r = run("history", "search", "   ")
    assert r.returncode == 2 and b"empty" in r.stderr and b"Traceback" not in r.stderr
    r = run("history", "list", "-n", "0")
    assert r.returncode == 2 and b"--limit" in r.stderr


def test_history_off_warns(run, tmp_path):
    env_off = {**os.environ, "NEWSGIST_DATA_DIR": str(tmp_path / "off"), "NEWSGIST_HISTORY": "0"}
    r = subprocess.run([sys.executable, "-m", "newsgist", "summarize", "--text", "--remember",
                        "-"], input=ARTICLE.encode(), capture_output=True, timeout=300,
                       env=env_off)
    assert r.returncode == 0 and b"NEWSGIST_HISTORY=0" in r.stderr
    assert not (tmp_path / "off" / "history.sqlite3").exists()
