"""The document model shared by the stages: an ``Article`` made of typed ``Block``s.

Extraction yields the article as ordered blocks, each with the kind of thing it
is on the page (a paragraph, a heading, a list item, ...).  The kind travels
with every sentence cut from the block, so the ranker can keep headings,
captions and table cells out of a summary while the answer still shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

BlockKind = Literal["paragraph", "heading", "list_item", "quote", "caption", "table_cell", "code"]
BLOCK_KINDS: tuple[str, ...] = get_args(BlockKind)

# Blocks are joined by a blank line in ``Article.text``; sentence offsets point into it.
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Block:
    """One block of the article's main content, in page order."""

    text: str
    kind: BlockKind = "paragraph"

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")


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
