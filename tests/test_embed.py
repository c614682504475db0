"""newsgist.embed: the encoder's contract and what it declares about its model."""

from __future__ import annotations

import pytest

from newsgist.config import BUNDLED_MODEL
from newsgist.embed import display_name, model_languages


def test_the_bundled_model_declares_english():
    assert display_name(BUNDLED_MODEL) == "all-MiniLM-L6-v2"
    assert model_languages(BUNDLED_MODEL) == frozenset({"en"})


@pytest.mark.parametrize("front_matter, languages", [
    ("language: en\nlicense: mit", {"en"}),
    ("license: mit\nlanguage:\n- de\n- FR\ntags:\n- x", {"de", "fr"}),
    ("language: [en, 'es']", {"en", "es"}),
    ("language: multilingual", None),
    ("language:\n- multilingual\n- en", None),
    ("license: mit", None),
])
def test_a_local_model_card_says_its_languages(tmp_path, front_matter, languages):
    (tmp_path / "README.md").write_text(f"---\n{front_matter}\n---\n# A model\nlanguage: xx\n")
    expected = frozenset(languages) if languages is not None else None
    assert model_languages(str(tmp_path)) == expected


def test_no_card_or_no_local_model_means_unknown(tmp_path):
    assert model_languages(str(tmp_path)) is None
    (tmp_path / "README.md").write_text("# No front matter\nlanguage: en\n")
    assert model_languages(str(tmp_path)) is None
    assert model_languages("sentence-transformers/some-hub-model") is None


def test_unit_rows_scales_each_row_and_keeps_zero_rows_zero():
    import numpy as np

    from newsgist.embed import unit_rows

    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]]))
    assert rows.dtype == np.float32
    assert rows.tolist() == [[0.6000000238418579, 0.800000011920929], [0.0, 0.0], [0.0, -1.0]]
    assert unit_rows(np.array([[1.0, 1.0]]), np.float64).dtype == np.float64
    assert unit_rows(np.array([1.0, 2.0])).shape == (0, 1)  # not a matrix: no rows
