"""Cleaning rules, as data: what marks an element or a paragraph as page furniture.

The main block readability finds still holds furniture.  Two kinds of rule
remove it, both stated as data so they read as a list:

* **markup**: an element whose class, id, itemprop, role or component name names it as
  non-prose (captions, credits, bylines, time stamps, share bars, related-story
  rails, newsletter and promo boxes, ads, comments, tag lists) and the tags
  whose text is never article prose (``DROP_TAGS``);
* **text**: short paragraphs that are non-prose by their words: "Photo: ..."
  credits and captions ending in "(AP Photo/...)", "Updated 5:27 am ..."
  stamps, "Advertisement" labels, "Share this", "Read more: ..." teasers,
  "Citation ... subject to copyright" notices, all-caps "GET ... ON THE GO"
  calls to action, the headline and the byline repeated in the body, and
  rails of headline links.

``clean_blocks`` applies the text rules to the ``RawBlock``s of the main block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Block, BlockKind, word_key
from .furniture_i18n import is_i18n_furniture

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
    complementary contentinfo copyright credit credits cta date dateline datemodified
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

_SPLIT_FEATURE = re.compile(r"[^0-9a-zA-Z]+|(?<=[a-z])(?=[A-Z])")


@dataclass
class RawBlock:
    """One block of the main content before cleaning: its text, links, tag and kind."""

    text: str
    link_chars: int = 0
    tag: str = "p"
    links: int = 0
    kind: BlockKind = "paragraph"
    level: int | None = None   # a heading's level from its markup (``<h3>``: 3), if any

    @property
    def link_ratio(self) -> float:
        return min(1.0, self.link_chars / max(1, len(self.text)))


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
    if is_i18n_furniture(text):   # the same lines in the other languages served
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
                 byline: str | None = None) -> list[Block]:
    """Raw blocks -> the article's blocks: furniture, teaser links, the repeated headline
    and byline dropped; each keeps its kind."""
    title_key = word_key(title) if title else None
    byline_key = word_key(byline) if byline else None
    teaser = [is_link_teaser(b) for b in blocks]
    # Runs of headline links make a rail; a tag list next to one is no headline.
    headline = [t and b.links < 3 for t, b in zip(teaser, blocks)]
    out: list[Block] = []
    for i, block in enumerate(blocks):
        text = block.text
        key = word_key(text)
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
        if out and word_key(out[-1].text) == key and len(key) > 20:
            continue  # a caption shown twice (full and truncated) or a doubled line
        out.append(Block(text, block.kind, block.level if block.kind == "heading" else None))
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




# -- markup rules --------------------------------------------------------------------------
def features(el) -> str:
    """The words an element's markup says about it: class, id, itemprop, role and the
    name of the component it renders (``data-component="block:icon-cta"``)."""
    return " ".join(v for v in (el.get("class"), el.get("id"), el.get("itemprop"),
                                el.get("role"), el.get("data-component")) if v)


def is_marked(el) -> bool:
    """True when the element's markup (``features``) names it as non-prose."""
    return marker(el) is not None


def marker(el) -> str | None:
    """The marker word (or part) by which the element's markup names it as non-prose."""
    feats = features(el)
    if not feats or "embedded-post" in feats:
        return None
    for word in _SPLIT_FEATURE.split(feats):
        w = word.lower()
        if not w:
            continue
        if w in MARKER_WORDS:
            return w
        for part in MARKER_PARTS:
            if part in w:
                return part
    return None
