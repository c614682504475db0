"""Stage 1: a page (HTML text or bytes) -> the readable ``Article`` of typed blocks.

The package reads as the data flows:

* ``parse``: bytes or text -> one lxml tree, decoded the way a browser decodes;
* ``metadata``: title, byline, declared language (and the language chosen);
* ``readable``: readability-lxml's main block, walked into kinded raw blocks;
* ``rules``: the cleaning rules, as data, that drop page furniture;
* ``checks``: pages that are no article (walls, lists of links, empty pages).

``extract_article`` composes them; ``article_from_text`` builds an article
from plain text.
"""

from __future__ import annotations

import re

from ..document import Article
from .checks import check_page, is_card_list, is_link_list
from .metadata import choose_language, page_metadata
from .parse import check_binary, decode_html, fold_whitespace, parse_html, visible_text
from .readable import block_paragraphs, fragment_blocks, main_blocks, remove_marked
from .rules import RawBlock, clean_blocks, is_boilerplate_text, is_date_line, is_marked

__all__ = ["Article", "RawBlock", "article_from_text", "block_paragraphs", "check_binary",
           "check_page", "choose_language", "clean_blocks", "decode_html", "extract_article",
           "fold_whitespace", "fragment_blocks", "is_boilerplate_text", "is_card_list",
           "is_date_line", "is_link_list", "is_marked", "main_blocks", "page_metadata",
           "parse_html", "remove_marked", "visible_text"]


def extract_article(html: str | bytes, url: str | None = None) -> Article:
    """Extract the readable article from a page's HTML (text, or bytes in any charset).

    Raises ``NoArticle`` (with a stable ``code``) when the page holds no
    article: see ``checks``.  Never raises anything else on odd HTML."""
    root = parse_html(html)
    meta = page_metadata(root)
    raw = main_blocks(root)
    blocks = clean_blocks(raw, title=meta["title"], byline=meta["byline"])
    text = " ".join(b.text for b in blocks)
    lang = choose_language(meta["lang"], text)
    article = Article(title=meta["title"], byline=meta["byline"], lang=lang,
                      blocks=tuple(blocks), url=url)
    check_page(root, article, raw)
    return article


def article_from_text(text: str, title: str | None = None, lang: str | None = None) -> Article:
    """Plain text -> Article: paragraphs are separated by blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = tuple(p for p in (fold_whitespace(b) for b in re.split(r"\n\s*\n", text)) if p)
    return Article.from_paragraphs(paragraphs, title=title, lang=lang)
