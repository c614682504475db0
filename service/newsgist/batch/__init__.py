"""Batch summaries of a news archive: ``newsgist batch`` and its parts, for your own pipelines.

    from newsgist.batch import read_records, RecordSummarizer, BatchSummarizer

* ``read_records(paths)``: the Records of JSONL, WARC / WARC.gz files and folders of pages
  (gzip and stdin too), streamed, with stable ids and positions;
* ``RecordSummarizer(settings, sentences)``: loads the model once; ``summarizer(record)``
  gives the record's ``Outcome`` (``.line``: the output line as a dict);
* ``BatchSummarizer``: the same as a class-based batch function for Ray Data's
  ``map_batches`` (or Spark's ``mapPartitions``) over ``Record.to_row`` rows;
* ``run_job(BatchJob(...), settings)``: the whole job, as ``newsgist batch`` runs it.

Importing this package is cheap; each part is imported on first use.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Record": "records", "read_records": "records", "count_records": "records",
    "Outcome": "summarize", "RecordSummarizer": "summarize", "BatchSummarizer": "summarize",
    "summarize_record": "summarize", "BatchJob": "job", "run_job": "job",
    "run_local": "local", "run_ray": "on_ray", "archive_datasource": "on_ray",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
