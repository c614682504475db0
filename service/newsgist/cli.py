"""The command-line face: ``newsgist serve`` and ``newsgist summarize``."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time

from . import __version__
from .batch import command as batch
from .config import LENGTH_PRESETS, Settings
from .errors import NewsGistError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


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

    summ = sub.add_parser("summarize", help="summarize an HTML or text file without a server")
    summ.add_argument("path", help="file to summarize, or - for standard input")
    summ.add_argument("-n", "--sentences", type=int, help="number of sentences (1-20)")
    summ.add_argument("--length", choices=list(LENGTH_PRESETS), help="short, medium or long")
    summ.add_argument("--text", action="store_true", help="treat the input as plain text")
    summ.add_argument("--url", help="the page's URL (helps extraction)")
    summ.add_argument("--json", action="store_true", help="print the API's JSON answer")
    summ.add_argument("--model", help="model path or hub name")

    batch.add_parser(sub)  # newsgist batch (newsgist/batch/command.py)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(model=args.model)
    except ValueError as exc:
        print(f"newsgist: {exc}", file=sys.stderr)
        return 2
    if args.command == "batch":
        return batch.batch_command(args, settings)
    if args.command == "serve":
        return serve_command(settings.with_(host=args.host, port=args.port, threads=args.threads,
                                            allow_remote=args.allow_remote))
    return summarize_command(args, settings)


def summarize_command(args: argparse.Namespace, settings: Settings) -> int:
    from .pipeline import Pipeline

    try:
        if args.path == "-":
            data = sys.stdin.buffer.read(settings.max_body_bytes + 1)
        else:
            with open(args.path, "rb") as fh:
                data = fh.read(settings.max_body_bytes + 1)
    except OSError as exc:
        print(f"newsgist: cannot read {args.path}: {exc.strerror}", file=sys.stderr)
        return 2
    if len(data) > settings.max_body_bytes:
        print(f"newsgist: input is larger than {settings.max_body_bytes} bytes "
              "(NEWSGIST_MAX_BODY_BYTES)", file=sys.stderr)
        return 2
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        print(f"newsgist: input is not UTF-8 (byte {exc.start})", file=sys.stderr)
        return 2
    count = LENGTH_PRESETS[args.length] if args.length else args.sentences
    is_text = args.text or not _looks_like_html(content)
    try:
        pipeline = Pipeline(settings)
        if is_text:
            summary = pipeline.summarize_text(content, sentences=count, url=args.url)
        else:
            summary = pipeline.summarize_html(content, url=args.url, sentences=count)
    except NewsGistError as exc:
        print(f"newsgist: {exc.message} [{exc.code}]", file=sys.stderr)
        return 1
    if args.json:
        json.dump(summary.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for s in summary.sentences:
            print(s.text)
    return 0


def _looks_like_html(content: str) -> bool:
    head = content[:2048].lstrip().lower()
    return head.startswith(("<!doctype", "<html", "<?xml")) or "<body" in content[:65536].lower() \
        or "<p" in head


def server_options(settings: Settings) -> dict:
    """The waitress settings ``newsgist serve`` runs with.

    * Bodies and answers stay in memory: waitress would otherwise spill a body
      over 512 KB (or an answer over 1 MB) to a temporary file, i.e. page
      contents to disk.  A body up to twice the limit is read, so the app
      answers its own JSON 413; waitress refuses anything larger outright.
    * Enough threads that health checks are answered while every admitted
      summary is in progress.
    * ``channel_request_lookahead`` keeps reading a connection while its request
      runs, which is how a client that went away is noticed (its work stops).
    """
    body_cap = max(2 * settings.max_body_bytes, settings.max_body_bytes + 2**20)
    return dict(host=settings.host, port=settings.port,
                threads=max(settings.server_threads, settings.max_queue + 2),
                ident="newsgist", channel_timeout=60, clear_untrusted_proxy_headers=True,
                max_request_body_size=body_cap, inbuf_overflow=body_cap + 1,
                outbuf_overflow=4 * body_cap, channel_request_lookahead=1,
                connection_limit=64, asyncore_use_poll=True)


def make_server(app, settings: Settings, options: dict | None = None) -> "_Loop":
    """The app under waitress, ready to ``run()``: ``server_options`` (or ``options``),
    and JSON errors for what waitress refuses itself (a malformed request, a body
    over twice the limit, headers too large), as for everything else."""
    from waitress import create_server

    socket_map: dict = {}
    server = create_server(app, map=socket_map, **(options or server_options(settings)))
    loop = _Loop(server, socket_map)
    channel = _json_error_channel(settings)
    for listener in loop.listeners:
        listener.channel_class = channel
    return loop


def _json_error_channel(settings: Settings):
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class JSONErrorTask(ErrorTask):
        def execute(self) -> None:
            error = self.request.error
            if error.code == 413:
                code = "body_too_large"
                message = f"The request body is larger than the limit of " \
                          f"{settings.max_body_bytes} bytes."
            else:
                code, message = "bad_request", f"{error.reason}: {error.body}"
            body = json.dumps({"error": {"code": code, "message": message}}).encode()
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", "application/json"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class JSONErrorChannel(HTTPChannel):
        error_task_class = JSONErrorTask

    return JSONErrorChannel


def serve_command(settings: Settings) -> int:
    from .api import create_app
    from .isolate import ProcessFront, tune_malloc
    from .pipeline import Pipeline

    tune_malloc()  # before any page is read: big blocks go back to the system when freed
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # readability logs page fragments when it fails; page contents never reach the log.
    logging.getLogger("readability").setLevel(logging.CRITICAL + 1)
    if settings.host not in LOOPBACK and not settings.allow_remote:
        print(f"newsgist: refusing to listen on {settings.host}: only loopback is allowed by "
              "default. Pass --allow-remote (NEWSGIST_ALLOW_REMOTE=1) if you really mean it.",
              file=sys.stderr)
        return 2
    if settings.host not in LOOPBACK:
        print(f"newsgist: WARNING: listening on {settings.host}: other machines can reach "
              "this service (and must be added to NEWSGIST_ALLOWED_HOSTS to be answered).",
              file=sys.stderr, flush=True)

    pipeline = Pipeline(settings)
    app = create_app(settings, pipeline)
    try:
        loop = make_server(app, settings)
    except OSError as exc:
        print(f"newsgist: cannot listen on {settings.host}:{settings.port}: "
              f"{exc.strerror or exc}. Is NewsGist already running? Choose another port with "
              "--port or NEWSGIST_PORT.", file=sys.stderr)
        return 2
    front = None
    if settings.extract_workers > 0:
        try:  # started now, ready (checked below) while the model loads
            front = ProcessFront(settings.extract_workers, settings.worker_max_rss_mb,
                                 settings.worker_memory_mb).start(wait=False)
            pipeline.front = front
        except (OSError, RuntimeError) as exc:
            _in_process(pipeline, exc)
    url = loop.url(settings.host)
    print(f"NewsGist listening on {url}; loading the model...", flush=True)

    failure: list[str] = []

    def load() -> None:
        # The socket is open while the model loads: /v1/health says "loading"
        # and summaries get a 503 with Retry-After instead of a refused connection.
        try:
            pipeline.load()
        except NewsGistError as exc:
            failure.append(exc.message)
        except Exception as exc:  # noqa: BLE001 - a message, never only a traceback
            failure.append(f"Could not load the embedding model {settings.model!r} (setting "
                           f"NEWSGIST_MODEL / --model): {type(exc).__name__}: {exc}")
        if front is not None and not failure:
            try:  # the workers started with the server and warmed up meanwhile
                front.wait_ready()
            except (OSError, RuntimeError) as exc:
                front.close()
                _in_process(pipeline, exc)
        if failure:
            loop.stop()  # nothing was served yet (every summary got "loading")
        else:
            print(f"NewsGist ready on {url} (model {pipeline.model_name})", flush=True)

    threading.Thread(target=load, name="model-loader", daemon=True).start()
    previous = {sig: signal.signal(sig, loop.on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        loop.run()
        if not failure:
            print("NewsGist stopping: finishing the requests in progress...", flush=True)
        loop.drain(settings.request_timeout + 5)
    except KeyboardInterrupt:  # a second Ctrl-C: stop without waiting
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        loop.close()
        if front is not None:
            front.close()
    if failure:
        print(f"newsgist: {failure[0]}", file=sys.stderr, flush=True)
        return 3
    print("NewsGist stopped.", flush=True)
    return 0


def _in_process(pipeline, exc: Exception) -> None:
    from .isolate import InProcessFront

    pipeline.front = InProcessFront()
    logging.getLogger("newsgist.serve").warning(
        "extraction worker processes could not start (%s): falling back to reading pages in "
        "the request threads, where the deadline cannot stop a runaway page "
        "(setting NEWSGIST_EXTRACT_WORKERS)", exc)


class _Loop:
    """waitress's event loop, run so that a signal stops it gracefully.

    ``server.run()`` would stop dead on Ctrl-C and never write the answers of
    requests still in progress.  Here SIGTERM or SIGINT (Ctrl-C) only sets a
    flag; the loop then closes the listening sockets (new connections are
    refused), keeps serving until every request in progress has been answered
    and sent (bounded by the request deadline), and returns.  A second Ctrl-C
    stops at once."""

    def __init__(self, server, socket_map: dict):
        from waitress import wasyncore
        from waitress.channel import HTTPChannel
        from waitress.server import BaseWSGIServer

        self._wasyncore = wasyncore
        self._channel_class = HTTPChannel
        self.server = server
        self.map = socket_map
        self.listeners = [o for o in socket_map.values() if isinstance(o, BaseWSGIServer)]
        self._stop = threading.Event()

    def url(self, host: str) -> str:
        first = self.listeners[0]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{first.effective_port}"

    def on_signal(self, signum, frame) -> None:
        if self._stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # second Ctrl-C: stop now
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        try:
            self.listeners[0].pull_trigger()  # wake the loop now, not at its next tick
        except OSError:
            pass

    def _poll(self, timeout: float) -> None:
        self._wasyncore.loop(timeout=timeout, map=self.map,
                             use_poll=self.server.adj.asyncore_use_poll, count=1)

    def run(self) -> None:
        while not self._stop.is_set():
            self._poll(1.0)

    def _channels(self) -> list:
        return [o for o in list(self.map.values()) if isinstance(o, self._channel_class)]

    def drain(self, timeout: float) -> None:
        for listener in self.listeners:  # refuse new connections; keep the trigger
            listener.accepting = False
            self._wasyncore.dispatcher.close(listener)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            busy = False
            for ch in self._channels():
                if ch.requests or ch.total_outbufs_len:
                    busy = True
                elif not ch.will_close:
                    ch.will_close = True  # idle keep-alive connection: close it
            if not busy and not self._channels():
                break
            self._poll(0.05)

    def close(self) -> None:
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)
        self._wasyncore.close_all(self.map)
