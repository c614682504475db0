"""The second opinion (trafilatura) and the choice between the two readings.

Each fixture is a page where readability-lxml alone takes the wrong text, and
the test first checks that it does, so the fixture keeps testing what it is
meant to test."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from readability import Document

from newsgist.errors import NoArticle
from newsgist.extract import extract_article, parse_html
from newsgist.extract.second import (added_sections, agreement, is_fuller_link_list,
                                     needs_second_opinion, new_word_share, prefer_second,
                                     trafilatura_blocks, tree_blocks)
from newsgist.extract.rules import RawBlock

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def readability_text(html: str) -> str:
    summary = Document(html).summary()
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


def test_a_guide_of_many_sections_is_read_whole_not_its_legal_footer():
    html = page("multi_section_guide.html")
    assert readability_text(html).strip().startswith("This website is run by")  # the failure
    article = extract_article(html)
    headings = [b.text for b in article.blocks if b.kind == "heading"]
    assert headings[0] == "Best overall: the Larkspur City 2" and "How we tested" in headings
    assert len(headings) == 8
    assert "Its mid-mounted motor pulled up the steepest hill" in article.text
    assert "registered in England and Wales" not in article.text


def test_a_page_with_a_sign_in_link_and_a_full_article_is_an_article():
    html = page("login_link_article.html")
    assert "written by volunteers" in readability_text(html)   # readability takes the sidebar
    assert "Volunteers counted" not in readability_text(html)
    article = extract_article(html)
    assert article.paragraphs[0].startswith("Volunteers counted more than two thousand swifts")
    assert any(p.startswith("The next count will take place in July") for p in article.paragraphs)


def test_a_page_with_a_cookie_banner_and_a_full_article_is_an_article():
    html = page("cookie_banner_article.html")
    assert "912 partners" in readability_text(html)            # readability takes the banner
    article = extract_article(html)
    assert article.paragraphs[0].startswith("The town council voted on Tuesday night")
    assert "partners" not in article.text and len(article.paragraphs) == 7


def test_real_walls_are_still_refused():
    # The second reading of a wall is the wall's own wording or the same stub:
    # it overrules nothing.
    for name, code in (("login_wall.html", "login_wall"), ("paywall.html", "paywall"),
                       ("cookie_wall.html", "cookie_wall"), ("home_page.html", "link_list")):
        with pytest.raises(NoArticle) as caught:
            extract_article(page(f"not_articles/{name}"))
        assert caught.value.code == code, name


def test_second_opinion_blocks_have_kinds():
    root = parse_html(page("block_kinds.html"))
    kinds = {b.text: b.kind for b in trafilatura_blocks(root)}
    assert kinds["A new building on higher ground"] == "heading"
    assert kinds["Two study rooms that groups can book for free"] == "list_item"
    assert kinds["Monday to Friday 9 to 19"] == "table_cell"
    assert kinds["title:flood AND year:2021"] == "code"
    assert kinds[next(t for t in kinds if t.startswith("We wanted a place"))] == "quote"
    assert list(kinds.values()).count("quote") == 1  # the quote's paragraph is not repeated


def test_trafilatura_leaves_the_parsed_page_unchanged():
    root = parse_html(page("block_kinds.html"))
    before = lxml.html.tostring(root)
    trafilatura_blocks(root)
    assert lxml.html.tostring(root) == before


def _tree(xml: str) -> list[tuple[str, str]]:
    """The kind and text of each block of a trafilatura result tree."""
    return [(b.kind, b.text) for b in tree_blocks(lxml.etree.fromstring(xml))]


def test_tree_blocks_of_a_result_tree():
    xml = ("<body><head rend='h2'>Range</head><p><hi rend='#b'>Battery</hi></p>"
           "<p>It lasts <ref target='/x'>a week</ref>.</p><list><item>one</item></list>"
           "<table><row><cell>a</cell><cell>b</cell></row><row><cell>solo</cell></row></table>"
           "</body>")
    assert _tree(xml) == [
        ("heading", "Range"), ("heading", "Battery"), ("paragraph", "It lasts a week ."),
        ("list_item", "one"), ("table_cell", "a b"), ("paragraph", "solo")]
    assert tree_blocks(lxml.etree.fromstring(xml))[2].links == 1


def blocks(*texts: str) -> list[RawBlock]:
    return [RawBlock(t) for t in texts]


def test_a_row_whose_cells_hold_paragraphs_is_a_page_laid_out_in_a_table():
    # trafilatura keeps a layout table's row; its cells hold the article's heading
    # and paragraphs, which are blocks of their own, and the row is only the text
    # outside them (here a menu cell's loose word), as readability's walk reads it.
    page = ("<body><table><row><cell>Courier<p>Buses</p></cell>"
            "<cell><head rend='h1'>Fares frozen</head><p>The fare stays at two euros.</p>"
            "<p>The levy pays for it.</p></cell></row>"
            "<row><cell>route 4</cell><cell>every ten minutes</cell></row></table></body>")
    assert _tree(page) == [
        ("paragraph", "Courier"), ("paragraph", "Buses"), ("heading", "Fares frozen"),
        ("paragraph", "The fare stays at two euros."), ("paragraph", "The levy pays for it."),
        ("table_cell", "route 4 every ten minutes")]


def test_a_data_row_whose_cells_hold_a_short_paragraph_or_code_stays_a_row():
    # A reference table of options: one short paragraph and a line of code per cell.
    table = ("<body><table><row><cell><code>timeout</code></cell><cell><p>How long to wait.</p>"
             "<p>Default five minutes.</p></cell><cell><code>5m</code></cell></row></table></body>")
    assert _tree(table) == [
        ("table_cell", "timeout How long to wait. Default five minutes. 5m")]


LAYOUT_TABLE_PAGE = """<html lang="en"><head><title>Ferry timetable changes</title></head>
<body><table width="100%"><tr><td class="menu"><a href="/">Gazette</a><br>
<a href="/ferries">Ferries</a><br><a href="/ads">Small ads</a></td>
<td class="content"><h1>Ferry timetable changes</h1><p><b>Ada Holm</b></p>
<p>The harbour ferry will run every twenty minutes from next month, the council said.</p>
<p>Evening crossings will continue until midnight on Fridays and Saturdays.</p>
<p>The change follows a survey in which most passengers asked for later boats.</p>
<p>Season tickets keep their price, though single fares rise by ten cents.</p>
<p>A second boat is being refitted and should join the route in the spring.</p>
</td></tr></table></body></html>"""


def test_an_article_laid_out_in_a_table_is_read_as_paragraphs_and_summarized(pipeline):
    # Before, trafilatura's reading of this page won and glued the menu and every
    # paragraph into one table row, and the page was refused as having no sentences.
    article = extract_article(LAYOUT_TABLE_PAGE)
    assert [b.kind for b in article.blocks if b.text.startswith(("The ", "Evening"))] == \
        ["paragraph"] * 3
    assert not any("Small ads" in b.text for b in article.blocks)
    summary = pipeline.summarize_html(LAYOUT_TABLE_PAGE, sentences=2)
    assert len(summary.sentences) == 2
    assert all(s.kind == "paragraph" for s in summary.sentences)


def test_agreement_and_the_choice():
    one = blocks("the council approved the plan on tuesday night")
    more = one + blocks("buses will run every ten minutes at rush hour from march onwards",
                        "riders asked for the change in a survey last year")
    agree = agreement(one, more)
    assert agree.a_in_b == 1.0 and agree.ratio > 2
    assert prefer_second(one, more)            # readability kept one section of several
    assert not prefer_second(more, one)        # the second reading is shorter
    assert not prefer_second(more, more)       # they agree: readability stays
    other = blocks("completely different words about gardening tools and seeds sold here")
    assert prefer_second(one, other)           # they disagree, the second is not shorter
    assert not prefer_second(one, [])


def test_a_second_reading_that_holds_nearly_all_of_the_first_and_somewhat_more_wins():
    body = blocks(*[f"paragraph {i} of the council story about the new bus timetable"
                    for i in range(10)])                                  # 100 words
    table = blocks("route 4 every ten minutes route 7 every twenty minutes")  # 10 more
    assert 1.05 <= agreement(body, body + table).ratio <= 1.3
    assert prefer_second(body, body + table)   # readability dropped the timetable
    assert not prefer_second(body, body)       # nothing more: readability stays
    # Nine tenths of the first and more: not contained.
    assert not prefer_second(body, body[1:] + table + table)
    # 1.3-1.4 times as long: the extra is as often a rail of related stories.
    assert not prefer_second(body, body + table * 3 + blocks("one two three four five"))


def test_a_second_reading_that_adds_sections_readability_dropped_wins():
    intro = blocks(*[f"paragraph {i} of the guide to configuring the build cache for a team"
                     for i in range(10)])
    sections = [RawBlock("Cache keys", kind="heading"),
                RawBlock("keys are hashed from the inputs of each step"),
                RawBlock("Eviction", kind="heading"),
                RawBlock("old entries leave first when the cache is full")]
    fuller = intro + sections
    assert added_sections(intro, fuller) == 2
    assert prefer_second(intro, fuller)
    # 1.0-1.05 times as long (under the contained rule's 1.05): the sections rule takes it.
    long_intro = intro * 4
    assert agreement(long_intro, long_intro + sections).ratio < 1.05
    assert prefer_second(long_intro, long_intro + sections)
    # One added heading (a "Related stories" rail) is not sections.
    rail = [RawBlock("Related stories", kind="heading"),
            RawBlock("another story about the build cache")]
    assert added_sections(long_intro, long_intro + rail) == 1
    assert not prefer_second(long_intro, long_intro + rail)
    # Headings with nothing under them (a table of contents) are not sections.
    toc = [RawBlock("Cache keys", kind="heading"), RawBlock("Eviction", kind="heading")]
    assert added_sections(long_intro, long_intro + toc) == 0
    # Sections added but a tenth of readability's words dropped: not this rule.
    assert not prefer_second(long_intro, long_intro[4:] + sections)


def test_a_longer_reading_that_only_repeats_readabilitys_words_does_not_win():
    story = blocks("the council approved the plan on tuesday night after a long debate",
                   "buses will run every ten minutes at rush hour from march onwards")
    # The page hides a second copy of the story, which trafilatura reads too.
    copy = story + blocks(" ".join(b.text for b in story), "the council plan")
    assert agreement(story, copy).ratio >= 1.4 and new_word_share(story, copy) == 0.0
    assert not prefer_second(story, copy)
    more = story + blocks("riders asked for the change in a survey last year",
                          "the new timetable is online and at every stop")
    assert new_word_share(story, more) > 0.5
    assert prefer_second(story, more)          # new text: readability kept one section


def test_a_list_of_links_that_holds_much_more_than_readabilitys_stub_is_the_page():
    stub = blocks("the latest stories from the towns along the river")
    cards = stub + blocks(*[f"story number {i} teaser about the river towns" for i in range(6)])
    assert is_fuller_link_list(stub, cards)
    assert not is_fuller_link_list(cards, cards[:-1])
    assert not is_fuller_link_list(stub, [])


def test_a_section_page_whose_intro_readability_takes_is_a_list_of_links():
    html = page("not_articles/listing_with_intro.html")
    # readability's block is the intro and the twelve teasers.  The teasers' markup names
    # them as non-prose, but together they are most of the block, so they stay
    # (readable.remove_marked): cleaning no longer leaves the one-line intro, which would
    # read as a short article.  The page is what it is, a list of links.
    from newsgist.extract import clean_blocks, main_blocks
    texts = [b.text for b in clean_blocks(main_blocks(parse_html(html)))]
    assert texts[0].startswith("The latest stories from the towns along the river")
    assert len(texts) == 13
    with pytest.raises(NoArticle) as caught:
        extract_article(html)
    assert caught.value.code == "link_list"


def test_the_second_opinion_is_asked_only_when_readability_may_have_missed():
    long_text = " ".join(["word"] * 400)
    root = lxml.html.document_fromstring(f"<html><body><p>{long_text}</p></body></html>")
    assert not needs_second_opinion(root, blocks(long_text))
    assert needs_second_opinion(root, blocks("a short stub of text"))
    wider = lxml.html.document_fromstring(
        f"<html><body><p>{long_text}</p><p>{' '.join(['more'] * 60)}</p></body></html>")
    assert needs_second_opinion(wider, blocks(long_text))  # 400 of the page's 460 words
    near = lxml.html.document_fromstring(
        f"<html><body><p>{long_text}</p><p>{' '.join(['more'] * 40)}</p></body></html>")
    assert not needs_second_opinion(near, blocks(long_text))  # 400 of 440: over 90%
    # Main content that is not paragraphs (a list, a table, code): readability's text
    # holds more than 1.2 times the page's <p> words.
    items = "".join(f"<li>{' '.join(['item'] * 20)}</li>" for _ in range(20))
    listing = lxml.html.document_fromstring(
        f"<html><body><p>{' '.join(['intro'] * 100)}</p><ul>{items}</ul></body></html>")
    assert needs_second_opinion(listing, blocks(" ".join(["x"] * 500)))  # 500 > 1.2 x 100
    mostly_prose = lxml.html.document_fromstring(
        f"<html><body><p>{' '.join(['intro'] * 450)}</p><ul>{items}</ul></body></html>")
    assert not needs_second_opinion(mostly_prose, blocks(" ".join(["x"] * 500)))  # < 1.2 x 450


def test_the_parsed_page_has_no_comments_or_processing_instructions():
    # trafilatura reads pages parsed without them; so does NewsGist (see parse.py).
    root = parse_html("<html><body><!-- a note --><?php echo 1 ?><p>Rule one: bring "
                      "<!-- inline --> your own tools.</p></body></html>")
    assert root.xpath("//comment() | //processing-instruction()") == []
    assert root.findtext(".//p") == "Rule one: bring  your own tools."  # one text, not two


def test_an_article_that_embeds_a_pdf_is_an_article_and_a_pdf_viewer_is_not():
    html = page("block_kinds.html").replace(
        "</article>", "<object type='application/pdf' data='/minutes.pdf' class='file-embed'>"
                      "</object></article>")
    assert extract_article(html).paragraphs[0].startswith("The library of Alder Falls")
    for name in ("pdf_viewer.html", "pdfjs_viewer.html"):
        with pytest.raises(NoArticle) as caught:
            extract_article(page(f"not_articles/{name}"))
        assert caught.value.code == "pdf_document"


def test_a_short_university_news_story_is_not_refused():
    from newsgist.extract import clean_blocks, main_blocks
    html = page("short_university_story.html")
    # readability (as NewsGist runs it) drops the layout whose class says "sidebar" and
    # keeps the "Last updated" line, which is furniture: nothing is left.
    assert clean_blocks(main_blocks(parse_html(html))) == []
    article = extract_article(html)
    assert article.title == "Student team wins regional robotics prize"
    assert len(article.paragraphs) == 4
    assert article.paragraphs[0].startswith("A team of five engineering students")
    assert "Last updated" not in article.text


@pytest.mark.parametrize("text, wall", [
    ("Sign in to continue reading. Forgot your password? Create an account.", True),
    ("Subscribe now to continue reading this story.", True),
    ("We and our partners use cookies and process personal data. Accept all or manage "
     "preferences in our privacy policy.", True),
    ("The council said the bakery's cookies sold out by noon on the first day.", False),
    ("Volunteers counted more than two thousand swifts over the old mill.", False),
])
def test_reads_like_wall(text, wall):
    from newsgist.extract import reads_like_wall
    assert reads_like_wall(text) is wall
