"""Stage 2: the article's blocks -> sentences with character offsets and the block's kind.

Sentences come from sentencex (Wikimedia's sentence segmenter, Rust core,
rules and abbreviation lists for ~300 languages with fallbacks between
related languages).  It was chosen by measuring nine PyPI segmenters on
tricky news sentences and on the 181 article bodies of the extraction
benchmark (``python bench/segmenters.py``, results in ``docs/speed.md``):
it gets 49 of the 54 hand-written cases right (pysbd, the most accurate,
gets 52) at about 1/100 of pysbd's time per article, which matters because
segmentation sits on every request's hot path.

Each block is split on its own, and so is each line of a block, so a
headline or a list item without a final period never runs into the next
one.  Every sentence keeps the index and the kind (paragraph, heading, list
item, ...) of the block it was cut from: the ranker uses the kind to keep
headings and captions out of a summary, the answer reports it.  Offsets are
into ``Article.text`` (blocks joined by blank lines), and
``text[start:end] == sentence.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import re

import sentencex

from .document import BLOCK_SEPARATOR, Block
from .language import normalize_lang


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int       # position among the article's sentences
    paragraph: int   # index of the block that holds it (``Article.blocks[paragraph]``)
    start: int       # offsets into the article text
    end: int
    kind: str = "paragraph"   # that block's kind (``document.BLOCK_KINDS``)

    @property
    def words(self) -> int:
        return len(self.text.split())


def _language(lang: str | None) -> str:
    """``"pt-BR"`` -> ``"pt"``; unknown or missing -> ``"en"`` (sentencex falls
    back from languages it has no rules for)."""
    return normalize_lang(lang) or "en"


def sentence_spans(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, whitespace trimmed, in order."""
    code = _language(lang)
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        if line.strip():
            spans.extend((line_start + s, line_start + e) for s, e in _line_spans(line, code))
        line_start += len(line) + 1
    return spans


# A sentence piece that ends with an initial ("J.", French "M." for Monsieur) or a
# title written before a name ("Dr.", "Pr.", "Mgr.") is not a sentence when the next
# piece starts with a capital: it is the name's first part.  sentencex's French,
# Spanish, Portuguese and Italian rules cut "M. Macron" and "Dr. Martin" in two (seen on
# 88 French news sentences, where the cut put a bare "M." at the end of a lead sentence
# and the name at the head of the next).  English keeps sentencex's own rules, which
# already hold these together, so its sentences do not change at all.
_NAME_PREFIX = re.compile(r"(?<![\w.])(?:(?P<initial>[^\W\d_])|Dr|Dra|Pr|Prof|Mgr|Mr|Mrs|Ms|MM|"
                          r"Mme|Mlle|Sr|Sra|Srta|St|Ste)\.$")


def _joins_next(line: str, end: int, next_start: int) -> bool:
    """Whether the piece ending at ``end`` ends with a capital initial or a title and
    the piece at ``next_start`` goes on with a capital (the name)."""
    match = _NAME_PREFIX.search(line, max(0, end - 6), end)
    if match is None or (match["initial"] and not match["initial"].isupper()):
        return False
    return line[next_start:next_start + 1].isupper()


def _merge_names(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and _joins_next(line, merged[-1][1], span[0]):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def _line_spans(line: str, code: str) -> list[tuple[int, int]]:
    spans = _sentencex_spans(line, code)
    return spans if code == "en" else _merge_names(line, spans)


def _sentencex_spans(line: str, code: str) -> list[tuple[int, int]]:
    try:
        parts = sentencex.get_sentence_boundaries(code, line)
    except Exception:  # a segmenter failure on exotic input keeps the line whole
        parts = []
    except BaseException as exc:  # a panic of its Rust core (pyo3's PanicException) too
        if type(exc).__name__ != "PanicException":
            raise
        parts = []
    spans, cursor = [], 0
    for part in parts:
        start, end = int(part["start_index"]), int(part["end_index"])
        piece = part.get("text", "")
        if line[start:end] != piece:  # never seen; stay correct if indices were not str indices
            start = line.find(piece.strip(), cursor) if piece.strip() else -1
            if start < 0:
                continue
            end = start + len(piece.strip())
        start, end = _trim(line, max(start, cursor), end)
        if start < end:
            spans.append((start, end))
            cursor = end
    if not parts:
        start, end = _trim(line, 0, len(line))
        if start < end:
            spans.append((start, end))
    elif cursor < len(line) and line[cursor:].strip():
        # Text the segmenter did not cover (should not happen) joins the last sentence.
        _, end = _trim(line, cursor, len(line))
        if spans:
            spans[-1] = (spans[-1][0], end)
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def segment(blocks: Sequence[Block | str], lang: str | None = None) -> list[Sentence]:
    """Split blocks (``Article.blocks``; a plain string is a paragraph) into sentences
    located in ``BLOCK_SEPARATOR.join`` of their texts, each with its block's kind."""
    sentences: list[Sentence] = []
    offset = 0
    for b_index, block in enumerate(blocks):
        text, kind = (block, "paragraph") if isinstance(block, str) else (block.text, block.kind)
        for start, end in sentence_spans(text, lang):
            sentences.append(Sentence(text=text[start:end], index=len(sentences),
                                      paragraph=b_index, start=offset + start, end=offset + end,
                                      kind=kind))
        offset += len(text) + len(BLOCK_SEPARATOR)
    return sentences
