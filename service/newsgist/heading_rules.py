"""What a heading says about its section, as data: page furniture, or the name of an item.

Two questions the document model asks of a heading's text:

* **Is it page furniture?**  A heading such as "Related", "Comments", "Share
  this", "Newsletter", "Advertisement" or "More from ..." opens no section of
  the article: what follows it is a rail, a form or a thread.  Extraction keeps
  most furniture out already; these are the headings that survive it.  The
  patterns were read off the headings NewsGist extracts from the article pages
  of the WCXB tuning half that are missing from their ground truth
  (``bench/structured.py --headings``); none names a site.
* **Is it a name?**  On a list page ("5 open source alternatives to Trello",
  "40 scholarships") most sections are headed by the name of an item: a
  product, a place, a tool, often numbered.  A guide's headings say what the
  section does ("How to apply", "Why it matters").

Only the text is looked at; the patterns are English, and a heading in another
language is never furniture (it opens a section, as it did before this module).
"""

from __future__ import annotations

import re

# Whole-heading patterns (after trimming punctuation and case): the heading is the
# label of a rail, a form, a thread or an ad, not the title of a part of the article.
FURNITURE_PATTERNS: tuple[str, ...] = (
    r"(?:you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|also read|read also)\b.*",
    r"(?:related|recommended|suggested|similar|more|latest|popular|trending|top|recent|featured"
    r"|most (?:read|popular|viewed|shared)|editor'?s? (?:picks?|choice)|further reading)"
    r"(?: (?:articles?|stories|posts?|news|reading|content|links?|videos?|topics?|coverage"
    r"|for you|on \S+(?: \S+){0,3}|from \S+(?: \S+){0,4}|in \S+(?: \S+){0,3}|headlines))?",
    r"more (?:from|on|in|about|by|like this|to (?:read|explore|watch)|stories|news)\b.*",
    r"related (?:articles?|stories|posts?|content|reading|links|videos|guides)\b.*",
    r"(?:read|see|watch|explore) (?:more|next|also|this next)\b.*",
    r"(?:what to read|keep reading|continue reading|up next|don'?t miss|in case you missed it)\b.*",
    r"(?:\d+ )?(?:comments?|responses?|replies|discussion|reader comments|join the "
    r"(?:conversation|discussion))(?: \(\d+\))?",
    r"(?:leave|post|add|write) (?:a|your) (?:comment|reply|review)\b.*",
    r"(?:user|customer|reader) (?:reviews?|comments?|ratings?)(?: (?:for|of|on)\b.*)?",
    r"(?:still )?(?:have|got) (?:any |more )?questions|let us\b.*|(?:get|stay) in touch\b.*",
    r"(?:share|share this|share (?:this )?(?:article|story|post|page)|share on \S+|spread the word)",
    r"(?:follow us|follow \S+(?: \S+)? on|connect with us|stay connected|find us on \S+)\b.*",
    r"(?:helpful|useful|quick|external) links|(?:references|sources|bibliography|footnotes"
    r"|citations|works cited)(?: (?:and|&) \w+)?",
    r"(?:(?:sign up|subscribe)(?: (?:to|for) (?:our|the) \S+(?: \S+){0,3})?|(?:our |the |free )?"
    r"newsletters?|get (?:our|the) \S+(?: \S+){0,3} (?:newsletter|in your inbox)|join our "
    r"(?:newsletter|mailing list|community))",
    r"(?:advertisement|advertising|sponsored(?: content| links| stories)?|partner content"
    r"|paid (?:content|post)|promoted(?: stories)?|ad)",
    r"(?:tags?|topics?|categories|filed under|related (?:tags|topics))",
    r"(?:about the authors?|about (?:the )?writer|author bio|written by\b.*|meet the author)",
    r"(?:table of contents|contents|in this (?:article|story|post|guide)|on this page|jump to\b.*"
    r"|skip to\b.*|quick links|navigation|menu)",
    r"(?:trending now|breaking news|latest news|top stories|news in brief|most read)",
    r"(?:cookie\w*|privacy (?:policy|settings)|terms of (?:use|service))",
)
_FURNITURE = re.compile(r"^(?:" + "|".join(FURNITURE_PATTERNS) + r")$", re.I)
# "Ten tips for a tidy desk | Brand": another page's title with its site's name, the
# heading of a teaser card.
_TEASER_TITLE = re.compile(r"^\S.{8,}\s\|\s[^|]{2,40}$")
_TRIM = re.compile(r"^[\W\d_]+|[\W_]+$")

# A heading longer than this is a title of the article's own, whatever its words.
FURNITURE_MAX_WORDS = 12


def is_furniture_heading(text: str) -> bool:
    """True when a heading labels page furniture ("Related stories", "3 Comments")."""
    words = text.split()
    if not words or len(words) > FURNITURE_MAX_WORDS:
        return False
    core = _TRIM.sub("", " ".join(words).replace("\u2019", "'"))
    return bool(core) and bool(_FURNITURE.match(core) or _TEASER_TITLE.match(text.strip()))


# -- names -------------------------------------------------------------------------------
# "1. ", "#3:", "No. 4 -", "10)" before an item's name (or a report's section number).
_NUMBER = re.compile(
    r"^\s*(?:#|no\.?\s*|number\s+)?(\d{1,3})(?:\.\d+)*\s*[.):\-\u2013\u2014]?\s+(?=\S)", re.I)
# The words that open a heading that says what its section does, not what it names.
TOPIC_OPENERS = frozenset("""
    how why what when where who which whose whether is are can could should do does did will
    would the a an our my your their its this these those step steps tips tip ways way
    getting understanding choosing using making finding final bottom key more other
""".split())
# The parts every report, paper and guide has: numbered or not, they name no item.
GENERIC_SECTIONS = frozenset("""
    introduction background overview summary conclusion conclusions discussion results method
    methods methodology approach experiments experiment evaluation analysis data related
    future acknowledgements acknowledgments references appendix abstract verdict faq faqs
    pros cons features pricing specs specifications setup installation usage requirements
    resources notes sources methodology takeaways takeaway glossary contents
""".split())
NAME_MAX_WORDS = 5


def is_name_heading(text: str) -> bool:
    """True when a heading reads as the name of an item (a product, a place, a tool):
    a number before a short capitalised name ("3. Asana", "#4: Kyoto"), or a label
    before one ("Best overall: the Larkspur 2").  The name is opened by neither a
    question or function word nor the name of a part every report has ("1 Introduction",
    "2 Results").  A bare heading is never taken for a name: "Sunlight" may head a
    guide's section as well as "Inkwell" a list's item."""
    match = _NUMBER.match(text)
    if match:
        return _reads_as_name(text[match.end():])
    label = _LABEL_THEN_NAME.match(text)
    return label is not None and _reads_as_name(label.group(1))


# "Best for hills: the Summit Drive", "Budget pick - Brisk One".
_LABEL_THEN_NAME = re.compile(
    r"^[^:\u2013\u2014]{2,60}(?::|\s[-\u2013\u2014])\s+(?:the\s+|an?\s+)?(.+)$", re.I)


def _reads_as_name(text: str) -> bool:
    words = _TRIM.sub("", text).split()
    if not words or len(words) > NAME_MAX_WORDS or text.rstrip().endswith(("?", ":")):
        return False
    first = words[0].lower().strip(":,")
    if first in TOPIC_OPENERS or first in GENERIC_SECTIONS:
        return False
    return words[0][:1].isupper() or words[0][:1].isdigit()
