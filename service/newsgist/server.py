"""The HTTP service under waitress: ``newsgist serve`` and the tests' servers.

``make_server`` puts the Flask app under waitress with the options the service
runs with (``server_options``), with JSON errors for what waitress refuses by
itself, and returns a :class:`ServerLoop` that stops gracefully on a signal.
``serve`` is the whole service: checks, the model loading in the background,
the extraction workers, and a clean stop.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time

from .config import Settings
from .errors import BodyTooLarge, NewsGistError
from .runner import FallbackRunner, InThreadRunner, Runner

LOOPBACK = ("127.0.0.1", "localhost", "::1")

log = logging.getLogger("newsgist.serve")


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
    largest = max(settings.max_body_bytes, settings.max_digest_bytes)  # a digest's body too
    body_cap = max(2 * largest, largest + 2**20)
    return dict(host=settings.host, port=settings.port,
                threads=max(settings.server_threads, settings.max_queue + 2),
                ident="newsgist", channel_timeout=60, clear_untrusted_proxy_headers=True,
                max_request_body_size=body_cap, inbuf_overflow=body_cap + 1,
                outbuf_overflow=4 * body_cap, channel_request_lookahead=1,
                connection_limit=64, asyncore_use_poll=True)


def make_server(app, settings: Settings, options: dict | None = None) -> "ServerLoop":
    """The app under waitress, ready to ``run()``: ``server_options`` (or ``options``),
    and JSON errors for what waitress refuses itself (a malformed request, a body
    over twice the limit, headers too large), as for everything else."""
    from waitress import create_server

    socket_map: dict = {}
    server = create_server(app, map=socket_map, **(options or server_options(settings)))
    loop = ServerLoop(server, socket_map)
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
                answer = BodyTooLarge(settings.max_body_bytes)
            else:
                answer = NewsGistError(f"{error.reason}: {error.body}", code="bad_request")
            body = json.dumps(answer.to_dict()).encode()
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", "application/json"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class JSONErrorChannel(HTTPChannel):
        error_task_class = JSONErrorTask

    return JSONErrorChannel


class ServerLoop:
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


def serve(settings: Settings) -> int:
    """Run the service until SIGTERM or Ctrl-C; the exit status of ``newsgist serve``."""
    from . import idle
    from .api import create_app
    from .memory import tune_malloc
    from .pipeline import Pipeline

    tune_malloc()  # before any page is read: big blocks go back to the system when freed
    _configure_logging()
    if not _host_allowed(settings):
        return 2
    runner = _extraction_runner(settings)  # the workers warm up while the model loads
    pipeline = Pipeline(settings, runner=runner)
    # A service nobody uses stops by itself when NEWSGIST_IDLE_EXIT is set (the native host sets it).
    app = idle.watch(create_app(settings, pipeline), settings.idle_exit, lambda: loop.stop())
    try:
        loop = make_server(app, settings)
    except OSError as exc:
        runner.close()
        print(f"newsgist: cannot listen on {settings.host}:{settings.port}: "
              f"{exc.strerror or exc}. Is NewsGist already running? Choose another port with "
              "--port or NEWSGIST_PORT.", file=sys.stderr)
        return 2
    url = loop.url(settings.host)
    print(f"NewsGist listening on {url}; loading the model...", flush=True)

    failure: list[str] = []

    def load() -> None:
        # The socket is open while the model loads: /v1/health says "loading"
        # and summaries get a 503 with Retry-After instead of a refused connection.
        failure.extend(_load_model(pipeline, settings))
        if not failure:
            _await_workers(runner)
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
        runner.close()
    if failure:
        print(f"newsgist: {failure[0]}", file=sys.stderr, flush=True)
        return 3
    print("NewsGist stopped.", flush=True)
    return 0


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # readability logs page fragments when it fails; page contents never reach the log.
    logging.getLogger("readability").setLevel(logging.CRITICAL + 1)


def _host_allowed(settings: Settings) -> bool:
    """False (and why, on stderr) for a non-loopback address without --allow-remote."""
    if settings.host not in LOOPBACK and not settings.allow_remote:
        print(f"newsgist: refusing to listen on {settings.host}: only loopback is allowed by "
              "default. Pass --allow-remote (NEWSGIST_ALLOW_REMOTE=1) if you really mean it.",
              file=sys.stderr)
        return False
    if settings.host not in LOOPBACK:
        print(f"newsgist: WARNING: listening on {settings.host}: other machines can reach "
              "this service (and must be added to NEWSGIST_ALLOWED_HOSTS to be answered).",
              file=sys.stderr, flush=True)
    return True


def _load_model(pipeline, settings: Settings) -> list[str]:
    """Load the model; what went wrong, as a message for people (empty: loaded)."""
    try:
        pipeline.load()
    except NewsGistError as exc:
        return [exc.message]
    except Exception as exc:  # noqa: BLE001 - a message, never only a traceback
        return [f"Could not load the embedding model {settings.model!r} (setting "
                f"NEWSGIST_MODEL / --model): {type(exc).__name__}: {exc}"]
    return []


def _extraction_runner(settings: Settings) -> Runner:
    """The worker pool, started now (ready while the model loads), behind a
    ``FallbackRunner``; the calling thread when workers are off or cannot start."""
    from .workers import WorkerPool

    if settings.extract_workers <= 0:
        return InThreadRunner()
    try:
        pool = WorkerPool(settings.extract_workers, settings.worker_max_rss_mb,
                          settings.worker_memory_mb).start(wait=False)
    except (OSError, RuntimeError) as exc:
        _log_fallback(exc)
        return InThreadRunner()
    return FallbackRunner(pool, pool.wait_ready)


def _await_workers(runner: Runner) -> None:
    """Wait for the workers started with the server; fall back to threads if they fail."""
    if isinstance(runner, FallbackRunner) and (exc := runner.settle()) is not None:
        _log_fallback(exc)


def _log_fallback(exc: Exception) -> None:
    log.warning(
        "extraction worker processes could not start (%s): falling back to reading pages in "
        "the request threads, where the deadline cannot stop a runaway page "
        "(setting NEWSGIST_EXTRACT_WORKERS)", exc)
