"""The extension writes a digest's Markdown in the service's format.

The digest page copies the digest as Markdown (extension/lib/digest.js ``toMarkdown``, with the
escaping of extension/lib/markdown.js, which the panel uses too); ``newsgist digest --markdown``
writes it with service/newsgist/stories/render.py. Both are run here on the same digest (made
with the fake encoder): the extension in node, from the JSON answer of /v1/digest and the
strings of _locales, must give exactly the service's text. The tabs the extension never sent
are listed with the service's failures, so they are given to the service as failures too.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from newsgist.stories import Failure, Page, build_digest
from newsgist.stories.render import to_markdown
from support import ARTICLE
from test_digest import ARTICLE_B, FOOTBALL, RAIN

EXT = Path(__file__).resolve().parents[1] / "extension"
NODE = shutil.which("node")

# lib/markdown.js and lib/digest.js as the digest page loads them, with chrome.i18n's lookup
# over _locales/en/messages.json (named placeholders, $1... as their content).
_RUN = """
const vm = require('vm');
const fs = require('fs');
const [ext, input] = [process.argv[1], JSON.parse(fs.readFileSync(0, 'utf8'))];
const messages = JSON.parse(fs.readFileSync(`${ext}/_locales/en/messages.json`, 'utf8'));
function t(key, subs = []) {
  const m = messages[key];
  if (!m) return key;
  return m.message.replace(/\\$(\\w+)\\$/g, (_, name) => {
    const content = m.placeholders[name.toLowerCase()].content;
    return content.replace(/\\$(\\d)/g, (__, i) => subs[Number(i) - 1]);
  });
}
const ctx = { URL };
for (const file of ['lib/constants.js', 'lib/markdown.js', 'lib/digest.js']) {
  vm.runInNewContext(fs.readFileSync(`${ext}/${file}`, 'utf8'), ctx);
}
process.stdout.write(ctx.NewsGist.digest.toMarkdown(input.answer, input.leftOut, t));
"""


def extension_markdown(answer: dict, left_out: list[dict]) -> str:
    if NODE is None:
        pytest.skip("node is not installed (make lint-extension installs web-ext with it)")
    done = subprocess.run([NODE, "-e", _RUN, str(EXT)], input=json.dumps(
        {"answer": answer, "leftOut": left_out}), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def tricky_pages() -> list[Page]:
    """A story on two sites, singles and a failure, with titles and addresses full of markup."""
    return [
        Page(text=ARTICLE, url="https://www.citydesk.example/buses_(2024)",
             title="Council *approves* [electric] buses #1 | City"),
        Page(text=FOOTBALL, url="https://sport.example/rovers?q=a b>c", title="Rovers sign `striker`"),
        Page(text=ARTICLE_B, url="https://courier.example/transport",
             title="Electric buses   approved\nby the council"),
        Page(text=RAIN),  # no address, no title: "page 4"
        Page(text="x", url="https://bad.example/[1]", title=None),
    ]


LEFT_OUT = [  # as the digest page lists the tabs it did not send: {title, url, reason}
    {"title": "Settings", "url": "chrome://settings/", "reason": "A browser page: no extension may read it."},
    {"title": "", "url": "https://news.example/a_b", "reason": "Same page as *another* tab."},
]


def test_digest_markdown_is_the_services(pipeline):
    digest = build_digest(pipeline, tricky_pages())
    assert digest.stories and digest.singles and digest.failed  # every part of the format is run
    answer = json.loads(json.dumps(digest.to_dict()))
    n = len(tricky_pages())
    as_failures = [Failure(page=n + i, url=u["url"], title=u["title"] or None, site=None,
                           code="left_out", message=u["reason"]) for i, u in enumerate(LEFT_OUT)]
    expected = to_markdown(dataclasses.replace(digest, failed=digest.failed + as_failures))
    assert extension_markdown(answer, LEFT_OUT) == expected
    assert "page 4" in expected and "\\*approves\\*" in expected and "%20b%3Ec" in expected


def test_an_empty_digest(pipeline):
    digest = build_digest(pipeline, [Page(text="x", url="https://bad.example/")])
    answer = json.loads(json.dumps(digest.to_dict()))
    assert extension_markdown(answer, []) == to_markdown(digest)
    assert extension_markdown({"stories": [], "singles": [], "failed": []}, []) == "\n"
    assert extension_markdown(None, LEFT_OUT[:1]) == (
        "## Not summarized\n\n- Settings: A browser page: no extension may read it.\n")
