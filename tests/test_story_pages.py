"""Pages without sections keep exactly the summary they had before section-aware ranking.

Every article of the CNN/DailyMail dev set (``../shared/data/summarization``, beside
the repository in CI; the test is skipped where it is missing, as in a user's
clone) is rendered as a news page and summarized with the fake encoder.  The
chosen sentences must be the ones the pipeline chose before pages built of
sections were ranked apart (commit f079ffd), recorded in
``fixtures/story_pages_before.json`` (article ids and sentence indices only) by
running this file with that commit's code:

    git worktree add /tmp/before f079ffd
    PYTHONPATH=/tmp/before/service:tests python tests/test_story_pages.py --write
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

from newsgist.config import Settings
from newsgist.pipeline import Pipeline
from support import FIXTURES, HashingEncoder

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "summarization" / "cnndm_dev.jsonl"
BEFORE = FIXTURES / "story_pages_before.json"
_SENTENCE_END = re.compile(r"(?<= [.!?]) (?=\S)")


def render(article: str) -> str:
    """A news page: a headline and paragraphs of three sentences."""
    sentences = _SENTENCE_END.split(article)
    paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<html lang='en'><body><article><h1>News of the day</h1>{body}</article></body></html>"


def summaries(rows: list[dict]) -> dict[str, list[int]]:
    pipeline = Pipeline(Settings(), encoder=HashingEncoder())
    out = {}
    for row in rows:
        try:
            summary = pipeline.summarize_html(render(row["article"]), sentences=3)
        except Exception as exc:  # a page with too little text: recorded as such
            out[row["id"]] = [type(exc).__name__]
            continue
        assert getattr(summary, "outline", None) is None
        out[row["id"]] = [s.index for s in summary.sentences]
    return out


def _rows() -> list[dict]:
    with open(DEV, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="the CNN/DailyMail dev set is not beside the repo")
def test_news_pages_keep_the_summaries_they_had_before_sections():
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    now = summaries(_rows())
    assert len(now) == len(before) == 500
    changed = [i for i in before if now[i] != before[i]]
    assert changed == []


if __name__ == "__main__" and "--write" in sys.argv:
    found = summaries(_rows())
    BEFORE.write_text("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(found[k])}"
                                          for k in sorted(found)) + "\n}\n", encoding="utf-8")
