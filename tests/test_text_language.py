"""Plain text gets a language from the detector HTML uses, and is split by its rules
(issue 21, point 1): Python, the API's {"text"}, the CLI on a .txt and batch records."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from newsgist.batch.job import BatchJob, run_job
from newsgist.config import Settings
from newsgist.extract import article_from_text, text_language
from newsgist.segment import segment
from support import FIXTURES, HashingEncoder

LANGUAGES = ("fr", "de", "es", "pt")


def text(lang: str) -> str:
    return (FIXTURES / "languages" / f"{lang}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_is_given_its_language_and_split_by_its_rules(pipeline, lang):
    summary = pipeline.summarize_text(text(lang), sentences=2)
    assert summary.article.lang == lang
    # Each fixture holds one abbreviation ("env.", "am 3. Oktober", "Sra.") that English
    # rules cut a sentence at and the language's own rules do not.
    article = article_from_text(text(lang))
    assert summary.stats.sentences_total == len(segment(article.blocks, lang)) == 8
    assert len(segment(article.blocks, "en")) == 9


def test_a_given_language_is_kept():
    assert article_from_text(text("fr"), lang="de").lang == "de"


@pytest.mark.parametrize("short", ["Oui. Non. Peut-être.", "Ja.", "  ", "12 345 678."])
def test_text_too_short_to_tell_gets_a_stated_language_not_an_error(short):
    assert text_language(short) == "en"
    assert article_from_text(short).lang == "en"


def test_mixed_language_text_gets_the_language_of_most_of_it():
    mixed = text("fr") + "\n\nThe mayor's office did not answer our questions on Monday."
    assert article_from_text(mixed).lang == "fr"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_api_states_the_language_of_text(client, lang):
    body = client.post("/v1/summarize", json={"text": text(lang), "sentences": 2}).get_json()
    assert body["lang"] == lang and len(body["sentences"]) == 2


def test_batch_text_records_get_their_language(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": lang, "text": text(lang)}) + "\n"
                           for lang in LANGUAGES), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_job(BatchJob([str(src)], str(out), sentences=2, workers=1,
                     encoder_factory=HashingEncoder, progress_every=0), Settings(),
            stream=io.StringIO())
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["id"], x["lang"]) for x in got] == [(lang, lang) for lang in LANGUAGES]


@pytest.mark.slow
def test_the_cli_on_a_text_file_states_its_language():
    r = subprocess.run([sys.executable, "-m", "newsgist", "summarize", "--json", "-n", "2",
                        str(FIXTURES / "languages" / "de.txt")], capture_output=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    body = json.loads(r.stdout)
    assert body["lang"] == "de" and len(body["sentences"]) == 2
