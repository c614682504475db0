"""The outline of a page built of sections: each heading with the sentence that stands for it.

A reader of a guide or a list page asks "what are the parts?" as much as "what
does it say?".  The outline answers the first: the page's headings in page
order, nested by level, each with the one real sentence that best stands for
its section (``CentroidRanker.representatives``: the best cover of the section
read as a story of its own), or none when the section holds no real sentence.
On a list page ("10 best ...") the outline *is* the list of items.

Only a page with at least three body sections has an outline
(``Article.is_sectioned``); furniture sections ("Related", "Comments") and
headings with no text under them, nor under their subsections, are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, Sequence, TypeVar

from .document import Article

# The most entries (nested ones included) an outline holds; a page of 200 recipes
# lists its first 40 and says it has more (``Outline.truncated``).
OUTLINE_MAX_ENTRIES = 40

Sentence = TypeVar("Sentence")


@dataclass(frozen=True)
class OutlineEntry(Generic[Sentence]):
    """A heading of the page: its text, level (1-6) and offsets in ``Article.text``,
    the sentence that stands for its section (None when it holds no real sentence),
    and the entries of its subsections."""

    heading: str
    level: int
    start: int
    end: int
    sentence: Sentence | None
    children: tuple["OutlineEntry[Sentence]", ...] = ()


@dataclass(frozen=True)
class Outline(Generic[Sentence]):
    """The page's outline.  ``kind``: "list" when most sections are headed by the
    names of items (``Article.is_list``), else "sections"."""

    entries: tuple[OutlineEntry[Sentence], ...]
    truncated: bool
    kind: Literal["list", "sections"]


def section_ids(article: Article, paragraphs: Sequence[int]) -> list[int]:
    """The section (index in ``article.sections``) of each sentence, given the block each
    was cut from; -1 for a sentence of a furniture section."""
    owner, sections = article.section_of_block, article.sections
    return [-1 if sections[owner[p]].furniture else owner[p] for p in paragraphs]


def build_outline(article: Article, sentences: dict[int, Sentence],
                  max_entries: int = OUTLINE_MAX_ENTRIES) -> Outline[Sentence] | None:
    """The outline of ``article`` (None when it is not built of sections), with
    ``sentences[i]`` standing for section ``i`` where there is one."""
    if not article.is_sectioned:
        return None
    sections = article.sections
    shown = _shown_sections(article)
    kept = shown[:max_entries]
    starts = article.block_starts
    children: dict[int | None, list[int]] = {}
    for i in kept:
        children.setdefault(_shown_parent(sections, i, set(kept)), []).append(i)

    def entry(i: int) -> OutlineEntry[Sentence]:
        section = sections[i]
        start = starts[section.heading]
        return OutlineEntry(heading=section.title, level=section.level, start=start,
                            end=start + len(section.title), sentence=sentences.get(i),
                            children=tuple(entry(c) for c in children.get(i, ())))

    return Outline(entries=tuple(entry(i) for i in children.get(None, ())),
                   truncated=len(shown) > len(kept),
                   kind="list" if article.is_list else "sections")


def _shown_sections(article: Article) -> list[int]:
    """Sections an outline shows, in page order: headings of the article's own (not
    furniture) with body text under them or under one of their subsections."""
    sections = article.sections
    has_body = [False] * len(sections)
    for i in article.body_sections:
        j: int | None = i
        while j is not None and not has_body[j]:
            has_body[j] = True
            j = sections[j].parent
    return [i for i, s in enumerate(sections)
            if s.heading is not None and not s.furniture and has_body[i]]


def _shown_parent(sections, i: int, shown: set[int]) -> int | None:
    parent = sections[i].parent
    while parent is not None and parent not in shown:
        parent = sections[parent].parent
    return parent
