"""The digest with the real model on the labeled news fixtures (tests/fixtures/digest/):
pages written for this, several outlets per event and stories that share a topic
but not an event (two quakes, two boxing fights, a campaign launch and a story on
the candidate's donors, two cyber attacks)."""

from __future__ import annotations

import itertools
import json

import pytest

import newsgist
from newsgist.cli import main
from newsgist.stories import Page, build_digest, headline
from support import FIXTURES

pytestmark = pytest.mark.slow

DIGEST = FIXTURES / "digest"
LABELS = json.loads((DIGEST / "labels.json").read_text(encoding="utf-8"))
NAMES = sorted(LABELS)


def page(name: str) -> Page:
    return Page(html=(DIGEST / f"{name}.html").read_text(encoding="utf-8"),
                url=LABELS[name]["url"])


def labeled_groups(names) -> set[frozenset[str]]:
    stories: dict[str, set[str]] = {}
    for name in names:
        stories.setdefault(LABELS[name]["story"], set()).add(LABELS[name]["url"])
    return {frozenset(v) for v in stories.values()}


def found_groups(digest) -> set[frozenset[str]]:
    return ({frozenset(s.url for s in story.sources) for story in digest.stories}
            | {frozenset([one.summary.article.url]) for one in digest.singles})


@pytest.fixture(scope="module")
def digest(real_pipeline):
    return build_digest(real_pipeline, [page(n) for n in NAMES])


def test_the_fixtures_group_into_their_labeled_stories(digest):
    assert digest.failed == []
    assert found_groups(digest) == labeled_groups(NAMES)
    assert len(digest.stories) == 5 and len(digest.singles) == 6


def test_page_order_changes_neither_the_stories_nor_their_summaries(real_pipeline, digest):
    shuffled = list(reversed(NAMES))
    shuffled[3], shuffled[9] = shuffled[9], shuffled[3]
    other = build_digest(real_pipeline, [page(n) for n in shuffled])
    assert found_groups(other) == found_groups(digest)
    by_title = {s.title: [x.text for x in s.sentences] for s in digest.stories}
    assert {s.title: [x.text for x in s.sentences] for s in other.stories} == by_title


def test_each_story_is_summarized_once_across_its_sources(real_pipeline, digest):
    for story in digest.stories:
        assert story.title in [headline(s.title) for s in story.sources]
        assert len(story.sentences) == 3
        vectors = real_pipeline.encoder.encode([x.text for x in story.sentences])
        cos = vectors @ vectors.T
        assert all(cos[i, j] <= 0.85 for i, j in itertools.combinations(range(3), 2)), \
            story.title
        for x in story.sentences:
            assert 0 <= x.source < len(story.sources)
            assert x.source not in x.also_in


def test_a_story_two_outlets_tell_alike_credits_both(real_pipeline):
    """Two outlets that share a wire sentence: it is chosen once, with both credited."""
    shared = ("The interior minister said the emergency shelters had room for five "
              "thousand people and that more would open on Wednesday.")
    pages = [page("quake_valdoria_herald"), page("quake_valdoria_wire")]
    pages = [Page(html=p.html.replace("</h1>", f"</h1>\n<p>{shared}</p>", 1), url=p.url)
             for p in pages]
    digest = build_digest(real_pipeline, pages, sentences=7)
    [story] = digest.stories
    texts = [x.text for x in story.sentences]
    assert texts.count(shared) == 1      # the lead both carry, chosen once
    [x] = [x for x in story.sentences if x.text == shared]
    assert x.also_in == (1 - x.source,)  # and credited to the other outlet


def test_the_second_digest_and_a_later_summary_are_cached(real_pipeline, digest):
    again = build_digest(real_pipeline, [page(n) for n in NAMES])
    assert again.cached
    summary = real_pipeline.summarize_html(page(NAMES[0]).html, url=LABELS[NAMES[0]]["url"])
    assert summary.cached


def test_python_api_and_cli(tmp_path, capsys):
    names = ["boxing_reyes_ring", "boxing_reyes_sport", "boxing_lomax"]
    result = newsgist.digest([{"html": page(n).html, "url": LABELS[n]["url"]} for n in names])
    assert [len(s.sources) for s in result.stories] == [2]
    assert [one.page for one in result.singles] == [2]
    files = [str(DIGEST / f"{n}.html") for n in names]
    assert main(["digest", *files, "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## ") and "Lomax" in out
    assert main(["digest", *files, "--json", "-n", "2"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert len(body["stories"]) == 1 and len(body["stories"][0]["sentences"]) == 2
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    assert main(["digest", str(empty)]) == 1
    assert "empty.html" in capsys.readouterr().err
