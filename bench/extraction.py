"""Article-extraction benchmark: page HTML -> article text, scored against hand-made truth.

    python bench/extraction.py                       # ../shared/data/extraction
    python bench/extraction.py --data PATH           # any folder in the same layout
    python bench/extraction.py --only newsgist --worst 10 --per-page out.json

Scores, in one run and on the same pages, ``newsgist.extract_article`` (the
service's extractor), plain readability-lxml (``Document(html).summary()`` then
``text_content()``) and trafilatura (comments off) when it is installed.

The metric is the one the data folder's README defines:

* tokens are the ``\\w+`` runs of a text (case kept);
* shingle score (headline): multisets of 4-token shingles (a text of 1-3
  tokens is one shingle); per page P = tp/(tp+fp), R = tp/(tp+fn), both 1 when
  fp = fn = 0; **P** is the mean per-page P over pages with non-empty output,
  **R** the mean per-page R over all pages (empty output: R = 0), **F1** is
  2PR/(P+R) of those two means;
* token score (secondary): unigram multisets; the mean of per-page F1 (empty
  output or a crash: 0) and the micro F1 over summed tp/fp/fn;
* the number of pages with token F1 < 0.5, the number of empty outputs or
  errors, and the median wall time per page (one page at a time, one process).

Layout of the data folder::

    ground-truth.json   {"<id>": {"articleBody": str, "url": str}, ...}
    html/<id>.html.gz   gzip of the page HTML, UTF-8
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "service"))  # run from a checkout without installing

DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction"
TOKEN = re.compile(r"\w+")
LOW_F1 = 0.5


# -- the metric ------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    return TOKEN.findall(text or "")


def shingles(toks: list[str], n: int = 4) -> Counter:
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def overlap(truth: Counter, output: Counter) -> tuple[int, int, int]:
    """(tp, fp, fn) of two multisets."""
    tp = sum((truth & output).values())
    return tp, sum(output.values()) - tp, sum(truth.values()) - tp


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_page(truth: str, output: str | None) -> dict:
    """Per-page scores of one extractor's output against the ground truth."""
    out_toks, true_toks = tokens(output or ""), tokens(truth)
    empty = not out_toks
    sp, sr = precision_recall(*overlap(shingles(true_toks), shingles(out_toks)))
    ttp, tfp, tfn = overlap(Counter(true_toks), Counter(out_toks))
    tp_, tr_ = precision_recall(ttp, tfp, tfn)
    return {"empty": empty, "p": None if empty else sp, "r": 0.0 if empty else sr,
            "token_f1": 0.0 if empty else f1(tp_, tr_), "tp": ttp, "fp": tfp, "fn": tfn}


def summarize_scores(pages: list[dict]) -> dict:
    ps = [pg["p"] for pg in pages if not pg["empty"]]
    p = statistics.fmean(ps) if ps else 0.0
    r = statistics.fmean(pg["r"] for pg in pages) if pages else 0.0
    tp, fp, fn = (sum(pg[k] for pg in pages) for k in ("tp", "fp", "fn"))
    micro = f1(*precision_recall(tp, fp, fn))
    return {
        "f1": f1(p, r), "p": p, "r": r,
        "token_f1_mean": statistics.fmean(pg["token_f1"] for pg in pages) if pages else 0.0,
        "token_f1_micro": micro,
        "low": sum(pg["token_f1"] < LOW_F1 for pg in pages),
        "empty": sum(pg["empty"] for pg in pages),
        "median_ms": statistics.median(pg["ms"] for pg in pages) if pages else 0.0,
    }


# -- the extractors ----------------------------------------------------------------------
def newsgist_extractor() -> Callable[[str, str | None], str]:
    from newsgist import extract_article
    from newsgist.errors import NoArticle

    def run(html: str, url: str | None) -> str:
        try:
            return extract_article(html, url).text
        except NoArticle:
            return ""
    return run


def readability_extractor() -> Callable[[str, str | None], str]:
    import lxml.html
    from readability import Document

    def run(html: str, url: str | None) -> str:
        summary = Document(html, url=url).summary()
        return lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    return run


def trafilatura_extractor() -> Callable[[str, str | None], str] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: str, url: str | None) -> str:
        return trafilatura.extract(html, url=url, include_comments=False) or ""
    return run


EXTRACTORS = {
    "newsgist": newsgist_extractor,
    "readability": readability_extractor,
    "trafilatura": trafilatura_extractor,
}
LABELS = {
    "newsgist": "newsgist `extract_article`",
    "readability": "readability-lxml `summary()` + `text_content()`",
    "trafilatura": "trafilatura `extract()` (comments off)",
}


# -- language detectors -------------------------------------------------------------------
def language_detectors() -> dict[str, Callable[[str], str | None]]:
    """Offline detectors to compare: the one the service uses and those installed."""
    from newsgist.language import detect_language, normalize_lang
    detectors: dict[str, Callable[[str], str | None]] = {
        "py3langid (newsgist.language)": lambda t: (d.lang if (d := detect_language(t)) else None),
    }
    try:
        import langdetect
        langdetect.DetectorFactory.seed = 0  # langdetect is random unless seeded

        def run_langdetect(text: str) -> str | None:
            try:
                return normalize_lang(langdetect.detect(text[:1500]))
            except Exception:
                return None
        detectors["langdetect"] = run_langdetect
    except ImportError:
        pass
    return detectors


def compare_languages(data: Path, limit: int | None = None) -> None:
    """Each detector on each page's true article text, against the page's ``<html lang>``.

    Pages that declare no language, and pages where a detector disagrees with
    the declaration, are listed for a person to judge: a declaration can be
    wrong (an English article under ``lang="de"``)."""
    import lxml.html
    from newsgist.language import normalize_lang

    pages = load_pages(data)[:limit]
    detectors = language_detectors()
    for _, html, _, truth in pages[:1]:
        for detect in detectors.values():
            detect(truth)  # load models outside the timings
    rows = []
    times: dict[str, list[float]] = {name: [] for name in detectors}
    for page_id, html, _, truth in pages:
        try:
            declared = normalize_lang(lxml.html.document_fromstring(html).get("lang"))
        except Exception:
            declared = None
        found = {}
        for name, detect in detectors.items():
            started = time.perf_counter()
            found[name] = detect(truth)
            times[name].append((time.perf_counter() - started) * 1000)
        rows.append((page_id, declared, found, truth))
    print(f"| detector ({len(pages)} pages) | agrees with `<html lang>` | pages without one "
          f"| non-English found | median ms |")
    print("|---|---|---|---|---|")
    declared_rows = [r for r in rows if r[1]]
    for name in detectors:
        agree = sum(r[2][name] == r[1] for r in declared_rows)
        non_en = sum(r[2][name] not in ("en", None) for r in rows)
        print(f"| {name} | {agree}/{len(declared_rows)} | {len(rows) - len(declared_rows)} "
              f"| {non_en} | {statistics.median(times[name]):.2f} |")
    print("\npages not declared English, or where a detector disagrees with the declaration:")
    for page_id, declared, found, truth in rows:
        if declared == "en" and all(v == "en" for v in found.values()):
            continue
        if declared is None and all(v == "en" for v in found.values()):
            continue
        sample = " ".join(truth.split())[:60]
        print(f"  {page_id[:12]} declared={declared} "
              + " ".join(f"{n.split()[0]}={v}" for n, v in found.items()) + f"  {sample}")


# -- the run -------------------------------------------------------------------------
def load_pages(data: Path) -> list[tuple[str, str, str | None, str]]:
    """[(id, html, url, truth)] in id order."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        with gzip.open(data / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as fh:
            html = fh.read()
        pages.append((page_id, html, truth[page_id].get("url"), truth[page_id]["articleBody"]))
    return pages


def run(data: Path, names: list[str], limit: int | None = None) -> tuple[dict, dict]:
    """Score each extractor on each page.  Extractors take turns page by page, so
    a busy machine slows them all alike and the times stay comparable."""
    pages = load_pages(data)[:limit]
    extractors = {}
    for name in names:
        extractor = EXTRACTORS[name]()
        if extractor is None:
            print(f"({name} is not installed: skipped)", file=sys.stderr)
            continue
        extractors[name] = extractor
        if pages:  # warm up (imports, lazily loaded models) outside the timings
            try:
                extractor(pages[0][1], pages[0][2])
            except Exception:
                pass
    results: dict[str, list[dict]] = {name: [] for name in extractors}
    for page_id, html, url, truth in pages:
        for name, extractor in extractors.items():
            started = time.perf_counter()
            try:
                output, error = extractor(html, url), None
            except Exception as exc:  # a crash scores as an empty output
                output, error = "", f"{type(exc).__name__}: {exc}"
            ms = (time.perf_counter() - started) * 1000
            row = score_page(truth, output)
            row.update(id=page_id, ms=ms, error=error)
            results[name].append(row)
    return {name: summarize_scores(rows) for name, rows in results.items()}, results


def table(summary: dict, pages: int) -> str:
    lines = [f"| extractor ({pages} pages) | F1 | P | R | token F1 mean | token F1 micro "
             f"| pages token F1 < {LOW_F1} | empty/errors | median ms/page |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, s in summary.items():
        lines.append(f"| {LABELS[name]} | {s['f1']:.3f} | {s['p']:.3f} | {s['r']:.3f} "
                     f"| {s['token_f1_mean']:.3f} | {s['token_f1_micro']:.3f} | {s['low']} "
                     f"| {s['empty']} | {s['median_ms']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"benchmark folder (default {DEFAULT_DATA})")
    parser.add_argument("--only", action="append", choices=sorted(EXTRACTORS),
                        help="score only this extractor (repeatable)")
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    parser.add_argument("--worst", type=int, default=0,
                        help="list the N pages with the lowest token F1 per extractor")
    parser.add_argument("--per-page", type=Path, help="write per-page scores as JSON here")
    parser.add_argument("--languages", action="store_true",
                        help="compare the language detectors instead of the extractors")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        parser.error(f"no ground-truth.json in {args.data}")
    if args.languages:
        compare_languages(args.data, args.limit)
        return 0

    names = args.only or list(EXTRACTORS)
    summary, per_page = run(args.data, names, args.limit)
    n = len(next(iter(per_page.values()))) if per_page else 0
    print(table(summary, n))

    if len(per_page) > 1:
        # Pages an extractor fails (token F1 < 0.5) that another one gets right.
        by_id = {name: {row["id"]: row for row in rows} for name, rows in per_page.items()}
        for name, rows in by_id.items():
            lost = [pid for pid, row in rows.items() if row["token_f1"] < LOW_F1
                    and any(other[pid]["token_f1"] >= LOW_F1
                            for o, other in by_id.items() if o != name)]
            print(f"{name}: {len(lost)} page(s) below {LOW_F1} that another extractor gets"
                  + (": " + ", ".join(p[:12] for p in lost) if lost else ""))
    for name, rows in per_page.items():
        if args.worst:
            print(f"\nworst pages for {name} (token F1, shingle P, shingle R, id):")
            for row in sorted(rows, key=lambda r: r["token_f1"])[:args.worst]:
                p = "-" if row["p"] is None else f"{row['p']:.3f}"
                print(f"  {row['token_f1']:.3f}  {p:>5}  {row['r']:.3f}  {row['id']}"
                      + (f"  {row['error']}" if row["error"] else ""))
    if args.per_page:
        args.per_page.write_text(json.dumps(per_page, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
