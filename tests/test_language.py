"""newsgist.language: one language-code rule, used by extraction and segmentation alike."""

from __future__ import annotations

import pytest

from newsgist.language import CONFIDENT, MIN_LETTERS, Detected, normalize_lang
from support import split_sentences


@pytest.mark.parametrize("value, code", [
    ("zh-Hant-TW", "zh"), ("fil", "fil"), ("EN_gb", "en"), ("english", None), ("1", None),
])
def test_codes_are_reduced_to_their_language(value, code):
    assert normalize_lang(value) == code


def test_the_segmenter_reads_codes_by_the_same_rule():
    """'de-AT' reads as German (which keeps 'am 3. Oktober' whole); a code the rule
    rejects falls back to English, which splits there."""
    text = "Die Feier ist am 3. Oktober in Wien. Alle sind eingeladen."
    assert split_sentences(text, "de-AT") == split_sentences(text, "de") == [
        "Die Feier ist am 3. Oktober in Wien.", "Alle sind eingeladen."]
    assert split_sentences(text, "german") == split_sentences(text, "en")


def test_confidence_needs_a_sure_answer_on_enough_letters():
    assert Detected("de", CONFIDENT, 4 * MIN_LETTERS).confident
    assert not Detected("de", CONFIDENT, 4 * MIN_LETTERS - 1).confident
    assert not Detected("de", CONFIDENT - 0.01, 10 * MIN_LETTERS).confident
