"""Article-extraction benchmark: page HTML -> article text, scored against hand-made truth.

    python bench/extraction.py                       # both folders below, when present
    python bench/extraction.py --data PATH           # one folder (either layout)
    python bench/extraction.py --baseline DIR        # also an earlier newsgist package
    python bench/extraction.py --only newsgist --worst 10 --per-page out.json
    python bench/extraction.py --smoke               # the stand-ins of both: it runs

Two data layouts are read: the 181 news pages of ``../shared/data/extraction``
(shingle score, below) and the WCXB developer set of
``../shared/data/extraction-wcxb-dev`` (1,356 pages of seven page types,
scored with its upstream word F1: lower-cased ``\\w+`` bags, F1 per page,
mean over pages).  WCXB is split by *domain* into a tuning half and a
validation half (``bench_support.domain_half``, a hash of the domain, so the
split never changes); both halves are reported per page type, with the pages ``extract_article`` refuses
(422) counted apart.  ``--baseline DIR`` loads another copy of the
``newsgist`` package (e.g. the commit before a change, from ``git archive``)
and scores it in the same run, side by side.

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

Layout of the data folders: ``bench_support.read_pages``.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from bench_support import TUNE, VALID, BenchArguments, data_path, read_pages

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
            "token_f1": 0.0 if empty else f1(tp_, tr_), "tp": ttp, "fp": tfp, "fn": tfn,
            "word_f1": word_f1(truth, output or "")}


def word_f1(truth: str, output: str) -> float:
    """WCXB's upstream metric for one page: F1 of the lower-cased ``\\w+`` bags."""
    t, o = Counter(tokens(truth.lower())), Counter(tokens(output.lower()))
    if not t and not o:
        return 1.0
    return f1(*precision_recall(*overlap(t, o))) if t and o else 0.0


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
        "word_f1": statistics.fmean(pg["word_f1"] for pg in pages) if pages else 0.0,
        "low": sum(pg["token_f1"] < LOW_F1 for pg in pages),
        "empty": sum(pg["empty"] for pg in pages),
        "refused": sum(bool(pg.get("refused")) for pg in pages),
        "median_ms": statistics.median(pg["ms"] for pg in pages) if pages else 0.0,
    }


# -- the extractors ----------------------------------------------------------------------
# An extractor takes the page (bytes when it reads them itself, else the text a
# browser would hand over) and a URL, and returns (text, code of a refusal or None).
Extractor = Callable[[object, "str | None"], "tuple[str, str | None]"]


def _newsgist_run(module) -> Extractor:
    def run(html, url: str | None) -> tuple[str, str | None]:
        try:
            return module.extract_article(html, url).text, None
        except module.errors.NoArticle as exc:
            return "", exc.code
    return run


def newsgist_extractor() -> Extractor:
    import newsgist
    run = _newsgist_run(newsgist)
    run.takes_bytes = True  # the extractor decodes pages itself, as the CLI hands them over
    return run


def load_baseline(package_dir: Path):
    """Import another copy of the ``newsgist`` package as ``newsgist_baseline``."""
    import importlib.util
    init = package_dir / "__init__.py"
    if not init.is_file():
        raise SystemExit(f"--baseline: no package at {package_dir}")
    spec = importlib.util.spec_from_file_location(
        "newsgist_baseline", init, submodule_search_locations=[str(package_dir)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["newsgist_baseline"] = module
    spec.loader.exec_module(module)
    module.errors = importlib.import_module("newsgist_baseline.errors")
    return module


def baseline_extractor(package_dir: Path | None = None) -> Extractor | None:
    if package_dir is None:
        return None
    return _newsgist_run(load_baseline(package_dir))


def readability_extractor() -> Extractor:
    import lxml.html
    from readability import Document

    def run(html: str, url: str | None) -> tuple[str, str | None]:
        summary = Document(html, url=url).summary()
        return (lxml.html.fromstring(summary).text_content() if summary.strip() else ""), None
    return run


def trafilatura_extractor() -> Extractor | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(html: str, url: str | None) -> tuple[str, str | None]:
        return trafilatura.extract(html, url=url, include_comments=False) or "", None
    return run


EXTRACTORS = {
    "newsgist": newsgist_extractor,
    "baseline": baseline_extractor,
    "readability": readability_extractor,
    "trafilatura": trafilatura_extractor,
}
LABELS = {
    "newsgist": "newsgist `extract_article`",
    "baseline": "newsgist before (`--baseline`)",
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

    pages = read_pages(data, limit)
    detectors = language_detectors()
    for truth in [p.truth for p in pages[:1]]:
        for detect in detectors.values():
            detect(truth)  # load models outside the timings
    rows = []
    times: dict[str, list[float]] = {name: [] for name in detectors}
    for page_id, html, truth in ((p.id, p.html, p.truth) for p in pages):
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
def run(pages: list, names: list[str], baseline: Path | None = None
        ) -> tuple[dict, dict]:
    """Score each extractor on each page.  Extractors take turns page by page, so
    a busy machine slows them all alike and the times stay comparable."""
    extractors = {}
    for name in names:
        extractor = EXTRACTORS[name](baseline) if name == "baseline" else EXTRACTORS[name]()
        if extractor is None:
            if name != "baseline":
                print(f"({name} is not installed: skipped)", file=sys.stderr)
            continue
        extractors[name] = extractor
        if pages:  # warm up (imports, lazily loaded models) outside the timings
            try:
                extractor(pages[0].html, pages[0].url)
            except Exception:
                pass
    results: dict[str, list[dict]] = {name: [] for name in extractors}
    for page in pages:
        for name, extractor in extractors.items():
            html = page.raw if getattr(extractor, "takes_bytes", False) else page.html
            started = time.perf_counter()
            try:
                (output, refused), error = extractor(html, page.url), None
            except Exception as exc:  # a crash scores as an empty output
                output, refused, error = "", None, f"{type(exc).__name__}: {exc}"
            ms = (time.perf_counter() - started) * 1000
            row = score_page(page.truth, output)
            row.update(id=page.id, ms=ms, error=error, refused=refused, type=page.type,
                       half=page.half, truth_words=len(tokens(page.truth)))
            results[name].append(row)
    return {name: summarize_scores(rows) for name, rows in results.items()}, results


def table(summary: dict, pages: int) -> str:
    lines = [f"| extractor ({pages} pages) | F1 | P | R | token F1 mean | token F1 micro "
             f"| pages token F1 < {LOW_F1} | empty/errors | refused | median ms/page |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in summary.items():
        lines.append(f"| {LABELS[name]} | {s['f1']:.3f} | {s['p']:.3f} | {s['r']:.3f} "
                     f"| {s['token_f1_mean']:.3f} | {s['token_f1_micro']:.3f} | {s['low']} "
                     f"| {s['empty']} | {s['refused']} | {s['median_ms']:.1f} |")
    return "\n".join(lines)


PAGE_TYPES = ("article", "service", "forum", "listing", "product", "collection",
              "documentation")


def _mean_f1(rows: list[dict], indexes: list[int]) -> str:
    return f"{statistics.fmean(rows[i]['word_f1'] for i in indexes):.3f}"


def wcxb_tables(per_page: dict[str, list[dict]]) -> str:
    """Word F1 per page type and half, each extractor side by side; refusals apart."""
    names = list(per_page)
    out = []
    head = " | ".join(f"{LABELS[n].split(' `')[0]} F1" for n in names)
    out.append(f"| page type | half | pages | {head} | newsgist refused (codes) "
               f"| newsgist F1 on pages it keeps | trafilatura F1 on the same pages |")
    out.append("|---|---|---|" + "---|" * len(names) + "---|---|---|")
    types = [t for t in PAGE_TYPES if any(r["type"] == t for r in per_page[names[0]])]
    types += sorted({r["type"] for r in per_page[names[0]]} - set(types))
    for page_type in types + ["all"]:
        for half in (TUNE, VALID, "all"):
            def pick(rows, t=page_type, h=half):
                return [r for r in rows if (t == "all" or r["type"] == t)
                        and (h == "all" or r["half"] == h)]
            sel = {n: pick(per_page[n]) for n in names}
            count = len(sel[names[0]])
            if not count:
                continue
            cells = " | ".join(f"{statistics.fmean(r['word_f1'] for r in sel[n]):.3f}"
                               for n in names)
            refused = ng_kept = tr_kept = "-"
            if "newsgist" in sel:
                codes = Counter(r["refused"] for r in sel["newsgist"] if r["refused"])
                refused = f"{sum(codes.values())}" + (
                    " (" + ", ".join(f"{c} {k}" for k, c in codes.most_common()) + ")"
                    if codes else "")
                kept = [i for i, r in enumerate(sel["newsgist"]) if not r["refused"]]
                if kept:
                    ng_kept = _mean_f1(sel["newsgist"], kept)
                    if "trafilatura" in sel:
                        tr_kept = _mean_f1(sel["trafilatura"], kept)
            out.append(f"| {page_type} | {half} | {count} | {cells} | {refused} | {ng_kept} "
                       f"| {tr_kept} |")
    for n in names:
        rows = per_page[n]
        long_articles = [r for r in rows if r["type"] == "article" and r["truth_words"] >= 100]
        raised = [r for r in long_articles if r["refused"] or r["error"]]
        out.append(f"\n{n}: {len(raised)} of {len(long_articles)} article pages with >= 100 "
                   f"true words refused or failed"
                   + (": " + ", ".join(f"{r['id']} ({r['refused'] or r['error']})"
                                       for r in raised[:20]) if raised else "")
                   + f"; median {statistics.median(r['ms'] for r in rows):.1f} ms/page")
    return "\n".join(out)


def report(data: Path, args) -> None:
    pages = [p for p in read_pages(data, page_type=args.page_type)
             if not args.half or p.half == args.half][:args.limit]
    names = args.only or [n for n in EXTRACTORS if n != "baseline" or args.baseline]
    summary, per_page = run(pages, names, args.baseline)
    n = len(next(iter(per_page.values()))) if per_page else 0
    print(f"\n## {data}\n")
    if any(p.half != "all" for p in pages):
        print(wcxb_tables(per_page))
    else:
        print(table(summary, n))

    if len(per_page) > 1:
        # Pages an extractor fails (token F1 < 0.5) that another one gets right.
        by_id = {name: {row["id"]: row for row in rows} for name, rows in per_page.items()}
        for name, rows in by_id.items():
            lost = [pid for pid, row in rows.items() if row["token_f1"] < LOW_F1
                    and any(other[pid]["token_f1"] >= LOW_F1
                            for o, other in by_id.items() if o != name)]
            print(f"{name}: {len(lost)} page(s) below {LOW_F1} that another extractor gets"
                  + (": " + ", ".join(p[:12] for p in lost[:40]) if lost else ""))
    for name, rows in per_page.items():
        if args.worst:
            print(f"\nworst pages for {name} (word F1, shingle P, shingle R, type, id):")
            for row in sorted(rows, key=lambda r: r["word_f1"])[:args.worst]:
                p = "-" if row["p"] is None else f"{row['p']:.3f}"
                print(f"  {row['word_f1']:.3f}  {p:>5}  {row['r']:.3f}  {row['type']:<13} "
                      f"{row['id']}" + (f"  {row['error']}" if row["error"] else "")
                      + (f"  refused {row['refused']}" if row["refused"] else ""))
    if args.per_page:
        path = args.per_page if len(args.data) == 1 else \
            args.per_page.with_name(f"{data.name}-{args.per_page.name}")
        path.write_text(json.dumps(per_page, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = BenchArguments(__doc__)
    parser.add_argument("--data", type=Path, action="append",
                        help="benchmark folder, repeatable (default: ../shared/data/extraction "
                             "and ../shared/data/extraction-wcxb-dev, those present; with "
                             "--smoke their stand-ins in tests/fixtures/bench/)")
    parser.add_argument("--only", action="append", choices=sorted(EXTRACTORS),
                        help="score only this extractor (repeatable)")
    parser.add_argument("--baseline", type=Path,
                        help="a newsgist package folder to score side by side (e.g. "
                             "git archive <commit> service/newsgist | tar -x -C /tmp/base)")
    parser.add_argument("--half", choices=(TUNE, VALID),
                        help="WCXB: score only the tuning or the validation half")
    parser.add_argument("--type", dest="page_type", help="WCXB: score only this page type")
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    parser.add_argument("--worst", type=int, default=0,
                        help="list the N pages with the lowest word F1 per extractor")
    parser.add_argument("--per-page", type=Path, help="write per-page scores as JSON here")
    parser.add_argument("--languages", action="store_true",
                        help="compare the language detectors instead of the extractors")
    args = parser.parse_args(argv)
    args.data = args.data or [d for d in (data_path("extraction", args.smoke),
                                          data_path("wcxb", args.smoke))
                              if (d / "ground-truth.json").is_file()]
    if not args.data:
        parser.error("no data: ../shared/data/ is not beside the checkout (--data PATH, or "
                     "--smoke for the stand-ins in tests/fixtures/bench/)")
    for data in args.data:
        if not (data / "ground-truth.json").is_file():
            parser.error(f"no ground-truth.json in {data}")
    if args.languages:
        compare_languages(args.data[0], args.limit)
        return 0
    for data in args.data:
        report(data, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
