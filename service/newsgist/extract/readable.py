"""The readability main block: the page's article as readability-lxml finds it.

This module prepares a copy of the parsed page for readability (embedded posts
such as tweets are kept: readability would drop them as "unlikely
candidates"), asks readability for the main block, removes what the markup
names as non-prose (``rules``) and walks what is left into ordered
``RawBlock``s, each with its kind:

* one block per block element (list items, table rows and ``<br>`` lines stay
  apart: ``text_content()`` would glue "FL" and "June" into "FLJune");
* the kind comes from the element and its ancestors: ``<h1>``-``<h6>``,
  ``<summary>``, ``role="heading"`` and a short line that is all bold are
  headings; ``<li>``, ``<dt>``, ``<dd>`` list items; ``<blockquote>`` quotes;
  ``<figcaption>`` and table ``<caption>`` captions; a table row of two or more
  cells a table cell row; ``<pre>`` (or a line that is all ``<code>``) code;
  anything else a paragraph;
* a heading's level comes from its tag (``<h3>``: 3) or its ``aria-level``; a
  ``<summary>``, a bold line or an ARIA heading without a level gets none here
  (``document.with_heading_levels`` places it below the last heading).
"""

from __future__ import annotations

import copy
import re

import lxml.etree
import lxml.html
from readability import Document

from ..document import BlockKind
from .parse import fold_whitespace
from .rules import DROP_TAGS, EMBED_CLASS, INLINE_TAGS, RawBlock, _TWEETISH, marker

# Elements that end a block: text on either side belongs to different blocks.
BLOCK_TAGS = frozenset("""
    address article aside blockquote body br caption dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
    section summary table tbody tfoot thead tr ul
""".split())
# Table cells are words of their row: one block per row, cells apart by a space.
CELL_TAGS = frozenset({"td", "th"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "summary", "role-heading"})
_LIST_TAGS = frozenset({"li", "dt", "dd"})
_EMPHASIS_TAGS = frozenset({"b", "strong"})
# A class that sets bold type (utility CSS: "font-bold", "fw-bold", "font-[700]", "fw-600").
_BOLD_CLASS = re.compile(r"(?:^|\s)(?:[\w-]*[-_])?(?:bold|bolder|strong|fw-?[6-9]00|font-\[?[6-9]00\]?)"
                         r"(?=\s|$)", re.I)
# A line that is all bold and this short, with no final punctuation, is a heading.
BOLD_HEADING_WORDS = 14
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"'”’)\]]\s*$")


def main_blocks(root: lxml.html.HtmlElement) -> list[RawBlock]:
    """Readability's main block of the page, as a list of ``RawBlock``s, boilerplate removed."""
    fragment = main_fragment(root)
    if fragment is None:
        return []
    remove_marked(fragment)
    return fragment_blocks(fragment)


def main_fragment(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """readability's main block as an element (None when it finds nothing)."""
    prepare_for_readability(root)
    try:
        # html_partial: the full-document form sometimes comes back as an empty
        # <body> (its wrapper div is dropped by readability's own cleaning).
        main_html = _Readability(root).summary(html_partial=True)
    except Exception:  # readability raises its own Unparseable and lxml errors
        main_html = ""
    if not main_html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(main_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError, AssertionError):
        return None  # lxml asserts on fragments that hold no body at all


class _Readability(Document):
    """readability-lxml reading an already parsed page.

    ``Document`` parses its input string on every attempt (and ``summary``
    may make two) and then runs lxml's full HTML cleaner and rewrites every
    link to an absolute URL; none of that changes the text.  This subclass
    starts each attempt from a copy of the parsed page (readability mutates
    its tree) with what the cleaner would remove for text purposes removed:
    hidden elements, scripts, styles, ``<link>``s, comments and processing
    instructions."""

    def _parse(self, input):  # noqa: A002 - readability's signature
        doc = copy.deepcopy(input)
        self.encoding = "utf-8"
        lxml.etree.strip_elements(doc, lxml.etree.Comment, lxml.etree.ProcessingInstruction,
                                  "script", "style", "link", with_tail=False)
        for elem in doc.xpath("//*[@hidden]"):
            elem.drop_tree()
        for elem in doc.xpath("//*[@style]"):
            if _HIDDEN_STYLE.search(elem.get("style") or ""):
                elem.drop_tree()
        return doc


_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)


def prepare_for_readability(root: lxml.html.HtmlElement) -> None:
    """Keep embedded posts (tweets, Instagram posts...) that the article quotes.

    readability drops anything whose class says "tweet", and its cleaning
    removes the link-heavy ``<div class="social-media-embed">`` around one.  The
    post's ``<blockquote>`` gets a neutral class and the wrappers that hold
    nothing but the post are unwrapped."""
    for el in list(root.iter("blockquote")):
        if not EMBED_CLASS.search(el.get("class") or ""):
            continue
        el.set("class", "embedded-post")
        size = len(fold_whitespace(el.text_content()))
        parent = el.getparent()
        while parent is not None and parent.tag in _WRAPPER_TAGS \
                and len(fold_whitespace(parent.text_content())) <= size + 40:
            grand = parent.getparent()
            parent.drop_tag()
            parent = grand
        for anc in el.iterancestors():
            if anc.tag in ("body", "html"):
                break
            for attr in ("class", "id"):
                value = anc.get(attr)
                if value and _TWEETISH.search(value):
                    anc.set(attr, _TWEETISH.sub("embedded", value))


_WRAPPER_TAGS = frozenset({"div", "section", "figure", "span", "aside", "center", "p"})



def remove_marked(fragment: lxml.html.HtmlElement) -> None:
    """Remove non-prose elements (by tag or markup) from readability's main block.

    An element that holds most of the block's text is never removed: when the
    article itself sits in a ``<div class="post-share-wrapper">``, the markup
    is wrong, not the text.  Nor are the elements one marker names when together
    they hold most of it: a page whose content is ten call-to-action cards
    (``elementor-cta``) is made of them, where an article's one "cta" box is an ad."""
    total = len(fold_whitespace(fragment.text_content())) or 1
    for el in list(fragment.iter(*DROP_TAGS)):
        if el.tag in ("figure",) and _holds_prose(el, total):
            continue
        _drop_keep_tail(el)
    marked: list[tuple[lxml.html.HtmlElement, str]] = []
    for el in fragment.iter():
        if el is fragment or not isinstance(el.tag, str):
            continue
        if el.tag in INLINE_TAGS and el.tag != "span":
            continue
        word = marker(el)
        if word is not None and not _holds_prose(el, total) \
                and not el.xpath(".//blockquote[@class='embedded-post']"):
            marked.append((el, word))
    outermost = {id(el) for el, _ in marked}
    held: dict[str, int] = {}
    for el, word in marked:
        if not any(id(a) in outermost for a in el.iterancestors()):
            held[word] = held.get(word, 0) + len(fold_whitespace(el.text_content()))
    for el, word in marked:
        if held.get(word, 0) <= 0.5 * total:
            _drop_keep_tail(el)


def _holds_prose(el: lxml.html.HtmlElement, total: int) -> bool:
    return len(fold_whitespace(el.text_content())) > 0.5 * total


def _drop_keep_tail(el: lxml.html.HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()  # lxml keeps the tail text in place


def block_paragraphs(fragment_html: str) -> list[str]:
    """Text of an HTML fragment, one paragraph per block element (non-prose removed)."""
    try:
        root = lxml.html.fragment_fromstring(fragment_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError, AssertionError):
        return []  # lxml asserts on fragments that hold no body at all
    remove_marked(root)
    return [b.text for b in fragment_blocks(root)]


def _block_tag(el) -> str | None:
    """The block this element opens, if any ("role-heading" for an ARIA heading)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag and tag not in CELL_TAGS and el.get("role") == "heading":
        return "role-heading"
    return tag if tag in BLOCK_TAGS else None


def block_kind(stack: list[str], cells: int) -> BlockKind:
    """The kind of a block from the block elements it sits in (innermost last)."""
    for i, tag in enumerate(reversed(stack)):
        if tag in _HEADING_TAGS:
            return "heading"
        if tag == "pre":
            return "code"
        if tag in ("figcaption", "caption"):
            return "caption"
        if tag == "tr":
            # Text right in a row's cells is a data row; a one-cell row is layout,
            # and a paragraph inside a cell is a paragraph.
            return "table_cell" if i == 0 and cells >= 2 else "paragraph"
        if tag in _LIST_TAGS:
            return "list_item"
        if tag == "blockquote":
            return "quote"
        if tag in ("table", "body"):
            break
    return "paragraph"


def heading_level(tag: str, el) -> int | None:
    """The level an element's markup gives a heading it opens: ``<h4>`` 4, an ARIA
    heading its ``aria-level`` (1-6); None for anything else."""
    if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
        return int(tag[1])
    if tag == "role-heading":
        level = (el.get("aria-level") or "").strip()
        return int(level) if level.isdigit() and 1 <= int(level) <= 6 else None
    return None


def _is_bold(tag: str, el) -> bool:
    """``<b>``, ``<strong>``, or a ``<span>`` whose class sets bold type."""
    if tag in _EMPHASIS_TAGS:
        return True
    classes = el.get("class") if tag == "span" else None
    return bool(classes) and bool(_BOLD_CLASS.search(classes))


def _nonspace(s: str) -> int:
    return len(s) - sum(c.isspace() for c in s)


def fragment_blocks(root: lxml.html.HtmlElement) -> list[RawBlock]:
    """Walk a fragment: one ``RawBlock`` per block element, with its links and kind."""
    blocks: list[RawBlock] = []
    buf: list[str] = []
    # link characters, links, bold characters, code characters, cells of the row
    counts = {"link": 0, "links": 0, "bold": 0, "code": 0, "cells": 0}
    tags: list[str] = ["p"]
    levels: list[int | None] = [None]   # the heading level each open block gives, if any
    depth = {"a": 0, "bold": 0, "code": 0}

    def flush() -> None:
        text = fold_whitespace("".join(buf))
        buf.clear()
        if text:
            kind = block_kind(tags, counts["cells"])
            size = _nonspace(text)
            if kind == "paragraph" and counts["code"] >= size:
                kind = "code"
            elif kind == "paragraph" and counts["bold"] >= size and \
                    len(text.split()) <= BOLD_HEADING_WORDS and not _ENDS_SENTENCE.search(text):
                kind = "heading"
            level = None
            if kind == "heading":   # the innermost heading element's level
                level = next((lv for tag, lv in zip(reversed(tags), reversed(levels))
                              if tag in _HEADING_TAGS), None)
            blocks.append(RawBlock(text, counts["link"], tags[-1] if tags else "p",
                                   counts["links"], kind, level))
        for key in counts:
            counts[key] = 0

    def add(s: str | None) -> None:
        if s:
            buf.append(s)
            if depth["a"]:
                counts["link"] += len(fold_whitespace(s))
            if depth["bold"]:
                counts["bold"] += _nonspace(s)
            if depth["code"]:
                counts["code"] += _nonspace(s)

    # iterwalk, not recursion: pages nest thousands of levels deep.
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        block = _block_tag(el) if tag else None
        if event == "start":
            if block:
                flush()
                tags.append(block)
                levels.append(heading_level(block, el))
            elif tag in CELL_TAGS:
                buf.append(" ")
                counts["cells"] += 1
            if tag == "a":
                depth["a"] += 1
                counts["links"] += 1
            elif _is_bold(tag, el):
                depth["bold"] += 1
            elif tag in ("code", "kbd", "samp"):
                depth["code"] += 1
            if tag:
                add(el.text)
        else:
            if tag == "a":
                depth["a"] -= 1
            elif _is_bold(tag, el):
                depth["bold"] -= 1
            elif tag in ("code", "kbd", "samp"):
                depth["code"] -= 1
            if block:
                flush()
                if len(tags) > 1:
                    tags.pop()
                    levels.pop()
            elif tag in CELL_TAGS:
                buf.append(" ")
            if el is not root:
                add(el.tail)
    flush()
    return blocks
