"""One record -> one output line, and the same for a batch of rows (Ray, Spark).

``RecordSummarizer`` holds what a worker needs, loaded once: a ``Pipeline``
(the encoder) whose extraction and sentence splitting run in a
``WorkerPool`` as in ``newsgist serve``, so each record gets the service's
limits: the ``request_timeout`` deadline (a page still being read at the
deadline is stopped by ending its process), the sentence budget
(``max_article_sentences``) and the body-size limit (checked by the readers).

Output lines are the API's summary object with ``id`` and ``position`` first,
or ``{"id", "position", "error": {"code", "message"}}``.  The embedding cache
is off in batch work: an archive rarely repeats a page, and with it the
``cached`` flag of a line would depend on which worker happened to get it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from ..config import Settings
from ..deadline import Deadline
from ..errors import NewsGistError, PageTooComplex
from ..pipeline import Pipeline, check_sentence_count
from ..runner import InThreadRunner, Runner
from ..workers import WorkerPool
from .records import Record


@dataclass(frozen=True)
class Outcome:
    """What became of one record: its output line (a dict) and how long it took."""

    line: dict
    seconds: float

    @property
    def code(self) -> str:
        """"ok", or the error's code."""
        error = self.line.get("error")
        return error["code"] if error else "ok"

    @property
    def position(self) -> int:
        return self.line["position"]

    def to_json(self) -> str:
        return json.dumps(self.line, ensure_ascii=False)


def batch_settings(settings: Settings | None = None) -> Settings:
    """The settings a batch worker runs with: no embedding cache, and one inference
    thread unless ``settings.threads`` says otherwise (the workers share the cores)."""
    settings = settings or Settings.from_env()
    return settings.with_(threads=settings.threads or 1, cache_documents=0)


def error_line(record: Record, error: NewsGistError) -> dict:
    return {"id": record.id, "position": record.position, **error.to_dict()}


def unreadable(record: Record) -> Outcome:
    """The outcome of a record the reader could not read (it carries its error)."""
    assert record.error is not None
    return Outcome(error_line(record, record.error), 0.0)


class RecordSummarizer:
    """Summarizes Records one at a time; create one per worker process (or Ray actor).

    ``encoder_factory`` (a picklable callable) replaces the model, e.g. by the
    tests' fake encoder; ``isolate=False`` reads pages in the calling thread
    (the deadline is then checked between stages only)."""

    def __init__(self, settings: Settings | None = None, sentences: int | None = None,
                 encoder_factory: Callable[[], Any] | None = None, isolate: bool = True):
        self.settings = batch_settings(settings)
        self.sentences = check_sentence_count(sentences, self.settings)
        runner: Runner = InThreadRunner()
        if isolate and self.settings.extract_workers > 0:
            s = self.settings
            runner = WorkerPool(1, s.worker_max_rss_mb, s.worker_memory_mb).start(wait=True)
        encoder = encoder_factory() if encoder_factory is not None else None
        self.pipeline = Pipeline(self.settings, encoder=encoder, runner=runner)
        self.pipeline.load()

    def __call__(self, record: Record) -> Outcome:
        return summarize_record(self.pipeline, record, self.sentences)

    def close(self) -> None:
        self.pipeline.runner.close()


def summarize_record(pipeline: Pipeline, record: Record, sentences: int | None = None) -> Outcome:
    """The output line of one record; never raises for a bad record (its line says why)."""
    started = time.monotonic()
    if record.error is not None:
        return unreadable(record)
    deadline = Deadline(pipeline.settings.request_timeout, start=started)
    try:
        if record.html is not None:
            summary = pipeline.summarize_html(record.html, url=record.url, sentences=sentences,
                                              title=record.title, deadline=deadline)
        else:
            summary = pipeline.summarize_text(record.text or "", sentences=sentences,
                                              title=record.title, url=record.url,
                                              deadline=deadline)
        line = {"id": record.id, "position": record.position, **summary.to_dict()}
    except NewsGistError as exc:
        line = error_line(record, exc)
    except (MemoryError, RecursionError):
        line = error_line(record, PageTooComplex())
    except Exception as exc:  # noqa: BLE001 - one bad record never stops the job
        line = error_line(record, NewsGistError(
            f"NewsGist failed on this record ({type(exc).__name__}); please report the page "
            "that caused it.", code="internal_error"))
    return Outcome(line, round(time.monotonic() - started, 3))


class BatchSummarizer:
    """A class-based batch function for Ray Data's ``map_batches`` (or Spark's
    ``mapPartitions``): the model loads once, in ``__init__`` (once per actor).

    Takes a batch of rows made by ``Record.to_row`` (a dict of columns) and
    returns the columns ``id`` (JSON), ``position``, ``code`` ("ok" or the error
    code), ``seconds`` and ``line`` (the output line, JSON text)."""

    def __init__(self, settings: Settings | None = None, sentences: int | None = None,
                 encoder_factory: Callable[[], Any] | None = None, isolate: bool = True):
        self.summarizer = RecordSummarizer(settings, sentences, encoder_factory, isolate)

    def __call__(self, batch: dict) -> dict:
        columns = list(batch)
        n = len(batch[columns[0]]) if columns else 0
        out: dict[str, list] = {"id": [], "position": [], "code": [], "seconds": [], "line": []}
        for i in range(n):
            record = Record.from_row({c: _plain(batch[c][i]) for c in columns})
            outcome = self.summarizer(record)
            out["id"].append(json.dumps(record.id))
            out["position"].append(record.position)
            out["code"].append(outcome.code)
            out["seconds"].append(outcome.seconds)
            out["line"].append(outcome.to_json())
        return out


def _plain(value: Any) -> Any:
    """A numpy scalar or array cell as a plain Python value (None stays None)."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        return value.item()
    return value
