"""Which of an article's sentences are real sentences, the only ones a summary may show.

A summary bullet that says "Best Windows laptops under $500" or "organic cotton |
linen | hemp" tells the reader nothing, so the ranker is handed a mask of the
sentences it may choose (``summary_mask``).  A sentence is *real* when

* its block is prose: a paragraph, a quote or a list item -- never a heading,
  a caption, a table cell or code, whatever its text;
* it ends like a sentence: a full stop, "?", "!" or an ellipsis, in any script
  ("。", "।", "؟", "။", ...; in Greek ";" asks a question), optionally followed by
  closing quotes or brackets and footnote marks (``."``, ``?)``, ``.[3]``);
* and, in a list item, it does not start in lower case ("organic cotton and
  hemp." continues the sentence that introduced the list; it is not one).

Among the real sentences, a summary prefers in some languages those that do not
open with a quotation (``summary_choices``): French news often opens on a
quoted line, the hook of the story rather than its gist.

Some articles have no real sentence at all (Thai marks no sentence ends; some
pages are bullet lists without full stops).  Then the sentences of prose
blocks may be chosen, and if there are none either, any sentence: a summary of
such a page is better than none.  The sentences that may not be chosen still
count as part of the article (the ranker's centroid): docs/method.md has the
measurement behind that.
"""

from __future__ import annotations

import re
from typing import Sequence

from .language import normalize_lang
from .segment import Sentence

# Blocks whose sentences never stand alone in a summary, whatever their text.
NOT_PROSE = frozenset({"heading", "caption", "table_cell", "code"})

SENTENCE_ENDS = frozenset(
    ".!?\u2026"                  # Latin, Cyrillic, ...; … ellipsis
    "\u3002\uff01\uff1f\uff0e\uff61"  # CJK 。！？．｡
    "\u0964\u0965"              # Devanagari and other Indic । ॥
    "\u061f\u06d4"              # Arabic ؟, Urdu ۔
    "\u0589"                    # Armenian ։
    "\u1362\u1367\u1368"        # Ethiopic ። ፧ ፨
    "\u104b"                    # Myanmar ။
    "\u17d4\u17d5"              # Khmer ។ ៕
    "\u0f0d"                    # Tibetan །
    "\u1803"                    # Mongolian ᠃
    "\u037e"                    # Greek question mark ;
    "\u203c\u2047\u2048\u2049"  # ‼ ⁇ ⁈ ⁉
)
# Languages where a plain ";" ends a question.
_SEMICOLON_ASKS = frozenset({"el"})

# What may follow the final mark: closing quotes and brackets, emphasis marks.
_CLOSING = frozenset("\"'\u201d\u2019\u00bb\u203a)]}\u300d\u300f\u3011\u3015\u300b\u3009\uff09*_")
# Footnote marks after the final mark: [3], [a], [citation needed], superscript digits.
_FOOTNOTES = re.compile(r"(?:\s*\[[^\[\]]{1,24}\]|[\u00b9\u00b2\u00b3\u2070-\u2079]+)+$")


def ends_a_sentence(text: str, lang: str | None = None) -> bool:
    """True when ``text`` ends with sentence-ending punctuation (see the module doc)."""
    t = _FOOTNOTES.sub("", text.rstrip())
    i = len(t) - 1
    while i >= 0 and (t[i] in _CLOSING or t[i].isspace()):
        i -= 1
    if i < 0:
        return False
    mark = t[i]
    return mark in SENTENCE_ENDS or (mark == ";" and (lang or "")[:2].lower() in _SEMICOLON_ASKS)


def starts_lower_case(text: str) -> bool:
    """True when the first letter or digit of ``text`` is a lower-case letter."""
    first = next((c for c in text if c.isalnum()), "")
    return first.islower()


def is_real_sentence(text: str, kind: str = "paragraph", lang: str | None = None) -> bool:
    """A sentence a reader would take as one: from a prose block, with final punctuation,
    and, in a list item, not starting in lower case."""
    if kind in NOT_PROSE or not ends_a_sentence(text, lang):
        return False
    return not (kind == "list_item" and starts_lower_case(text))


def summary_mask(texts: Sequence[str], kinds: Sequence[str] | None = None,
                 lang: str | None = None) -> list[bool]:
    """Which sentences (their texts and their blocks' kinds; None: all paragraphs) the
    ranker may choose: the real ones; failing any, those of prose blocks; failing any, all."""
    kinds = list(kinds) if kinds is not None else ["paragraph"] * len(texts)
    real = [is_real_sentence(t, k, lang) for t, k in zip(texts, kinds)]
    if any(real):
        return real
    prose = [k not in NOT_PROSE for k in kinds]
    if any(prose):
        return prose
    return [True] * len(texts)


# Languages whose news opens on a quotation often enough that a sentence opening with
# one is the story's hook, not its gist: a summary takes it only when too few others are
# left.  Measured on OrangeSum dev (bench/multilingual.py; docs/method.md): R1 +0.58 on
# the half it was chosen on, +0.08 on the other.  English was measured and left out
# (rank.py's doc: skipping quotes did not help on CNN/DailyMail); other languages have
# no data here, so they keep every real sentence.
QUOTE_HOOK_LANGUAGES = frozenset({"fr"})
_OPENING_QUOTES = frozenset("\"'\u00ab\u201c\u201e\u2018\u2039")


def opens_with_quote(text: str) -> bool:
    """True when the sentence starts with an opening quotation mark (" « “ „ ‘ ‹)."""
    return text.lstrip()[:1] in _OPENING_QUOTES


def summary_choices(texts: Sequence[str], eligible: Sequence[bool], lang: str | None,
                    k: int) -> list[bool]:
    """The sentences a ``k``-sentence summary may take: ``eligible`` (``summary_mask``)
    less, in a language of ``QUOTE_HOOK_LANGUAGES``, those that open with a quotation,
    unless that would leave fewer than ``k`` (or than all the eligible ones)."""
    eligible = list(eligible)
    if normalize_lang(lang) not in QUOTE_HOOK_LANGUAGES:
        return eligible
    narrowed = [ok and not opens_with_quote(t) for ok, t in zip(eligible, texts)]
    return narrowed if sum(narrowed) >= min(k, sum(eligible)) else eligible


def summary_choices_of(sentences: Sequence[Sentence], lang: str | None, k: int) -> list[bool]:
    """``summary_choices`` of segmented sentences, from their texts and blocks' kinds."""
    texts = [s.text for s in sentences]
    return summary_choices(texts, summary_mask(texts, [s.kind for s in sentences], lang),
                           lang, k)


def count_prose(sentences: Sequence[Sentence]) -> int:
    """How many sentences come from blocks of running text (not headings, captions, table
    cells or code): what an article needs enough of to be summarized."""
    return sum(s.kind not in NOT_PROSE for s in sentences)
