"""``newsgist history list|search TEXT|export [--markdown|--json]|forget ID|clear``, and
the printing of ``since`` for ``newsgist summarize --remember``."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys

from ..config import Settings
from .export import entry_dict, to_markdown
from .reading import History
from .remember import HISTORY_OFF, RememberedSummary, iso_time
from .search import query_problem
from .store import Entry, HistoryUnavailable


def add_parser(sub) -> None:
    hist = sub.add_parser("history", help="the reading history (pages summarized with "
                                          "--remember or the extension's history switch)")
    actions = hist.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="entries, newest first")
    listing.add_argument("-n", "--limit", type=int, default=50, help="how many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    find = actions.add_parser("search", help="entries about TEXT (meaning and keywords)")
    find.add_argument("text", help="what to look for")
    find.add_argument("-n", "--limit", type=int, default=20, help="how many (default 20)")
    find.add_argument("--json", action="store_true", help="print JSON")
    find.add_argument("--model", help="model path or hub name")
    export = actions.add_parser("export", help="every entry as Markdown (default) or JSON")
    shape = export.add_mutually_exclusive_group()
    shape.add_argument("--markdown", action="store_true", help="a dated list (the default)")
    shape.add_argument("--json", action="store_true", help="JSON")
    forget = actions.add_parser("forget", help="delete one entry")
    forget.add_argument("id", type=int, help="the entry's id (see `newsgist history list`)")
    actions.add_parser("clear", help="delete every entry")


def history_command(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 done, 1 an unknown id, 2 bad input or a database that cannot be used."""
    history = History(settings)
    try:
        return _run(args, settings, history)
    except (HistoryUnavailable, OSError, sqlite3.Error) as exc:
        print(f"newsgist: the history cannot be used: {exc}", file=sys.stderr)
        return 2
    finally:
        history.close()


def _run(args: argparse.Namespace, settings: Settings, history: History) -> int:
    if args.action in ("list", "search") and not 1 <= args.limit <= 100_000:
        print("newsgist: --limit must be from 1 to 100000", file=sys.stderr)
        return 2
    if args.action == "list":
        _print(history.entries(limit=args.limit), args.json)
    elif args.action == "search":
        if (problem := query_problem(args.text)) is not None:
            print(f"newsgist: {problem.replace(chr(39) + 'q' + chr(39), 'TEXT')}",
                  file=sys.stderr)
            return 2
        from ..pipeline import Pipeline

        pipeline = Pipeline(settings)
        encoder = pipeline.encoder
        _print(history.search(args.text, pipeline.model_name,
                              lambda q: encoder.encode([q[:1000]])[0], limit=args.limit),
               args.json)
    elif args.action == "export":
        entries = history.entries(limit=10**9)
        if args.json:
            print(json.dumps({"entries": [entry_dict(e) for e in entries]}, ensure_ascii=False,
                             indent=2))
        else:
            print(to_markdown(entries), end="")
    elif args.action == "forget":
        if not history.forget(args.id):
            print(f"newsgist: there is no history entry {args.id}", file=sys.stderr)
            return 1
        print(f"Forgot entry {args.id}.")
    else:
        print(f"Deleted {history.clear()} entries.")
    return 0


def _print(entries: list[Entry], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"entries": [entry_dict(e) for e in entries]}, ensure_ascii=False,
                         indent=2))
        return
    for e in entries:
        print(f"{e.id}\t{iso_time(e.read_at)[:16].replace('T', ' ')}\t{e.title or e.url or ''}")


def print_since(summary: RememberedSummary) -> None:
    """After the summary: what is new since the reader last read its story."""
    if summary.entry is None:
        print(f"newsgist: {HISTORY_OFF}", file=sys.stderr)
    since = summary.since
    if since is None:
        return
    last = since.read[0]
    print(f"\nNew since you read \u201c{last.title or last.url or 'this story'}\u201d "
          f"({iso_time(last.read_at)[:10]}):")
    for s in since.new:
        print(f"  - {s.text}")
    if not since.new:
        print("  (nothing the summaries you saw did not already say)")
