"""Headings a reading dropped, put back where the page has them.

readability-lxml keeps a page's paragraphs and often drops its headings: it
removes a heading whose class sounds negative or that is mostly a link (the
item names of a list page often are), and its choice of siblings skips
headings that sit between the paragraphs it keeps.  trafilatura keeps more of
them, but not all.  A page built of sections then reads as one long
introduction.

``restore_headings`` walks the page's own ``<h1>``-``<h6>`` headings and
puts back each one that the page shows *immediately* before a
block of the article (nothing but a few characters -- a date stamp, an icon's
label -- between the heading's end and the block's first words) and after
the block before it; where the reading kept the heading's text as a paragraph
of its own, that block becomes the heading.  A heading inside a rail or a box between paragraphs is
followed by the rail's links, not by the article's next paragraph, so it is
not put back; nor is a furniture heading, the title, or a heading the article
already has, nor one inside a ``<nav>``, ``<footer>``, ``<aside>`` or ``<form>``
(menus, footers and rails: the article is never there) or inside a
call-to-action box ("Find out why 100 businesses trust us", "Choose your
software: download our guide").  Positions are found
in the page's text with all whitespace removed, so inline markup and spacing
never stand between a block and its place on the page.
"""

from __future__ import annotations

from typing import Sequence

import lxml.etree
import lxml.html

from ..document import Block, word_key
from ..heading_rules import is_furniture_heading
from .parse import fold_whitespace
from .rules import marker

# Characters (whitespace removed) that may stand between a heading and the block it opens.
HEADING_GAP = 40
# A heading longer than this is a paragraph in heading markup: never put back.
HEADING_MAX_WORDS = 20
# Blocks are found in the page by their first characters (whitespace removed).
_KEY_CHARS = 40
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_HEADING_TAGS = {f"h{i}": i for i in range(1, 7)}


def restore_headings(root: lxml.html.HtmlElement, blocks: Sequence[Block],
                     title: str | None = None) -> list[Block]:
    """``blocks`` with the page's headings put back in their places (module doc)."""
    if len(blocks) < 2:
        return list(blocks)
    squeezed = [_squeeze(b.text) for b in blocks]
    article_chars = sum(map(len, squeezed))
    starts: dict[int, dict[str, int]] = {}      # key length -> block key -> first block
    for i, text in enumerate(squeezed):
        if i and len(text) >= _MIN_KEY_CHARS:
            key = text[:_KEY_CHARS]
            starts.setdefault(len(key), {}).setdefault(key, i)
    have = {word_key(b.text) for b in blocks if b.kind == "heading"}
    if title:
        have.add(word_key(title))
    insert: dict[int, list[Block]] = {}     # block index -> headings to put before it
    retyped: dict[int, Block] = {}          # block index -> the heading it is
    for el in root.iter(*_HEADING_TAGS):
        if any(isinstance(a.tag, str) and (a.tag in _OUTSIDE or _is_cta_box(a, article_chars))
               for a in el.iterancestors()):
            continue
        text = fold_whitespace("".join(_visible_text(el)))
        key = word_key(text)
        if not key or key in have or len(text.split()) > HEADING_MAX_WORDS \
                or is_furniture_heading(text):
            continue
        at = _block_after(_following_text(el, HEADING_GAP + _KEY_CHARS), starts)
        if at is None:
            continue   # no block of the article right after it
        heading = Block(text, "heading", _HEADING_TAGS[el.tag])
        have.add(key)
        if word_key(blocks[at - 1].text) == key:
            retyped[at - 1] = heading    # the reading kept it, as a paragraph
        elif _squeeze(text) not in squeezed[at - 1]:
            insert.setdefault(at, []).append(heading)
    if not insert and not retyped:
        return list(blocks)
    out: list[Block] = []
    for i, block in enumerate(blocks):
        out.extend(insert.get(i, ()))
        out.append(retyped.get(i, block))
    return out


# Where a heading is never the article's: menus, footers, rails, forms, and no text at all.
_OUTSIDE = frozenset({"nav", "footer", "aside", "form", "script", "template", "noscript"})
# Blocks shorter than this (whitespace removed) are not looked for: too easily found anywhere.
_MIN_KEY_CHARS = 20


def _is_cta_box(el: lxml.etree._Element, article_chars: int) -> bool:
    """A call-to-action box (markup word "cta") that holds less than half the article.

    Only this marker: the others (``rules.MARKER_WORDS``) sit as often on the wrappers
    of a page's own sections ("widget", "sidebar" layouts) as on rails.  On the WCXB
    tuning half, 68 of the 90 headings inside a "cta" box are not in the page's
    content (validation: 58 of 67)."""
    return marker(el) == "cta" and len(_squeeze(el.text_content())) < 0.5 * article_chars


def _visible_text(el: lxml.etree._Element):
    """The heading's text, without the rules of a ``<style>`` (or a script) inside it."""
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _HIDDEN:
            yield from _visible_text(child)
        if child.tail:
            yield child.tail


def _block_after(following: str, starts: dict[int, dict[str, int]]) -> int | None:
    """The block whose first characters start within HEADING_GAP of ``following``."""
    for offset in range(min(HEADING_GAP, max(0, len(following) - _MIN_KEY_CHARS)) + 1):
        for length, keys in starts.items():
            at = keys.get(following[offset:offset + length])
            if at is not None:
                return at
    return None


def _following_text(el: lxml.etree._Element, size: int) -> str:
    """The page's text right after ``el`` (not inside it), whitespace removed, up to
    ``size`` characters, scripts and styles skipped."""
    parts: list[str] = []
    got = 0
    node = el
    while node is not None and got < size:
        for piece in _after(node):
            piece = _squeeze(piece)
            parts.append(piece)
            got += len(piece)
            if got >= size:
                break
        node = node.getparent()
    return "".join(parts)[:size]


def _after(node: lxml.etree._Element):
    """Text after ``node`` within its parent, in page order: its tail, then each later
    sibling's text and tail."""
    if node.tail:
        yield node.tail
    sibling = node.getnext()
    while sibling is not None:
        if isinstance(sibling.tag, str) and sibling.tag not in _HIDDEN:
            yield from sibling.itertext(lxml.etree.Element)
        if sibling.tail:
            yield sibling.tail
        sibling = sibling.getnext()


def _squeeze(text: str) -> str:
    return "".join(text.split())


