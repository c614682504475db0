"""Real structured pages: does a page built of sections get its outline, and a summary
that reaches past its introduction?

    python bench/structured.py                   # WCXB dev article pages with sections
    python bench/structured.py --sample 50       # + the outlines of 50 pages, to check by hand
    python bench/structured.py --headings        # headings extracted but not in the truth

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

import argparse
import collections
import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, CachedEncoder, progress  # noqa: E402
from sections import StoryRanker  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction-wcxb-dev"
HEADING_MAX_WORDS = 15
MIN_HEADINGS = 3
MIN_WORDS_AFTER = 40
K = 3


def domain_half(domain: str) -> str:
    """"tune" or "valid": bench/extraction.py's split of WCXB by a hash of the domain."""
    digest = hashlib.sha256(domain.lower().encode("utf-8")).digest()
    return "tune" if digest[0] % 2 == 0 else "valid"


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


def load(data: Path) -> list[dict]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, entry in sorted(truth.items()):
        if entry.get("page_type") != "article" or not is_structured(entry["main_content"]):
            continue
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append({"id": page_id, "half": domain_half(entry["domain"]), "html": raw,
                      "url": entry.get("url"), "truth": entry["main_content"]})
    return pages


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


def run(pages: list[dict], sample: int | None) -> int:
    from newsgist.config import Settings
    from newsgist.embed import load_encoder
    from newsgist.errors import NoArticle
    from newsgist.pipeline import EmbeddingCache, Pipeline
    from newsgist.rank import CentroidRanker

    settings = Settings.from_env()
    base = load_encoder(settings.model, settings.backend, settings.threads, settings.cache_dir)
    encoder = CachedEncoder(base, RESULTS / f"embeddings-structured-{base.backend}.pkl")
    cache = EmbeddingCache(4)
    ours = Pipeline(settings, encoder=encoder)
    story = Pipeline(settings, encoder=encoder, ranker=StoryRanker(CentroidRanker()))
    ours.cache = story.cache = cache
    rows = []
    outlines: dict[str, list[str]] = {}
    for page in progress(pages, "pages", every=25):
        row = {"id": page["id"], "half": page["half"], "outline": False, "refused": False}
        try:
            prepared = ours.prepare_page(_decoded(page["html"]), None, url=page["url"])
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
            outlines[page["id"]] = [
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
        chosen = random.Random(0).sample(sorted(outlines), min(sample, len(outlines)))
        print(f"\n## Outlines of {len(chosen)} pages (a fixed random sample), to check by hand\n")
        for page_id in sorted(chosen):
            print(f"### {page_id}\n" + "\n".join(outlines[page_id]) + "\n")
    return 0


def _decoded(raw: bytes) -> str:
    from newsgist.extract import decode_html

    return decode_html(raw)


def _mean(rows: list[dict], key: str) -> float:
    values = [r[key] for r in rows if key in r]
    return float(np.mean(values)) if values else 0.0


def headings_report(pages: list[dict], data: Path) -> int:
    """Headings NewsGist extracts that the truth lacks, per half, with the rules' verdict."""
    from newsgist.errors import NoArticle
    from newsgist.extract import extract_article
    from newsgist.heading_rules import is_furniture_heading

    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = [i for i, e in truth.items() if e.get("page_type") == "article"]
    for half in ("tune", "valid"):
        missing: collections.Counter = collections.Counter()
        kept_furniture: list[str] = []
        for page_id in ids:
            entry = truth[page_id]
            if domain_half(entry["domain"]) != half:
                continue
            raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
            try:
                article = extract_article(raw, url=entry.get("url"))
            except NoArticle:
                continue
            norm = _words(entry["main_content"])
            for block in article.blocks:
                if block.kind != "heading":
                    continue
                if _words(block.text) in norm:
                    if is_furniture_heading(block.text):
                        kept_furniture.append(block.text)
                else:
                    missing[block.text] += 1
        print(f"\n## {half}: headings extracted but not in the truth (furniture verdict)\n")
        for text, n in missing.most_common(200):
            print(f"{n:3d} {'F' if is_furniture_heading(text) else '-'} {text[:90]}")
        print(f"\nTruth headings the rules call furniture: {kept_furniture}")
    return 0


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the WCXB folder")
    parser.add_argument("--sample", type=int, default=None, metavar="N",
                        help="also print the outlines of N pages to check by hand")
    parser.add_argument("--headings", action="store_true",
                        help="list headings extracted but missing from the truth, per half")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args(argv)
    if args.headings:
        return headings_report([], args.data)
    pages = load(args.data)[:args.limit]
    return run(pages, args.sample)


if __name__ == "__main__":
    sys.exit(main())
