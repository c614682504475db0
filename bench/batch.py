"""How fast is ``newsgist batch``, how much memory does it take, and how does Ray compare?

In one run, on the real pages of the extraction benchmark (``../shared/data/extraction``,
or ``--data PATH``), repeated with fresh ids to get as many records as asked:

1. **throughput**, records/s, every method on the same records, in turns:
   * ``loop``: a single process calling ``Pipeline.summarize_html`` record after record
     (the baseline: what a script does today; its encoder uses every core's thread);
   * ``batch``: ``newsgist batch`` with its default, one worker per core, each with its
     own encoder (one inference thread each);
   * ``shared``: the other design measured to choose: one encoder using every core's
     threads, fed by as many threads, pages read in ``WorkerPool`` worker processes;
   * ``ray``: ``newsgist batch --ray`` on a local Ray runtime with every CPU (the time
     of ``ray.init`` is reported apart and not counted; start-up of the others is).
2. **cross-document batching**: one encoder call per document against one call per
   group of 8 documents: the time of the embedding stage, and whether the vectors
   and the chosen sentences stay the same.
3. **peak RSS** of ``newsgist batch`` (the whole process tree, sampled) as the input
   grows, default 100, 500 and 2,000 records.
4. **split**: the loop's wall and CPU time per page and its stages (``timings_ms``), with
   the encoder on every core and on one; from them, the ceiling of one-thread workers
   against the loop (``--pages``, default 60).

    python bench/batch.py                                  # all four
    python bench/batch.py --data PATH --records 100 --rounds 2 --sizes 100,2000
    python bench/batch.py --only throughput                # or: batching, memory, split
    python bench/batch.py --smoke                          # all four on a few pages, no Ray

Each method runs in a process of its own.  The machine may be shared: the load
average before and after each measurement is printed; read the ratios.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_support import BenchArguments, read_pages
from processes import tree_rss_mb


# -- input --------------------------------------------------------------------------------
def write_input(path: Path, source: list[tuple[str, str]], n: int) -> Path:
    """``n`` records: the pages in turn, each repeat with an id of its own."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            name, html = source[i % len(source)]
            fh.write(json.dumps({"id": f"{i}:{name}", "html": html}) + "\n")
    return path


# -- measuring a process tree ---------------------------------------------------------------
def run_measured(cmd: list[str]) -> dict:
    """Runs ``cmd``; its wall time, peak RSS of its process tree, and the JSON it printed last."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            try:
                peak[0] = max(peak[0], tree_rss_mb(proc.pid))
            except OSError:  # ended between the poll and the reading
                break
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.monotonic() - start
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {proc.returncode}")
    report = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    return {"wall": wall, "peak_rss_mb": peak[0], **report}


def load() -> str:
    return "%.1f / %.1f / %.1f" % os.getloadavg()


# -- the methods (each run in a child: ``bench/batch.py --run METHOD IN OUT``) ----------------
def child(method: str, src: str, out: str) -> None:
    from newsgist.batch.job import BatchJob, run_job
    from newsgist.config import Settings

    t0 = time.monotonic()
    extra = {}
    if method == "loop":
        from newsgist.pipeline import Pipeline

        pipeline = Pipeline(Settings.from_env(cache_documents=0))
        with open(src, encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as sink:
            for raw in fh:
                row = json.loads(raw)
                try:
                    line = pipeline.summarize_html(row["html"]).to_dict()
                except Exception as exc:  # noqa: BLE001 - counted as the batch counts them
                    line = {"error": {"code": getattr(exc, "code", "error")}}
                sink.write(json.dumps({"id": row["id"], **line}) + "\n")
    elif method == "shared":
        from concurrent.futures import ThreadPoolExecutor

        from newsgist.embed import cpu_threads
        from newsgist.workers import WorkerPool
        from newsgist.pipeline import Pipeline

        n = cpu_threads()
        front = WorkerPool(n).start(wait=True)
        pipeline = Pipeline(Settings.from_env(cache_documents=0, threads=n), runner=front)
        pipeline.load()

        def one(raw: str) -> str:
            row = json.loads(raw)
            try:
                line = pipeline.summarize_html(row["html"]).to_dict()
            except Exception as exc:  # noqa: BLE001
                line = {"error": {"code": getattr(exc, "code", "error")}}
            return json.dumps({"id": row["id"], **line})

        with open(src, encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as sink, \
                ThreadPoolExecutor(n + 1) as pool:
            for line in pool.map(one, fh):  # (map reads the input whole: fine for a bench)
                sink.write(line + "\n")
        front.close()
    elif method == "batch":
        run_job(BatchJob([src], out, progress_every=1e9, bar=False), Settings.from_env(),
                stream=open(os.devnull, "w"))
    elif method == "ray":
        import logging

        import ray

        ray.init(logging_level=logging.WARNING, log_to_driver=False, include_dashboard=False)
        extra["ray_init_s"] = time.monotonic() - t0
        t0 = time.monotonic()
        run_job(BatchJob([src], out, ray=True, progress_every=1e9, bar=False),
                Settings.from_env(), stream=open(os.devnull, "w"))
        ray.shutdown()
    else:
        raise SystemExit(f"unknown method {method}")
    import resource

    cpu = sum(getattr(resource.getrusage(who), f) for who in
              (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
    print(json.dumps({"job_s": time.monotonic() - t0, "cpu_s": cpu, **extra}))


def methods_run(method: str, src: Path, tmp: Path) -> dict:
    out = tmp / f"{method}.jsonl"
    if out.exists():
        out.unlink()
    before = load()
    result = run_measured([sys.executable, __file__, "--run", method, str(src), str(out)])
    result["load"] = f"{before} -> {load()}"
    with open(out, encoding="utf-8") as fh:
        result["ok"] = sum(1 for line in fh if '"error"' not in line[:200] and line.strip())
    return result


# -- 1. throughput ----------------------------------------------------------------------------
def throughput(source, tmp: Path, n: int, rounds: int, methods: list[str]) -> dict:
    src = write_input(tmp / "throughput.jsonl", source, n)
    runs: dict[str, list[dict]] = {m: [] for m in methods}
    for r in range(rounds):
        order = methods if r % 2 == 0 else list(reversed(methods))
        for m in order:
            res = methods_run(m, src, tmp)
            runs[m].append(res)
            print(f"  round {r + 1} {m:7s} {n / res['job_s']:6.2f} records/s  job "
                  f"{res['job_s']:6.1f} s  (wall {res['wall']:.1f} s, "
                  f"{res.get('cpu_s', 0) / n:.2f} CPU s/record, peak "
                  f"{res['peak_rss_mb']:.0f} MB, ok {res['ok']}/{n}, load {res['load']})",
                  flush=True)
    rate = {m: n / sum(x["job_s"] for x in v) * len(v) for m, v in runs.items()}
    print(f"\nthroughput on {n} records ({os.cpu_count()} cores), records/s over "
          f"{rounds} round(s):")
    for m in methods:
        print(f"  {m:7s} {rate[m]:6.2f} records/s   {rate[m] / rate['loop']:5.2f}x the loop")
    print("  (CPU s/record counts the job's own processes; Ray's actors are not its children)")
    if "ray" in rate and "batch" in rate:
        print(f"  ray / batch: {rate['ray'] / rate['batch']:.2f} (ray.init apart: "
              f"{sum(x['ray_init_s'] for x in runs['ray']) / len(runs['ray']):.1f} s)")
    return {"records": n, "runs": runs, "records_per_s": rate}


# -- 2. cross-document batching -----------------------------------------------------------------
def batching(source, n_docs: int = 48, group: int = 8) -> dict:
    """The sentences each page's summary chooses from (``Pipeline.prepare_page`` and
    ``candidates``, as the digest reads its pages), embedded one page per call and one
    group of pages per call, by the encoder straight (no cache in between)."""
    import numpy as np

    from newsgist.config import Settings
    from newsgist.embed import cpu_threads
    from newsgist.errors import NewsGistError
    from newsgist.pipeline import EMBED_MAX_CHARS, Pipeline
    from newsgist.rank import CentroidRanker

    pipeline = Pipeline(Settings.from_env(threads=cpu_threads()))
    encoder = pipeline.encoder
    docs = []
    for _, html in source[:n_docs]:
        try:
            prepared = pipeline.prepare_page(html, None)
        except NewsGistError:
            continue
        texts = [x.text[:EMBED_MAX_CHARS] for x in pipeline.candidates(prepared)]
        docs.append((texts, [len(t.split()) for t in texts]))
    encoder.encode(docs[0][0])  # warm
    t = time.perf_counter()
    alone = [encoder.encode(texts) for texts, _ in docs]
    t_alone = time.perf_counter() - t
    t = time.perf_counter()
    together = []
    for i in range(0, len(docs), group):
        chunk = docs[i:i + group]
        vectors = encoder.encode([x for texts, _ in chunk for x in texts])
        at = 0
        for texts, _ in chunk:
            together.append(vectors[at:at + len(texts)])
            at += len(texts)
    t_together = time.perf_counter() - t
    ranker = CentroidRanker()
    changed_vectors = sum(not np.array_equal(a, b) for a, b in zip(alone, together))
    max_diff = max(float(np.abs(a - b).max()) for a, b in zip(alone, together))
    changed_picks = sum(
        [c.index for c in ranker.select(a, 3, w)] != [c.index for c in ranker.select(b, 3, w)]
        for (texts, w), a, b in zip(docs, alone, together))
    print(f"\ncross-document batching ({len(docs)} documents, groups of {group}, "
          f"{cpu_threads()} inference threads):")
    print(f"  embedding, one call per document: {t_alone:.1f} s; one call per {group} "
          f"documents: {t_together:.1f} s ({t_alone / t_together:.2f}x)")
    print(f"  documents whose vectors change: {changed_vectors}/{len(docs)} "
          f"(max |diff| {max_diff:.2e}); whose 3 chosen sentences change: "
          f"{changed_picks}/{len(docs)}")
    return {"documents": len(docs), "alone_s": t_alone, "together_s": t_together,
            "changed_vectors": changed_vectors, "changed_picks": changed_picks,
            "max_abs_diff": max_diff}


# -- 3. memory ------------------------------------------------------------------------------------
def memory(source, tmp: Path, sizes: list[int]) -> dict:
    print("\npeak RSS of newsgist batch (main process + workers + page readers):")
    rows = {}
    for n in sizes:
        src = write_input(tmp / f"memory-{n}.jsonl", source, n)
        res = methods_run("batch", src, tmp)
        rows[n] = res
        print(f"  {n:5d} records: peak {res['peak_rss_mb']:6.0f} MB   "
              f"({n / res['job_s']:.2f} records/s, {res['cpu_s'] / n:.2f} CPU s/record, "
              f"load {res['load']})", flush=True)
    return rows


def warm_model() -> None:
    """Export the model into the cache now (if it is not there), before anything is timed."""
    from newsgist.config import Settings
    from newsgist.embed import load_encoder

    s = Settings.from_env()
    load_encoder(s.model, s.backend, 1, s.cache_dir)


# -- 4. where the loop's time goes, and the ceiling of any parallel design ------------------
def split(source, n_pages: int = 60) -> dict:
    """The loop's wall and CPU time per page, and its stages, with the encoder on every
    core (the loop) and on one (a batch worker).  Two one-thread workers can at best run
    ``cores`` pages in the CPU time of one page at one thread: that bounds any design that
    does the same work, against the loop."""
    from newsgist.config import Settings
    from newsgist.embed import cpu_threads
    from newsgist.pipeline import Pipeline

    htmls = [html for _, html in source[:n_pages]]
    out = {}
    for threads in (cpu_threads(), 1):
        pipeline = Pipeline(Settings.from_env(cache_documents=0, threads=threads))
        pipeline.load()
        pipeline.summarize_html(htmls[0])  # warm
        stages: dict[str, float] = {}
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for html in htmls:
            try:
                timings = pipeline.summarize_html(html).to_dict().get("timings_ms") or {}
            except Exception:  # noqa: BLE001 - a page with no article: its time still counts
                continue
            for stage, ms in timings.items():
                stages[stage] = stages.get(stage, 0.0) + ms
        wall = (time.perf_counter() - wall0) / len(htmls)
        cpu = (time.process_time() - cpu0) / len(htmls)
        out[threads] = {"wall_s": wall, "cpu_s": cpu, "cores_used": cpu / wall,
                        **{f"{k}_ms": v / len(htmls) for k, v in stages.items()}}
        print(f"  encoder threads {threads}: wall {wall:.3f} s/page, CPU {cpu:.3f} s/page, "
              f"{cpu / wall:.2f} cores used; stages (ms/page) "
              + ", ".join(f"{k} {v / len(htmls):.0f}" for k, v in stages.items()), flush=True)
    loop, one = out[cpu_threads()], out[1]
    ceiling = loop["wall_s"] / (one["cpu_s"] / cpu_threads())
    print(f"  ceiling of {cpu_threads()} one-thread workers against the loop: {ceiling:.2f}x")
    return {"per_threads": out, "ceiling": ceiling}


# A few records through every part (Ray left out: an optional extra, and its start alone
# takes longer than all the rest).
SMOKE = {"records": 6, "methods": "loop,batch,shared", "sizes": "6", "pages": 3, "docs": 4}


def main() -> None:
    if sys.argv[1:2] == ["--run"]:  # a method's own process: bench/batch.py --run METHOD IN OUT
        child(*sys.argv[2:5])
        return
    ap = BenchArguments(__doc__, smoke=SMOKE)
    ap.add_data("--data", "extraction", help="the extraction data folder (its html/ pages), "
                                             "or a folder of pages")
    ap.add_argument("--records", type=int, default=100, help="records for the throughput runs")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of the throughput runs "
                                                          "(the order reverses each round)")
    ap.add_argument("--methods", default="loop,batch,shared,ray")
    ap.add_argument("--sizes", default="100,500,2000", help="input sizes for the memory runs")
    ap.add_argument("--only", choices=["throughput", "batching", "memory", "split"])
    ap.add_argument("--pages", type=int, default=60, help="pages for the split run")
    ap.add_argument("--docs", type=int, default=48, help="pages for the batching run")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--cache-dir", help="model cache to use (NEWSGIST_CACHE_DIR); exported "
                                        "first if needed, so no run pays for the export")
    args = ap.parse_args()
    source = [(page.id, page.html) for page in read_pages(args.data)]
    methods = args.methods.split(",")
    if "ray" in methods:
        try:
            import ray  # noqa: F401
        except ImportError:
            print("ray is not installed: the ray method is left out", file=sys.stderr)
            methods.remove("ray")
    if args.cache_dir:  # a model cache of the benchmark's own (children read it from here)
        os.environ["NEWSGIST_CACHE_DIR"] = args.cache_dir
    warm_model()
    print(f"{len(source)} pages from {args.data}; {os.cpu_count()} cores; load {load()}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="newsgist-bench-") as tmp:
        if args.only in (None, "throughput"):
            results["throughput"] = throughput(source, Path(tmp), args.records, args.rounds,
                                               methods)
        if args.only in (None, "batching"):
            results["batching"] = batching(source, args.docs)
        if args.only in (None, "memory"):
            results["memory"] = memory(source, Path(tmp),
                                       [int(x) for x in args.sizes.split(",")])
        if args.only in (None, "split"):
            results["split"] = split(source, args.pages)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
