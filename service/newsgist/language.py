"""The language of an article's text, offline.

The detector is py3langid (a maintained fork of langid.py, Lui & Baldwin 2012:
a naive Bayes model over byte n-grams, 97 languages, its model shipped inside
the wheel: no download, no network).  It was chosen by measuring it against
langdetect on the benchmark's pages (``python bench/extraction.py --languages``,
results in docs/extraction.md): as accurate on these pages and far faster.

Codes are ISO 639-1 ("en", "pt", "ko"), the form pysbd and ``<html lang>`` use.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

# Characters of text the detector reads: enough for a stable answer, cheap.
SAMPLE_CHARS = 1500
# Below this many letters the text is too short to tell reliably.
MIN_LETTERS = 40
# A detection this sure overrides the page's own declaration.
CONFIDENT = 0.95

_identifier = None
_lock = threading.Lock()
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Detected:
    lang: str
    probability: float
    letters: int

    @property
    def confident(self) -> bool:
        return self.probability >= CONFIDENT and self.letters >= 4 * MIN_LETTERS


def normalize_lang(value: str | None) -> str | None:
    """'en-US', 'pt_BR', ' EN ' -> 'en', 'pt', 'en'; None for empty or malformed values."""
    if not value:
        return None
    code = re.split(r"[-_]", value.strip().lower())[0]
    return code if _LANG_CODE.match(code) else None


def _get_identifier():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier
                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str) -> Detected | None:
    """The language of ``text``, or None when there is too little text to tell."""
    sample = text[:SAMPLE_CHARS]
    letters = sum(c.isalpha() for c in sample)
    if letters < MIN_LETTERS:
        return None
    try:
        lang, probability = _get_identifier().classify(sample)
    except Exception:  # a detector failure must never fail the extraction
        return None
    code = normalize_lang(lang)
    if code is None:
        return None
    return Detected(lang=code, probability=float(probability), letters=letters)
