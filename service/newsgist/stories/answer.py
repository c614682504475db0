"""A digest's JSON: the answer of ``POST /v1/digest`` and of ``newsgist digest --json``.

The shape is documented in docs/digest.md and the OpenAPI document (``openapi``);
a page left alone carries exactly ``/v1/summarize``'s answer (``Summary.to_dict``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model imports this module to give Digest.to_dict
    from .model import Digest


def digest_dict(digest: Digest) -> dict:
    """``digest`` as the JSON object the API answers."""
    return {
        "stories": [{
            "title": s.title,
            "sources": [{"page": src.page, "url": src.url, "title": src.title,
                         "site": src.site} for src in s.sources],
            "sentences": [{"text": x.text, "source": x.source, "index": x.index,
                           "paragraph": x.paragraph, "start": x.start, "end": x.end,
                           "score": x.score, "also_in": list(x.also_in)}
                          for x in s.sentences],
        } for s in digest.stories],
        "singles": [{"page": one.page, "site": one.site, **one.summary.to_dict()}
                    for one in digest.singles],
        "failed": [{"page": f.page, "url": f.url, "title": f.title, "site": f.site,
                    "error": {"code": f.code, "message": f.message}} for f in digest.failed],
        "model": digest.model, "timings_ms": digest.timings_ms, "cached": digest.cached,
        "warnings": digest.warnings,
    }
