"""Stage 2: article paragraphs -> sentences with character offsets.

Sentences come from pysbd (Sadvilkar & Neumann, 2020, "PySBD: Pragmatic
Sentence Boundary Disambiguation"), a rule-based segmenter with abbreviation,
number and quotation rules for 22 languages.  It was chosen by measuring the
candidates on tricky news sentences: ``python bench/segmenters.py``.

Each paragraph is split on its own, so a headline or a list item without a
final period never runs into the next paragraph.  Offsets are into
``Article.text`` (paragraphs joined by blank lines), and
``text[start:end] == sentence.text`` always holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import pysbd

PARAGRAPH_SEPARATOR = "\n\n"

# Languages pysbd has rules for; others fall back to English rules, which
# suit most languages that end sentences with . ! ?
_PYSBD_LANGS = frozenset(
    "en hi mr zh es am ar hy bg ur ru pl fa nl da fr my el it ja de kk sk".split())


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int       # position among the article's sentences
    paragraph: int   # index of the paragraph that holds it
    start: int       # offsets into the article text
    end: int

    @property
    def words(self) -> int:
        return len(self.text.split())


@lru_cache(maxsize=None)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang, clean=False, char_span=False)


def split_sentences(paragraph: str, lang: str | None = None) -> list[str]:
    """The sentences of one paragraph, verbatim and stripped."""
    code = (lang or "en").lower()
    seg = _segmenter(code if code in _PYSBD_LANGS else "en")
    try:
        parts = seg.segment(paragraph)
    except Exception:  # pysbd's regexes can fail on exotic input: keep the paragraph whole
        parts = [paragraph]
    return [p.strip() for p in parts if p and p.strip()]


def segment(paragraphs: Sequence[str], lang: str | None = None) -> list[Sentence]:
    """Split paragraphs into sentences located in ``PARAGRAPH_SEPARATOR.join(paragraphs)``."""
    sentences: list[Sentence] = []
    offset = 0
    for p_index, paragraph in enumerate(paragraphs):
        cursor = 0
        for piece in split_sentences(paragraph, lang):
            start, end = _locate(paragraph, piece, cursor)
            if start < 0:
                continue
            sentences.append(Sentence(text=paragraph[start:end], index=len(sentences),
                                      paragraph=p_index, start=offset + start, end=offset + end))
            cursor = end
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return sentences


def _locate(paragraph: str, piece: str, cursor: int) -> tuple[int, int]:
    """Where ``piece`` stands in ``paragraph`` at or after ``cursor``.

    pysbd with ``clean=False`` returns verbatim text, so a plain find almost
    always succeeds; the whitespace-tolerant search covers the rare piece
    whose inner spacing it changed."""
    start = paragraph.find(piece, cursor)
    if start >= 0:
        return start, start + len(piece)
    pattern = r"\s+".join(re.escape(w) for w in piece.split())
    match = re.compile(pattern).search(paragraph, cursor) if pattern else None
    return (match.start(), match.end()) if match else (-1, -1)
