"""``newsgist batch INPUT... --out OUT.jsonl``: the command-line face of the batch job."""

from __future__ import annotations

import argparse
import os
import sys

from ..config import Settings, preset_sentences


def add_parser(sub) -> argparse.ArgumentParser:
    """Registers the ``batch`` subcommand on ``newsgist``'s subparsers (the CLI adds
    ``-n``/``--length`` to it, as to its other subcommands)."""
    p = sub.add_parser(
        "batch", help="summarize an archive (JSONL, WARC, a folder of pages) into a JSONL file",
        description="Summarize every page of JSONL files (one record per line: 'html' or "
                    "'text', optional 'url', 'title', 'id'), WARC / WARC.gz files (their HTML "
                    "responses) and folders of .html/.htm/.txt files (gzipped too; - reads "
                    "standard input), on every core, into one JSON line per record.")
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="a .jsonl(.gz) file, a .warc(.gz) file, a folder, or - for stdin")
    p.add_argument("--out", required=True, metavar="OUT.jsonl",
                   help="where the lines go (appended to; see --resume)")
    p.add_argument("--workers", type=int, default=0,
                   help="worker processes (default: one per core; with --ray: one actor per "
                        "CPU of the cluster)")
    p.add_argument("--resume", action="store_true",
                   help="continue OUT: skip the records whose id it already has")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run on Ray Data (pip install 'newsgist[ray]'): a local Ray runtime, "
                        "or the cluster at ADDRESS")
    p.add_argument("--progress-every", type=float, default=10.0, metavar="SECONDS",
                   help="seconds between progress lines when not on a terminal (default 10)")
    p.add_argument("--model", help="model path or hub name")
    return p


def batch_command(args: argparse.Namespace, settings: Settings) -> int:
    from .job import BatchJob, run_job
    from .local import WorkersFailed
    from .output import OutputExists
    if args.workers < 0:
        print("newsgist: --workers must be 0 (one per core) or more", file=sys.stderr)
        return 2
    sentences = preset_sentences(args.length, args.sentences)
    if sentences is not None and not 1 <= sentences <= settings.max_sentences:
        print(f"newsgist: -n must be from 1 to {settings.max_sentences}", file=sys.stderr)
        return 2
    if args.ray is not None:
        try:
            import ray  # noqa: F401
            import ray.data  # noqa: F401
        except ImportError:
            print("newsgist: --ray needs Ray Data: pip install 'newsgist[ray]'", file=sys.stderr)
            return 2
    if args.ray and os.path.exists(args.ray):  # `--ray crawl.warc ...`: an input, no address
        args.inputs.insert(0, args.ray)
        args.ray = ""
    if not args.inputs:
        print("newsgist batch: give at least one INPUT (a file, a folder, or -)",
              file=sys.stderr)
        return 2
    job = BatchJob(inputs=args.inputs, out=args.out, sentences=sentences, workers=args.workers,
                   resume=args.resume, ray=args.ray is not None, ray_address=args.ray or None,
                   progress_every=args.progress_every)
    try:
        result = run_job(job, settings)
    except OutputExists as exc:
        print(f"newsgist: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"newsgist: {exc}", file=sys.stderr)
        return 2
    except WorkersFailed as exc:
        print(f"newsgist: {exc}", file=sys.stderr)
        return 3
    return 130 if result.interrupted else 0
