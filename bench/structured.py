"""Real structured pages: does a page built of sections get its outline, and a summary
that reaches past its introduction?

    python bench/structured.py                   # WCXB dev article pages with sections
    python bench/structured.py --sample 50       # + the outlines of 50 pages, to check by hand
    python bench/structured.py --headings        # headings extracted but not in the truth
    python bench/structured.py --smoke           # the own-written stand-ins (tests/fixtures)

Reads the WCXB developer set (``../shared/data/extraction-wcxb-dev``).  A page
counts as *structured* when its ground-truth main content (not NewsGist's
reading) has at least 3 headings each followed by at least 40 words: a heading
is a block of the truth that is one short line (at most 15 words) without a
final stop.  For each structured article page, NewsGist's answer (the real
model, 3 sentences) is checked for:

* an outline (target: at least 95 % of the pages);
* outline sentences that are not real sentences of their own section (target 0):
  the sentence's block must sit in the section its entry heads, and be one a
  summary may show (``real_sentences``);
* the summary's reach: the share of summary sentences outside the introduction
  and the sections they come from, beside the story ranker's (the same pipeline
  reading every page as a story, as before pages built of sections);
* list pages (``outline_kind == "list"``): the same, apart.

The pages are split into halves by a hash of their domain (the split of
``bench/extraction.py``): the heading rules were read off the tuning half.
``--headings`` lists, per half, the headings NewsGist extracts that the truth
lacks (furniture candidates) and the furniture rules' verdict on each.
"""

from __future__ import annotations

import collections
import random
import re
import sys
from typing import Sequence

import numpy as np

from bench_support import (RESULTS, BenchArguments, CachedEncoder, progress,
                           read_pages)
from sections import StoryRanker

SMOKE = {"no_cache": True}
HEADING_MAX_WORDS = 15
MIN_HEADINGS = 3
MIN_WORDS_AFTER = 40
K = 3


def truth_headings(main_content: str) -> list[tuple[str, int]]:
    """The truth's headings, each with the words that follow it before the next one."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", main_content) if b.strip()]
    out: list[tuple[str, int]] = []
    for block in blocks:
        lines = block.splitlines()
        if len(lines) == 1 and len(block.split()) <= HEADING_MAX_WORDS \
                and not re.search(r"[.!?:;,][\"'\u201d\u2019)\]]*\s*$", block):
            out.append((block, 0))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + len(block.split()))
    return out


def is_structured(main_content: str) -> bool:
    return sum(words >= MIN_WORDS_AFTER for _, words in truth_headings(main_content)) \
        >= MIN_HEADINGS


def load(data, limit: int | None = None) -> list:
    """The structured article pages of WCXB (``bench_support.read_pages``)."""
    pages = [p for p in read_pages(data, page_type="article") if is_structured(p.truth or "")]
    return pages[:limit]


def _flat(entries):
    for entry in entries:
        yield entry
        yield from _flat(entry.children)


def bad_outline_sentences(summary) -> int:
    """Outline sentences that are not real sentences of the section their entry heads."""
    from newsgist.real_sentences import summary_mask

    article, bad = summary.article, 0
    for entry in _flat(summary.outline.entries):
        s = entry.sentence
        if s is None:
            continue
        section = article.sections[article.section_of_block[s.paragraph]]
        heading_start = article.block_starts[section.heading] if section.heading is not None \
            else -1
        real = summary_mask([s.text], [s.kind], article.lang)[0]
        if heading_start != entry.start or not real or \
                article.text[s.start:s.end] != s.text:
            bad += 1
    return bad


def reach(summary) -> tuple[float, int]:
    """(share of summary sentences outside the introduction, sections they come from)."""
    article = summary.article
    owners = [article.section_of_block[s.paragraph] for s in summary.sentences]
    if not owners:
        return 0.0, 0
    return sum(o != 0 for o in owners) / len(owners), len(set(owners))


def run(pages: list, sample: int | None, use_cache: bool = True) -> int:
    from newsgist.config import Settings
    from newsgist.embed import load_encoder
    from newsgist.errors import NoArticle
    from newsgist.pipeline import EmbeddingCache, Pipeline
    from newsgist.rank import CentroidRanker

    settings = Settings.from_env()
    base = load_encoder(settings.model, settings.backend, settings.threads, settings.cache_dir)
    encoder = CachedEncoder(base, RESULTS / f"embeddings-structured-{base.backend}.pkl"
                            if use_cache else None)
    cache = EmbeddingCache(4)
    ours = Pipeline(settings, encoder=encoder)
    story = Pipeline(settings, encoder=encoder, ranker=StoryRanker(CentroidRanker()))
    ours.cache = story.cache = cache
    rows = []
    outlines: dict[str, list[str]] = {}
    for page in progress(pages, "pages", every=25):
        row = {"id": page.id, "half": page.half, "outline": False, "refused": False}
        try:
            prepared = ours.prepare_page(page.html, None, url=page.url)
        except NoArticle:
            row["refused"] = True
            rows.append(row)
            continue
        summary = ours.summarize_prepared(prepared, K)
        before = story.summarize_prepared(prepared, K)
        row["outline"] = summary.outline is not None
        row["reach"], row["sections"] = reach(summary)
        row["reach_before"], row["sections_before"] = reach(before)
        if summary.outline is not None:
            row["bad"] = bad_outline_sentences(summary)
            row["entries"] = len(list(_flat(summary.outline.entries)))
            row["list"] = summary.outline.kind == "list"
            outlines[page.id] = [
                "  " * (e.level - 1) + f"- {e.heading}" for e in _flat(summary.outline.entries)]
        rows.append(row)
    encoder.save()

    print(f"# Structured WCXB article pages ({len(rows)}: at least {MIN_HEADINGS} truth "
          f"headings each followed by {MIN_WORDS_AFTER}+ words), {K}-sentence summaries\n")
    print("| half | pages | refused | with an outline | bad outline sentences | entries (mean) "
          "| list pages | summary outside the intro: before -> now | sections reached: "
          "before -> now |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for half in ("tune", "valid", "all"):
        part = [r for r in rows if half == "all" or r["half"] == half]
        if not part:
            continue
        done = [r for r in part if not r["refused"]]
        outlined = [r for r in done if r["outline"]]
        lists = [r for r in outlined if r.get("list")]
        print(f"| {half} | {len(part)} | {len(part) - len(done)} | "
              f"{len(outlined)} ({100 * len(outlined) / len(part):.1f}%) | "
              f"{sum(r['bad'] for r in outlined)} | "
              f"{np.mean([r['entries'] for r in outlined]) if outlined else 0:.1f} | "
              f"{len(lists)} | {_mean(done, 'reach_before'):.0%} -> {_mean(done, 'reach'):.0%} | "
              f"{_mean(done, 'sections_before'):.2f} -> {_mean(done, 'sections'):.2f} |")
    lists = [r for r in rows if r.get("list")]
    if lists:
        print(f"\nList pages ({len(lists)}): summary sentences outside the introduction "
              f"{_mean(lists, 'reach_before'):.0%} -> {_mean(lists, 'reach'):.0%}, sections "
              f"reached {_mean(lists, 'sections_before'):.2f} -> {_mean(lists, 'sections'):.2f}")
    missing = [r["id"] for r in rows if not r["outline"]]
    print(f"\nWithout an outline: {', '.join(missing) or 'none'}")
    if sample:
        # Drawn from every structured page, outline or not, so that the sample does not
        # move when a change gives or takes a page's outline.
        chosen = random.Random(0).sample(sorted(r["id"] for r in rows), min(sample, len(rows)))
        print(f"\n## Outlines of {len(chosen)} pages (a fixed random sample), to check by hand\n")
        for page_id in sorted(chosen):
            print(f"### {page_id}\n" + "\n".join(outlines.get(page_id, ["(no outline)"])) + "\n")
    return 0


def _mean(rows: list[dict], key: str) -> float:
    values = [r[key] for r in rows if key in r]
    return float(np.mean(values)) if values else 0.0


def headings_report(data) -> int:
    """Headings NewsGist extracts that the truth lacks, per half, with the rules' verdict."""
    from newsgist.errors import NoArticle
    from newsgist.extract import extract_article
    from newsgist.document import word_key
    from newsgist.heading_rules import is_furniture_heading

    pages = read_pages(data, page_type="article")
    for half in ("tune", "valid"):
        missing: collections.Counter = collections.Counter()
        kept_furniture: list[str] = []
        for page in pages:
            if page.half != half:
                continue
            try:
                article = extract_article(page.raw, url=page.url)
            except NoArticle:
                continue
            norm = word_key(page.truth or "")
            for block in article.blocks:
                if block.kind != "heading":
                    continue
                if word_key(block.text) in norm:
                    if is_furniture_heading(block.text):
                        kept_furniture.append(block.text)
                else:
                    missing[block.text] += 1
        print(f"\n## {half}: headings extracted but not in the truth (furniture verdict)\n")
        for text, n in missing.most_common(200):
            print(f"{n:3d} {'F' if is_furniture_heading(text) else '-'} {text[:90]}")
        print(f"\nTruth headings the rules call furniture: {kept_furniture}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = BenchArguments(__doc__, smoke=SMOKE)
    parser.add_data("--data", "wcxb")
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="also print the outlines of N pages to check by hand")
    parser.add_argument("--headings", action="store_true",
                        help="list headings extracted but missing from the truth, per half")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not keep embeddings on disk between runs")
    args = parser.parse_args(argv)
    if args.headings:
        return headings_report(args.data)
    return run(load(args.data, args.limit), args.sample, not args.no_cache)


if __name__ == "__main__":
    sys.exit(main())
