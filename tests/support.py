"""Test helpers importable by any test module (``from support import ...``).

Kept out of conftest.py: ``tests/e2e`` has a conftest of its own, and two
modules named ``conftest`` cannot both be imported by name."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

# A short plain-text article (two paragraphs, six sentences) for API and hostile tests.
ARTICLE = (
    "The city council approved a new budget for public transport on Monday. "
    "The budget adds forty electric buses to the fleet by next spring. "
    "Council members said the buses will cut emissions and noise downtown.\n\n"
    "Opponents argued that the money should go to road repairs instead. "
    "The mayor said road repairs are funded separately this year. "
    "The first electric buses are expected on the busiest routes in April."
)

FIXTURES = Path(__file__).parent / "fixtures"


class HashingEncoder:
    """A deterministic bag-of-words encoder: words hashed into 256 buckets.

    Sentences that share words get similar vectors, which is all the ranking
    logic needs to be tested; the real model is tested separately."""

    name = "fake-hashing-encoder"

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.calls = 0

    @property
    def languages(self):
        """The languages of the model this encoder stands in for: tests rename it
        after the bundled model, whose card declares English; otherwise unknown."""
        from newsgist.config import BUNDLED_MODEL
        from newsgist.embed import display_name, model_languages

        return model_languages(BUNDLED_MODEL) if self.name == display_name(BUNDLED_MODEL) \
            else None

    def encode(self, sentences, between_batches=None):
        self.calls += 1
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for row, sentence in enumerate(sentences):
            for word in re.findall(r"\w+", sentence.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                out[row, bucket % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out


def split_sentences(paragraph: str, lang: str | None = None) -> list[str]:
    """The sentences of one paragraph, verbatim and stripped (``segment.sentence_spans``)."""
    from newsgist.segment import sentence_spans

    return [paragraph[s:e] for s, e in sentence_spans(paragraph, lang)]


# -- jobs for the extraction worker pool's tests (sent to the workers by name) -----------
def job_echo(value):
    return value


def job_raise(error: BaseException):
    raise error


_HELD: list = []


def job_hold_mb(mb: int) -> int:
    """A job that leaves its worker ``mb`` MB larger (as a big page's leftovers would)."""
    _HELD.append(bytearray(b"x" * (mb * 2**20)))
    return len(_HELD)
