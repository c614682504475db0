"""How fast is a summary?  NewsGist against the naive pipeline and a classic peer.

Default mode, in one run on the real pages of the extraction benchmark
(``../shared/data/extraction``, or ``--data``), one page at a time and warm:

* **naive**: the pipeline before any speed work, implemented here as the
  baseline: readability-lxml, pysbd sentences, all-MiniLM-L6-v2 in PyTorch
  fp32 on every sentence, the centroid, top 3;
* **LexRank**: readability-lxml and sumy's LexRank (the classic peer; sumy
  gets a regex word tokenizer because its default needs nltk data);
* **newsgist**: ``newsgist.summarize_html`` with its default settings.

The three take turns on each page (their order rotates from page to page), so
load from other processes hits them alike.  The embedding cache is emptied
before each of our timed calls, so every call does the full work; the time of
asking again for the same page (what the extension does when the reader
changes the length) is reported on its own.  Then: the cold start (from
process start to the first answer, and to a service that is ready), the peak
RSS of the service, and the cost curve for articles of 10, 100, 1,000 and
5,000 sentences.

``--http`` drives the real server (``newsgist serve``, loopback only) with 1, 4
and 16 concurrent clients, each level bounded in requests and seconds, and
reports throughput, p50/p95 latency, errors and 503s.  The server runs with
``NEWSGIST_CACHE_DOCUMENTS=0`` there, so every request does the full work.

    python bench/latency.py                      # pages, cold start, RSS, cost curve
    python bench/latency.py --pages 60 --json bench/results/latency.json
    python bench/latency.py --http               # concurrency over HTTP
    python bench/latency.py --first-start        # also: a start with an empty model cache
    python bench/latency.py --baseline DIR       # + an earlier newsgist package, interleaved
    python bench/latency.py --smoke              # a few pages and a short curve: it runs

Numbers are wall-clock on a shared machine: read the ratios, which come from
the same run, before the milliseconds.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from bench_support import REPO, BenchArguments, read_pages, read_summarization
from processes import ServerProcess, peak_rss_mb

K = 3


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    pos = (len(values) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


# -- the baselines ------------------------------------------------------------------
def _readability_paragraphs(html: str) -> list[str]:
    import lxml.html
    from readability import Document

    summary = Document(html).summary(html_partial=True)
    root = lxml.html.fragment_fromstring(summary, create_parent="div")
    paragraphs = []
    for el in root.iter("p", "li", "h1", "h2", "h3", "h4", "blockquote", "pre", "td"):
        text = " ".join(el.text_content().split())
        if text:
            paragraphs.append(text)
    if not paragraphs:
        text = " ".join(root.text_content().split())
        paragraphs = [text] if text else []
    return paragraphs


class NaivePipeline:
    """readability-lxml -> pysbd -> MiniLM fp32 (PyTorch) on every sentence -> centroid."""

    def __init__(self):
        import numpy as np
        import pysbd
        import torch  # noqa: F401
        from sentence_transformers import SentenceTransformer

        from newsgist.embed import resolve_model
        from newsgist.config import BUNDLED_MODEL

        self.np = np
        self.segmenter = pysbd.Segmenter(language="en", clean=False)
        self.model = SentenceTransformer(resolve_model(BUNDLED_MODEL), device="cpu")

    def sentences(self, html: str) -> list[str]:
        out = []
        for paragraph in _readability_paragraphs(html):
            out.extend(s.strip() for s in self.segmenter.segment(paragraph) if s.strip())
        return out

    def summarize_sentences(self, sentences: list[str], k: int = K) -> list[int]:
        np = self.np
        if not sentences:
            return []
        vectors = self.model.encode(sentences, convert_to_numpy=True, normalize_embeddings=True,
                                    show_progress_bar=False)
        centroid = vectors.mean(axis=0)
        scores = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
        return sorted(np.argsort(-scores)[:k].tolist())

    def __call__(self, html: str) -> list[int]:
        return self.summarize_sentences(self.sentences(html))


class LexRankPipeline:
    """readability-lxml -> sentences -> sumy LexRank."""

    _WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)

    def __init__(self):
        import pysbd
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.utils import get_stop_words

        self.segmenter = pysbd.Segmenter(language="en", clean=False)
        self.summarizer = LexRankSummarizer(Stemmer("english"))
        self.summarizer.stop_words = get_stop_words("english")

        outer = self

        class Tokenizer:
            language = "english"

            def to_words(self, text):
                return tuple(outer._WORD.findall(text))

            def to_sentences(self, text):
                return tuple(s.strip() for s in outer.segmenter.segment(text) if s.strip())

        self.tokenizer = Tokenizer()

    def __call__(self, html: str) -> list[str]:
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

        paragraphs = [Paragraph([Sentence(s, self.tokenizer)
                                 for s in self.tokenizer.to_sentences(p)])
                      for p in _readability_paragraphs(html)]
        document = ObjectDocumentModel([p for p in paragraphs if p.sentences])
        return [str(s) for s in self.summarizer(document, K)]


class Ours:
    """``newsgist.summarize_html``; the embedding cache is emptied before each call."""

    def __init__(self, package=None):
        if package is None:
            import newsgist as package
        self.newsgist = package
        self.pipeline = package.pipeline.default_pipeline()
        self.pipeline.load()
        EmbeddingCache = package.pipeline.EmbeddingCache
        self._fresh_cache = lambda: EmbeddingCache(self.pipeline.settings.cache_documents)
        self.timings: list[dict] = []

    def __call__(self, html: str, url: str | None = None, keep_cache: bool = False):
        if not keep_cache:
            self.pipeline.cache = self._fresh_cache()
        summary = self.newsgist.summarize_html(html, url=url, sentences=K)
        self.timings.append(summary.timings_ms)
        return summary


# -- the modes ----------------------------------------------------------------------
def run_pages(pages, methods: dict[str, Callable], ours: Ours) -> dict:
    names = list(methods)
    times: dict[str, list[float]] = {n: [] for n in names}
    errors: dict[str, int] = {n: 0 for n in names}
    repeat: list[float] = []
    for p, (key, html, url) in enumerate(pages):
        order = names[p % len(names):] + names[:p % len(names)]   # rotate who goes first
        for name in order:
            t = time.perf_counter()
            try:
                if isinstance(methods[name], Ours):
                    methods[name](html, url)
                else:
                    methods[name](html)
            except Exception as exc:  # noqa: BLE001 - a page a method cannot do
                errors[name] += 1
                print(f"  {name} failed on {key[:12]}: {type(exc).__name__}: {exc}"[:200],
                      file=sys.stderr)
                continue
            times[name].append((time.perf_counter() - t) * 1000)
        # Same page again with another length: answered from the embedding cache.
        t = time.perf_counter()
        try:
            ours.newsgist.summarize_html(html, url=url, sentences=K + 2)
            repeat.append((time.perf_counter() - t) * 1000)
        except Exception:  # noqa: BLE001
            pass
        if (p + 1) % 10 == 0:
            print(f"  pages: {p + 1}/{len(pages)}", file=sys.stderr, flush=True)
    return {"times": times, "errors": errors, "repeat": repeat}


def cost_curve(sizes: list[int], naive: NaivePipeline | None, naive_max: int,
               summaries: Path) -> list[dict]:
    """Plain-text articles of n distinct real sentences: ours (default budget and no
    budget) and the naive embedding of every sentence."""
    from newsgist.config import Settings
    from newsgist.pipeline import Pipeline

    pool = sentence_pool(max(sizes), summaries)
    ours = Pipeline(Settings.from_env(cache_documents=0))
    ours.load()
    budget = ours.settings.max_article_sentences
    unbudgeted = Pipeline(Settings.from_env(cache_documents=0, max_article_sentences=10 ** 9),
                          encoder=ours.encoder)
    rows = []
    for n in sizes:
        sentences = pool[:n]
        text = "\n\n".join(" ".join(sentences[i:i + 4]) for i in range(0, n, 4))
        row = {"sentences": n}
        t = time.perf_counter()
        summary = ours.summarize_text(text, sentences=K)
        row["newsgist_ms"] = (time.perf_counter() - t) * 1000
        row["truncated"] = summary.truncated
        row["segmented"] = summary.stats.sentences_total
        if n > budget:
            t = time.perf_counter()
            unbudgeted.summarize_text(text, sentences=K)
            row["newsgist_no_budget_ms"] = (time.perf_counter() - t) * 1000
        if naive is not None and n <= naive_max:
            t = time.perf_counter()
            naive.summarize_sentences(sentences)
            row["naive_ms"] = (time.perf_counter() - t) * 1000
        rows.append(row)
        print(f"  cost curve: {n} sentences done", file=sys.stderr, flush=True)
    return rows


def sentence_pool(n: int, summaries: Path) -> list[str]:
    """``n`` distinct sentences from the CNN/DailyMail dev articles (detokenized a little)."""
    seen, pool = set(), []
    for row in read_summarization(summaries):
        tokens, current = row["article"].split(), []
        for t in tokens:
            current.append(t)
            if t in (".", "!", "?"):
                s = " ".join(current)
                s = re.sub(r" ([.,!?;:'])", r"\1", s)
                s = s[:1].upper() + s[1:]
                if len(s.split()) >= 5 and s not in seen:
                    seen.add(s)
                    pool.append(s)
                current = []
        if len(pool) >= n:
            return pool[:n]
    raise SystemExit(f"only {len(pool)} distinct sentences available, {n} asked")


def start_server(env: dict | None = None) -> ServerProcess:
    """``newsgist serve`` on a free loopback port, ready."""
    return ServerProcess(["--host", "127.0.0.1", "--port", "0"], env=env)


def post(port: int, body: bytes, conn: http.client.HTTPConnection | None = None,
         timeout: float = 60.0) -> tuple[int, dict, float]:
    """POST /v1/summarize: (status, headers, seconds); on ``conn`` when given (a client
    keeping its connection), else on a connection of its own."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t = time.perf_counter()
    try:
        conn.request("POST", "/v1/summarize", body=body,
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders()), time.perf_counter() - t
    finally:
        if own:
            conn.close()


def _body(html: str, url: str | None) -> bytes:
    return json.dumps({"html": html, "url": url, "sentences": K}).encode()


def cold_start(pages, env: dict | None = None) -> dict:
    """Process start -> first answer, in-process and as a service; the service's peak RSS."""
    code = ("import time, sys, gzip; t0 = time.perf_counter(); import newsgist; "
            "html = open(sys.argv[1], encoding='utf-8').read(); "
            "newsgist.summarize_html(html); print(time.perf_counter() - t0)")
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as f:
        f.write(pages[0][1])
        page_file = f.name
    out = {}
    try:
        t = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", code, page_file], capture_output=True,
                                text=True, env={**os.environ, "PYTHONPATH": str(REPO / "service"),
                                                **(env or {})})
        out["api_first_answer_s"] = time.perf_counter() - t
        if result.returncode:
            out["api_error"] = result.stderr[-500:]
    finally:
        os.unlink(page_file)
    server = start_server(env)
    try:
        out["serve_ready_s"] = server.ready_s
        status, _, _ = post(server.port, _body(pages[0][1], pages[0][2]))
        out["serve_first_answer_s"] = time.perf_counter() - server.started
        out["serve_first_status"] = status
        for _, html, url in pages:
            post(server.port, _body(html, url))
        out["serve_peak_rss_mb"] = peak_rss_mb(server.proc.pid)
        out["serve_pages_for_rss"] = len(pages)
        out["backend_log"] = [line for line in server.output.splitlines()
                              if "backend" in line][:3]
    finally:
        server.stop()
    return out


def http_mode(pages, levels: list[int], max_requests: int, max_seconds: float) -> list[dict]:
    bodies = [_body(html, url) for _, html, url in pages]
    server = start_server({"NEWSGIST_CACHE_DOCUMENTS": "0"})
    rows = []
    try:
        post(server.port, bodies[0])  # warm
        for clients in levels:
            latencies, statuses, failures = [], {}, []
            lock = threading.Lock()
            counter = iter(range(max_requests))
            deadline = time.perf_counter() + max_seconds
            retry_after = []

            def client():
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                try:
                    while time.perf_counter() < deadline:
                        with lock:
                            i = next(counter, None)
                        if i is None:
                            return
                        try:
                            status, headers, dt = post(server.port, bodies[i % len(bodies)],
                                                       conn)
                        except (OSError, http.client.HTTPException) as exc:
                            with lock:
                                failures.append(type(exc).__name__)
                            conn.close()
                            conn = http.client.HTTPConnection("127.0.0.1", server.port,
                                                              timeout=60)
                            continue
                        with lock:
                            statuses[status] = statuses.get(status, 0) + 1
                            if status == 200:
                                latencies.append(dt * 1000)
                            elif status == 503:
                                retry_after.append(headers.get("Retry-After"))
                finally:
                    conn.close()

            started = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range(clients)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            wall = time.perf_counter() - started
            done = sum(statuses.values())
            rows.append({"clients": clients, "requests": done, "wall_s": wall,
                         "throughput_rps": statuses.get(200, 0) / wall if wall else 0.0,
                         "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
                         "ok": statuses.get(200, 0), "status_503": statuses.get(503, 0),
                         "retry_after": sorted({r for r in retry_after if r}),
                         "errors": done - statuses.get(200, 0) - statuses.get(503, 0)
                         + len(failures)})
            print(f"  http: {clients} client(s) done", file=sys.stderr, flush=True)
        rows.append({"server_peak_rss_mb": peak_rss_mb(server.proc.pid)})
    finally:
        server.stop()
    return rows


# -- report -------------------------------------------------------------------------
def _fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None or x != x else f"{x:.{digits}f}"


def report_pages(result: dict, ours: Ours, n_pages: int) -> dict:
    times = result["times"]
    stats = {n: {"median": statistics.median(t) if t else float("nan"),
                 "p90": percentile(t, 0.9), "n": len(t)} for n, t in times.items()}
    me = stats["newsgist"]
    print(f"\n### Per page, warm ({n_pages} pages, methods interleaved per page)\n")
    print("| method | pages | median ms | p90 ms | newsgist median ÷ this | "
          "newsgist p90 ÷ this |")
    print("|---|---|---|---|---|---|")
    for name, s in stats.items():
        print(f"| {name} | {s['n']} | {_fmt(s['median'])} | {_fmt(s['p90'])} | "
              f"{me['median'] / s['median']:.2f}x | {me['p90'] / s['p90']:.2f}x |")
    rep = result["repeat"]
    print(f"| newsgist, same page again (length change, cache hit) | {len(rep)} | "
          f"{_fmt(statistics.median(rep) if rep else None)} | {_fmt(percentile(rep, 0.9))} | "
          "- | - |")
    stages: dict[str, list[float]] = {}
    for t in ours.timings:
        for k, v in t.items():
            stages.setdefault(k, []).append(v)
    print("\nnewsgist stages, median ms: " + ", ".join(
        f"{k} {statistics.median(v):.1f}" for k, v in stages.items()))
    return {"stats": stats, "repeat_median_ms": statistics.median(rep) if rep else None,
            "stages_median_ms": {k: statistics.median(v) for k, v in stages.items()},
            "errors": result["errors"]}


# A few pages, a short cost curve, the cold start (the service included).
SMOKE = {"pages": 3, "curve": "10,30", "curve_naive_max": 30, "requests": 4, "seconds": 20.0}


def main(argv: list[str] | None = None) -> int:
    ap = BenchArguments(__doc__, smoke=SMOKE)
    ap.add_data("--data", "extraction")
    ap.add_data("--summaries", "summarization",
                help="CNN/DailyMail articles, the cost curve's sentences")
    ap.add_argument("--pages", type=int, default=60, help="first N pages (default 60; 0 = all)")
    ap.add_argument("--curve", default="10,100,1000,5000", help="cost-curve sizes ('' to skip)")
    ap.add_argument("--curve-naive-max", type=int, default=5000,
                    help="largest article the naive baseline is timed on")
    ap.add_argument("--no-cold", action="store_true", help="skip cold start and RSS")
    ap.add_argument("--first-start", action="store_true",
                    help="also time a start with an empty model cache (export + quantize)")
    ap.add_argument("--http", action="store_true", help="HTTP concurrency mode instead")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--requests", type=int, default=48, help="requests per level (bound)")
    ap.add_argument("--seconds", type=float, default=90.0, help="seconds per level (bound)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--baseline", type=Path, metavar="DIR",
                    help="also time another copy of the newsgist package (e.g. `git archive "
                         "REV service/newsgist | tar -x -C /tmp/base`, then "
                         "/tmp/base/service/newsgist), interleaved with the others per page")
    args = ap.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)   # tables survive an interrupted run

    pages = [(p.id, p.html, p.url) for p in read_pages(args.data, args.pages or None)]
    load = os.getloadavg()
    print(f"{len(pages)} pages from {args.data}; {os.cpu_count()} cores; load average "
          f"{load[0]:.1f} at start (a shared machine: read ratios first)")
    results: dict = {"pages": len(pages), "loadavg_start": load}

    if args.http:
        rows = http_mode(pages, [int(c) for c in args.clients.split(",")], args.requests,
                         args.seconds)
        print(f"\n### HTTP, loopback, `newsgist serve` (cache off), at most {args.requests} "
              f"requests or {args.seconds:.0f} s per level\n")
        print("| clients | requests | ok | 503 | errors | throughput req/s | p50 ms | p95 ms |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            if "clients" in r:
                print(f"| {r['clients']} | {r['requests']} | {r['ok']} | {r['status_503']} | "
                      f"{r['errors']} | {r['throughput_rps']:.2f} | {_fmt(r['p50_ms'])} | "
                      f"{_fmt(r['p95_ms'])} |")
        print(f"\nserver peak RSS: {rows[-1]['server_peak_rss_mb']:.0f} MB")
        results["http"] = rows
    else:
        print("loading the three methods ...", file=sys.stderr, flush=True)
        naive, lexrank, ours = NaivePipeline(), LexRankPipeline(), Ours()
        print(f"newsgist encoder: {type(ours.pipeline.encoder).__name__} "
              f"({getattr(ours.pipeline.encoder, 'backend', '?')}, "
              f"{getattr(ours.pipeline.encoder, 'threads', '?')} threads)")
        for name, fn in (("naive", naive), ("LexRank", lexrank)):   # warm-up
            fn(pages[0][1])
        ours(pages[0][1], pages[0][2])
        ours.timings.clear()
        methods = {"naive (readability + pysbd + MiniLM fp32 torch)": naive,
                   "readability + sumy LexRank": lexrank, "newsgist": ours}
        if args.baseline:
            from extraction import load_baseline

            before = Ours(load_baseline(args.baseline))
            before(pages[0][1], pages[0][2])
            methods["newsgist before (--baseline)"] = before
        result = run_pages(pages, methods, ours)
        results["per_page"] = report_pages(result, ours, len(pages))

        sizes = [int(s) for s in args.curve.split(",") if s.strip()]
        if sizes:
            rows = cost_curve(sizes, naive, args.curve_naive_max, args.summaries)
            print("\n### Cost curve (plain text of n distinct real sentences, one call each)\n")
            print("| sentences | newsgist ms | truncated | newsgist ms/sentence | "
                  "newsgist, no budget, ms | naive ms | newsgist ÷ naive |")
            print("|---|---|---|---|---|---|---|")
            for r in rows:
                naive_ms = r.get("naive_ms")
                print(f"| {r['sentences']} | {_fmt(r['newsgist_ms'])} | {r['truncated']} | "
                      f"{r['newsgist_ms'] / r['sentences']:.2f} | "
                      f"{_fmt(r.get('newsgist_no_budget_ms'))} | {_fmt(naive_ms)} | "
                      + (f"{r['newsgist_ms'] / naive_ms:.2f}x |" if naive_ms else "- |"))
            results["cost_curve"] = rows
        del naive, lexrank

        if not args.no_cold:
            cold = cold_start(pages)
            print("\n### Cold start and memory (model already exported to the cache)\n")
            print("| what | value |\n|---|---|")
            print(f"| `import newsgist` + first `summarize_html`, from process start | "
                  f"{cold['api_first_answer_s']:.2f} s |")
            print(f"| `newsgist serve`: process start to ready | {cold['serve_ready_s']:.2f} s |")
            print(f"| `newsgist serve`: process start to first answer | "
                  f"{cold['serve_first_answer_s']:.2f} s |")
            print(f"| service peak RSS after {cold['serve_pages_for_rss']} pages | "
                  f"{cold['serve_peak_rss_mb']:.0f} MB |")
            print(f"| this benchmark's own peak RSS (three methods loaded) | "
                  f"{peak_rss_mb():.0f} MB |")
            if cold.get("backend_log"):
                print("\nservice log: " + " / ".join(cold["backend_log"]))
            results["cold"] = cold
            if args.first_start:
                with tempfile.TemporaryDirectory() as empty:
                    first = cold_start(pages[:1], {"NEWSGIST_CACHE_DIR": empty})
                print(f"| first start ever (empty cache: export + int8 quantization), "
                      f"serve to ready | {first['serve_ready_s']:.2f} s |")
                results["first_start"] = first
    results["loadavg_end"] = os.getloadavg()
    print(f"\nload average at end: {results['loadavg_end'][0]:.1f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
