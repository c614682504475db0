"""Extraction yields typed blocks: each block of the article says what it is on the page."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from newsgist.extract import extract_article, fragment_blocks
from newsgist.extract.readable import block_kind

PAGES = Path(__file__).parent / "fixtures" / "pages"


def kinds_of(fragment: str) -> list[tuple[str, str]]:
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [(b.kind, b.text) for b in fragment_blocks(root)]


def test_every_kind_on_a_page():
    article = extract_article((PAGES / "block_kinds.html").read_text(encoding="utf-8"))
    kinds = dict((b.text, b.kind) for b in article.blocks)
    assert kinds["A new building on higher ground"] == "heading"            # <h2>
    assert kinds["What the money paid for"] == "heading"                    # role="heading"
    assert kinds["Opening hours"] == "heading"                              # a bold-only line
    assert kinds["Two study rooms that groups can book for free"] == "list_item"
    assert kinds[next(t for t in kinds if t.startswith("We wanted a place"))] == "quote"
    assert kinds["Opening hours from next week"] == "caption"               # table <caption>
    assert kinds["Monday to Friday 9 to 19"] == "table_cell"
    assert kinds["title:flood AND year:2021"] == "code"
    assert kinds[next(t for t in kinds if t.startswith("More than four hundred"))] == "paragraph"
    # the headline is the title, not a block; the page's footer is not part of the article
    assert article.title == "How the river town rebuilt its library"
    assert not any("Mill Street" in t for t in kinds)
    # blocks keep page order
    texts = [b.text for b in article.blocks]
    assert texts.index("A new building on higher ground") < texts.index("What the money paid for")


@pytest.mark.parametrize("fragment, expected", [
    ("<h3>Where it started</h3>", "heading"),
    ("<ol><li><p>First, soak the beans overnight.</p></li></ol>", "list_item"),
    ("<dl><dt>Range</dt><dd>About 400 km</dd></dl>", "list_item"),
    ("<blockquote>It will never happen again, she said.</blockquote>", "quote"),
    ("<figure><figcaption>The bridge at dusk</figcaption></figure>", "caption"),
    ("<pre>pip install newsgist</pre>", "code"),
    ("<p><code>make test</code></p>", "code"),
    ("<p>Plain words of a paragraph.</p>", "paragraph"),
])
def test_kind_of_each_element(fragment, expected):
    assert kinds_of(fragment)[0][0] == expected


def test_a_one_cell_layout_table_is_prose_and_a_data_row_is_cells():
    layout = "<table><tr><td>The whole story sits in one cell of a layout table.</td></tr></table>"
    assert kinds_of(layout) == [
        ("paragraph", "The whole story sits in one cell of a layout table.")]
    data = "<table><tr><td>linen</td><td>hemp</td></tr></table>"
    assert kinds_of(data) == [("table_cell", "linen hemp")]
    in_cell = "<table><tr><td><p>A paragraph inside a cell.</p></td><td>x</td></tr></table>"
    assert kinds_of(in_cell)[0] == ("paragraph", "A paragraph inside a cell.")


def test_bold_sentence_stays_a_paragraph():
    # All bold but a full sentence (final punctuation): not a heading.
    assert kinds_of("<p><b>The council voted to rebuild on the hill.</b></p>")[0][0] == "paragraph"
    # Bold words inside a sentence do not make a heading either.
    assert kinds_of("<p><b>Note:</b> the road stays closed until May</p>")[0][0] == "paragraph"


def test_block_kind_reads_the_innermost_meaningful_ancestor():
    assert block_kind(["p", "div", "li", "p"], 0) == "list_item"
    assert block_kind(["p", "blockquote", "p"], 0) == "quote"
    assert block_kind(["p", "li", "h4"], 0) == "heading"
    assert block_kind(["p", "table", "tr", "p"], 0) == "paragraph"
