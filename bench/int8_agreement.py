"""Does int8 change the summaries?  ONNX Runtime int8 against PyTorch fp32.

On the dev articles of the ROUGE benchmark (``cnndm_dev.jsonl``; sentences
split at standalone ``.``/``!``/``?`` tokens), both encoders embed the same
sentences and the *current* ranker (``Pipeline.rank_sentences``, whatever
``rank.py`` holds today) picks 3 sentences from each.  Reported: the share of
articles with exactly the same picks, the cosine between the two encoders'
vectors, and ROUGE-1/2/L F1 of both against the reference highlights.  The two
encoders run side by side, article by article, so their times compare too.

    python bench/int8_agreement.py                 # all 500 dev articles
    python bench/int8_agreement.py --limit 100
    python bench/int8_agreement.py --smoke         # the stand-in's articles: it runs
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# split_tokenized: the ROUGE benchmark's own splitter
from bench_support import BenchArguments, read_summarization, split_tokenized


def main(argv: list[str] | None = None) -> int:
    ap = BenchArguments(__doc__)
    ap.add_data("--data", "summarization")
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("-k", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from rouge_score import rouge_scorer

    from newsgist.config import Settings
    from newsgist.embed import load_encoder
    from newsgist.pipeline import Pipeline

    rows = read_summarization(args.data, args.limit)
    int8 = load_encoder(backend="onnx-int8")
    fp32 = load_encoder(backend="torch")
    # The same ranker (as configured today) over both encoders.
    pipes = {"int8": Pipeline(Settings(), encoder=int8), "fp32": Pipeline(Settings(), encoder=fp32)}
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)

    same, cosines, times = 0, [], {"int8": [], "fp32": []}
    scores = {name: {"rouge1": [], "rouge2": [], "rougeL": []} for name in pipes}
    for n, row in enumerate(rows, 1):
        sentences = split_tokenized(row["article"])
        if len(sentences) < 2:
            continue
        picks, vectors = {}, {}
        for name, pipe in pipes.items():
            t = time.perf_counter()
            vectors[name] = pipe.encoder.encode(sentences)
            times[name].append((time.perf_counter() - t) * 1000)
            picks[name] = pipe.rank_sentences(sentences, sentences=args.k)
            summary = " ".join(sentences[i] for i in picks[name])
            result = scorer.score(row["reference"], summary)
            for key in scores[name]:
                scores[name][key].append(result[key].fmeasure)
        same += picks["int8"] == picks["fp32"]
        cosines.extend(np.sum(vectors["int8"] * vectors["fp32"], axis=1).tolist())
        if n % 50 == 0:
            print(f"  {n}/{len(rows)}", file=sys.stderr, flush=True)

    total = len(scores["int8"]["rouge1"])
    print(f"{total} dev articles, k={args.k}, ranker: {type(pipes['int8'].ranker).__name__}\n")
    print(f"identical picks, int8 vs fp32: {same}/{total} = {same / total:.1%}")
    print(f"sentence cosine int8 vs fp32: mean {statistics.mean(cosines):.4f}, "
          f"p05 {np.percentile(cosines, 5):.4f}, min {min(cosines):.4f}\n")
    print("| encoder | ROUGE-1 F | ROUGE-2 F | ROUGE-L F | embed median ms/article |")
    print("|---|---|---|---|---|")
    for name in ("fp32", "int8"):
        s = scores[name]
        print(f"| {'PyTorch fp32' if name == 'fp32' else 'ONNX Runtime int8'} | "
              f"{100 * statistics.mean(s['rouge1']):.2f} | {100 * statistics.mean(s['rouge2']):.2f} "
              f"| {100 * statistics.mean(s['rougeL']):.2f} | {statistics.median(times[name]):.1f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"articles": total, "identical": same,
                                         "cosine_mean": statistics.mean(cosines),
                                         "rouge": {k: {m: statistics.mean(v) for m, v in s.items()}
                                                   for k, s in scores.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
