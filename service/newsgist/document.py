"""The document model shared by the stages: an ``Article`` made of typed ``Block``s.

Extraction yields the article as ordered blocks, each with the kind of thing it
is on the page (a paragraph, a heading, a list item, ...).  The kind travels
with every sentence cut from the block, so the ranker can keep headings,
captions and table cells out of a summary while the answer still shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Sequence, get_args

from .heading_rules import is_furniture_heading, is_name_heading

BlockKind = Literal["paragraph", "heading", "list_item", "quote", "caption", "table_cell", "code"]
BLOCK_KINDS: tuple[str, ...] = get_args(BlockKind)

# Blocks are joined by a blank line in ``Article.text``; sentence offsets point into it.
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Block:
    """One block of the article's main content, in page order."""

    text: str
    kind: BlockKind = "paragraph"
    # A heading's level, 1 (``<h1>``) to 6; None for other blocks, and for a heading
    # whose markup gives none until ``with_heading_levels`` places it.
    level: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")
        if self.level is not None and (self.kind != "heading" or not 1 <= self.level <= 6):
            raise ValueError(f"a level of 1-6 is for headings only, not {self.level!r} "
                             f"on a {self.kind}")


def with_heading_levels(blocks: Sequence[Block]) -> list[Block]:
    """Every heading with a level: one its markup gave (``<h3>``: 3) is kept; a heading
    without one (an ARIA heading with no ``aria-level``, a line that is all bold) goes
    one level below the last heading that had one (level 2 before any)."""
    out, last = [], None
    for block in blocks:
        if block.kind == "heading":
            if block.level is None:
                block = Block(block.text, "heading", min(6, (last or 1) + 1))
            else:
                last = block.level
        out.append(block)
    return out


# A section is a body section when its own blocks (not its subsections') hold at least
# this many words outside headings; a page with at least MIN_BODY_SECTIONS of them is
# built of sections (docs/method.md, "Pages built of sections").
BODY_SECTION_WORDS = 10
MIN_BODY_SECTIONS = 3


@dataclass(frozen=True)
class Section:
    """One part of the article: the introduction (``heading`` None, level 0) or a heading
    and its own blocks, ``blocks[first:end]``, up to the next heading of any level.

    ``parent`` is the index (in ``Article.sections``) of the section it is nested in
    (None at the top).  ``furniture``: opened by a furniture heading ("Related",
    "Comments"), or nested in one; such a section is no part of the article's body."""

    heading: int | None
    title: str
    level: int
    first: int
    end: int
    parent: int | None
    furniture: bool
    words: int

    @property
    def is_body(self) -> bool:
        """A heading of the article's own with text under it."""
        return self.heading is not None and not self.furniture \
            and self.words >= BODY_SECTION_WORDS


@dataclass(frozen=True)
class Article:
    """The readable article: ``text`` is the blocks' texts joined by blank lines."""

    title: str | None
    byline: str | None
    lang: str | None
    blocks: tuple[Block, ...]
    url: str | None = None
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", BLOCK_SEPARATOR.join(b.text for b in self.blocks))

    @classmethod
    def from_paragraphs(cls, paragraphs, title: str | None = None, byline: str | None = None,
                        lang: str | None = None, url: str | None = None) -> "Article":
        """An article whose blocks are all plain paragraphs (plain-text input)."""
        return cls(title=title, byline=byline, lang=lang, url=url,
                   blocks=tuple(Block(p) for p in paragraphs))

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The blocks' texts, in order."""
        return tuple(b.text for b in self.blocks)

    @property
    def words(self) -> int:
        return sum(len(b.text.split()) for b in self.blocks)

    @cached_property
    def block_starts(self) -> tuple[int, ...]:
        """Where each block starts in ``text``."""
        starts, offset = [], 0
        for block in self.blocks:
            starts.append(offset)
            offset += len(block.text) + len(BLOCK_SEPARATOR)
        return tuple(starts)

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """The introduction (always first, maybe empty), then one section per heading, in
        page order; each heading's section is nested in the last one of a lower level.
        A first heading that repeats the page's title (``is_title_heading``) opens no
        section: what follows it is the introduction."""
        return tuple(_sections(self.blocks, self.title))

    @cached_property
    def section_of_block(self) -> tuple[int, ...]:
        """For each block, the index of the section it belongs to (a heading belongs to
        the section it opens)."""
        owner = [0] * len(self.blocks)
        for i, section in enumerate(self.sections):
            for b in range(section.heading if section.heading is not None else section.first,
                           section.end):
                owner[b] = i
        return tuple(owner)

    @property
    def body_sections(self) -> list[int]:
        """Indices of the sections that are parts of the article's body (``is_body``)."""
        return [i for i, s in enumerate(self.sections) if s.is_body]

    @property
    def is_sectioned(self) -> bool:
        """Built of sections: at least MIN_BODY_SECTIONS body sections."""
        return len(self.body_sections) >= MIN_BODY_SECTIONS

    @property
    def is_list(self) -> bool:
        """A list page ("10 best ...", "5 alternatives to ..."): at least two thirds of the
        body sections at the most common level are headed by names ("3. Asana", "Best
        overall: the Larkspur 2"), or the title announces about as many items as there are."""
        if not self.is_sectioned:
            return False
        levels = [self.sections[i].level for i in self.body_sections]
        level = max(set(levels), key=lambda lv: (levels.count(lv), -lv))
        titles = [self.sections[i].title for i in self.body_sections
                  if self.sections[i].level == level]
        names = sum(is_name_heading(t) for t in titles)
        announced = _announced_count(self.title or "")
        return len(titles) >= MIN_BODY_SECTIONS and names * 3 >= len(titles) * 2 or (
            announced is not None and 0.6 * announced <= len(titles) <= announced + 3)


# "10 Best ...", "Top 5 ...", "40 Scholarships for ...", "The 7 ...", "Five apps ...": a
# title that counts (in figures, or in English words up to fifty).
_NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50})
_ANNOUNCED = re.compile(r"^(?:the\s+|top\s+|our\s+)*(\d{1,3}|[a-z]+)\s+(?!%|percent|years?\b|"
                        r"days?\b|hours?\b|minutes?\b|months?\b|weeks?\b|times?\b)[^\W\d]",
                        re.I)


def _announced_count(title: str) -> int | None:
    match = _ANNOUNCED.match(title.strip())
    if not match:
        return None
    word = match.group(1).lower()
    count = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
    return count if count is not None and count >= MIN_BODY_SECTIONS else None


# Separators between a page title's parts ("How to X | Site", "Site - How to X").
_TITLE_PARTS = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022]+\s+")
# A heading holding this share of a title part's characters (and inside it) is that title
# ("Best Travel Insurance for Seniors" under the title "... for Seniors in 2025").
TITLE_SHARE = 0.6


def word_key(text: str) -> str:
    """The text's words, lower-cased, one space apart: the same heading, title or line in
    another copy (other case, punctuation or spacing) has the same key."""
    return " ".join(re.findall(r"\w+", text.lower()))


def is_title_heading(block: Block, title: str | None) -> bool:
    """Is this ``<h1>`` the page's own title, repeated at the top of the article?  The
    article's sections are then the headings under it, and the text right under it
    is its introduction (19 of the 602 WCXB article pages built of sections open with
    their title as an ``<h1>``, which made the whole page one section)."""
    if block.kind != "heading" or block.level != 1 or not title:
        return False
    heading = word_key(block.text)
    if not heading:
        return False
    for part in [title, *_TITLE_PARTS.split(title)]:
        part = word_key(part)
        if heading in part and len(heading) >= TITLE_SHARE * len(part):
            return True
    return False


def _sections(blocks: Sequence[Block], title: str | None = None) -> list[Section]:
    starts = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    if starts and is_title_heading(blocks[starts[0]], title):
        starts = starts[1:]   # the title: what follows it is the introduction
    bounds = starts + [len(blocks)]
    sections = [Section(heading=None, title="", level=0, first=0, end=bounds[0], parent=None,
                        furniture=False, words=_body_words(blocks[:bounds[0]]))]
    open_sections: list[int] = []          # the chain of enclosing sections, outermost first
    for n, start in enumerate(starts):
        heading = blocks[start]
        level = heading.level or 2
        while open_sections and sections[open_sections[-1]].level >= level:
            open_sections.pop()
        parent = open_sections[-1] if open_sections else None
        furniture = is_furniture_heading(heading.text) or (
            parent is not None and sections[parent].furniture)
        end = bounds[n + 1]
        sections.append(Section(heading=start, title=heading.text, level=level, first=start + 1,
                                end=end, parent=parent, furniture=furniture,
                                words=_body_words(blocks[start + 1:end])))
        open_sections.append(len(sections) - 1)
    return sections


def _body_words(blocks: Sequence[Block]) -> int:
    return sum(len(b.text.split()) for b in blocks if b.kind != "heading")
