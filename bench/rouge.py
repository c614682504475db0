"""ROUGE benchmark: our ranker against LEAD-3 and classic extractive summarizers.

    python bench/rouge.py                       # the 500-article dev set
    python bench/rouge.py --limit 50            # quick look while iterating
    python bench/rouge.py --holdout-from 250    # also tables for articles [0, 250) and [250, 500)
    python bench/rouge.py --sweep               # + previous ranker, one parameter changed at a time
    python bench/rouge.py --smoke               # the stand-in's articles: it runs

Reads a JSONL of articles with reference summaries (by default
``../shared/data/summarization/cnndm_dev.jsonl`` next to the repository; its
README explains the format).  The text is lower-cased and PTB-tokenized, so
sentences are split at standalone ``.``/``!``/``?`` tokens
(``bench_support.split_tokenized``): this benchmark measures *ranking*, not
segmentation, and every method gets the same sentences.

Methods, all asked for 3 sentences of the same split:

* LEAD-3: the first three sentences.
* plain centroid: mean of the MiniLM sentence embeddings, the three sentences
  with the highest cosine to it, in article order (the issue's floor).
* ours: ``newsgist.rank_sentences`` -- i.e. ``Pipeline.rank_sentences`` with the
  real model; by default its encoder is wrapped in an on-disk cache
  (``bench/results/``, git-ignored) so each article is embedded once across
  runs; ``--no-cache`` calls ``newsgist.rank_sentences`` itself.
* sumy LexRank, TextRank, Luhn and LSA, given our sentences, a regex word
  tokenizer (sumy's own needs nltk data) and the Snowball stemmer and stop
  list sumy ships.

Scores: Google's ``rouge-score`` (ROUGE-1, ROUGE-2, ROUGE-Lsum F1 x 100,
Porter stemming on; summary and reference sentences joined by newlines for
Lsum), mean over articles with a 95 % percentile bootstrap interval
(``--resamples`` resamples over articles, fixed seed).  Our difference from
LEAD-3 comes with a *paired* bootstrap interval (same resampled articles for
both).  "words" is the mean length of the summaries (a shorter summary
scores higher ROUGE precision, so it is shown).  Times are medians per article
of each method's own call on the split sentences; the embedding cost the
centroid methods share is printed apart.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from bench_support import (RESULTS, BenchArguments, CachedEncoder, progress, read_summarization,
                           split_tokenized)

METRICS = ("rouge1", "rouge2", "rougeLsum")
LABELS = {"rouge1": "R1", "rouge2": "R2", "rougeLsum": "RLsum"}
K = 3

# A method maps (sentences, their unit embeddings) to the chosen indices.
Method = Callable[[Sequence[str], np.ndarray], Sequence[int]]


# -- baselines -------------------------------------------------------------------------
def lead(sentences: Sequence[str], vectors: np.ndarray, k: int = K) -> list[int]:
    return list(range(min(k, len(sentences))))


def plain_centroid(sentences: Sequence[str], vectors: np.ndarray, k: int = K) -> list[int]:
    """Mean embedding; top-k by cosine; article order.  No filter, no prior."""
    centroid = vectors.mean(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) or 1.0)
    sim = vectors @ centroid
    return sorted(sorted(range(len(sentences)), key=lambda i: (-sim[i], i))[:k])


_WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)


class RegexTokenizer:
    """The word tokenizer handed to sumy (its default needs nltk's punkt data)."""

    language = "english"

    def to_words(self, text: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(text))

    def to_sentences(self, text: str) -> tuple[str, ...]:  # never called: we give sentences
        raise NotImplementedError


def sumy_methods() -> dict[str, Method]:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    tokenizer = RegexTokenizer()
    stemmer = Stemmer("english")
    stop_words = get_stop_words("english")

    def make(cls) -> Method:
        summarizer = cls(stemmer)
        summarizer.stop_words = stop_words

        def run(sentences: Sequence[str], vectors: np.ndarray, k: int = K) -> list[int]:
            objects = [Sentence(s, tokenizer) for s in sentences]
            where = {id(o): i for i, o in enumerate(objects)}
            document = ObjectDocumentModel([Paragraph(objects)])
            chosen = summarizer(document, k)
            return sorted(where[id(o)] for o in chosen)
        return run

    return {"sumy LexRank": make(LexRankSummarizer), "sumy TextRank": make(TextRankSummarizer),
            "sumy Luhn": make(LuhnSummarizer), "sumy LSA": make(LsaSummarizer)}


# -- scoring ---------------------------------------------------------------------------
_scorer = None


def rouge(summary: Sequence[str], reference: str) -> tuple[float, float, float]:
    """(R1, R2, RLsum) F1 x 100 of newline-joined sentences against the reference."""
    global _scorer
    if _scorer is None:
        from rouge_score import rouge_scorer
        _scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores = _scorer.score(reference, "\n".join(summary))
    return tuple(100.0 * scores[m].fmeasure for m in METRICS)


def summary_scores(summary: Sequence[str], reference: str) -> tuple[float, ...]:
    return (*rouge(summary, reference), float(sum(len(_WORD.findall(s)) for s in summary)))


def greedy_oracle(sentences: Sequence[str], reference: str, k: int = K) -> list[int]:
    """Upper bound for k extracted sentences: add the sentence that most raises
    mean(R1, R2) F1 until k are chosen or none helps (Nallapati et al., 2017)."""
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < k:
        gains = []
        for i in range(len(sentences)):
            if i not in chosen:
                r1, r2, _ = rouge([sentences[j] for j in sorted(chosen + [i])], reference)
                gains.append(((r1 + r2) / 2, -i, i))
        if not gains:
            break
        value, _, i = max(gains)
        if value <= best:
            break
        best = value
        chosen.append(i)
    return sorted(chosen)


def bootstrap_ci(values: np.ndarray, idx: np.ndarray) -> tuple[float, float]:
    """95 % percentile interval of the mean; ``idx`` holds the resampled rows."""
    means = values[idx].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


# -- the run ---------------------------------------------------------------------------
def load_articles(path: Path, limit: int | None) -> list[tuple[dict, list[str]]]:
    out = []
    for row in read_summarization(path, limit):
        sentences = split_tokenized(row["article"])
        if sentences and row.get("reference", "").strip():
            out.append((row, sentences))
    return out


def make_pipeline(use_cache: bool):
    """Our ranker's real entry point, with the encoder optionally disk-cached."""
    import newsgist
    from newsgist.config import Settings
    from newsgist.embed import load_encoder
    from newsgist.pipeline import Pipeline

    if not use_cache:
        pipe = newsgist.pipeline.default_pipeline()
        encoder = CachedEncoder(pipe.encoder, None)   # in memory: reused by the other methods
        return newsgist.rank_sentences, encoder
    settings = Settings.from_env()
    base = load_encoder(settings.model, settings.backend, settings.threads, settings.cache_dir)
    backend = _slug(getattr(base, "backend", "unknown"))
    encoder = CachedEncoder(base, RESULTS / f"embeddings-{_slug(base.name)}-{backend}.pkl")
    pipe = Pipeline(settings, encoder=encoder)
    return pipe.rank_sentences, encoder


def previous_ranker(sentences: Sequence[str], vectors: np.ndarray, k: int = K) -> list[int]:
    """The ranker this one replaced: cos to the mean + 0.5 / (1 + position),
    greedy, skipping near-duplicates (cos > 0.85) and sentences under 5 words."""
    centroid = vectors.mean(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) or 1.0)
    score = vectors @ centroid + 0.5 / (1.0 + np.arange(len(sentences)))
    words = [len(s.split()) for s in sentences]
    chosen: list[int] = []
    for strict in (True, False):
        for i in sorted(range(len(sentences)), key=lambda i: (-score[i], i)):
            if len(chosen) >= k:
                break
            if i in chosen or strict and (words[i] < 5 or chosen and float(
                    np.max(vectors[chosen] @ vectors[i])) > 0.85):
                continue
            chosen.append(i)
    return sorted(chosen)


def sweep_methods() -> dict[str, Method]:
    """Our ranker with one parameter changed at a time, on the same vectors."""
    from newsgist.rank import CentroidRanker
    from newsgist.real_sentences import summary_mask

    def variant(**changes) -> Method:
        ranker = CentroidRanker(**changes)
        return lambda sentences, vectors: [c.index for c in ranker.select(
            vectors, K, [len(s.split()) for s in sentences], summary_mask(sentences))]
    out: dict[str, Method] = {"previous ranker (cos + 0.5/(1+i), filters)": previous_ranker}
    for name, value in (("sharpness", 1.0), ("sharpness", 3.0), ("position_decay", 0.5),
                        ("position_decay", 1.5), ("position_decay", 2.0),
                        ("ineligible_in_centroid", False)):
        shown = value if isinstance(value, bool) else f"{value:g}"
        out[f"ours with {name}={shown}"] = variant(**{name: value})
    # The ranker as it was before it was told which sentences are real sentences.
    blind = CentroidRanker()
    out["ours without the real-sentence mask"] = lambda sentences, vectors: [
        c.index for c in blind.select(vectors, K, [len(s.split()) for s in sentences])]
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def evaluate(articles, methods: dict[str, Method], vectors: list[np.ndarray],
             oracle: bool) -> tuple[dict[str, np.ndarray], dict[str, list[float]]]:
    """Per method: an (articles x 4) array -- R1, R2, RLsum and the summary's
    length in words -- and per-article times (ms)."""
    scores = {name: np.zeros((len(articles), len(METRICS) + 1)) for name in methods}
    times: dict[str, list[float]] = {name: [] for name in methods}
    if oracle:
        scores["greedy oracle (upper bound)"] = np.zeros((len(articles), len(METRICS) + 1))
    for a, (row, sentences) in enumerate(progress(articles, "scoring")):
        for name, method in methods.items():
            t = time.perf_counter()
            chosen = list(method(sentences, vectors[a]))
            times[name].append((time.perf_counter() - t) * 1000.0)
            _check(name, chosen, len(sentences))
            scores[name][a] = summary_scores([sentences[i] for i in chosen], row["reference"])
        if oracle:
            chosen = greedy_oracle(sentences, row["reference"])
            scores["greedy oracle (upper bound)"][a] = summary_scores(
                [sentences[i] for i in chosen], row["reference"])
    return scores, times


def _check(name: str, chosen: list[int], n: int) -> None:
    if chosen != sorted(set(chosen)) or len(chosen) != min(K, n) or any(
            not 0 <= i < n for i in chosen):
        raise AssertionError(f"{name} returned {chosen} for {n} sentences (want {min(K, n)} "
                             f"distinct indices in article order)")


def print_table(title: str, rows: slice, scores: dict[str, np.ndarray],
                times: dict[str, list[float]], ours: str, resamples: int, seed: int) -> None:
    n = len(range(*rows.indices(len(next(iter(scores.values()))))))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    print(f"\n## {title} ({n} articles)\n")
    print("| method | R1 | R2 | RLsum | words | median ms/article |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, values in scores.items():
        values = values[rows]
        cells = []
        for m in range(len(METRICS)):
            lo, hi = bootstrap_ci(values[:, m], idx)
            cells.append(f"{values[:, m].mean():.2f} [{lo:.2f}, {hi:.2f}]")
        ms = times.get(name)
        ms_cell = f"{statistics.median(ms[rows]):.2f}" if ms else "-"
        label = f"**{name}**" if name == ours else name
        words = values[:, len(METRICS)].mean()
        print(f"| {label} | " + " | ".join(cells) + f" | {words:.1f} | {ms_cell} |")
    diff = (scores[ours][rows] - scores["LEAD-3"][rows])[:, :len(METRICS)]
    parts = []
    for m, metric in enumerate(METRICS):
        lo, hi = bootstrap_ci(diff[:, m], idx)
        parts.append(f"{LABELS[metric]} {diff[:, m].mean():+.2f} [{lo:+.2f}, {hi:+.2f}]")
    wins = (diff > 0).mean(axis=0) * 100
    ties = (diff == 0).mean(axis=0) * 100
    print(f"\n{ours} - LEAD-3 (paired 95% bootstrap CI): " + ", ".join(parts))
    print("articles where ours is better / identical score: "
          + ", ".join(f"{LABELS[m]} {w:.0f}% / {t:.0f}%" for m, w, t in zip(METRICS, wins, ties)))


def main(argv: Sequence[str] | None = None) -> int:
    # Every part, on the stand-in's six articles, embedded afresh (no cache file written).
    parser = BenchArguments(__doc__, smoke={"no_cache": True, "resamples": 200, "holdout_from": 3,
                                            "sweep": True, "oracle": True})
    parser.add_data("--data", "summarization")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--holdout-from", type=int, default=None, metavar="N",
                        help="also print tables for articles [0, N) and [N, end)")
    parser.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--oracle", action="store_true",
                        help="add the greedy extractive oracle (slow: many ROUGE calls)")
    parser.add_argument("--no-sumy", action="store_true", help="skip the sumy baselines")
    parser.add_argument("--sweep", action="store_true",
                        help="add the previous ranker and our ranker with each parameter changed")
    parser.add_argument("--no-cache", action="store_true",
                        help="embed afresh through newsgist.rank_sentences (no disk cache)")
    args = parser.parse_args(argv)

    articles = load_articles(args.data, args.limit)
    if not articles:
        parser.error(f"no usable articles in {args.data}")
    print(f"{len(articles)} articles from {args.data}", file=sys.stderr)

    rank_sentences, encoder = make_pipeline(use_cache=not args.no_cache)
    vectors = []
    embed_ms = []
    for row, sentences in progress(articles, "embedding"):
        vectors.append(encoder.encode(sentences))
        embed_ms.append(encoder.embed_ms(sentences))
    encoder.save()
    from_cache = encoder.hits

    ours = "ours (newsgist.rank_sentences)"
    methods: dict[str, Method] = {
        "LEAD-3": lead,
        "plain centroid (top-3 cosine)": plain_centroid,
        ours: lambda sentences, _vectors: rank_sentences(list(sentences), sentences=K),
    }
    if not args.no_sumy:
        methods.update(sumy_methods())
    if args.sweep:
        methods.update(sweep_methods())

    scores, times = evaluate(articles, methods, vectors, args.oracle)
    n = len(articles)
    print(f"\n# ROUGE F1 x 100 (rouge-score, stemmed; Lsum on newline-joined sentences), "
          f"{K} sentences, mean [95% bootstrap CI]")
    print_table("all articles", slice(0, n), scores, times, ours, args.resamples, args.seed)
    if args.holdout_from is not None and 0 < args.holdout_from < n:
        h = args.holdout_from
        print_table(f"articles 1-{h} (tuning half)", slice(0, h), scores, times, ours,
                    args.resamples, args.seed)
        print_table(f"articles {h + 1}-{n} (held out: not used to choose the method)",
                    slice(h, n), scores, times, ours, args.resamples, args.seed)
    print(f"\nEmbedding ({encoder.name}, {encoder.backend}, CPU): median "
          f"{statistics.median(embed_ms):.1f} ms "
          f"per article, paid once per article by the centroid methods and not included "
          f"above; measured when first embedded ({from_cache} of {n} from the cache in "
          f"this run).  Mean {np.mean([len(s) for _, s in articles]):.1f} sentences "
          f"per article.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
