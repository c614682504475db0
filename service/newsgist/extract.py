"""Stage 1: page HTML -> the readable article (title, byline, language, paragraphs).

readability-lxml finds the article's main block.  This module parses the page
once, prepares a copy for readability (embedded posts such as tweets are kept:
readability would drop them as "unlikely candidates"), asks readability for
the main block, and turns that block into clean paragraphs:

* one paragraph per block element (list items, table rows and ``<br>`` lines
  stay apart: ``text_content()`` would glue "FL" and "June" into "FLJune");
* elements marked as non-prose by their markup are removed: figures and their
  captions, photo credits, bylines and time stamps, share bars, related-story
  rails, newsletter and promo boxes, ads, comments, tag lists;
* paragraphs that are non-prose by their text are dropped: "Photo: ..." credits
  and captions ending in "(AP Photo/...)", "Updated 5:27 am ..." stamps,
  "Advertisement" labels, "Share this", "Read more: ..." teasers, "Citation ...
  subject to copyright" notices, all-caps "GET ... ON THE GO" calls to action,
  the headline and the byline repeated in the body.

Pages that hold no article (a home page or other list of links, a login,
cookie or bot-check wall, a paywall stub, an empty page, a PDF or other binary
file) raise ``NoArticle`` with a stable ``code`` and a message for people.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
from readability import Document
from readability.htmls import shorten_title

from .document import Article
from .errors import NoArticle
from .language import detect_language, normalize_lang

# Elements that end a paragraph: text on either side belongs to different blocks.
BLOCK_TAGS = frozenset("""
    address article aside blockquote body br dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
    section summary table tbody tfoot thead tr ul
""".split())
# Table cells are words of their row: one paragraph per row, cells apart by a space.
CELL_TAGS = frozenset({"td", "th"})

# Elements whose text is never article prose.
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "math", "button",
             "figcaption", "figure", "iframe", "object", "embed", "select", "textarea",
             "input", "nav", "aside", "footer", "label", "dialog")

INLINE_TAGS = frozenset("""
    a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong
    sub sup time u var
""".split())

# Markup that names an element as non-prose.  Class, id, itemprop and role are
# split into words ("article-byline__name" -> article, byline, name); a word in
# MARKER_WORDS, or a word containing one of MARKER_PARTS, marks the element.
MARKER_WORDS = frozenset("""
    ad ads adslot advert adverts advertisement advertising author authors banner bio
    breadcrumb breadcrumbs byline bylines caption captions carousel comment comments
    complementary contentinfo copyright credit credits date dateline datemodified
    datepublished disqus gallery meta navigation newsletter outbrain pagination
    photocredit promo promos published rail recirc recirculation recommended related
    share sharing sidebar slideshow social sponsor sponsored subscribe subscription
    tags taboola teaser teasers timestamp toolbar tools widget
""".split())
MARKER_PARTS = ("caption", "byline", "gallery", "newsletter", "advert", "sponsor",
                "share", "social", "related", "promo", "breadcrumb", "outbrain", "taboola",
                "screenreader", "sronly", "visuallyhidden", "timestamp", "tooltip", "popover",
                "hovercard", "rollover")
# Embedded posts (tweets, Instagram posts...) quoted by the article: kept, and
# their class is neutralized so readability does not drop them for "tweet".
EMBED_CLASS = re.compile(r"twitter-tweet|twitter-video|instagram-media|tiktok-embed|"
                         r"fb-post|fb-xfbml|reddit-card|bluesky-embed|mastodon-embed|"
                         r"threads-post", re.I)
_TWEETISH = re.compile(r"tweet|twitter", re.I)

_WS = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPLIT_FEATURE = re.compile(r"[^0-9a-zA-Z]+|(?<=[a-z])(?=[A-Z])")


@dataclass
class RawBlock:
    """One paragraph of readability's main block, before cleaning: its text and links."""

    text: str
    link_chars: int = 0
    tag: str = "p"
    links: int = 0

    @property
    def link_ratio(self) -> float:
        return min(1.0, self.link_chars / max(1, len(self.text)))


def fold_whitespace(text: str) -> str:
    """One space for any run of whitespace (nbsp included), zero-width characters removed."""
    return _WS.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


def article_from_text(text: str, title: str | None = None, lang: str | None = None) -> Article:
    """Plain text -> Article: paragraphs are separated by blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = tuple(p for p in (fold_whitespace(b) for b in re.split(r"\n\s*\n", text)) if p)
    return Article.from_paragraphs(paragraphs, title=title, lang=lang)


# Characters lxml parses into a tree but then refuses in any text it is given
# (drop_tree, which readability and this module use, fails with ValueError):
# C0 controls other than tab and newlines, U+FFFE/U+FFFF and lone surrogates.
# Browsers show none of them; a form feed is whitespace.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _not_xml_chars(html: str) -> str:
    return _NOT_XML.sub("", html.replace("\x0c", " "))


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse a whole page; raise NoArticle for input that is no HTML page."""
    check_binary(html)
    html = _not_xml_chars(html)
    if not html.strip():
        raise NoArticle("The page is empty: there is no text to summarize.", code="empty_page")
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise NoArticle(f"The input could not be read as HTML ({exc}).", code="not_html") from None


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the readable article from a page's HTML.

    Raises ``NoArticle`` (with a stable ``code``) when the page holds no
    article: see ``check_page``.  Never raises anything else on odd HTML."""
    root = parse_html(html)
    meta = _page_metadata(root)
    blocks = main_blocks(root)
    paragraphs = clean_blocks(blocks, title=meta["title"], byline=meta["byline"])
    text = " ".join(paragraphs)
    lang = choose_language(meta["lang"], text)
    article = Article.from_paragraphs(paragraphs, title=meta["title"], byline=meta["byline"],
                                      lang=lang, url=url)
    check_page(root, article, blocks)
    return article


# -- the main block ------------------------------------------------------------------------
def main_blocks(root: lxml.html.HtmlElement) -> list[RawBlock]:
    """Readability's main block of the page, as a list of ``RawBlock``s, boilerplate removed."""
    prepare_for_readability(root)
    try:
        # html_partial: the full-document form sometimes comes back as an empty
        # <body> (its wrapper div is dropped by readability's own cleaning).
        main_html = _Readability(root).summary(html_partial=True)
    except Exception:  # readability raises its own Unparseable and lxml errors
        main_html = ""
    if not main_html.strip():
        return []
    try:
        fragment = lxml.html.fragment_fromstring(main_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError, AssertionError):
        return []  # lxml asserts on fragments that hold no body at all
    remove_marked(fragment)
    return fragment_blocks(fragment)


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


def _features(el: lxml.html.HtmlElement) -> str:
    return " ".join(v for v in (el.get("class"), el.get("id"), el.get("itemprop"),
                                el.get("role")) if v)


def is_marked(el: lxml.html.HtmlElement) -> bool:
    """True when the element's class, id, itemprop or role names it as non-prose."""
    feats = _features(el)
    if not feats or "embedded-post" in feats:
        return False
    for word in _SPLIT_FEATURE.split(feats):
        w = word.lower()
        if not w:
            continue
        if w in MARKER_WORDS or any(part in w for part in MARKER_PARTS):
            return True
    return False


def remove_marked(fragment: lxml.html.HtmlElement) -> None:
    """Remove non-prose elements (by tag or markup) from readability's main block.

    An element that holds most of the block's text is never removed: when the
    article itself sits in a ``<div class="post-share-wrapper">``, the markup
    is wrong, not the text."""
    total = len(fold_whitespace(fragment.text_content())) or 1
    for el in list(fragment.iter(*DROP_TAGS)):
        if el.tag in ("figure",) and _holds_prose(el, total):
            continue
        _drop_keep_tail(el)
    for el in list(fragment.iter()):
        if el is fragment or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.tag in INLINE_TAGS and el.tag != "span":
            continue
        if is_marked(el) and not _holds_prose(el, total) \
                and not el.xpath(".//blockquote[@class='embedded-post']"):
            _drop_keep_tail(el)


def _holds_prose(el: lxml.html.HtmlElement, total: int) -> bool:
    return len(fold_whitespace(el.text_content())) > 0.5 * total


def block_paragraphs(fragment_html: str) -> list[str]:
    """Text of an HTML fragment, one paragraph per block element (non-prose removed)."""
    try:
        root = lxml.html.fragment_fromstring(fragment_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError, AssertionError):
        return []  # lxml asserts on fragments that hold no body at all
    remove_marked(root)
    return [b.text for b in fragment_blocks(root)]


def fragment_blocks(root: lxml.html.HtmlElement) -> list[RawBlock]:
    """Walk a fragment: one ``RawBlock`` per block element, with its link-text length."""
    blocks: list[RawBlock] = []
    buf: list[str] = []
    link_buf: list[int] = [0, 0]  # link characters, links
    tags: list[str] = ["p"]
    in_link = 0

    def flush() -> None:
        text = fold_whitespace("".join(buf))
        buf.clear()
        if text:
            blocks.append(RawBlock(text, link_buf[0], tags[-1] if tags else "p", link_buf[1]))
        link_buf[0] = link_buf[1] = 0

    def add(s: str | None) -> None:
        if s:
            buf.append(s)
            if in_link:
                link_buf[0] += len(fold_whitespace(s))

    # iterwalk, not recursion: pages nest thousands of levels deep.
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                flush()
                tags.append(tag)
            elif tag in CELL_TAGS:
                buf.append(" ")
            if tag == "a":
                in_link += 1
                link_buf[1] += 1
            if isinstance(el.tag, str):
                add(el.text)
        else:
            if tag == "a":
                in_link -= 1
            if tag in BLOCK_TAGS:
                flush()
                if len(tags) > 1:
                    tags.pop()
            elif tag in CELL_TAGS:
                buf.append(" ")
            if el is not root:
                add(el.tail)
    flush()
    return blocks


def _drop_keep_tail(el: lxml.html.HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()  # lxml keeps the tail text in place


# -- paragraph-level rules ---------------------------------------------------------------
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|"
           "april|june|july|august|september|october|november|december")
_STAMP = re.compile(
    r"^(?:(?:last\s+)?(?:updated|modified|published|posted|created|first published|"
    r"atualizado|publicado|actualizado|aktualisiert|ver[öo]ffentlicht|pubblicato|"
    r"aggiornato|mis à jour|publié|diperbarui|опубликовано|обновлено)"
    r"(?:\s+(?:on|at|em|am|le|il|el))?\s*:?\s)", re.I)
_DATE_WORDS = re.compile(
    rf"^(?:{_MONTHS}|am|pm|a\.m|p\.m|est|edt|cst|cdt|mst|mdt|pst|pdt|gmt|utc|bst|cet|cest|"
    r"ist|et|pt|ct|on|at|of|the|de|às|as|um|le|à|h|hrs|ago|min|mins|minutes|hours|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)$",
    re.I)
_YEAR_OR_TIME = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,2}[:.h]\d\d\b")
_CREDIT = re.compile(
    r"^(?:\(?(?:photo|photos|photograph|image|images|picture|pictures|foto|fotos|illustration|"
    r"video|graphic|credit|credits|source|image credit|photo credit|image source|"
    r"bild|fonte|crédito|créditos|фото)s?\b(?:\s+(?:by|credit|courtesy|de|von))?\s*[:©|/]"
    r"|©|\(c\)\s|copyright\b)", re.I)
_TRAILING_CREDIT = re.compile(
    r"\((?:[^()]{0,40}\s)?(?:photo|photos|photograph|image|foto|picture|file photo)"
    r"(?:\s*/|\s+by\s|\s*:)[^()]{1,80}\)\s*$", re.I)
_AGENCY = re.compile(r"getty images|shutterstock|istock|associated press|\bap photo\b|"
                     r"\bafp\b|\breuters\b|\bepa\b|alamy|bloomberg|\bwire ?image\b", re.I)
_LABEL = re.compile(
    r"^(?:advertisement|advertising|advert|ad|sponsored|sponsored content|anzeige|werbung|"
    r"publicidade|publicidad|pubblicità|publicité|реклама|iklan|広告|광고|"
    r"story continues below(?: advertisement)?|article continues below(?: advertisement)?|"
    r"continue reading(?: below)?|scroll to continue(?: with content)?|"
    r"share|share this|share this article|share this story|share on|sharing is caring!?|"
    r"like this:?|like loading\.*|comments?|\d+ comments?|leave a comment|"
    r"tweet|pin|pin it|email|print|close|read more|more|see more|load more|show more|"
    r"you may also like\W*|related|related articles|related stories|related posts|"
    r"recommended|more stories|more from .{1,40}|don't miss|must read|trending|"
    r"tags?|filed under|topics?|this slideshow requires javascript\.?|"
    r"image \d+ of \d+|\d+ of \d+|subscribe|sign up|log in|sign in)\s*[:.!…]*$", re.I)
_LEAD_IN = re.compile(
    r"^[\[(]?\s*(?:related(?: \w+)?|read more|read also|also read|read next|see also|more|"
    r"watch|listen|recommended|don't miss|must read|more on this|further reading|"
    r"leia também|leia mais|veja também|veja mais|lesen sie auch|mehr zum thema|"
    r"leggi anche|lee también|lire aussi|à lire aussi|читайте также|baca juga|"
    r"tags?|filed under|topics?|categories|category)(?:\s+\w+)?\s*[:：|]", re.I)
_SOCIAL = re.compile(r"^(?:(?:share|sharing|on|via|to|facebook|twitter|x|whatsapp|telegram|"
                     r"pinterest|pint|linkedin|reddit|email|e-mail|mail|print|copy link|"
                     r"messenger|flipboard|tumblr|vk|baixar|download|compartilhe|"
                     r"compartilhar|teilen|condividi|поделиться|tweet|pin|save|comment|"
                     r"comments|sms)\W*\s*)+$", re.I)
_PROMO = re.compile(
    r"click here|sign up (?:for|to)|subscribe (?:to|now|today|for)|newsletter|"
    r"follow (?:us|@)|download (?:the|our) app|get the .{1,30} app|delivered to your inbox|"
    r"(?:in|to) your inbox|join .{1,30} (?:today|now)|become a (?:member|subscriber)|"
    r"support (?:our|independent) journalism|already a subscriber|"
    r"if you enjoyed this article|if you buy something through|may earn (?:a )?commission|"
    r"affiliate link", re.I)
_NOTICE = re.compile(r"subject to copyright|all rights reserved|may not be (?:published|"
                     r"reproduced|redistributed)|no part may be reproduced|"
                     r"^citation:.*\bretrieved\b", re.I)
_CALL_TO_ACTION_WORDS = re.compile(r"\b(?:CLICK|GET|DOWNLOAD|SUBSCRIBE|SIGN UP|READ|WATCH|"
                                   r"FOLLOW|JOIN|LISTEN|SHOP|TRY|SEE|MORE|APP)\b")


_SHARE = re.compile(r"^(?:share|sharing|compartilh|compart|teilen|partager|condividi|"
                    r"поделит)", re.I)
_PROMO_HINTS = ("click", "sign up", "subscri", "newsletter", "follow", " app", "inbox", "join",
                "member", "journalism", "enjoyed", "commission", "affiliate", "buy something")
_NOTICE_HINTS = ("copyright", "rights reserved", "reproduc", "citation", "redistribut")


def is_boilerplate_text(text: str) -> bool:
    """True for a paragraph that is page furniture, judged by its text alone."""
    n = text.count(" ") + 1
    if n > 80 or not text.strip():
        return not text.strip()
    low = text.lower()
    if n <= 12 and (_LABEL.match(text) or _SOCIAL.match(text) or is_date_line(text)):
        return True
    if n <= 6 and _SHARE.match(text) and not text.rstrip().endswith((".", "!", "?")):
        return True
    if n <= 40 and _LEAD_IN.match(text):
        return True
    if n <= 60 and any(h in low for h in _NOTICE_HINTS) and _NOTICE.search(text):
        return True
    if n <= 40 and _CREDIT.match(text) and (n <= 12 or _AGENCY.search(text)):
        return True
    if text.endswith(")") and _TRAILING_CREDIT.search(text):
        return True
    if n <= 12 and ("|" in text or "/" in text) and _AGENCY.search(text) \
            and not re.search(r"[.!?]\s*$", text):
        return True
    if n <= 14 and _STAMP.match(text) and _YEAR_OR_TIME.search(text):
        return True
    if n <= 40 and any(h in low for h in _PROMO_HINTS) and _PROMO.search(text):
        return True
    if 2 <= n <= 16 and not any(c.islower() for c in text) and _CALL_TO_ACTION_WORDS.search(text) \
            and sum(c.isalpha() for c in text) >= 8:
        return True  # "GET FOX BUSINESS ON THE GO BY CLICKING HERE"
    return False


def is_date_line(text: str) -> bool:
    """A line that is only a date and/or time ("Nov. 19, 2019 8:31 AM EST")."""
    if not _YEAR_OR_TIME.search(text):
        return False
    other = [w for w in re.findall(r"[^\W\d_]+", text) if not _DATE_WORDS.match(w)]
    return len(other) <= 3 and len(other) < len(re.findall(r"\w+", text))


def clean_blocks(blocks: list[RawBlock], title: str | None = None,
                 byline: str | None = None) -> list[str]:
    """Blocks -> paragraphs: furniture, teaser links, the repeated headline and byline dropped."""
    title_key = _key(title) if title else None
    byline_key = _key(byline) if byline else None
    teaser = [is_link_teaser(b) for b in blocks]
    # Runs of headline links make a rail; a tag list next to one is no headline.
    headline = [t and b.links < 3 for t, b in zip(teaser, blocks)]
    out: list[str] = []
    for i, block in enumerate(blocks):
        text = block.text
        key = _key(text)
        if not key:
            continue
        if title_key and key == title_key or (block.tag == "h1" and not out):
            continue  # the headline is reported as the title, not as prose
        if byline_key and (key == byline_key or key == "by " + byline_key):
            continue
        if _looks_like_byline(text):
            continue
        if is_boilerplate_text(text):
            continue
        if teaser[i] and (_is_link_rail(block) or (i > 0 and headline[i - 1])
                          or (i + 1 < len(headline) and headline[i + 1])):
            continue  # a rail of related-story links, or a tag list
        if out and _key(out[-1]) == key and len(key) > 20:
            continue  # a caption shown twice (full and truncated) or a doubled line
        out.append(text)
    return out


_URLISH = re.compile(r"^\S*(?:www\.|https?://|@)\S*$|^\S+\.(?:com|org|net)\b", re.I)


def is_link_teaser(block: RawBlock) -> bool:
    """A paragraph that is all link and reads like a headline (not a URL, not a sentence)."""
    text = block.text
    if block.links == 0 or block.link_ratio < 0.9 or _URLISH.match(text):
        return _is_tag_list(block)
    return (len(text.split()) <= 25 or block.links >= 3) \
        and not text.rstrip().endswith((".", ":", ";"))


def _is_tag_list(block: RawBlock) -> bool:
    return block.links >= 3 and block.link_ratio >= 0.8 \
        and not block.text.rstrip().endswith((".", ":", ";"))


def _is_link_rail(block: RawBlock) -> bool:
    """Several links and nothing else in one paragraph (a tag list), or a shouting teaser."""
    if block.links >= 3:
        return True
    letters = [c for c in block.text if c.isalpha()]
    return len(block.text.split()) >= 3 and len(letters) >= 8 \
        and not any(c.islower() for c in letters)


_BYLINE = re.compile(r"^(?:by|por|von|par|di|oleh|door|av|af|автор)\s+\S.{0,80}$", re.I)


def _looks_like_byline(text: str) -> bool:
    if not _BYLINE.match(text) or len(text.split()) > 12:
        return False
    # "By Jane Doe", "By Jane Doe and John Roe, Associated Press": names, no sentence.
    body = re.sub(r"^\S+\s+", "", text)
    return not re.search(r"[.!?]\s*$", body) or bool(re.search(r"\b[A-Z]\.$", body))


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# -- page metadata and language --------------------------------------------------------------
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


# -- pages that are not articles -------------------------------------------------------------
# An article shorter than this (in characters: word counts mean nothing in
# Japanese or Chinese) may be a stub in front of a wall (~150 English words).
SHORT_ARTICLE_CHARS = 900
# A text of fewer sentences is a stub: what a wall lets through, not an article.
STUB_SENTENCES = 3
# A bot-check or wall page has little text of its own (its menus aside).
SHORT_PAGE_WORDS = 300

_PDF_MAGIC = ("%PDF-",)
_BINARY_MAGIC = ("\x89PNG", "GIF8", "\xff\xd8\xff", "PK\x03\x04", "\x1f\x8b", "ID3",
                 "OggS", "RIFF", "\x00\x00\x01\x00")
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


def check_binary(html: str) -> None:
    """NoArticle for a PDF or other binary file sent as if it were HTML."""
    head = html[:16].lstrip("\ufeff\r\n\t ")
    if head.startswith(_PDF_MAGIC):
        raise NoArticle("This is a PDF document, not a web page: NewsGist summarizes the "
                        "articles of HTML news pages.", code="pdf_document")
    sample = html[:4096]
    if not sample:
        return
    odd = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f") or c == "\ufffd")
    if head.startswith(_BINARY_MAGIC) or odd > 0.05 * len(sample):
        raise NoArticle("The input is a binary file (an image, archive or other non-text "
                        "data), not an HTML page.", code="not_html")


def check_page(root: lxml.html.HtmlElement, article: Article, blocks: list[RawBlock]) -> None:
    """Raise NoArticle when the page is not an article, saying what it is instead.

    The checks look at the extracted article first (how long it is, how much of
    it is headline links or story-card blurbs) and only then at the page
    around it, so an article that merely mentions cookies, captchas or
    subscriptions, or a page with a sign-in box in its header, is never rejected."""
    size = len(article.text)
    if _is_pdf_viewer(root):
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


def visible_text(root: lxml.html.HtmlElement, limit: int = 20000) -> str:
    """The page's text as a reader sees it (no scripts, styles or templates), folded."""
    parts: list[str] = []
    size = 0
    for text in _VISIBLE_TEXT(root):
        parts.append(text)
        size += len(text)
        if size > limit:
            break
    return fold_whitespace(" ".join(parts))


_VISIBLE_TEXT = lxml.etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript "
    "or ancestor::template or ancestor::svg)]")


def _is_pdf_viewer(root: lxml.html.HtmlElement) -> bool:
    if root.xpath("//embed[@type='application/pdf'] | //object[@type='application/pdf']"):
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
    markup = " ".join(_features(el) + " " + (el.get("src") or el.get("action") or "")
                      for el in root.iter("div", "form", "script", "iframe"))
    return any(m in markup for m in _BOT_MARKUP)


def _is_cookie_wall(article: Article, page_text: str) -> bool:
    """The text readability found (or, with none, the page) is a consent notice."""
    text = article.text if len(article.text) >= 120 else page_text
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
    return any("paywall" in _features(el).lower() for el in root.iter("div", "section", "aside"))


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
    from .segment import segment
    return len(segment(article.paragraphs, article.lang))
