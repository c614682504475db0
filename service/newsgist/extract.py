"""Stage 1: page HTML -> the readable article (title, byline, language, paragraphs).

readability-lxml finds the article's main block; this module parses the page
once, asks readability for the main block, and turns that block into clean
paragraphs: one paragraph per block element, whitespace folded, captions,
figures and other non-prose removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
from readability import Document

from .errors import NoArticle

# Elements that end a paragraph: text on either side belongs to different blocks.
BLOCK_TAGS = frozenset("""
    address article aside blockquote body br dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
    section summary table tbody td tfoot th thead tr ul
""".split())

# Elements whose text is never article prose.
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "math", "button",
             "figcaption", "figure", "iframe", "object", "embed", "select", "textarea",
             "input", "nav", "aside", "footer")

_WS = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class Article:
    """The readable article: ``text`` is the paragraphs joined by blank lines."""

    title: str | None
    byline: str | None
    lang: str | None
    paragraphs: tuple[str, ...]
    url: str | None = None
    text: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", "\n\n".join(self.paragraphs))

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def fold_whitespace(text: str) -> str:
    """One space for any run of whitespace (nbsp included), zero-width characters removed."""
    return _WS.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


def article_from_text(text: str, title: str | None = None, lang: str | None = None) -> Article:
    """Plain text -> Article: paragraphs are separated by blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = tuple(p for p in (fold_whitespace(b) for b in re.split(r"\n\s*\n", text)) if p)
    return Article(title=title, byline=None, lang=lang, paragraphs=paragraphs)


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse a whole page; raise NoArticle for input lxml cannot make a document of."""
    html = html.replace("\x00", "")
    if not html.strip():
        raise NoArticle("The page is empty.", code="empty_page")
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise NoArticle(f"The input could not be read as HTML ({exc}).", code="not_html") from None


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the readable article from a page's HTML.  Never raises on odd HTML
    except ``NoArticle`` when there is nothing to read at all."""
    root = parse_html(html)
    meta = _page_metadata(root)
    doc = Document(html, url=url)
    try:
        main_html = doc.summary(html_partial=True)
    except Exception:  # readability raises its own Unparseable and lxml errors
        main_html = ""
    paragraphs = block_paragraphs(main_html) if main_html.strip() else []
    title = meta["title"] or _safe(doc.short_title) or None
    if paragraphs and title and fold_whitespace(paragraphs[0]).lower() == title.lower():
        paragraphs = paragraphs[1:]  # the headline is reported as the title, not as prose
    return Article(title=title, byline=meta["byline"], lang=meta["lang"],
                   paragraphs=tuple(paragraphs), url=url)


def block_paragraphs(fragment_html: str) -> list[str]:
    """Text of an HTML fragment, one paragraph per block element."""
    try:
        root = lxml.html.fragment_fromstring(fragment_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return []
    for el in list(root.iter(*DROP_TAGS)):
        _drop_keep_tail(el)
    paragraphs: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = fold_whitespace("".join(buf))
        buf.clear()
        if text:
            paragraphs.append(text)

    # iterwalk, not recursion: pages nest thousands of levels deep.
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                flush()
            if el.text and isinstance(el.tag, str):
                buf.append(el.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            elif tag in ("td", "th"):
                buf.append(" ")
            if el.tail and el is not root:
                buf.append(el.tail)
    flush()
    return paragraphs


def _drop_keep_tail(el: lxml.html.HtmlElement) -> None:
    parent = el.getparent()
    if parent is None:
        return
    el.drop_tree()  # lxml keeps the tail text in place


def _page_metadata(root: lxml.html.HtmlElement) -> dict[str, str | None]:
    def first(xpath: str) -> str | None:
        try:
            for value in root.xpath(xpath):
                text = fold_whitespace(value if isinstance(value, str) else value.text_content())
                if text:
                    return text
        except (lxml.etree.XPathError, ValueError):
            pass
        return None

    lang = first("/html/@lang") or first("//meta[@http-equiv='content-language']/@content") \
        or first("//meta[@property='og:locale']/@content")
    if lang:
        lang = re.split(r"[-_]", lang.strip().lower())[0][:8] or None
    title = first("//meta[@property='og:title']/@content") or first("//h1[1]") \
        or first("//title")
    byline = first("//meta[@name='author']/@content") \
        or first("//*[@rel='author']") or first("//*[@itemprop='author']//*[@itemprop='name']") \
        or first("//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]")
    return {"lang": lang, "title": title, "byline": byline}


def _safe(fn) -> str | None:
    try:
        return fold_whitespace(fn() or "") or None
    except Exception:
        return None
