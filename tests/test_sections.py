"""Pages built of sections: heading levels, the sections, furniture headings, the
section-aware ranking and the outline (fake encoder; the real model is in
test_integration.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from newsgist.document import Article, Block, with_heading_levels
from newsgist.extract import extract_article
from newsgist.heading_rules import is_furniture_heading, is_name_heading
from newsgist.outline import OUTLINE_MAX_ENTRIES, build_outline, section_ids
from newsgist.rank import CentroidRanker, section_positions
from support import FIXTURES

SECTIONS = FIXTURES / "pages" / "sections"


def _page(name: str) -> str:
    return (SECTIONS / name).read_text(encoding="utf-8")


def _prose(topic: str, n: int = 3) -> str:
    return " ".join(f"The {topic} part says thing number {i} about {topic} in a full sentence."
                    for i in range(n))


def _flat(entries):
    for entry in entries:
        yield entry
        yield from _flat(entry.children)


# -- levels ---------------------------------------------------------------------------------
def test_heading_levels_come_from_tags_aria_and_bold_lines():
    article = extract_article(_page("nested_guide.html"))
    levels = {b.text: b.level for b in article.blocks if b.kind == "heading"}
    assert levels["Choosing the right spot"] == 2          # <h2>
    assert levels["Sunlight"] == 3                         # <h3>
    assert levels["Testing what you have"] == 3            # role=heading aria-level=3
    assert levels["Sowing seeds"] == 3                     # a bold line below an <h2>
    assert all(b.level is None for b in article.blocks if b.kind != "heading")


def test_headings_without_a_level_go_one_below_the_last_one():
    blocks = with_heading_levels([Block("Intro text here.", "paragraph"),
                                  Block("Bold line", "heading"),
                                  Block("Real", "heading", 3), Block("Bold again", "heading")])
    assert [b.level for b in blocks] == [None, 2, 3, 4]


def test_a_level_is_for_headings_only():
    with pytest.raises(ValueError):
        Block("A paragraph.", "paragraph", 2)
    with pytest.raises(ValueError):
        Block("Heading", "heading", 7)


# -- sections -------------------------------------------------------------------------------
def test_sections_nest_by_level():
    article = extract_article(_page("nested_guide.html"))
    by_title = {s.title: s for s in article.sections}
    spot = article.sections.index(by_title["Choosing the right spot"])
    assert by_title["Sunlight"].parent == spot
    assert by_title["Water and shelter"].parent == spot
    assert by_title["Preparing the soil"].parent is None
    assert article.sections[0].heading is None and article.sections[0].words > 0  # the intro
    assert article.is_sectioned and not article.is_list


def test_furniture_headings_open_no_body_section():
    blocks = (Block("The introduction says what the page is about in one sentence."),
              *(b for topic in ("alpha", "beta", "gamma") for b in (
                  Block(f"About {topic}", "heading", 2), Block(_prose(topic)))),
              Block("Related stories", "heading", 2), Block(_prose("related")),
              Block("Elsewhere on the site", "heading", 3), Block(_prose("elsewhere")),
              Block("12 Comments", "heading", 2), Block(_prose("comment")),
              Block("Closing thoughts", "heading", 2), Block(_prose("closing")))
    article = Article(title="A guide", byline=None, lang="en", blocks=blocks)
    titles = {s.title: s for s in article.sections}
    assert titles["Related stories"].furniture and titles["12 Comments"].furniture
    assert titles["Elsewhere on the site"].furniture          # nested in furniture
    assert not titles["Closing thoughts"].furniture           # a level that closes it
    body = [article.sections[i].title for i in article.body_sections]
    assert body == ["About alpha", "About beta", "About gamma", "Closing thoughts"]


def _titled(title: str, first: Block) -> Article:
    blocks = (first, Block("The introduction says what the page is about in one sentence."),
              *(b for topic in ("alpha", "beta", "gamma") for b in (
                  Block(f"About {topic}", "heading", 2), Block(_prose(topic)))))
    return Article(title=title, byline=None, lang="en", blocks=blocks)


@pytest.mark.parametrize("title, heading", [
    ("How to plant a garden", "How to plant a garden"),
    ("How to plant a garden | Garden Weekly", "How to Plant a Garden"),
    ("Garden Weekly - How to plant a garden", "How to plant a garden"),
    ("How to plant a garden in 2026", "How to plant a garden"),   # a shorter copy
])
def test_the_pages_own_title_at_the_top_opens_no_section(title, heading):
    # Its text is the introduction, and the page's sections are the headings under it,
    # not one section of the title holding them all.
    article = _titled(title, Block(heading, "heading", 1))
    intro = article.sections[0]
    assert intro.heading is None and intro.words > 0
    assert [s.title for s in article.sections[1:]] == ["About alpha", "About beta",
                                                       "About gamma"]
    assert all(s.parent is None for s in article.sections)
    outline = build_outline(article, {})
    assert [e.heading for e in outline.entries] == ["About alpha", "About beta", "About gamma"]


@pytest.mark.parametrize("title, first", [
    ("How we audited Vercel, Cursor and Discord", Block("Discord", "heading", 1)),  # a word
    ("How to plant a garden", Block("How to plant a garden", "heading", 2)),  # not an <h1>
    ("How to plant a garden", Block("Why we grow our own food", "heading", 1)),
])
def test_other_first_headings_open_their_section(title, first):
    article = _titled(title, first)
    assert article.sections[1].title == first.text
    assert article.sections[0].words == 0


@pytest.mark.parametrize("heading", ["Related", "Related articles", "More from Science",
                                     "You may also like", "Share this article", "Newsletter",
                                     "Sign up for our newsletter", "Advertisement", "3 Comments",
                                     "Leave a Reply", "About the author", "Table of contents",
                                     "Read more", "Most popular", "Follow us on Instagram",
                                     "Related articles that may interest you",
                                     "3 user reviews for Acme VPN", "Still have questions?",
                                     "Let us handle the paperwork",
                                     "Ten tips for a tidy desk | Deskwise",
                                     "Call for comments", "Ask us how we can help",
                                     "Want to see your potential savings?"])
def test_furniture_headings(heading):
    assert is_furniture_heading(heading)


@pytest.mark.parametrize("heading", ["How we tested", "Why it matters", "Choosing a spot",
                                     "More than a million people fled the floods",
                                     "Related work", "Sharing files with a team",
                                     "The comments that changed the law", "Advertising rules",
                                     "Reviews of the best laptops", "Letting go of the past",
                                     "Level | 4.2 m", "Want to start a garden?",
                                     "What to ask your doctor"])
def test_article_headings_are_not_furniture(heading):
    assert not is_furniture_heading(heading)


@pytest.mark.parametrize("heading,name", [("1. Inkwell", True), ("#3: Asana", True),
                                          ("Best overall: the Larkspur City 2", True),
                                          ("1 Introduction", False), ("2. How to apply", False),
                                          ("Sunlight", False), ("Why it matters", False)])
def test_name_headings(heading, name):
    assert is_name_heading(heading) is name


def test_list_pages():
    assert extract_article(_page("listicle.html")).is_list
    assert not extract_article(_page("nested_guide.html")).is_list


def test_a_news_story_is_not_sectioned():
    article = extract_article((FIXTURES / "news_article.html").read_text(encoding="utf-8"))
    assert not article.is_sectioned


def test_two_sections_are_not_enough():
    blocks = (Block(_prose("intro")), Block("One", "heading", 2), Block(_prose("one")),
              Block("Two", "heading", 2), Block(_prose("two")))
    assert not Article(title=None, byline=None, lang="en", blocks=blocks).is_sectioned


# -- ranking --------------------------------------------------------------------------------
def test_section_positions_restart_in_each_section_and_share_alike():
    owner = np.array([0, 0, 1, 1, 1, 2, -1])
    position = section_positions(owner, intro_share=1.0)
    assert position[-1] == 0.0                              # furniture weighs nothing
    assert position.sum() == pytest.approx(1.0)
    for section in (0, 1, 2):                               # each section its third
        assert position[owner == section].sum() == pytest.approx(1 / 3)
    assert position[2] > position[3] > position[4]          # the decay restarts
    doubled = section_positions(owner, intro_share=2.0)
    assert doubled[owner == 0].sum() == pytest.approx(0.5)


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 16))


def test_without_sections_the_ranker_is_the_story_ranker():
    ranker = CentroidRanker()
    vectors = _vectors(30)
    words = [12] * 30
    assert ranker.select(vectors, 4, words) == ranker.select(vectors, 4, words, None, None)


def test_a_sectioned_summary_reaches_past_the_introduction():
    # A long introduction of loosely related sentences, then three sections, each four
    # restatements of one point: the story ranker (position over the whole text) stays
    # in the introduction, the sectioned one reaches the sections.
    rng = np.random.default_rng(1)
    topics = rng.normal(size=(4, 64))
    owner = [0] * 12 + [1] * 4 + [2] * 4 + [3] * 4
    vectors = np.array([topics[s] + (0.7 if s == 0 else 0.05) * rng.normal(size=64)
                        for s in owner])
    ranker = CentroidRanker()
    story = ranker.select(vectors, 3, [10] * len(owner))
    sectioned = ranker.select(vectors, 3, [10] * len(owner), sections=owner)
    assert {owner[c.index] for c in story} == {0}
    assert len({owner[c.index] for c in sectioned}) == 3
    assert {owner[c.index] for c in sectioned} - {0}


def test_furniture_sentences_are_never_chosen():
    owner = [0, 0, 1, 1, -1, -1, 2, 2, 3, 3]
    vectors = _vectors(len(owner), 3)
    vectors[4] = vectors[5] = vectors.mean(axis=0) * 5   # the most central lines
    chosen = CentroidRanker().select(vectors, 5, [10] * len(owner), sections=owner)
    assert all(owner[c.index] >= 0 for c in chosen)


def test_representatives_stay_in_their_section_and_are_eligible():
    owner = [0, 0, 1, 1, 1, 2, 2, 3]
    eligible = [True, True, False, True, True, False, False, True]
    found = CentroidRanker().representatives(_vectors(len(owner), 4), owner, [10] * len(owner),
                                             eligible)
    assert set(found) == {0, 1, 3}                           # section 2 has no real sentence
    for section, choice in found.items():
        assert owner[choice.index] == section and eligible[choice.index]


# -- the outline through the pipeline --------------------------------------------------------
def test_listicle_outline(pipeline):
    summary = pipeline.summarize_html(_page("listicle.html"), sentences=3)
    outline = summary.outline
    assert outline is not None and outline.kind == "list" and not outline.truncated
    assert [e.heading for e in outline.entries] == [
        "1. Inkwell", "2. Margin", "3. Quillbox", "4. Fieldbook", "5. Lattice",
        "6. Scribe Pocket", "7. Tidemark"]
    text = summary.article.text
    for entry in outline.entries:
        assert text[entry.start:entry.end] == entry.heading
        name = entry.heading.split(". ", 1)[1].split()[0]
        assert entry.sentence is not None and name in text[entry.end:entry.sentence.end]


def test_outline_sentences_are_real_sentences_of_their_own_section(pipeline):
    summary = pipeline.summarize_html(_page("nested_guide.html"), sentences=3)
    article = summary.article
    entries = list(_flat(summary.outline.entries))
    assert [e.heading for e in summary.outline.entries] == [
        "Choosing the right spot", "Preparing the soil", "Planting and care"]
    assert [e.heading for e in summary.outline.entries[0].children] == [
        "Sunlight", "Water and shelter"]
    for entry in entries:
        if entry.sentence is None:
            continue
        section = article.section_of_block[entry.sentence.paragraph]
        assert article.sections[section].title == entry.heading
        assert entry.sentence.kind == "paragraph"
        assert article.text[entry.sentence.start:entry.sentence.end] == entry.sentence.text
    # "Planting and care" holds only its subsections: no sentence of its own.
    assert summary.outline.entries[2].sentence is None


def test_the_pipeline_gives_the_ranker_each_sentences_section_on_sectioned_pages_only(
        settings, fake_encoder):
    from newsgist.pipeline import Pipeline

    seen = []

    class Recording(CentroidRanker):
        def select(self, embeddings, k, words=None, eligible=None, sections=None):
            seen.append(sections)
            return super().select(embeddings, k, words, eligible, sections)

    pipeline = Pipeline(settings, encoder=fake_encoder, ranker=Recording())
    summary = pipeline.summarize_html(_page("nested_guide.html"))
    owners = seen[-1]
    article = summary.article
    assert owners is not None and len(owners) == summary.stats.sentences_total
    titles = [article.sections[o].title for o in owners]
    assert titles[0] == "" and "Sunlight" in titles and "Adding compost" in titles
    assert titles == sorted(titles, key=lambda t: [s.title for s in article.sections].index(t))
    pipeline.summarize_html((FIXTURES / "news_article.html").read_text(encoding="utf-8"))
    assert seen[-1] is None


def test_a_page_without_sections_has_no_outline_and_the_story_summary(pipeline):
    html = (FIXTURES / "news_article.html").read_text(encoding="utf-8")
    summary = pipeline.summarize_html(html, sentences=3)
    assert summary.outline is None
    d = summary.to_dict()
    assert d["outline"] is None and d["outline_kind"] is None and not d["outline_truncated"]


def test_outline_is_capped(pipeline):
    blocks = [Block(_prose("intro"))]
    for i in range(OUTLINE_MAX_ENTRIES + 5):
        blocks += [Block(f"Part {i}", "heading", 2), Block(_prose(f"part{i}", 2))]
    article = Article(title=None, byline=None, lang="en", blocks=tuple(blocks))
    outline = build_outline(article, {})
    assert len(outline.entries) == OUTLINE_MAX_ENTRIES and outline.truncated
    ids = section_ids(article, range(len(blocks)))
    assert ids[0] == 0 and ids[1] == ids[2] == 1


def test_outline_in_the_json_answer(client):
    r = client.post("/v1/summarize", json={"html": _page("listicle.html"), "sentences": 3})
    assert r.status_code == 200
    body = r.get_json()
    assert body["outline_kind"] == "list" and body["outline_truncated"] is False
    first = body["outline"][0]
    assert first["heading"] == "1. Inkwell" and first["level"] == 2 and first["children"] == []
    assert set(first["sentence"]) >= {"text", "start", "end", "context", "score", "why"}


def test_cli_prints_the_outline_after_the_summary():
    done = subprocess.run([sys.executable, "-m", "newsgist", "summarize", "-n", "2",
                           str(SECTIONS / "listicle.html")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("In this article:")
    assert at == 3 and lines[at + 1].startswith("  - 1. Inkwell \u2014 ")
    as_json = subprocess.run([sys.executable, "-m", "newsgist", "summarize", "--json",
                              str(SECTIONS / "listicle.html")], capture_output=True, text=True,
                             timeout=300)
    assert json.loads(as_json.stdout)["outline"][6]["heading"] == "7. Tidemark"


# -- headings a reading dropped ---------------------------------------------------------------
def test_headings_readability_dropped_are_put_back_where_the_page_has_them():
    from newsgist.extract.headings import restore_headings
    from newsgist.extract.parse import parse_html
    from newsgist.extract.readable import main_blocks

    html = _page("linked_headings.html")
    raw = main_blocks(parse_html(html))
    blocks = [Block(b.text, b.kind) for b in raw if b.kind != "heading" or b.tag != "h1"]
    # readability drops the headings that are all link (the walks' names) ...
    assert not any(b.text == "Gull Point circuit" for b in blocks)
    restored = restore_headings(parse_html(html), blocks, "Four walks along the northern coast")
    headings = [(b.text, b.level) for b in restored if b.kind == "heading"]
    # ... they come back, each before its own paragraph; the rail's heading between two
    # paragraphs (followed by links, not by the article), the menu's and the footer's not.
    assert headings == [("Gull Point circuit", 2), ("Saltmarsh and dunes", 2),
                        ("The old lighthouse road", 2), ("Smugglers' caves at low tide", None)]
    at = [b.text for b in restored].index("Saltmarsh and dunes")
    assert restored[at + 1].text.startswith("The saltmarsh walk")


def test_headings_in_a_call_to_action_box_or_with_style_rules_inside():
    from newsgist.extract.headings import restore_headings
    from newsgist.extract.parse import parse_html

    intro = "Four short walks start from the harbour, one for each point of the compass."
    parts = [f"The {name} walk follows the coast for a mile and ends at a quiet beach café."
             for name in ("north", "south", "east", "west")]
    html = (f"<p>{intro}</p><h2><style>.h{{color:red}}</style>North walk</h2><p>{parts[0]}</p>"
            f"<h2>South walk</h2><p>{parts[1]}</p>"
            f"<div class='post-cta'><h2>Book your guided walk today</h2><p>{parts[2]}</p></div>"
            f"<h2>West walk</h2><p>{parts[3]}</p>")
    blocks = [Block(p) for p in [intro, *parts]]
    restored = restore_headings(parse_html(f"<html><body>{html}</body></html>"), blocks)
    # The style's rules are no part of the heading's text; the box's heading is not put back.
    assert [b.text for b in restored if b.kind == "heading"] == [
        "North walk", "South walk", "West walk"]


def test_a_span_in_bold_type_is_a_heading_line():
    from newsgist.extract.parse import parse_html
    from newsgist.extract.readable import main_blocks

    kinds = {b.text: b.kind for b in main_blocks(parse_html(_page("linked_headings.html")))}
    assert kinds["Smugglers' caves at low tide"] == "heading"


def test_a_page_whose_readings_lost_its_headings_still_has_its_outline(pipeline):
    summary = pipeline.summarize_html(_page("linked_headings.html"))
    assert summary.outline is not None
    headings = [e.heading for e in summary.outline.entries]
    assert headings[:3] == ["Gull Point circuit", "Saltmarsh and dunes", "The old lighthouse road"]
    assert "Elsewhere on our pages" not in headings   # no text of the article under it


def test_batch_lines_and_digest_singles_carry_the_outline(client):
    from newsgist.batch.records import Record
    from newsgist.batch.summarize import RecordSummarizer
    from newsgist.config import Settings
    from support import HashingEncoder

    html = _page("listicle.html")
    line = RecordSummarizer(Settings(), sentences=2, encoder_factory=HashingEncoder,
                            isolate=False)(Record(id="l1", html=html)).line
    assert line["outline_kind"] == "list" and len(line["outline"]) == 7

    import jsonschema
    r = client.post("/v1/digest", json={"pages": [{"html": html, "url": "https://a.example/x"}]})
    assert r.status_code == 200
    [single] = r.get_json()["singles"]
    assert single["outline"][0]["heading"] == "1. Inkwell"
    spec = client.get("/openapi.json").get_json()
    schema = spec["paths"]["/v1/digest"]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    jsonschema.Draft202012Validator({**spec, **schema}).validate(r.get_json())


@pytest.mark.parametrize("title,count", [("Five open-source note apps worth switching to", 5),
                                         ("Top 10 toddler sleep tips", 10),
                                         ("The 5 best cloud storage providers", 5),
                                         ("40 scholarships for study abroad", 40),
                                         ("Three times the river flooded the town", None),
                                         ("How to sleep better", None)])
def test_a_title_that_announces_its_items(title, count):
    from newsgist.document import _announced_count

    assert _announced_count(title) == count


def test_a_reading_that_glues_a_sectioned_page_into_a_few_blocks_is_not_preferred():
    from newsgist.extract import _loses_sections, _Reading

    blocks = [Block(_prose("intro"))]
    for i in range(4):
        blocks += [Block(f"Part {i}", "heading", 2), Block(_prose(f"part{i}"))]
    sectioned = Article(title=None, byline=None, lang="en", blocks=tuple(blocks))
    glued = Article(title=None, byline=None, lang="en",
                    blocks=(Block(" ".join(b.text for b in blocks)),))
    first = _Reading(list(sectioned.blocks), sectioned, None)
    assert _loses_sections(first, _Reading(list(glued.blocks), glued, None))
    assert not _loses_sections(first, first)                 # as many blocks: no loss
    flat = Article(title=None, byline=None, lang="en", blocks=tuple(blocks[:1]) * 9)
    assert not _loses_sections(_Reading(list(flat.blocks), flat, None),
                               _Reading(list(glued.blocks), glued, None))   # no sections
