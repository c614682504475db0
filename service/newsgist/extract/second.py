"""The second opinion: trafilatura's main content, as kinded raw blocks.

readability-lxml picks one best block of the page and its neighbours; on
pages whose article is split into many sections (a "best X" guide with a
``<h2>`` per item, a page built of ``<section>``s) it can keep one section, or
take the wrong block.  trafilatura (Apache-2.0) reads the page differently: it
walks the whole tree, prunes what looks like boilerplate and keeps every
paragraph-like element that is left.  ``trafilatura_blocks`` asks it for its
result as a tree (``bare_extraction``, reusing the page NewsGist already
parsed) and turns that tree into ``RawBlock``s with the same kinds as
readability's blocks.  ``prefer_second`` and ``is_fuller_link_list`` (below)
decide which opinion the article is made of.
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace

import lxml.etree
import lxml.html

from ..document import BlockKind
from .parse import fold_whitespace
from .rules import RawBlock

# trafilatura logs what it reads, page text included: that never reaches NewsGist's
# log (page contents stay out of logs), whatever level the application sets.
_TRAFILATURA_LOG = logging.getLogger("trafilatura")
_TRAFILATURA_LOG.setLevel(logging.CRITICAL + 1)
_TRAFILATURA_LOG.propagate = False
_TRAFILATURA_LOG.addHandler(logging.NullHandler())

# trafilatura's output elements -> block kinds (its XML-TEI-like vocabulary).
_KINDS: dict[str, BlockKind] = {"head": "heading", "p": "paragraph", "item": "list_item",
                                "quote": "quote", "code": "code", "row": "table_cell"}
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"'”’)\]]\s*$")
BOLD_HEADING_WORDS = 14


def trafilatura_blocks(root: lxml.html.HtmlElement, url: str | None = None) -> list[RawBlock]:
    """trafilatura's main content of an already parsed page (left unchanged), as blocks.

    Links are not asked for: with them trafilatura also prunes link-dense lists
    and paragraphs, which on documentation and collection pages are content
    (word F1 on the WCXB tuning half, links asked / not: documentation 0.890 /
    0.903, collections 0.484 / 0.510, articles 0.943 / 0.942).  Each block's
    links are then counted in the page's element of the same text (``_page_links``),
    so the cleaning rules still see a rail of related-story links."""
    try:
        import trafilatura
        document = trafilatura.bare_extraction(
            copy.deepcopy(root), url=url, include_comments=False, include_tables=True,
            include_formatting=True, include_links=False, with_metadata=False)
    except Exception:  # trafilatura gives up on odd trees in its own ways
        return []
    body = getattr(document, "body", None)
    blocks = [] if body is None else tree_blocks(body)
    if not blocks:
        return []
    links = _page_links(root)
    counted = []
    for block in blocks:
        chars, count = links.get(_no_space(block.text), (0, 0))
        counted.append(replace(block, link_chars=chars, links=count))
    return counted


def _no_space(text: str) -> str:
    """The text with all whitespace removed (str.split: much faster than a regex on
    the long texts of a page's containers)."""
    return "".join(text.split())


_LINK_HOLDERS = ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt",
                 "blockquote", "div", "span", "a")
# A block of trafilatura's is a paragraph, item, cell or heading: its links sit a
# few levels below it at most.
_LINK_LEVELS = 4


def _page_links(root: lxml.html.HtmlElement) -> dict[str, tuple[int, int]]:
    """Text (whitespace removed) of the page's elements that hold links, up to a few
    levels above each link -> (link characters, links).  Elements without links
    are left out: their blocks have none."""
    held: dict[lxml.html.HtmlElement, list[int]] = {}
    for anchor in root.iter("a"):
        chars = len(fold_whitespace(anchor.text_content()))
        el, level = anchor, 0
        while el is not None and level <= _LINK_LEVELS:
            if el.tag in _LINK_HOLDERS:
                count = held.setdefault(el, [0, 0])
                count[0] += chars
                count[1] += 1
            el, level = el.getparent(), level + 1
    found: dict[str, tuple[int, int]] = {}
    for el, (chars, count) in held.items():
        text = _no_space(el.text_content())
        if text and text not in found:
            found[text] = (chars, count)
    return found


def tree_blocks(body: lxml.etree._Element) -> list[RawBlock]:
    """trafilatura's result tree -> one RawBlock per paragraph, heading, item, quote, row."""
    blocks: list[RawBlock] = []
    layout_rows = {row for row in body.iter("row") if _is_layout_row(row)}
    for el in body.iter("head", "p", "item", "quote", "code", "row"):
        if _inside_block(el, body, layout_rows):
            continue  # text of a block inside another is part of the outer block
        if el.tag == "quote" and el.find(".//p") is not None:
            continue  # its paragraphs come next, each a quote
        layout = el in layout_rows
        text = _row_own_text(el) if layout else fold_whitespace(" ".join(el.itertext()))
        if not text:
            continue
        kind = _KINDS[el.tag]
        if el.tag == "p" and any(a.tag == "quote" for a in el.iterancestors()):
            kind = "quote"
        if el.tag == "row" and _text_cells(el, layout) < 2:
            kind = "paragraph"  # a one-cell row is layout, not data
        if kind == "paragraph" and not layout and _all_bold(el, text) and len(text.split()) <= \
                BOLD_HEADING_WORDS and not _ENDS_SENTENCE.search(text):
            kind = "heading"
        links = el.findall(".//ref")
        link_chars = sum(len(fold_whitespace("".join(a.itertext()))) for a in links)
        level = _rend_level(el) if el.tag == "head" else None
        blocks.append(RawBlock(text, link_chars, el.tag, len(links), kind, level))
    return blocks


# A page laid out in a table (a menu cell beside the article's cell) is not a data
# table: a row one of whose cells holds a heading, a table, or prose (this many
# paragraphs of this many words in all) is layout.  Its paragraphs and headings are
# read as blocks, and the row is only the text of its cells outside them, as
# readability's walk in ``readable`` reads it.  A data table's cells may hold a
# short paragraph or a line of code each (a comparison table, a reference of
# options): those rows stay rows.
LAYOUT_PARAGRAPHS = 3
LAYOUT_WORDS = 50
# What a layout row's cells hold that is read as blocks of its own.
_OWN_BLOCKS = frozenset({"head", "p", "list", "item", "quote", "code", "table"})


def _is_layout_row(row: lxml.etree._Element) -> bool:
    for cell in row:
        if any(True for _ in cell.iterdescendants("head", "table")):
            return True
        paragraphs = list(cell.iterdescendants("p"))
        if len(paragraphs) >= LAYOUT_PARAGRAPHS and \
                sum(len(" ".join(p.itertext()).split()) for p in paragraphs) >= LAYOUT_WORDS:
            return True
    return False


def _cell_own_text(cell: lxml.etree._Element) -> str:
    """A cell's text outside the blocks it holds."""
    parts = [cell.text or ""]
    for child in cell:
        if child.tag not in _OWN_BLOCKS:
            parts.append(" ".join(child.itertext()))
        parts.append(child.tail or "")
    return fold_whitespace(" ".join(parts))


def _row_own_text(row: lxml.etree._Element) -> str:
    return fold_whitespace(" ".join(_cell_own_text(cell) for cell in row))


def _text_cells(row: lxml.etree._Element, layout: bool) -> int:
    """How many of the row's cells hold text of the row's own."""
    own = _cell_own_text if layout else (lambda cell: "".join(cell.itertext()).strip())
    return sum(1 for cell in row if own(cell))


def _rend_level(head: lxml.etree._Element) -> int | None:
    """The level of trafilatura's ``<head rend="h3">`` (the page's tag), if it kept one."""
    rend = (head.get("rend") or "").lower()
    return int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1] in "123456" else None


def _inside_block(el: lxml.etree._Element, body: lxml.etree._Element,
                  layout_rows: set) -> bool:
    for anc in el.iterancestors():
        if anc is body:
            return False
        if anc in layout_rows:
            continue  # a block in a cell of a page laid out in a table is its own
        if anc.tag in _KINDS and not (anc.tag == "quote" and el.tag == "p"):
            return True
        if anc.tag == "quote":
            return False
    return False


def _all_bold(el: lxml.etree._Element, text: str) -> bool:
    bold = sum(len("".join(h.itertext()).strip()) for h in el.iter("hi")
               if (h.get("rend") or "") in ("#b", "#strong"))
    return bold >= len(text.replace(" ", "")) * 0.95 if bold else False


# -- the merge ---------------------------------------------------------------------------------
# Thresholds chosen on the tuning half of the WCXB developer set and checked on
# the 181 news pages (docs/extraction.md has the figures and the command).
# trafilatura's text replaces readability's when it holds this many times as many
# words: readability kept one section of several, or a stub.
SUPERSET_RATIO = 1.4
# ... or when it holds nearly all of readability's words and somewhat more:
# readability dropped a code block, a table, a list or a closing section.  Above
# CONTAINS_MAX_RATIO (and under SUPERSET_RATIO) the extra is as often a rail of
# related stories or comments.
CONTAINS_SHARE = 0.95
CONTAINS_MIN_RATIO = 1.05
CONTAINS_MAX_RATIO = 1.3
# ... or when it holds nearly all of readability's words, is not shorter, and what
# it adds is sections: at least SECTIONS headings, each followed by body text, that
# readability's reading does not have (a documentation page or guide whose other
# sections readability dropped, which may add as little as 1.0-1.05 times the
# words; a rail of related stories or a comment thread adds one heading or none).
SECTIONS = 2
# ... or when the two disagree (less than this share of readability's words is
# in trafilatura's text: readability took another block, a footer, a sidebar,
# a consent notice) and trafilatura's text is not much shorter.
DISAGREE_SHARE = 0.5
DISAGREE_MIN_RATIO = 0.8
# None of these takes a reading at least SUPERSET_RATIO times as long that holds
# readability's text and adds next to no word readability's text lacks (under
# REPEATS_NEW_WORDS of the words it adds): the page hides a second copy of the
# article (a print or data copy) that trafilatura reads too.  Words that are all
# already there cannot be the part readability missed.
REPEATS_NEW_WORDS = 0.05


@dataclass(frozen=True)
class Agreement:
    """How two extractions of one page relate, by their lower-cased word bags."""

    words_a: int
    words_b: int
    shared: int

    @property
    def a_in_b(self) -> float:
        """The share of ``a``'s words that ``b`` has too."""
        return self.shared / self.words_a if self.words_a else 0.0

    @property
    def ratio(self) -> float:
        """How many times as many words ``b`` has as ``a``."""
        return self.words_b / self.words_a if self.words_a else float("inf")


def agreement(a: list[RawBlock] | list, b: list[RawBlock] | list) -> Agreement:
    bag_a, bag_b = _bag(a), _bag(b)
    return Agreement(sum(bag_a.values()), sum(bag_b.values()), sum((bag_a & bag_b).values()))


def _bag(blocks) -> Counter:
    return Counter(w for block in blocks for w in _WORD.findall(block.text.lower()))


_WORD = re.compile(r"\w+")


def prefer_second(readability: list, second: list) -> bool:
    """True when trafilatura's blocks, not readability's, are the article."""
    if not second:
        return False
    agree = agreement(readability, second)
    if agree.words_b == 0:
        return False
    contains = agree.a_in_b >= CONTAINS_SHARE
    if agree.ratio >= SUPERSET_RATIO and contains \
            and new_word_share(readability, second) < REPEATS_NEW_WORDS:
        return False
    return agree.ratio >= SUPERSET_RATIO \
        or (contains and CONTAINS_MIN_RATIO <= agree.ratio <= CONTAINS_MAX_RATIO) \
        or (contains and agree.ratio >= 1.0
            and added_sections(readability, second) >= SECTIONS) \
        or (agree.a_in_b < DISAGREE_SHARE and agree.ratio >= DISAGREE_MIN_RATIO)


def _added_blocks(readability: list, second: list) -> list:
    """The blocks of the second reading whose text the first reading does not have."""
    known = {block.text for block in readability}
    return [block for block in second if block.text not in known]


def new_word_share(readability: list, second: list) -> float:
    """The share of the words in the blocks the second reading adds that appear
    nowhere in the first reading (1.0 when it adds no block)."""
    vocabulary = set(_bag(readability))
    added = [w for block in _added_blocks(readability, second)
             for w in _WORD.findall(block.text.lower())]
    return sum(1 for w in added if w not in vocabulary) / len(added) if added else 1.0


def added_sections(readability: list, second: list) -> int:
    """Sections the second reading adds: headings of its that the first reading does
    not have, each followed (among the blocks it adds) by a block that is no heading."""
    added = _added_blocks(readability, second)
    return sum(1 for head, body in zip(added, added[1:])
               if head.kind == "heading" and body.kind != "heading")


def is_fuller_link_list(readability: list, second: list) -> bool:
    """trafilatura's reading, a list of links by the page checks, holds much more
    text than readability's: the page is that list (a listing or collection
    whose headlines readability dropped, leaving a stub), not the stub."""
    return bool(second) and agreement(readability, second).ratio >= SUPERSET_RATIO


# -- when to ask ------------------------------------------------------------------------------
# trafilatura costs more than readability, so it is asked only when readability's
# text may be missing part of the page's main content: it is short, or it holds
# under 90% of the words of the page's paragraphs (a "best X" guide whose other
# sections readability left out, a footer taken for the article, a list of
# links).  This asks it on 49% of the WCXB tuning half and 42% of the 181 news
# pages.  At 100% it asked on 58% and 69%: the extract stage of the 181 pages
# took 2.03x its time before the second opinion (the limit is 2x) for +0.001 on
# tuning articles; on every page, 2.3x.
#
# It is also asked when readability's text holds more than NOT_PARAGRAPHS times the
# words of the page's paragraphs: the main content is lists, tables, code or cards
# rather than ``<p>``s (documentation, listings, collections), where readability's
# choice of block is least reliable.  With the sections rule above it took the
# WCXB tuning half's documentation from 0.005 below trafilatura to 0.001 above
# (articles from +0.001 to +0.007); it asks on 75% of the tuning pages (was 51%)
# and 50% of the 181 news pages (was 42%): docs/extraction.md, "The third pass".
SHORT_WORDS = 300
PARAGRAPH_SHARE = 0.9
NOT_PARAGRAPHS = 1.2
_PAGE_PARAGRAPHS = lxml.etree.XPath(
    "//body//p[not(ancestor::nav or ancestor::footer or ancestor::aside or ancestor::header "
    "or ancestor::form)]")


def needs_second_opinion(root: lxml.html.HtmlElement, blocks: list) -> bool:
    """A cheap signal that readability's blocks may not be the whole article."""
    words = sum(len(b.text.split()) for b in blocks)
    if words < SHORT_WORDS:
        return True
    paragraphs = paragraph_words(root)
    return words < PARAGRAPH_SHARE * paragraphs or words > NOT_PARAGRAPHS * paragraphs


def paragraph_words(root: lxml.html.HtmlElement) -> int:
    """Words in the page's ``<p>`` elements outside navigation, headers, footers and forms."""
    return sum(len(p.text_content().split()) for p in _PAGE_PARAGRAPHS(root))
