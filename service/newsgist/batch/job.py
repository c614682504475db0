"""One batch job, start to end: read -> skip what OUT has (--resume) -> summarize on the
local runner or on Ray -> append each line -> show progress -> the summary line."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from ..config import Settings
from .output import LineWriter, done_ids
from .progress import Progress, Tally
from .records import STDIN, count_records, id_key, read_records


@dataclass
class BatchJob:
    inputs: list[str]
    out: str
    sentences: int | None = None
    workers: int = 0                 # 0: one per core (local) / per CPU of the cluster (Ray)
    resume: bool = False
    ray: bool = False
    ray_address: str | None = None   # None: a local Ray runtime (or RAY_ADDRESS)
    progress_every: float = 10.0     # seconds between plain progress lines
    bar: bool | None = None          # None: a bar when the progress stream is a terminal
    encoder_factory: Callable[[], Any] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class JobResult:
    tally: Tally
    skipped: int
    summary: str
    interrupted: bool = False


def run_job(job: BatchJob, settings: Settings, stream: IO[str] | None = None,
            stdin: IO[bytes] | None = None) -> JobResult:
    """Runs ``job``; raises OutputExists, OSError (an input cannot be read), ValueError."""
    stream = stream or sys.stderr
    for source in job.inputs:
        if source != STDIN and not os.path.exists(source):
            raise FileNotFoundError(f"{source}: no such file or folder")
    done = done_ids(job.out) if job.resume else set()
    writer = LineWriter(job.out, resume=job.resume)
    bar = job.bar if job.bar is not None else _is_terminal(stream)
    progress = Progress(stream, bar=bar, every=job.progress_every)
    if writer.torn_bytes:
        print(f"newsgist batch: removed an incomplete last line ({writer.torn_bytes} bytes) "
              f"from {job.out}; its record is done again", file=stream, flush=True)
    if STDIN not in job.inputs:  # count in the background: the ETA appears when known
        threading.Thread(target=_count, args=(job.inputs, settings.max_body_bytes, done,
                                              progress), daemon=True).start()
    skipped = 0
    interrupted = False

    def fresh(records):
        nonlocal skipped
        for record in records:
            if done and id_key(record.id) in done:
                skipped += 1
                continue
            yield record

    try:
        if job.ray:
            from .on_ray import run_ray

            outcomes = run_ray(job.inputs, settings, job.sentences, job.workers, job.ray_address,
                               frozenset(done), job.encoder_factory)
        else:
            from .local import run_local

            records = fresh(read_records(job.inputs, settings.max_body_bytes, stdin=stdin))
            outcomes = run_local(records, settings, job.sentences, job.workers,
                                 job.encoder_factory)
        for outcome in outcomes:
            writer.write(outcome.to_json())
            progress.add(outcome)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        writer.close()
    if job.ray:
        skipped = len(done)  # the read tasks left them out
    summary = progress.close(skipped)
    return JobResult(progress.tally, skipped, summary, interrupted)


def _count(sources: list[str], max_bytes: int, done: set[str], progress: Progress) -> None:
    try:
        total = count_records(sources, max_bytes)
    except Exception:  # noqa: BLE001 - no ETA then; the job itself reports read errors
        return
    progress.set_total(max(0, total - len(done)))


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
