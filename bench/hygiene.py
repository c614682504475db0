"""Summary hygiene: how many chosen "sentences" are not sentences at all.

    python bench/hygiene.py                          # WCXB dev article pages (710)
    python bench/hygiene.py --data PATH --limit 100  # a quick look
    python bench/hygiene.py --examples 20            # + flagged sentences (tuning half only)
    python bench/hygiene.py --smoke                  # the stand-in's pages: it runs

Summarizes each article page of the WCXB dev set (``../shared/data/extraction-wcxb-dev/``,
its README explains the layout) through the real pipeline (``Pipeline.summarize_html``,
the real model, 3 sentences) twice, side by side on the same pages and embeddings:

* **baseline**: the same pipeline with a ranker that ignores which sentences are real
  sentences (what the ranker did before it was given that mask);
* **newsgist**: the pipeline as it is.

Each chosen sentence is then judged twice, independently of the kinds extraction gave it:

* **by the page's markup**: the sentence is found in the page as the browser would parse it
  (lxml, whitespace ignored) and the element that holds it decides: a heading (``h1``-``h6``
  or ``role=heading``), a caption (``figcaption``, ``caption``), a table cell (``td``,
  ``th``, a row; a cell holding more than 500 characters is layout, not a cell), or a list
  item (``li``, ``dt``, ``dd``) that is not a full sentence (no final punctuation, or it
  starts in lower case).  A sentence found in several places counts as prose if any copy
  is prose.  Sentences not found at all are counted as "not located".
* **by its text**: it does not end with sentence-ending punctuation (``. ! ? …`` and the
  full stops of other scripts, closing quotes, brackets and footnote marks after it allowed).

The headline is the share of chosen sentences flagged by either judgement.  Every figure is
given for all pages and for the two halves of the domain split (tuning / validation,
``bench_support.domain_half``, the split ``bench/extraction.py`` uses); rules were chosen
looking at the tuning half only (``--examples`` shows that half only).

Embeddings are cached on disk (``bench/results/``, git-ignored) and saved every 25 pages,
so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import lxml.html

from bench_support import RESULTS, TUNE, VALID, BenchArguments, CachedEncoder, read_pages

K = 3
FLAGS = ("heading", "list fragment", "caption", "table cell", "no final punctuation")


# -- judgement by text -----------------------------------------------------------------
# Written apart from the service's own rule on purpose: this is the yardstick.
_ENDS = set(".!?\u2026\u3002\uff01\uff1f\uff0e\u0964\u0965\u061f\u06d4\u0589\u1362\u1367"
            "\u104b\u17d4\u17d5\u037e\u203c\u2047\u2048\u2049")
_CLOSERS = set("\"'\u201d\u2019\u00bb\u203a)]}\u300d\u300f\uff09\u3011*")
_FOOTNOTE = re.compile(r"(?:\[\s*[\w ]{1,20}\s*\])+$")


def ends_like_a_sentence(text: str) -> bool:
    t = _FOOTNOTE.sub("", text.rstrip()).rstrip()
    while t and (t[-1] in _CLOSERS or t[-1].isspace()):
        t = t[:-1]
    return bool(t) and t[-1] in _ENDS


def starts_lower(text: str) -> bool:
    first = next((c for c in text if c.isalnum()), "")
    return first.islower()


# -- judgement by markup ---------------------------------------------------------------
_SKIP = {"script", "style", "noscript", "template", "head", "title"}
_IGNORABLE = re.compile(r"[\s\u00ad\u180e\u200b-\u200d\u2060\ufeff]")
_HEADING = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CAPTION = {"figcaption", "caption"}
_LIST = {"li", "dt", "dd"}
_CELL = {"td", "th", "tr"}
_PROSE_ROOT = {"article", "main", "section", "body", "html"}
LAYOUT_CELL_CHARS = 500


def compact(text: str) -> str:
    return _IGNORABLE.sub("", text)


class PageText:
    """The page's text with whitespace removed, each character knowing its element."""

    def __init__(self, html: str):
        try:
            root = lxml.html.document_fromstring(html)
        except (lxml.etree.ParserError, ValueError):
            root = None
        self.chars: list[str] = []
        self.owner: list[lxml.html.HtmlElement] = []
        if root is not None:
            self._walk(root)
        self.text = "".join(self.chars)

    def _add(self, text: str | None, owner) -> None:
        if text:
            kept = compact(text)
            self.chars.append(kept)
            self.owner.extend([owner] * len(kept))

    def _walk(self, el) -> None:
        if not isinstance(el.tag, str) or el.tag.lower() in _SKIP:
            return
        self._add(el.text, el)
        for child in el:
            self._walk(child)
            self._add(child.tail, el)

    def occurrences(self, sentence: str) -> list:
        """The element holding each copy of ``sentence`` (the lowest common ancestor)."""
        needle = compact(sentence)
        out = []
        if not needle:
            return out
        at = self.text.find(needle)
        while at != -1 and len(out) < 20:
            out.append(_common_ancestor(self.owner[at], self.owner[at + len(needle) - 1]))
            at = self.text.find(needle, at + 1)
        return out


def _common_ancestor(a, b):
    above = set()
    node = a
    while node is not None:
        above.add(node)
        node = node.getparent()
    node = b
    while node is not None and node not in above:
        node = node.getparent()
    return node if node is not None else a


def markup_flag(element, sentence: str) -> str | None:
    """What the element holding a copy of ``sentence`` makes of it; None: prose."""
    node = element
    while node is not None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _HEADING or (node.get("role") or "").lower() == "heading":
            return "heading"
        if tag in _CAPTION:
            return "caption"
        if tag in _CELL and len(compact(node.text_content())) <= LAYOUT_CELL_CHARS:
            return "table cell"
        if tag in _LIST:
            full = ends_like_a_sentence(sentence) and not starts_lower(sentence)
            return None if full else "list fragment"
        if tag in _PROSE_ROOT:
            return None
        node = node.getparent()
    return None


def judge(sentence: str, page: PageText) -> set[str]:
    """The flags a chosen sentence earns; 'not located' when the markup has no copy of it."""
    flags = set()
    if not ends_like_a_sentence(sentence):
        flags.add("no final punctuation")
    copies = page.occurrences(sentence)
    if not copies:
        flags.add("not located")
        return flags
    verdicts = [markup_flag(el, sentence) for el in copies]
    if all(verdicts):
        flags.add(verdicts[-1])
    return flags


# -- the run ---------------------------------------------------------------------------
@dataclass
class Tally:
    pages: int = 0
    refused: Counter = field(default_factory=Counter)
    errors: int = 0
    chosen: int = 0
    flagged: int = 0
    flags: Counter = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        self.pages += other.pages
        self.refused.update(other.refused)
        self.errors += other.errors
        self.chosen += other.chosen
        self.flagged += other.flagged
        self.flags.update(other.flags)


def make_pipelines(cache: bool):
    from newsgist.config import Settings
    from newsgist.embed import load_encoder
    from newsgist.pipeline import Pipeline
    from newsgist.rank import CentroidRanker

    class MaskBlindRanker(CentroidRanker):
        """The ranker, told nothing about which sentences are real sentences."""

        def select(self, embeddings, k, words=None, eligible=None, sections=None):
            return super().select(embeddings, k, words, None, sections)

    settings = Settings.from_env()
    base = load_encoder(settings.model, settings.backend, settings.threads, settings.cache_dir)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{base.name}-{getattr(base, 'backend', '')}")
    encoder = CachedEncoder(base, RESULTS / f"hygiene-embeddings-{slug}.pkl" if cache else None)
    return encoder, {"baseline": Pipeline(settings, encoder=encoder, ranker=MaskBlindRanker()),
                     "newsgist": Pipeline(settings, encoder=encoder)}


def run(data: Path, limit: int | None, examples: int, cache: bool) -> dict:
    from newsgist.errors import NoArticle

    pages = read_pages(data, limit, page_type="article")
    encoder, pipelines = make_pipelines(cache)
    tallies = {(name, h): Tally() for name in pipelines for h in (TUNE, VALID)}
    shown: dict[str, list[str]] = {name: [] for name in pipelines}
    try:
        for n, page in enumerate(pages, 1):
            if n % 25 == 0:
                print(f"  pages: {n}/{len(pages)}", file=sys.stderr, flush=True)
                encoder.save()
            html, where = page.html, page.half
            text = None
            for name, pipe in pipelines.items():
                t = tallies[(name, where)]
                t.pages += 1
                try:
                    summary = pipe.summarize_html(html, url=page.url, sentences=K)
                except NoArticle as exc:
                    t.refused[exc.code] += 1
                    continue
                except Exception as exc:  # noqa: BLE001 - a bench counts, it does not stop
                    t.errors += 1
                    print(f"  {page.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    continue
                text = text or PageText(html)
                for s in summary.sentences:
                    flags = judge(s.text, text)
                    t.chosen += 1
                    t.flags.update(flags)
                    if flags - {"not located"}:
                        t.flagged += 1
                        if where == TUNE and len(shown[name]) < examples:
                            shown[name].append(f"{page.id} {sorted(flags)}: {s.text[:140]!r}")
    finally:
        encoder.save()
    return {"tallies": tallies, "examples": shown, "pages": len(pages)}


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f}%" if whole else "-"


def table(tallies: dict, names: Sequence[str], which: Sequence[str]) -> str:
    cols = {}
    for name in names:
        t = Tally()
        for h in which:
            t.add(tallies[(name, h)])
        cols[name] = t
    rows = [("pages", lambda t: str(t.pages)),
            ("refused (422)", lambda t: str(sum(t.refused.values()))),
            ("errors", lambda t: str(t.errors)),
            ("sentences chosen", lambda t: str(t.chosen)),
            ("**not a sentence (any flag)**", lambda t: _pct(t.flagged, t.chosen))]
    rows += [(f"  {flag}", lambda t, f=flag: _pct(t.flags[f], t.chosen)) for flag in FLAGS]
    rows.append(("  not located in the markup", lambda t: _pct(t.flags["not located"], t.chosen)))
    head = "| | " + " | ".join(names) + " | ratio |\n|---|" + "---:|" * (len(names) + 1)
    lines = [head]
    for label, fmt in rows:
        values = [fmt(cols[n]) for n in names]
        ratio = ""
        if label.startswith("**"):
            a, b = (cols[n].flagged / cols[n].chosen if cols[n].chosen else 0 for n in names[:2])
            ratio = f"{b / a:.2f}" if a else "-"
        lines.append(f"| {label} | " + " | ".join(values) + f" | {ratio} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = BenchArguments(__doc__, smoke={"no_cache": True})
    parser.add_data("--data", "wcxb")
    parser.add_argument("--limit", type=int, default=None, help="only the first N article pages")
    parser.add_argument("--examples", type=int, default=0,
                        help="print up to N flagged sentences per column (tuning half only)")
    parser.add_argument("--no-cache", action="store_true", help="no on-disk embedding cache")
    args = parser.parse_args(argv)

    result = run(args.data, args.limit, args.examples, cache=not args.no_cache)
    names = ["baseline", "newsgist"]
    print(f"\n# Summary hygiene: {K} sentences per page, {result['pages']} WCXB dev article "
          f"pages ({args.data})\n")
    for title, which in (("all pages", (TUNE, VALID)),
                         ("tuning half (domains with an even hash)", (TUNE,)),
                         ("validation half (held out)", (VALID,))):
        print(f"## {title}\n\n{table(result['tallies'], names, which)}\n")
    for name, lines in result["examples"].items():
        if lines:
            print(f"## flagged, {name} (tuning half)\n")
            print("\n".join(f"- {line}" for line in lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
