"""The same job on Ray Data (the optional extra ``newsgist[ray]``).

read (``ArchiveDatasource``: one read task per input, on the driver's node,
where the files are) -> ``map_batches(BatchSummarizer)`` on a pool of actors,
each loading the encoder once -> the driver writes the lines, in input order
(``preserve_order``), with the same writer, progress and ``--resume`` as the
local path.  Each actor reserves one CPU and runs one inference thread, as a
local worker does, so the lines are the same as the local path's.

The read tasks reserve no CPU: with every CPU held by an actor, a read task
that waits for one never runs (Ray Data 2.60 then stalls).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable, Iterator

from ..config import Settings
from .records import STDIN, count_records, id_key, read_records
from .summarize import BatchSummarizer, Outcome, batch_settings

BLOCK_ROWS = 16   # records per block a read task yields (memory stays bounded)
BATCH_ROWS = 1    # records per map_batches call: one, as a local worker takes them (no idle tail)


def _schema():
    import pyarrow as pa

    return pa.schema([("id", pa.string()), ("position", pa.int64()), ("html", pa.string()),
                      ("text", pa.string()), ("url", pa.string()), ("title", pa.string()),
                      ("error_code", pa.string()), ("error_message", pa.string())])


def archive_datasource(sources: list[str], max_bytes: int, skip: frozenset[str] = frozenset()):
    """A Ray Data ``Datasource`` of the records of ``sources`` (``Record.to_row`` rows),
    with the same ids and positions as ``read_records``; ids in ``skip`` are left out."""
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    base = os.getcwd()  # read tasks run in other processes, maybe in other folders
    starts, start = [], 0
    for source in sources:  # each task must know the position its input starts at
        starts.append(start)
        start += count_records([source], max_bytes, base)

    def reader(source: str, first: int):
        def read():
            import pyarrow as pa

            rows = []
            for record in read_records([source], max_bytes, start=first, base=base):
                if id_key(record.id) in skip:
                    continue
                rows.append(record.to_row())
                if len(rows) >= BLOCK_ROWS:
                    yield pa.Table.from_pylist(rows, schema=_schema())
                    rows = []
            if rows:
                yield pa.Table.from_pylist(rows, schema=_schema())
        return read

    class ArchiveDatasource(Datasource):
        @property
        def supports_distributed_reads(self) -> bool:
            return False  # the inputs are files on the driver's machine

        def estimate_inmemory_data_size(self):
            return None

        def get_read_tasks(self, parallelism: int, per_task_row_limit=None,
                           data_context=None) -> list:
            meta = BlockMetadata(num_rows=None, size_bytes=None, input_files=None,
                                 exec_stats=None)
            return [ReadTask(reader(s, first), meta) for s, first in zip(sources, starts)]

    return ArchiveDatasource()


def run_ray(sources: list[str], settings: Settings, sentences: int | None = None,
            workers: int = 0, address: str | None = None, skip: frozenset[str] = frozenset(),
            encoder_factory: Callable[[], Any] | None = None) -> Iterator[Outcome]:
    """The outcomes of the records of ``sources``, in input order, computed on Ray."""
    if STDIN in sources:
        raise ValueError("--ray reads files (its read tasks run in other processes); "
                         "standard input is not supported")
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    for name in ("ray", "ray.data"):  # our own progress replaces Ray's
        logging.getLogger(name).setLevel(logging.WARNING)
    if not ray.is_initialized():
        ray.init(address=address or None, logging_level=logging.WARNING, log_to_driver=False,
                 include_dashboard=False)
    ctx = DataContext.get_current()
    ctx.execution_options.preserve_order = True  # lines in input order, as the local path
    ctx.enable_progress_bars = False
    size = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    settings = batch_settings(settings.with_(threads=1))
    ds = ray.data.read_datasource(archive_datasource(sources, settings.max_body_bytes, skip),
                                  num_cpus=0)
    ds = ds.map_batches(BatchSummarizer, batch_size=BATCH_ROWS, batch_format="numpy",
                        compute=ActorPoolStrategy(size=size), num_cpus=1,
                        fn_constructor_kwargs={"settings": settings, "sentences": sentences,
                                               "encoder_factory": encoder_factory})
    for row in ds.iter_rows():
        yield Outcome(json.loads(row["line"]), float(row["seconds"]))

