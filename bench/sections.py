"""Sections benchmark: summaries of pages built of sections, against their abstracts.

    python bench/sections.py                  # the sectioned dev set, both halves
    python bench/sections.py --limit 40       # a quick look
    python bench/sections.py --sweep          # + one ranker parameter changed at a time
    python bench/sections.py --smoke          # two own-written papers (tests/fixtures/bench)

Reads ``../shared/data/sections/scisummnet_dev.jsonl`` (papers as lists of
titled sections of pre-split sentences, with their abstracts; its README has
the format).  Each paper is rendered as a page -- ``<h1>`` title, an ``<h2>``
per section, ``<p>``s of a few sentences -- and summarized through the
product's own path (``Pipeline.summarize_html``: extraction, segmentation,
the real model, the ranker), 5 sentences, ROUGE against the abstract.
Beside it, in the same run and on the same pages:

* **LEAD-5**: the paper's first five sentences (the corpus's own split);
* **story ranker (before)**: the same pipeline reading every page as a story,
  as NewsGist did before pages built of sections (the ranker never told the
  sections: the path a page without sections still takes, unchanged);
* **NewsGist**: the section-aware ranking (``rank.py``, point 5).

The papers are split into two halves by a hash of their id: the ranker's
section shares were chosen on the tuning half (``--sweep``) and the
validation half says whether they carry over.  Scores: ``rouge-score``
ROUGE-1/2/Lsum F1 x 100 with stemming (as ``bench/rouge.py``), means with a
paired 95 % bootstrap interval of NewsGist's difference from the story ranker.
"""

from __future__ import annotations

import hashlib
import html
import sys
from dataclasses import replace
from typing import Sequence

import numpy as np

from bench_support import (RESULTS, BenchArguments, CachedEncoder, progress,
                           read_sections)
from rouge import METRICS, LABELS, bootstrap_ci, rouge

SMOKE = {"limit": 2, "no_cache": True, "resamples": 100}
K = 5
SENTENCES_PER_PARAGRAPH = 4


def half(paper_id: str) -> str:
    """"tune" or "valid": a fixed split by a hash of the paper's id."""
    return "tune" if hashlib.sha256(paper_id.encode("utf-8")).digest()[0] % 2 == 0 \
        else "valid"


def render(paper: dict) -> str:
    """The paper as a page: a title, a heading per section, paragraphs of a few sentences."""
    parts = [f"<html lang='en'><head><title>{_text(paper['title'])}</title></head><body>"
             f"<article><h1>{_text(paper['title'])}</h1>"]
    for section in paper["sections"]:
        parts.append(f"<h2>{_text(section['title'])}</h2>")
        sentences = section["sentences"]
        for i in range(0, len(sentences), SENTENCES_PER_PARAGRAPH):
            chunk = " ".join(_text(s) for s in sentences[i:i + SENTENCES_PER_PARAGRAPH])
            parts.append(f"<p>{chunk}</p>")
    parts.append("</article></body></html>")
    return "\n".join(parts)


def _text(s: str) -> str:
    return html.escape(html.unescape(s), quote=False)


def lead(paper: dict, k: int = K) -> list[str]:
    return [html.unescape(s) for sec in paper["sections"] for s in sec["sentences"]][:k]


class StoryRanker:
    """The ranker reading every page as a story: ``sections`` are never passed on."""

    def __init__(self, inner):
        self.inner = inner

    def select(self, embeddings, k, words=None, eligible=None, sections=None):
        return self.inner.select(embeddings, k, words, eligible)

    def representatives(self, *args, **kwargs):
        return self.inner.representatives(*args, **kwargs)


def make_pipelines(rankers: dict[str, object], use_cache: bool):
    from newsgist.config import Settings
    from newsgist.embed import load_encoder
    from newsgist.pipeline import EmbeddingCache, Pipeline

    settings = Settings.from_env()
    base = load_encoder(settings.model, settings.backend, settings.threads, settings.cache_dir)
    path = RESULTS / f"embeddings-sections-{getattr(base, 'backend', 'unknown')}.pkl" \
        if use_cache else None
    encoder = CachedEncoder(base, path)
    cache = EmbeddingCache(4)   # one page at a time, embedded once for every ranker
    pipes = {}
    for name, ranker in rankers.items():
        pipe = Pipeline(settings, encoder=encoder, ranker=ranker)
        pipe.cache = cache
        pipes[name] = pipe
    return pipes, encoder


def variants() -> dict[str, object]:
    """The default ranker with one parameter of its sectioned reading changed."""
    from newsgist.rank import CentroidRanker

    base = CentroidRanker()
    changes = [("intro_share", v) for v in (1.0, 2.0, 3.0)] + \
        [("section_length_power", v) for v in (0.5, 1.0)] + \
        [("position_decay", v) for v in (0.5, 2.0)] + \
        [("section_diversity", v) for v in (0.1, 0.25, 0.5, 1.0)]
    return {f"{name} = {value:g}": replace(base, **{name: value}) for name, value in changes
            if getattr(base, name) != value}


def main(argv: Sequence[str] | None = None) -> int:
    parser = BenchArguments(__doc__, smoke=SMOKE)
    parser.add_data("--data", "sections")
    parser.add_argument("--limit", type=int, default=None, help="only the first N papers")
    parser.add_argument("--sweep", action="store_true",
                        help="also score ranker variants (choose on the tuning half)")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not keep embeddings on disk between runs")
    parser.add_argument("--resamples", type=int, default=2000)
    args = parser.parse_args(argv)

    from newsgist.errors import NoArticle
    from newsgist.rank import CentroidRanker

    papers = read_sections(args.data, args.limit)
    rankers: dict[str, object] = {"story ranker (before)": StoryRanker(CentroidRanker()),
                                  "NewsGist": CentroidRanker()}
    if args.sweep:
        rankers.update(variants())
    pipes, encoder = make_pipelines(rankers, not args.no_cache)
    names = ["LEAD-5", *rankers]
    scores = {name: np.full((len(papers), len(METRICS) + 1), np.nan) for name in names}
    halves, outlined = [], 0
    for p, paper in enumerate(progress(papers, "papers", every=25)):
        halves.append(half(paper["id"]))
        page = render(paper)
        reference = paper["abstract"]
        chosen = lead(paper)
        scores["LEAD-5"][p] = (*rouge(chosen, reference), sum(len(s.split()) for s in chosen))
        prepared = None
        for name, pipe in pipes.items():
            try:
                prepared = prepared or pipe.prepare_page(page, None)
                summary = pipe.summarize_prepared(prepared, K)
            except NoArticle:
                continue
            texts = [s.text for s in summary.sentences]
            scores[name][p] = (*rouge(texts, reference), sum(len(t.split()) for t in texts))
            if name == "NewsGist":
                outlined += summary.outline is not None
    encoder.save()

    print(f"# Sections benchmark: {len(papers)} papers, {K} sentences, ROUGE F1 x 100 "
          f"against the abstract ({outlined} of {len(papers)} read as built of sections)")
    halves_arr = np.array(halves)
    rng = np.random.default_rng(0)
    for label, rows in (("tuning half", halves_arr == "tune"),
                        ("validation half", halves_arr == "valid"),
                        ("all", np.ones(len(papers), dtype=bool))):
        ok = rows & ~np.isnan(scores["NewsGist"][:, 0]) & ~np.isnan(
            scores["story ranker (before)"][:, 0])
        n = int(ok.sum())
        if not n:
            continue
        print(f"\n## {label} ({n} papers)\n")
        print("| method | R1 | R2 | RLsum | words |")
        print("|---|---:|---:|---:|---:|")
        for name in names:
            values = scores[name][ok]
            cells = " | ".join(f"{np.nanmean(values[:, m]):.2f}" for m in range(len(METRICS)))
            bold = f"**{name}**" if name == "NewsGist" else name
            print(f"| {bold} | {cells} | {np.nanmean(values[:, -1]):.1f} |")
        idx = rng.integers(0, n, size=(args.resamples, n))
        for other in ("story ranker (before)", "LEAD-5"):
            diff = (scores["NewsGist"][ok] - scores[other][ok])[:, :len(METRICS)]
            parts = []
            for m, metric in enumerate(METRICS):
                lo, hi = bootstrap_ci(diff[:, m], idx)
                parts.append(f"{LABELS[metric]} {diff[:, m].mean():+.2f} [{lo:+.2f}, {hi:+.2f}]")
            print(f"\nNewsGist - {other} (paired 95% bootstrap CI): " + ", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
