"""Page checks: pages that hold no article, told apart from articles.

A home page or other list of links, a login, cookie or bot-check wall, a
paywall stub, an empty page or a PDF viewer raise ``NoArticle`` with a stable
``code`` and a message for people.  Every check looks at the extracted
article first: a wall detector fires only when the article text is really
missing, never because the page around a full article has a sign-in link or
a cookie banner.
"""

from __future__ import annotations

import re

import lxml.html

from ..document import Article
from ..errors import NoArticle
from .parse import fold_whitespace, visible_text
from .rules import RawBlock, _URLISH, features

# -- pages that are not articles -------------------------------------------------------------
# An article shorter than this (in characters: word counts mean nothing in
# Japanese or Chinese) may be a stub in front of a wall (~150 English words).
SHORT_ARTICLE_CHARS = 900
# A text of fewer sentences is a stub: what a wall lets through, not an article.
STUB_SENTENCES = 3
# A bot-check or wall page has little text of its own (its menus aside).
SHORT_PAGE_WORDS = 300

_BOT_TITLE = re.compile(r"(?:just a moment|attention required|access denied|are you a robot|"
                        r"security check|one more step|please wait|checking your browser|"
                        r"ddos protection|human verification|verify you are human|"
                        r"pardon our interruption|request unsuccessful|you have been blocked)"
                        r"\W*(?:[|\-–—:]\s*[\w .-]{1,40})?", re.I)
_BOT_TEXT = re.compile(r"checking (?:if the site connection is secure|your browser)|"
                       r"enable javascript and cookies to continue|"
                       r"verify(?:ing)? (?:that )?you are (?:a )?human|"
                       r"complete the security check|are you a robot|"
                       r"press (?:&|and) hold|why have i been blocked|captcha|"
                       r"needs to review the security of your connection|ray id", re.I)
_BOT_MARKUP = ("challenge-platform", "cf-challenge", "cf-browser-verification", "challenge-form",
               "g-recaptcha", "h-captcha", "px-captcha", "captcha-delivery")
_LOGIN_TEXT = re.compile(r"\b(?:sign in|log in|login|signin|log on)\b.{0,40}"
                         r"\b(?:to continue|to read|to access|to view|to see)|"
                         r"\b(?:forgot (?:your )?password|create (?:an|your) account|remember me|"
                         r"sign in with (?:google|apple|facebook|email))\b", re.I)
_COOKIE_WORDS = re.compile(r"\b(?:cookies?|consent|partners|personal data|privacy (?:policy|"
                           r"settings|choices)|accept all|reject all|manage (?:preferences|"
                           r"settings|options)|legitimate interest|your choices|tracking|"
                           r"vendors|gdpr|opt out)\b", re.I)
_PAYWALL_TEXT = re.compile(
    r"subscribe (?:now |today )?to (?:continue|keep|read|unlock|get)|to continue reading|"
    r"(?:for|to) subscribers only|subscribers? only|already (?:a subscriber|have an account)|"
    r"this (?:article|story|content) is (?:only )?(?:for|available to|exclusive to) "
    r"(?:subscribers|members|premium)|exclusive(?:ly)? (?:for|to) (?:subscribers|members)|"
    r"unlock (?:this|the full) (?:article|story)|register (?:for free )?to (?:read|continue)|"
    r"(?:you have|you've) (?:reached|used) (?:your|all of your) (?:free )?(?:article|story)|"
    r"free articles? (?:left|remaining)|become a (?:subscriber|member) to|"
    r"(?:the )?rest of (?:this|the) (?:article|story) is (?:for|available)|"
    r"premium (?:article|content|subscribers)", re.I)
_PAYWALL_MARKUP = re.compile(r'"isAccessibleForFree"\s*:\s*"?false', re.I)


def check_page(root: lxml.html.HtmlElement, article: Article, blocks: list[RawBlock]) -> None:
    """Raise NoArticle when the page is not an article, saying what it is instead.

    The checks look at the extracted article first (how long it is, how much of
    it is headline links or story-card blurbs) and only then at the page
    around it, so an article that merely mentions cookies, captchas or
    subscriptions, or a page with a sign-in box in its header, is never rejected."""
    size = len(article.text)
    if _is_pdf_viewer(root, embedded=size < SHORT_ARTICLE_CHARS):
        raise NoArticle("This is a PDF viewer, not a web page: NewsGist summarizes the "
                        "articles of HTML news pages.", code="pdf_document")
    page_text = ""
    if size < 3 * SHORT_ARTICLE_CHARS:
        page_text = visible_text(root)
        if _is_cookie_wall(article, page_text):
            raise NoArticle("The page shows a cookie-consent screen instead of the article: "
                            "accept or close it, then try again.", code="cookie_wall")
    if size < SHORT_ARTICLE_CHARS:
        sentences = _sentence_count(article) if size else 0
        stub = sentences < STUB_SENTENCES
        if _is_bot_check(root, page_text, stub):
            raise NoArticle("The page is a bot check (\"Just a moment...\") shown before the "
                            "real page: wait until the article appears, then try again.",
                            code="bot_check")
        if stub:
            if _is_login_wall(root, page_text):
                raise NoArticle("The page asks you to sign in before it shows the article: "
                                "sign in, then try again.", code="login_wall")
            if _is_paywall(root, page_text):
                shown = (f"only {sentences} sentence{'s' if sentences != 1 else ''} of the "
                         f"article" if sentences else "none of the article")
                raise NoArticle(f"The page shows {shown}: the rest is behind a paywall.",
                                code="paywall")
    if is_link_list(blocks, article) or is_card_list(root, article):
        raise NoArticle("This page is a list of links (a home page or section front), not an "
                        "article: open one of its stories and summarize that.", code="link_list")
    if size == 0:
        if not page_text:
            # Also what a page nested past the parser's depth limit (256) comes to:
            # lxml drops what lies deeper, so do not claim the input was empty.
            raise NoArticle("The page has no readable text to summarize (it is empty, only "
                            "scripts and markup, or nested too deeply to read).",
                            code="empty_page")
        raise NoArticle("No article text was found on this page.", code="no_article")


def _is_pdf_viewer(root: lxml.html.HtmlElement, embedded: bool) -> bool:
    """A browser's or pdf.js's PDF viewer.  A PDF ``<embed>``/``<object>`` counts only
    when the page has no article of its own (``embedded``): a blog post may embed one."""
    if embedded and root.xpath("//embed[@type='application/pdf'] | "
                               "//object[@type='application/pdf']"):
        return True
    if root.xpath("//*[@id='viewerContainer'] | //*[contains(@class, 'pdfViewer')]"):
        return True  # pdf.js, the viewer of Firefox and many sites
    return False


def _is_bot_check(root: lxml.html.HtmlElement, page_text: str, stub: bool) -> bool:
    """A bot check: its own title, or (for a stub on a page with little text) its wording
    or the markup of a challenge."""
    title = fold_whitespace(root.findtext(".//title") or "")
    if _BOT_TITLE.fullmatch(title):
        return True
    if not stub or len(page_text.split()) > SHORT_PAGE_WORDS:
        return False
    if _BOT_TEXT.search(page_text):
        return True
    markup = " ".join(features(el) + " " + (el.get("src") or el.get("action") or "")
                      for el in root.iter("div", "form", "script", "iframe"))
    return any(m in markup for m in _BOT_MARKUP)


def _is_cookie_wall(article: Article, page_text: str) -> bool:
    """The text readability found (or, with none, the page) is a consent notice."""
    return _reads_like_consent(article.text if len(article.text) >= 120 else page_text)


def reads_like_wall(text: str) -> bool:
    """The text is a wall's own wording: a sign-in box, a subscribe prompt, a consent notice."""
    if _LOGIN_TEXT.search(text) or _PAYWALL_TEXT.search(text):
        return True
    return _reads_like_consent(text)


def _reads_like_consent(text: str) -> bool:
    """A consent notice: says "cookie", and one word in 25 or more is consent wording."""
    words = max(1, len(text.split()))
    hits = len(_COOKIE_WORDS.findall(text))
    return hits >= 3 and hits * 25 >= words and re.search(r"\bcookies?\b", text, re.I) is not None


def _is_login_wall(root: lxml.html.HtmlElement, page_text: str | None) -> bool:
    if root.xpath("//input[@type='password']"):
        return True
    return bool(page_text and _LOGIN_TEXT.search(page_text))


def _is_paywall(root: lxml.html.HtmlElement, page_text: str | None) -> bool:
    if page_text and _PAYWALL_TEXT.search(page_text):
        return True
    for script in root.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" \
                and _PAYWALL_MARKUP.search(script.text or ""):
            return True
    return any("paywall" in features(el).lower() for el in root.iter("div", "section", "aside"))


def is_link_list(blocks: list[RawBlock], article: Article) -> bool:
    """Readability's best block on a home page is a list of headline links.

    True when headline links make up most of the main block and what is left
    once they are removed is not an article of its own."""
    if not blocks:
        return False
    teasers = [b for b in blocks if b.links and b.link_ratio >= 0.6
               and not _URLISH.match(b.text)]
    if len(teasers) < 5:
        return False
    total = sum(len(b.text) for b in blocks) or 1
    link_share = sum(len(b.text) for b in teasers) / total
    return link_share >= 0.4 and len(article.text) < 2 * SHORT_ARTICLE_CHARS \
        or link_share >= 0.7


# A story card's blurb: a short paragraph next to the headline link it teases.
_CARD_BLURB_CHARS = 300
# Paragraphs looked at: enough to tell a page of cards.
_CARDS_CHECKED = 40


def _is_headline_link(el: lxml.html.HtmlElement | None) -> bool:
    """A heading or link whose text is a headline link (short, nearly all link)."""
    if el is None or not isinstance(el.tag, str):
        return False
    text = fold_whitespace(el.text_content())
    if not 15 <= len(text) <= 200:
        return False
    links = [el] if el.tag == "a" else el.findall(".//a")
    link_text = sum(len(fold_whitespace(a.text_content())) for a in links)
    return link_text >= 0.8 * len(text)


def _follows_headline(el: lxml.html.HtmlElement) -> bool:
    """The blurb comes right after a headline link (in its card or its parent's)."""
    if _is_headline_link(el.getprevious()):
        return True
    parent = el.getparent()
    return parent is not None and len(parent) <= 3 and el.getprevious() is None \
        and _is_headline_link(parent.getprevious())


def is_card_list(root: lxml.html.HtmlElement, article: Article) -> bool:
    """A home page whose headlines readability dropped, leaving their blurbs.

    readability removes link-heavy headings, so on a page of story cards
    (headline link + one-line blurb) the "article" it finds is the blurbs.  True
    when most paragraphs are short and each sits next to a headline link in
    the page: a card, not prose."""
    paragraphs = article.paragraphs[:_CARDS_CHECKED]
    if len(paragraphs) < 5 or max(len(p) for p in paragraphs) > _CARD_BLURB_CHARS:
        return False
    wanted = set(paragraphs)
    cards = 0
    for el in root.iter("p", "div", "span", "li"):
        if len(el) > 3 or not wanted:
            continue  # a blurb has (almost) no child elements
        text = el.text_content()
        if len(text) > _CARD_BLURB_CHARS + 50:
            continue
        text = fold_whitespace(text)
        if text in wanted and not el.xpath(".//a") and _follows_headline(el):
            wanted.discard(text)
            cards += 1
    return cards >= 0.6 * len(paragraphs)


def _sentence_count(article: Article) -> int:
    from ..segment import segment
    return len(segment(article.paragraphs, article.lang))
