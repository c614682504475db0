"""Metadata and language: the page's title, byline and the article's language."""

from __future__ import annotations

import lxml.etree
import lxml.html
from readability.htmls import shorten_title

from ..language import detect_language, normalize_lang
from .parse import fold_whitespace


def page_metadata(root: lxml.html.HtmlElement) -> dict[str, str | None]:
    def first(xpath: str) -> str | None:
        try:
            for value in root.xpath(xpath):
                text = fold_whitespace(value if isinstance(value, str) else value.text_content())
                if text:
                    return text
        except (lxml.etree.XPathError, ValueError):
            pass
        return None

    lang = first("/html/@lang") or first("/html/@xml:lang") \
        or first("//meta[@http-equiv='content-language' or @http-equiv='Content-Language']"
                 "/@content") \
        or first("//meta[@property='og:locale']/@content")
    title = first("//meta[@property='og:title']/@content") or first("//h1[1]") \
        or _short_title(root) or first("//title")
    byline = first("//meta[@name='author']/@content") \
        or first("//*[@rel='author']") or first("//*[@itemprop='author']//*[@itemprop='name']") \
        or first("//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]")
    if byline and (byline.startswith("http") or len(byline) > 120):
        byline = None
    return {"lang": normalize_lang(lang), "title": title, "byline": byline}


def _short_title(root: lxml.html.HtmlElement) -> str | None:
    """The page's <title> without the site name ("Headline | Site" -> "Headline")."""
    try:
        return fold_whitespace(shorten_title(root)) or None
    except Exception:  # cssselect missing, odd markup: fall back to the plain <title>
        return None


def choose_language(declared: str | None, text: str) -> str | None:
    """The page's declared language, unless the text plainly is in another one.

    ``<html lang>`` is what the page says about itself, and usually right; a
    few sites serve English text under ``lang="de"`` (a regional edition) and
    then the detector, which reads the text, wins.  With no declaration the
    detector decides alone (None when the text is too short to tell)."""
    detected = detect_language(text)
    if detected is None:
        return declared
    if declared is None or declared == detected.lang:
        return detected.lang
    return detected.lang if detected.confident else declared



# Plain text declares no language; text too short for the detector is split with
# English rules (sentencex's own fallback), and the article says so rather than null.
TEXT_FALLBACK_LANGUAGE = "en"


def text_language(text: str) -> str:
    """Plain text's language: the detector's (``choose_language`` with nothing
    declared), else TEXT_FALLBACK_LANGUAGE when the text is too short to tell."""
    return choose_language(None, text) or TEXT_FALLBACK_LANGUAGE
