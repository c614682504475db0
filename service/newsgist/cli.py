"""The command-line face: ``newsgist serve``, ``summarize``, ``digest``, ``host`` and ``batch``.

Files are read through ``newsgist.inputs``, as every face reads a page."""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .batch import command as batch
from .config import LENGTH_PRESETS, Settings, preset_sentences
from .errors import NewsGistError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsgist", description="Local news summaries.")
    parser.add_argument("--version", action="version", version=f"newsgist {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service (waitress)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8765; 0 picks a free one)")
    serve.add_argument("--model", help="model path or hub name (default: bundled MiniLM)")
    serve.add_argument("--threads", type=int, help="inference threads (default: all cores)")
    serve.add_argument("--allow-remote", action="store_true", default=None,
                       help="allow listening on a non-loopback address (not recommended)")
    serve.add_argument("--idle-exit", type=float, metavar="SECONDS",
                       help="stop after this many seconds without a request (default: never)")

    summ = sub.add_parser("summarize", help="summarize an HTML or text file without a server")
    summ.add_argument("path", help="file to summarize, or - for standard input")
    add_length_arguments(summ, "number of sentences (1-20)")
    summ.add_argument("--text", action="store_true", help="treat the input as plain text")
    summ.add_argument("--url", help="the page's URL (helps extraction)")
    summ.add_argument("--json", action="store_true", help="print the API's JSON answer")
    summ.add_argument("--model", help="model path or hub name")

    dig = sub.add_parser("digest", help="group pages (HTML or text files) into stories and "
                                        "summarize each story once across its pages")
    dig.add_argument("paths", nargs="+", metavar="FILE", help="pages to digest")
    add_length_arguments(dig, "sentences per story (1-20)")
    shape = dig.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print the API's JSON answer")
    shape.add_argument("--markdown", action="store_true", help="print Markdown with links")
    dig.add_argument("--model", help="model path or hub name")

    from .host_install import add_host_parser
    add_host_parser(sub)

    # newsgist batch (newsgist/batch/command.py)
    add_length_arguments(batch.add_parser(sub), "sentences per summary (1-20)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(model=getattr(args, "model", None))
    except ValueError as exc:
        print(f"newsgist: {exc}", file=sys.stderr)
        return 2
    if args.command == "batch":
        return batch.batch_command(args, settings)
    if args.command == "serve":
        return serve_command(settings.with_(host=args.host, port=args.port, threads=args.threads,
                                            allow_remote=args.allow_remote,
                                            idle_exit=args.idle_exit))
    if args.command == "host":
        from .host_install import host_command
        return host_command(args, settings)
    if args.command == "digest":
        return digest_command(args, settings)
    return summarize_command(args, settings)


def add_length_arguments(parser: argparse.ArgumentParser, sentences_help: str) -> None:
    """``-n/--sentences`` or ``--length`` (not both), as every subcommand takes them."""
    length = parser.add_mutually_exclusive_group()
    length.add_argument("-n", "--sentences", type=int, help=sentences_help)
    length.add_argument("--length", choices=list(LENGTH_PRESETS), help="short, medium or long")


def digest_command(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 with the digest, 2 when a file cannot be read, 1 when no page had an article."""
    from .inputs import looks_like_html, page_text, read_file
    from .pipeline import Pipeline
    from .stories import Page, build_digest
    from .stories.render import to_markdown, to_text

    if len(args.paths) > settings.max_digest_pages:
        print(f"newsgist: at most {settings.max_digest_pages} pages per digest "
              "(NEWSGIST_MAX_DIGEST_PAGES)", file=sys.stderr)
        return 2
    pages = []
    for path in args.paths:
        try:  # a page over the size limit fails alone in the digest, as in the API's
            content = page_text(read_file(path, settings.max_body_bytes))
        except NewsGistError as exc:
            return _error(exc, 2)
        kind = "html" if looks_like_html(content) else "text"
        pages.append(Page(**{kind: content}, url=None, title=None))
    count = preset_sentences(args.length, args.sentences)
    try:
        digest = build_digest(Pipeline(settings), pages, sentences=count)
    except NewsGistError as exc:
        return _error(exc, 1 if exc.status == 422 else 2)
    failures = {f.page: f for f in digest.failed}
    for page, f in failures.items():
        print(f"newsgist: {args.paths[page]}: {f.message} [{f.code}]", file=sys.stderr)
    if args.json:
        json.dump(digest.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(to_markdown(digest) if args.markdown else to_text(digest), end="")
    return 1 if len(failures) == len(pages) else 0


def serve_command(settings: Settings) -> int:
    from .server import serve  # waitress and Flask only when serving

    return serve(settings)


def summarize_command(args: argparse.Namespace, settings: Settings) -> int:
    from .inputs import looks_like_html, page_text, read_file, within_limit
    from .pipeline import Pipeline

    try:
        limit = settings.max_body_bytes
        # Bytes are decoded as a browser would: BOM, declared charset, UTF-8, else a guess.
        content = page_text(within_limit(read_file(args.path, limit), limit, "The input"))
    except NewsGistError as exc:
        return _error(exc, 2)
    count = preset_sentences(args.length, args.sentences)
    is_text = args.text or not looks_like_html(content)
    try:
        pipeline = Pipeline(settings)
        if is_text:
            summary = pipeline.summarize_text(content, url=args.url, sentences=count)
        else:
            summary = pipeline.summarize_html(content, url=args.url, sentences=count)
    except NewsGistError as exc:
        return _error(exc, 1)
    if args.json:
        json.dump(summary.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for s in summary.sentences:
            print(s.text)
        if summary.outline is not None:
            print("\nIn this article:")
            _print_outline(summary.outline.entries, 0)
            if summary.outline.truncated:
                print("  ...")
    return 0


def _print_outline(entries, depth: int) -> None:
    """Each heading indented by its depth, its sentence after a dash."""
    for entry in entries:
        line = "  " * (depth + 1) + "- " + entry.heading
        if entry.sentence is not None:
            line += " \u2014 " + entry.sentence.text
        print(line)
        _print_outline(entry.children, depth + 1)


def _error(exc: NewsGistError, status: int) -> int:
    print(f"newsgist: {exc.message} [{exc.code}]", file=sys.stderr)
    return status
