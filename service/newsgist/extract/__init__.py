"""Stage 1: a page (HTML text or bytes) -> the readable ``Article`` of typed blocks.

The package reads as the data flows:

* ``parse``: bytes or text -> one lxml tree, decoded the way a browser decodes;
* ``metadata``: title, byline, declared language (and the language chosen);
* ``readable``: readability-lxml's main block, walked into kinded raw blocks;
* ``rules``: the cleaning rules, as data, that drop page furniture;
* ``second``: trafilatura's second opinion, and the choice between the two;
* ``checks``: pages that are no article (walls, lists of links, empty pages);
* ``declared``: what the page declares itself to be (a product);
* ``headings``: the page's headings a reading dropped, put back in their places.

``extract_article`` composes them; ``article_from_text`` builds an article
from plain text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..document import Article, Block, with_heading_levels
from ..errors import NoArticle
from .checks import check_page, is_card_list, is_link_list, reads_like_wall
from .declared import declares_product
from .headings import restore_headings
from .metadata import choose_language, page_metadata, text_language
from .parse import check_binary, decode_html, fold_whitespace, parse_html, visible_text
from .readable import block_paragraphs, fragment_blocks, main_blocks, remove_marked
from .rules import RawBlock, clean_blocks, is_boilerplate_text, is_date_line, is_marked
from .second import (agreement, is_fuller_link_list, needs_second_opinion, prefer_second,
                     trafilatura_blocks)

__all__ = ["Article", "RawBlock", "article_from_text", "block_paragraphs", "check_binary",
           "check_page", "choose_language", "clean_blocks", "decode_html", "extract_article",
           "fold_whitespace", "fragment_blocks", "is_boilerplate_text", "is_card_list",
           "is_date_line", "is_link_list", "is_marked", "main_blocks", "page_metadata",
           "parse_html", "remove_marked", "text_language", "visible_text"]


def extract_article(html: str | bytes, url: str | None = None) -> Article:
    """Extract the readable article from a page's HTML (text, or bytes in any charset).

    readability-lxml's main block is the first reading.  When a cheap signal
    says it may have missed (``second.needs_second_opinion``), trafilatura's
    reading of the same parsed page is the second.  The article is
    readability's unless trafilatura's holds the page's article better
    (``second.prefer_second``: readability kept one section, dropped a table,
    some sections or a closing section, or took a footer); a wall or
    not-an-article verdict on readability's reading is overruled by an article
    in trafilatura's, and a page whose fuller reading is a list of links is one
    (``second.is_fuller_link_list``).  On a page that declares itself a
    product (``declared``), trafilatura's reading is the page's main content
    whenever it passes the checks.  Raises ``NoArticle`` (with a stable
    ``code``) when the page holds no article: see ``checks``.  Never raises
    anything else on odd HTML.

    A page that the headings the readings dropped (``headings``) make a page built
    of sections gets them back; any other page's article is the reading as it is."""
    root = parse_html(html)
    article = _chosen(root, url)
    if article.is_sectioned:
        return article
    restored = dataclasses.replace(article, blocks=tuple(with_heading_levels(
        restore_headings(root, article.blocks, article.title))))
    return restored if restored.is_sectioned else article


def _chosen(root, url: str | None) -> Article:
    """The article of the reading chosen (``extract_article``'s doc)."""
    meta = page_metadata(root)
    first = _reading(root, meta, main_blocks(root), url)
    product = declares_product(root)
    if first.refusal is None and not product and not needs_second_opinion(root, first.blocks):
        return first.article
    second = _reading(root, meta, trafilatura_blocks(root, url), url)
    if product and second.refusal is None and second.blocks:
        return second.article  # description and specifications, not one blurb
    if first.refusal is not None:
        if _overrules(first, second):
            return second.article
        raise first.refusal
    if second.refusal is not None:
        if second.refusal.code == "link_list" and is_fuller_link_list(first.blocks,
                                                                     second.blocks):
            raise second.refusal
        return first.article
    if prefer_second(first.blocks, second.blocks) and not _loses_sections(first, second):
        return second.article
    return first.article


# A reading with this many times fewer blocks than one built of sections has glued the
# page's paragraphs and headings together (trafilatura does, on some layouts).
GLUED_RATIO = 8


def _loses_sections(first: "_Reading", second: "_Reading") -> bool:
    """Would the second reading throw away the sections of a first one built of them?"""
    return first.article.is_sectioned and \
        len(second.blocks) * GLUED_RATIO <= len(first.blocks)


# Verdicts that say the article text is missing from readability's reading: an
# article in trafilatura's reading overrules them.  What the page *is* (a list of
# links, a PDF, an empty page, a bot check by its title) is not overruled.
OVERRULED = frozenset({"no_article", "cookie_wall", "login_wall", "paywall"})


# A wall verdict is overruled by a reading that adds at least this many words
# the first one did not have (not the stub again with a "subscribe" line).
NEW_WORDS = 50


def _overrules(first: "_Reading", second: "_Reading") -> bool:
    """Does the second reading show that the first one's refusal was wrong?

    Finding nothing is overruled by anything that passes the checks.  A wall is
    overruled only by a reading that passes the checks on the same page (so it
    is no stub: see ``check_page``), adds text the first did not have, and is
    not the wall's own wording read as prose."""
    code = first.refusal.code if first.refusal else None
    if second.refusal is not None or code not in OVERRULED:
        return False
    if code == "no_article":
        return True
    agree = agreement(first.blocks, second.blocks)
    return agree.words_b - agree.shared >= NEW_WORDS and not reads_like_wall(second.article.text)


@dataclass
class _Reading:
    """One extractor's reading of the page: its cleaned blocks, and the article or
    the reason the page is no article."""

    blocks: list[Block]
    article: Article
    refusal: NoArticle | None


def _reading(root, meta: dict, raw: list[RawBlock], url: str | None) -> _Reading:
    blocks = with_heading_levels(clean_blocks(raw, title=meta["title"], byline=meta["byline"]))
    lang = choose_language(meta["lang"], " ".join(b.text for b in blocks))
    article = Article(title=meta["title"], byline=meta["byline"], lang=lang,
                      blocks=tuple(blocks), url=url)
    try:
        check_page(root, article, raw)
    except NoArticle as refusal:
        return _Reading(blocks, article, refusal)
    return _Reading(blocks, article, None)


def article_from_text(text: str, title: str | None = None, lang: str | None = None) -> Article:
    """Plain text -> Article: paragraphs are separated by blank lines.  Its language is
    ``lang`` when given, else the one the detector HTML uses reads in the text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = tuple(p for p in (fold_whitespace(b) for b in re.split(r"\n\s*\n", text)) if p)
    lang = lang or text_language(" ".join(paragraphs))
    return Article.from_paragraphs(paragraphs, title=title, lang=lang)
