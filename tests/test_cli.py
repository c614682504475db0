"""`newsgist summarize` as a user runs it: output, --json, and clear failures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support import FIXTURES


def run(*args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "newsgist", *args], input=stdin,
                          capture_output=True, timeout=300)


def test_missing_file_is_a_clear_error():
    r = run("summarize", "/nonexistent/page.html")
    assert r.returncode == 2
    assert b"/nonexistent/page.html could not be read" in r.stderr
    assert b"[unreadable]" in r.stderr and b"Traceback" not in r.stderr


def test_empty_input_is_a_clear_error():
    r = run("summarize", "-", stdin=b"   \n")
    assert r.returncode == 1 and b"[empty_input]" in r.stderr
    assert b"Traceback" not in r.stderr


def test_bad_sentence_count_is_a_clear_error():
    r = run("summarize", "-n", "0", str(FIXTURES / "news_article.html"))
    assert r.returncode == 1 and b"invalid_sentences" in r.stderr and b"Traceback" not in r.stderr


def test_bad_setting_is_a_clear_error():
    r = subprocess.run([sys.executable, "-m", "newsgist", "summarize", "-"], input=b"x",
                       capture_output=True, timeout=60,
                       env={**__import__("os").environ, "NEWSGIST_MAX_BODY_BYTES": "lots"})
    assert r.returncode == 2 and b"NEWSGIST_MAX_BODY_BYTES" in r.stderr


@pytest.mark.slow
def test_summarize_file_as_text_lines_and_json():
    page = FIXTURES / "news_article.html"
    plain = run("summarize", "-n", "4", str(page))
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.decode().strip().splitlines()
    assert len(lines) == 4
    as_json = run("summarize", "--json", "-n", "4", "-", stdin=page.read_bytes())
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)
    assert [s["text"] for s in body["sentences"]] == lines


@pytest.mark.slow
def test_the_cli_and_the_api_answer_the_same_for_the_same_text(real_pipeline):
    """Normalisation (NFC) is the pipeline's: a decomposed accent reads the same through
    either face."""
    from newsgist.api import create_app
    from newsgist.config import Settings

    text = ("The caf\u0065\u0301 on the main square reopened on Monday after a year of "
            "repairs. Its owners said the new kitchen doubles what they can serve. "
            "Neighbours queued from seven in the morning for the first coffee.\n\n"
            "The town council paid for half of the repairs from its heritage fund. "
            "The rest came from a loan the owners will repay over ten years.")
    cli = run("summarize", "--text", "--json", "-n", "2", "-", stdin=text.encode())
    assert cli.returncode == 0, cli.stderr
    api = create_app(Settings(), real_pipeline).test_client() \
        .post("/v1/summarize", json={"text": text, "sentences": 2}).get_json()
    from_cli = json.loads(cli.stdout)
    assert from_cli["sentences"] == api["sentences"] and from_cli["stats"] == api["stats"]
    assert "e\u0301" not in cli.stdout.decode() and "caf\u00e9" in cli.stdout.decode()
