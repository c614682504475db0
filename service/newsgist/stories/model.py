"""The data model of a digest: the pages asked for, and the stories, singles and
failures made of them (``digest.build_digest`` makes them, ``answer`` gives their JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..summary import Summary
from .answer import digest_dict


@dataclass(frozen=True)
class Page:
    """One page (a browser tab) to digest: ``html`` or ``text``, with its URL and title."""

    html: str | bytes | None = None  # bytes: decoded as a browser would (newsgist.inputs)
    text: str | bytes | None = None
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Source:
    page: int           # index of the page in the request
    url: str | None
    title: str | None
    site: str | None    # the URL's host name, without "www."


@dataclass(frozen=True)
class StorySentence:
    text: str
    source: int                 # index into the story's sources
    index: int                  # position among that article's sentences
    paragraph: int
    start: int                  # offsets into that article's text
    end: int
    score: float                # share of the story's weight it added to the summary
    also_in: tuple[int, ...]    # other sources carrying a near-identical sentence


@dataclass(frozen=True)
class Story:
    title: str
    sources: list[Source]
    sentences: list[StorySentence]


@dataclass(frozen=True)
class Single:
    page: int
    site: str | None
    summary: Summary


@dataclass(frozen=True)
class Failure:
    page: int
    url: str | None
    title: str | None
    site: str | None
    code: str
    message: str


@dataclass(frozen=True)
class Digest:
    stories: list[Story]
    singles: list[Single]
    failed: list[Failure]
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    cached: bool = False

    def to_dict(self) -> dict:
        """The JSON answer of ``POST /v1/digest`` (and ``newsgist digest --json``)."""
        return digest_dict(self)
