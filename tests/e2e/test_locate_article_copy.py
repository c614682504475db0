"""Jump to the article's copy of a sentence, not to an earlier copy of it on the page.

The fixture page (site/toc-article.html) repeats the opening sentence of each section in a
"Sections in this article" box above the article.  Clicking such a sentence in the panel must
scroll to and highlight it in the article body.  The locator's choice among copies is also
tested on its own, by loading content/locate.js into a plain page.
"""

from __future__ import annotations

import re

import pytest
from conftest import EXT_DIR

PANEL = "#newsgist-root"
SENTENCES = f"{PANEL} .sentence"
LOCATE_JS = EXT_DIR / "content" / "locate.js"

# Where the highlight the extension registered lies on the page (test_outline_panel.py too).
HIGHLIGHT_PLACE_JS = """() => {
  const h = CSS.highlights.get('newsgist-sentence');
  if (!h || h.size !== 1) return null;
  const r = [...h][0];
  const rect = r.getBoundingClientRect();
  return {text: r.toString(), inArticle: document.getElementById('story').contains(r.startContainer),
          inToc: document.getElementById('toc').contains(r.startContainer),
          heading: r.startContainer.parentElement.closest('h1, h2, h3, h4, h5, h6')?.tagName || null,
          top: rect.top, bottom: rect.bottom, viewport: innerHeight};
}"""


def norm(s: str) -> str:
    return re.sub(r"[\s\u00ad\u200b]+", "", s)


@pytest.fixture
def toc_page(open_tab, site):
    pg = open_tab(f"{site}/toc-article.html")
    pg.bring_to_front()
    return pg


def test_click_highlights_the_article_copy_not_the_table_of_contents(sw, toc_page, artifacts):
    page = toc_page
    tab_id = sw.evaluate("async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")
    sw.evaluate("async id => chrome.action.onClicked.dispatch(await chrome.tabs.get(id))", tab_id)
    page.wait_for_selector(f"{PANEL}:is([data-state=done], [data-state=error])", state="attached")
    assert page.locator(PANEL).get_attribute("data-state") == "done"

    toc = norm(page.locator("#toc").text_content())
    buttons = page.locator(SENTENCES)
    repeated = [i for i in range(buttons.count()) if norm(buttons.nth(i).text_content()) in toc]
    # the page is built so that the summary's sentences also stand in the box above
    assert repeated, "no summary sentence is repeated in the table of contents"
    for i in repeated:
        target = buttons.nth(i).text_content()
        buttons.nth(i).click()
        page.wait_for_function(f"""() => {{ const h = ({HIGHLIGHT_PLACE_JS})();
            return h && h.text.replace(/\\s+/g, '') === {norm(target)!r}
                   && h.top >= 0 && h.bottom <= h.viewport; }}""")
        place = page.evaluate(HIGHLIGHT_PLACE_JS)
        assert place["inArticle"] and not place["inToc"], place
        assert buttons.nth(i).get_attribute("aria-current") == "true"
    page.screenshot(path=str(artifacts / "panel-toc-article.png"))


# -- the locator's choice among copies, on its own -----------------------------------------
PAGE = """<!doctype html><html><body>
<ul id="toc"><li>Intro</li><li>The barriers held back the melt this week.</li><li>Costs</li></ul>
<div id="teaser" style="display:none">Hidden: The barriers held back the melt this week. More</div>
<article id="story"><h2>A dry week</h2>
<p>Spring came early. The barriers held back the <em>melt</em> this&nbsp;week. The river rose fast.</p>
</article></body></html>"""
SENTENCE = "The barriers held back the melt this week."


@pytest.fixture
def plain(browser_context):
    """plain(html) -> a page of that HTML with content/locate.js loaded, closed after the test."""
    pages = []

    def open_(html: str):
        pg = browser_context.new_page()
        pg.set_content(html)
        pg.add_script_tag(path=str(LOCATE_JS))
        pages.append(pg)
        return pg

    yield open_
    for pg in pages:
        pg.close()


@pytest.fixture
def plain_page(plain):
    return plain(PAGE)


def where(page, text, extra=None, method="find"):
    """Id of the element holding the copy the locator chooses, how many copies it saw, and the
    copy's text: `find` (a sentence, `extra` its context) or `findHeading` (`extra`, an anchor)."""
    return page.evaluate("""([method, s, extra]) => {
      const hit = __newsgistLocate[method](s, null, extra);
      if (!hit) return null;
      return {place: hit.range.startContainer.parentElement.closest('[id]').id,
              copies: hit.copies, text: hit.range.toString()};
    }""", [method, text, extra])


def test_without_context_the_first_shown_copy_is_chosen(plain_page):
    hit = where(plain_page, SENTENCE)
    assert hit["place"] == "toc" and hit["copies"] == 3


def test_context_picks_the_copy_in_the_article(plain_page):
    context = {"before": "A dry week\n\nSpring came early.", "after": "The river rose fast."}
    hit = where(plain_page, SENTENCE, context)
    assert hit["place"] == "story"
    assert norm(hit["text"]) == norm(SENTENCE)
    # one side is enough: text after the sentence only, or before it only
    assert where(plain_page, SENTENCE, {"before": "", "after": "The river rose fast."})["place"] == "story"
    assert where(plain_page, SENTENCE, {"before": "Spring came early.", "after": ""})["place"] == "story"


def test_context_that_matches_no_copy_keeps_the_first(plain_page):
    hit = where(plain_page, SENTENCE, {"before": "Nothing like this", "after": "on the page"})
    assert hit["place"] == "toc"


def test_a_hidden_copy_is_not_chosen_even_if_its_context_matches(plain_page):
    hit = where(plain_page, SENTENCE, {"before": "Hidden:", "after": "More"})
    assert hit["place"] != "teaser"


def test_context_works_for_a_case_folded_match(plain_page):
    hit = where(plain_page, SENTENCE.upper(), {"before": "SPRING CAME EARLY.", "after": "THE RIVER"})
    assert hit["place"] == "story"


def test_context_agreement_counts_matching_characters(plain_page):
    got = plain_page.evaluate("""() => __newsgistLocate.contextAgreement(
        'xxABCsentenceDEyy', [5, 13], 'zzABC', 'DEzz')""")
    assert got == 5


# -- outline headings: no context comes with them ------------------------------------------
HEADINGS_PAGE = """<!doctype html><html><body>
<nav id="toc"><a href="#a">Larkpad</a> <a href="#b">Fernbook</a> <a href="#c">Quirebook</a></nav>
<div id="promo" style="display:none"><h2>Quirebook</h2></div>
<article id="story">
<p>We tried Larkpad and Fernbook for a month.</p>
<h2 id="a">Larkpad</h2><p>Larkpad keeps notes as files. Fernbook is slower.</p>
<p><strong id="b">Fernbook</strong></p><p>Fernbook nests bullets. It folds them.</p>
<h3 id="c">Quirebook</h3><p>Quirebook writes long documents.</p>
</article></body></html>"""


@pytest.fixture
def headings_page(plain):
    return plain(HEADINGS_PAGE)


def heading_place(page, heading, anchor=None):
    return where(page, heading, anchor, method="findHeading")


def test_a_heading_element_wins_over_links_and_mentions(headings_page):
    hit = heading_place(headings_page, "Larkpad")
    assert hit["place"] == "a" and hit["copies"] == 4  # the link, the intro, the heading, the section


def test_a_hidden_heading_is_not_chosen(headings_page):
    assert heading_place(headings_page, "Quirebook")["place"] == "c"


def test_a_bold_line_is_told_from_the_table_of_contents_by_its_section(headings_page):
    # the link and the bold line both stand alone; the one just before the section's sentence wins
    assert heading_place(headings_page, "Fernbook")["place"] == "toc"
    anchor = {"text": "It folds them.", "context": {"before": "Fernbook nests bullets.", "after": ""}}
    assert heading_place(headings_page, "Fernbook", anchor)["place"] == "b"


def test_a_heading_that_is_not_in_the_page(headings_page):
    assert heading_place(headings_page, "Brindle Notes") is None
