"""The reading history: what-is-new on a labelled set, search latency and size at scale.

    python bench/history.py                 # the labelled set, 1k and 10k entries
    python bench/history.py --sizes 1000    # other sizes
    python bench/history.py --smoke         # smaller sizes, fewer searches

1. **What is new.**  ``bench/history_set/stories.json``: own-written sequences of 4
   articles on one story, days apart, with two unrelated articles between them; for
   each later article, the facts it adds to the ones before, each marked by a phrase of
   the sentence that carries it.  Every article is remembered in day order through
   ``summarize_remembered`` (the real model, a summary of ``--sentences``).  Reported:
   - the story test: later articles whose ``since.read`` is exactly their story's
     earlier articles, unrelated articles with ``since`` null;
   - ``new``: precision (its sentences that carry an added fact) and recall (added facts
     carried by one of its sentences), beside two baselines given as many sentences as
     ``new`` has: the page's summary itself, and its first sentences (lead).
2. **Scale.**  A history of N synthetic entries (random unit vectors, 5 shown sentences
   of random words each, read over a year) in a temporary directory: the file's size,
   the p50/p95 of a search (``History.search``: the query embedded by the real model,
   FTS5, the meaning index), of a listing, and of a remembered summary against a plain
   one (the cost of ``remember``: the headline's encoding, the story test over the
   pages of the last 14 days, one transaction).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_support import REPO, BenchArguments

from newsgist.config import Settings
from newsgist.history import History, summarize_remembered
from newsgist.history.since import MIN_NOVELTY
from newsgist.history.store import NewEntry, Shown, Store
from newsgist.pipeline import Pipeline

SET = REPO / "bench" / "history_set" / "stories.json"
SMOKE = {"sizes": "200,500", "searches": 10, "summaries": 5, "novelty": "0.5"}
DAY = 86400.0
START = 1_790_000_000.0


def _sentences_with(marker: str, texts: list[str]) -> list[int]:
    return [i for i, t in enumerate(texts) if marker in t]


def what_is_new(pipeline: Pipeline, sentences: int, min_novelty: float = MIN_NOVELTY) -> dict:
    data = json.loads(SET.read_text(encoding="utf-8"))
    reads = [(a["day"], s["name"], n, a) for s in data["stories"]
             for n, a in enumerate(s["articles"])]
    reads += [(a["day"], None, 0, a) for a in data["others"]]
    reads.sort(key=lambda r: (r[0], r[1] or "", r[2]))
    clock = {"now": START}
    with tempfile.TemporaryDirectory() as data_dir:
        history = History(Settings(data_dir=data_dir), clock=lambda: clock["now"],
                          min_novelty=min_novelty)
        seen_titles: dict[str, list[str]] = {}
        story_ok = story_total = 0
        found = {"new": [0, 0, 0, 0], "summary": [0, 0, 0, 0], "lead": [0, 0, 0, 0]}
        empty_new = 0
        for day, story, n, article in reads:
            clock["now"] = START + day * DAY + n * 60
            result = summarize_remembered(pipeline, history, text=article["text"],
                                          title=article["title"], sentences=sentences)
            since = result.since
            story_total += 1
            if story is None or n == 0:
                story_ok += since is None
            else:
                story_ok += since is not None and sorted(r.title for r in since.read) == \
                    sorted(seen_titles[story])
            if story is not None:
                seen_titles.setdefault(story, []).append(article["title"])
            if story is None or n == 0 or since is None:
                continue
            markers = [f["marker"] for f in article["adds"]]
            all_sentences = [s.text for s in pipeline.candidates(
                pipeline.prepare_page(None, article["text"], None, article["title"]))]
            for m in markers:   # the labels are sound: each marks one sentence
                assert len(_sentences_with(m, all_sentences)) == 1, (article["title"], m)
            new = [s.text for s in since.new]
            empty_new += not new
            k = max(len(new), 1)
            shown = {"new": new, "summary": [s.text for s in result.sentences][:k],
                     "lead": all_sentences[:k]}
            for name, texts in shown.items():
                carrying = sum(any(m in t for m in markers) for t in texts)
                covered = sum(any(m in t for t in texts) for m in markers)
                counts = found[name]
                counts[0] += carrying
                counts[1] += len(texts)
                counts[2] += covered
                counts[3] += len(markers)
        history.close()
    return {"story_ok": story_ok, "story_total": story_total, "found": found,
            "empty_new": empty_new}


def _words(rng: random.Random, vocabulary: list[str], n: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(n)).capitalize() + "."


def fill(data_dir: str, count: int, dim: int, model: str, seed: int = 7) -> None:
    """``count`` synthetic entries, read over the year before START + 30 days."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    vocabulary = [f"{a}{b}" for a in ("bar", "cor", "del", "fen", "gor", "hal", "kin", "lum",
                                      "mor", "nel", "pra", "quo", "ros", "sel", "tam", "vor")
                  for b in ("a", "e", "i", "o", "u", "an", "en", "ing", "ed", "er", "ly")]
    store = Store(data_dir)
    for i in range(count):
        vectors = np_rng.standard_normal((6, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.add(NewEntry(url=f"https://news{i % 40}.example/{i}",
                           title=_words(rng, vocabulary, 8)[:-1], site=f"news{i % 40}.example",
                           language="en", read_at=START + 30 * DAY - rng.random() * 365 * DAY,
                           model=model, vector=vectors[0], headline=vectors[1],
                           shown=[Shown(_words(rng, vocabulary, 20), v) for v in vectors[1:]]),
                  None)
    store.close()


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def scale(pipeline: Pipeline, size: int, searches: int, summaries: int) -> dict:
    encoder = pipeline.encoder
    dim = encoder.encode(["x"]).shape[1]
    article = (REPO / "tests" / "fixtures" / "news_article.html").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as data_dir:
        t = time.perf_counter()
        fill(data_dir, size, dim, pipeline.model_name)
        fill_s = time.perf_counter() - t
        history = History(Settings(data_dir=data_dir), clock=lambda: START + 30 * DAY)
        embed = lambda q: encoder.encode([q])[0]   # noqa: E731
        queries = ["city council budget vote", "wildfire evacuation", "data breach shares",
                   "corles hali vored", "bus strike pay talks", "election results",
                   "harbour race record", "orchid", "football final", "central bank rates"]
        history.search(queries[0], pipeline.model_name, embed)       # the index is built once
        search_times, list_times = [], []
        for i in range(searches):
            t = time.perf_counter()
            history.search(queries[i % len(queries)] + f" {i}", pipeline.model_name, embed)
            search_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            history.entries(limit=50)
            list_times.append(time.perf_counter() - t)
        plain, remembered = [], []
        # Each summary of a page never seen (no embedding in the cache), as a reader's is:
        # the first paragraph differs.
        page = lambda i: article.replace("<p>", f"<p>Reading {i} of the page. ", 1)  # noqa
        pipeline.summarize_html(page(-1))                              # warm the model
        for i in range(summaries):
            t = time.perf_counter()
            pipeline.summarize_html(page(2 * i))
            plain.append(time.perf_counter() - t)
            t = time.perf_counter()
            summarize_remembered(pipeline, history, html=page(2 * i + 1))
            remembered.append(time.perf_counter() - t)
        history.close()
        files = [Path(data_dir) / f for f in os.listdir(data_dir)]
        size_mb = sum(f.stat().st_size for f in files) / 1e6
    return {"size": size, "fill_s": fill_s, "search": _ms(search_times),
            "list": _ms(list_times), "plain": _ms(plain), "remembered": _ms(remembered),
            "mb": size_mb}


def main(argv=None) -> None:
    ap = BenchArguments(__doc__, smoke=SMOKE)
    ap.add_argument("--sizes", default="1000,10000", help="history sizes (comma-separated)")
    ap.add_argument("--searches", type=int, default=100)
    ap.add_argument("--summaries", type=int, default=30,
                    help="summaries with and without remember, for its cost")
    ap.add_argument("--sentences", type=int, default=3, help="summary length (default 3)")
    ap.add_argument("--novelty", default="0.2,0.3,0.4,0.5,0.6,0.7",
                    help="values of MIN_NOVELTY to compare (comma-separated)")
    args = ap.parse_args(argv)
    pipeline = Pipeline(Settings())
    pipeline.load()
    print(f"model: {pipeline.model_name}\n")

    print(f"## What is new ({SET.relative_to(REPO)}, summaries of {args.sentences})\n")
    result = what_is_new(pipeline, args.sentences)
    print(f"story test: {result['story_ok']}/{result['story_total']} reads right "
          "(later articles: since.read is their story's earlier articles; others: since null)")
    print(f"later articles with an empty `new`: {result['empty_new']}\n")
    print("| sentences shown | carrying an added fact (precision) | added facts carried "
          "(recall) |")
    print("|---|---|---|")
    names = {"new": "**since.new**", "summary": "the page's summary (first as many)",
             "lead": "the page's first sentences (as many)"}
    for name, label in names.items():
        c = result["found"][name]
        print(f"| {label} | {c[0]}/{c[1]} = {c[0] / max(c[1], 1):.2f} | "
              f"{c[2]}/{c[3]} = {c[2] / max(c[3], 1):.2f} |")

    print(f"\n`since.new` by the share of a sentence that must be unseen (MIN_NOVELTY, now "
          f"{MIN_NOVELTY}; chosen on this same small set: there is no other)\n")
    print("| min_novelty | precision | recall | empty `new` |")
    print("|---|---|---|---|")
    for value in [float(v) for v in args.novelty.split(",")]:
        c = what_is_new(pipeline, args.sentences, value)
        n = c["found"]["new"]
        print(f"| {value} | {n[0]}/{n[1]} = {n[0] / max(n[1], 1):.2f} | "
              f"{n[2]}/{n[3]} = {n[2] / max(n[3], 1):.2f} | {c['empty_new']} |", flush=True)

    print("\n## Scale (synthetic entries; times in ms, p50 / p95)\n")
    print("| entries | file MB | search | list 50 | summary | summary + remember | "
          "remember costs (p50) |")
    print("|---|---|---|---|---|---|---|")
    for size in [int(s) for s in args.sizes.split(",")]:
        r = scale(pipeline, size, args.searches, args.summaries)
        print(f"| {r['size']} | {r['mb']:.1f} | {r['search'][0]:.1f} / {r['search'][1]:.1f} | "
              f"{r['list'][0]:.2f} / {r['list'][1]:.2f} | {r['plain'][0]:.1f} / "
              f"{r['plain'][1]:.1f} | {r['remembered'][0]:.1f} / {r['remembered'][1]:.1f} | "
              f"{r['remembered'][0] - r['plain'][0]:+.1f} |", flush=True)


if __name__ == "__main__":
    main()
