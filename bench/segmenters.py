"""Which sentence segmenter?  Accuracy on tricky news sentences, and speed.

Every candidate is a maintained segmenter from PyPI that works offline (no
model download at run time).  Each one gets the same paragraphs:

* **accuracy**: the hand-written cases below (abbreviations such as "U.S.",
  "Mr." and "Jan.", decimals and money, quotations, ellipses, headlines and
  captions without a final period, URLs, parentheses), each with the split a
  careful human editor would make.  A case counts as right only when every
  sentence comes back exactly; boundary precision/recall/F1 count single
  boundaries over all cases.
* **speed**: the 181 hand-made article bodies of the extraction benchmark
  (``ground-truth.json``, paragraphs split at blank lines, each paragraph
  segmented on its own as ``newsgist.segment`` does).  The candidates take
  turns on each article (A, B, C on article 1, then article 2, ...) so that
  load from other processes on this shared machine hits them alike.

    python bench/segmenters.py                # table (markdown) to stdout
    python bench/segmenters.py --show-errors  # also every case a candidate got wrong
    python bench/segmenters.py --json out.json
    python bench/segmenters.py --smoke        # speed on the stand-in's articles: it runs

Candidates missing from the environment are listed as skipped.  NLTK's Punkt
is left out on purpose: it needs a data download; wtpsplit and minisbd fetch
their models from the network at first use.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from bench_support import BenchArguments, read_pages

# (category, paragraph, expected sentences).  Written for this benchmark.
CASES: list[tuple[str, str, list[str]]] = [
    ("abbrev", "Mr. Smith went to Washington on Tuesday. He met with senators.",
     ["Mr. Smith went to Washington on Tuesday.", "He met with senators."]),
    ("abbrev", "The U.S. economy grew 2.1% in the second quarter. Economists had expected 1.8%.",
     ["The U.S. economy grew 2.1% in the second quarter.", "Economists had expected 1.8%."]),
    ("abbrev", "The company is based in the U.S. It employs 5,000 people.",
     ["The company is based in the U.S.", "It employs 5,000 people."]),
    ("abbrev", "Dr. Jane Doe, a professor at St. Mary's College, disagreed. She called it premature.",
     ["Dr. Jane Doe, a professor at St. Mary's College, disagreed.", "She called it premature."]),
    ("abbrev", "Gov. Gavin Newsom signed the bill. Sen. Ted Cruz criticized it.",
     ["Gov. Gavin Newsom signed the bill.", "Sen. Ted Cruz criticized it."]),
    ("abbrev", "The Rev. Martin Luther King Jr. led the march in 1965. It changed history.",
     ["The Rev. Martin Luther King Jr. led the march in 1965.", "It changed history."]),
    ("abbrev", "The bill passed at 9 a.m. Tuesday after an all-night session. Lawmakers went home.",
     ["The bill passed at 9 a.m. Tuesday after an all-night session.", "Lawmakers went home."]),
    ("abbrev", "The meeting ended at 5 p.m. Reporters were waiting outside.",
     ["The meeting ended at 5 p.m.", "Reporters were waiting outside."]),
    ("abbrev", "The U.K. and the E.U. reached a deal on Friday. Markets rallied.",
     ["The U.K. and the E.U. reached a deal on Friday.", "Markets rallied."]),
    ("abbrev", "She earned a Ph.D. from M.I.T. in 1998. Then she joined NASA.",
     ["She earned a Ph.D. from M.I.T. in 1998.", "Then she joined NASA."]),
    ("abbrev", "The suspect, identified as John A. Smith, was arrested. Police declined to comment.",
     ["The suspect, identified as John A. Smith, was arrested.", "Police declined to comment."]),
    ("abbrev", "The company, Acme Corp., said profits rose. Its CEO resigned.",
     ["The company, Acme Corp., said profits rose.", "Its CEO resigned."]),
    ("abbrev", "Revenue rose to $3.2bn vs. $2.9bn a year earlier. Its shares jumped.",
     ["Revenue rose to $3.2bn vs. $2.9bn a year earlier.", "Its shares jumped."]),
    ("abbrev", "Prices rose 0.3 percent in May, the Labor Dept. said. That was below forecasts.",
     ["Prices rose 0.3 percent in May, the Labor Dept. said.", "That was below forecasts."]),
    ("abbrev", "The No. 2 official at the agency resigned. No reason was given.",
     ["The No. 2 official at the agency resigned.", "No reason was given."]),
    ("abbrev", "He lives at 10 Downing St. in London. The street is guarded.",
     ["He lives at 10 Downing St. in London.", "The street is guarded."]),
    ("abbrev", "The trial began on Oct. 3 in Manhattan. Jury selection took two days.",
     ["The trial began on Oct. 3 in Manhattan.", "Jury selection took two days."]),
    ("abbrev", "Former President George W. Bush attended the ceremony. So did Barack Obama.",
     ["Former President George W. Bush attended the ceremony.", "So did Barack Obama."]),
    ("abbrev", "About 300 people attended, i.e. fewer than last year. Organizers were disappointed.",
     ["About 300 people attended, i.e. fewer than last year.", "Organizers were disappointed."]),
    ("abbrev", "Mr. and Mrs. Jones arrived at 8 p.m. on Saturday. They left early.",
     ["Mr. and Mrs. Jones arrived at 8 p.m. on Saturday.", "They left early."]),
    ("abbrev", "Version 2.0 of the app launched on Jan. 5. It was downloaded 1.2 million times.",
     ["Version 2.0 of the app launched on Jan. 5.", "It was downloaded 1.2 million times."]),
    ("abbrev", "Ms. Ardern, 42, announced her resignation. Her deputy will take over.",
     ["Ms. Ardern, 42, announced her resignation.", "Her deputy will take over."]),
    ("number", "Shares of Apple Inc. rose 3.5% to $189.25 on Friday. The Nasdaq fell.",
     ["Shares of Apple Inc. rose 3.5% to $189.25 on Friday.", "The Nasdaq fell."]),
    ("number", "Temperatures reached 38.5 degrees. Officials issued a heat warning.",
     ["Temperatures reached 38.5 degrees.", "Officials issued a heat warning."]),
    ("number", "The loss narrowed to $4.5 billion from $5.2 billion. Analysts were surprised.",
     ["The loss narrowed to $4.5 billion from $5.2 billion.", "Analysts were surprised."]),
    ("number", "Inflation hit 9.1%. That's the highest since 1981.",
     ["Inflation hit 9.1%.", "That's the highest since 1981."]),
    ("number", "The rocket reached an altitude of 100 km. It then returned safely.",
     ["The rocket reached an altitude of 100 km.", "It then returned safely."]),
    ("number", "The team won 2-1. Fans celebrated in the streets.",
     ["The team won 2-1.", "Fans celebrated in the streets."]),
    ("number", "The unemployment rate fell to 3.7 per cent. Wages grew 4.4 per cent.",
     ["The unemployment rate fell to 3.7 per cent.", "Wages grew 4.4 per cent."]),
    ("number", "The rate is now 4.25%-4.50%, the highest in 22 years. Markets expected it.",
     ["The rate is now 4.25%-4.50%, the highest in 22 years.", "Markets expected it."]),
    ("number", "Sales rose in Q3. Q4 is expected to be weaker.",
     ["Sales rose in Q3.", "Q4 is expected to be weaker."]),
    ("quote", "\"We will not back down,\" the minister said. \"Not now, not ever.\"",
     ["\"We will not back down,\" the minister said.", "\"Not now, not ever.\""]),
    ("quote", "\"Is this the end?\" she asked. Nobody answered.",
     ["\"Is this the end?\" she asked.", "Nobody answered."]),
    ("quote", "He said: \"It's over.\" Then he left the room.",
     ["He said: \"It's over.\"", "Then he left the room."]),
    ("quote", "\u201cWow!\u201d said the crowd. The rally continued.",
     ["\u201cWow!\u201d said the crowd.", "The rally continued."]),
    ("quote", "It was, he said, \u201ca disaster.\u201d The mayor disagreed.",
     ["It was, he said, \u201ca disaster.\u201d", "The mayor disagreed."]),
    ("quote", "\"I'm not sure,\" said Lt. Col. James Wilson. \"We'll see.\"",
     ["\"I'm not sure,\" said Lt. Col. James Wilson.", "\"We'll see.\""]),
    ("quote", "\u201cI no longer have enough in the tank,\u201d she said. \u201cIt's that simple.\u201d",
     ["\u201cI no longer have enough in the tank,\u201d she said.", "\u201cIt's that simple.\u201d"]),
    ("quote", "Why does it matter? Because prices will rise. Consumers will pay more!",
     ["Why does it matter?", "Because prices will rise.", "Consumers will pay more!"]),
    ("ellipsis", "The vote was close... Too close for comfort.",
     ["The vote was close...", "Too close for comfort."]),
    ("ellipsis", "He paused... and then continued speaking to reporters.",
     ["He paused... and then continued speaking to reporters."]),
    ("ellipsis", "The agency said \u2026 it would review the decision.",
     ["The agency said \u2026 it would review the decision."]),
    ("ellipsis", "Nobody expected this\u2026 The results shocked everyone.",
     ["Nobody expected this\u2026", "The results shocked everyone."]),
    ("headline", "Fed holds rates steady as inflation cools",
     ["Fed holds rates steady as inflation cools"]),
    ("headline", "BREAKING: Earthquake strikes off Japan's coast",
     ["BREAKING: Earthquake strikes off Japan's coast"]),
    ("headline", "Photo: Getty Images",
     ["Photo: Getty Images"]),
    ("headline", "Storm slams Gulf Coast\nMore than 200,000 homes lost power overnight.",
     ["Storm slams Gulf Coast", "More than 200,000 homes lost power overnight."]),
    ("headline", "Read more: How the vote unfolded\nThe Senate met at dawn.",
     ["Read more: How the vote unfolded", "The Senate met at dawn."]),
    ("misc", "WASHINGTON (Reuters) - The U.S. Senate on Thursday approved a $1.2 trillion "
             "spending bill. The House is expected to vote next week.",
     ["WASHINGTON (Reuters) - The U.S. Senate on Thursday approved a $1.2 trillion "
      "spending bill.", "The House is expected to vote next week."]),
    ("misc", "Officials said the toll rose to 12. (Earlier reports put it at 10.) Rescue "
             "efforts continue.",
     ["Officials said the toll rose to 12.", "(Earlier reports put it at 10.)",
      "Rescue efforts continue."]),
    ("misc", "The report (see p. 12) was released on Monday. It found widespread fraud.",
     ["The report (see p. 12) was released on Monday.", "It found widespread fraud."]),
    ("misc", "Visit www.example.com for details. The site launched today.",
     ["Visit www.example.com for details.", "The site launched today."]),
    ("misc", "Email press@example.org. A spokesperson will respond.",
     ["Email press@example.org.", "A spokesperson will respond."]),
    ("misc", "Netflix (NFLX.O) shares rose 5%. The company beat estimates.",
     ["Netflix (NFLX.O) shares rose 5%.", "The company beat estimates."]),
]

Spans = list[tuple[int, int]]


# -- candidates: text -> character spans of its sentences ---------------------------
def _locate_all(text: str, pieces) -> Spans:
    """Spans of verbatim (or whitespace-changed) pieces, found left to right."""
    spans, cursor = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        start = text.find(piece, cursor)
        if start >= 0:
            end = start + len(piece)
        else:
            pattern = r"\s+".join(re.escape(w) for w in piece.split())
            m = re.compile(pattern).search(text, cursor)
            if not m:
                continue
            start, end = m.span()
        spans.append((start, end))
        cursor = end
    return spans


def _pysbd() -> Callable[[str], Spans]:
    import pysbd
    seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
    return lambda text: _locate_all(text, seg.segment(text))


def _syntok() -> Callable[[str], Spans]:
    import syntok.segmenter as syn

    def run(text: str) -> Spans:
        spans = []
        for paragraph in syn.analyze(text):
            for sentence in paragraph:
                start = sentence[0].offset
                end = sentence[-1].offset + len(sentence[-1].value)
                spans.append((start, end))
        return spans
    return run


def _sentencex() -> Callable[[str], Spans]:
    import sentencex
    return lambda text: _locate_all(text, sentencex.segment("en", text))


def _blingfire() -> Callable[[str], Spans]:
    import blingfire

    def run(text: str) -> Spans:
        _, offsets = blingfire.text_to_sentences_and_offsets(text)
        return [(s, e) for s, e in offsets]
    return run


def _segtok() -> Callable[[str], Spans]:
    from segtok.segmenter import split_multi
    return lambda text: _locate_all(text, split_multi(text))


def _nupunkt() -> Callable[[str], Spans]:
    import nupunkt
    return lambda text: [tuple(s) for s in nupunkt.sent_spans(text)]


def _sentence_splitter() -> Callable[[str], Spans]:
    from sentence_splitter import SentenceSplitter
    splitter = SentenceSplitter(language="en")
    return lambda text: _locate_all(text, splitter.split(text))


def _icu() -> Callable[[str], Spans]:
    from icu4py.breakers import SentenceBreaker
    return lambda text: _locate_all(text, SentenceBreaker(text, "en_US"))


def _cleave() -> Callable[[str], Spans]:
    from csbd import Segmenter
    seg = Segmenter(language="en", clean=False, char_span=False)
    return lambda text: _locate_all(text, seg.segment(text))


def _newsgist() -> Callable[[str], Spans]:
    """What the service uses: sentencex, plus every line of a paragraph on its own."""
    from newsgist.segment import sentence_spans
    return lambda text: sentence_spans(text, "en")


CANDIDATES: dict[str, tuple[str, Callable[[], Callable[[str], Spans]]]] = {
    "newsgist.segment (sentencex + line breaks)": ("sentencex", _newsgist),
    "pysbd": ("pysbd", _pysbd),
    "syntok": ("syntok", _syntok),
    "sentencex": ("sentencex", _sentencex),
    "blingfire": ("blingfire", _blingfire),
    "segtok": ("segtok", _segtok),
    "nupunkt": ("nupunkt", _nupunkt),
    "sentence-splitter": ("sentence-splitter", _sentence_splitter),
    "icu4py (ICU)": ("icu4py", _icu),
    "cleave-sbd": ("cleave-sbd", _cleave),
}


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


# -- scoring ------------------------------------------------------------------------
def _texts(text: str, spans: Spans) -> list[str]:
    return [text[s:e].strip() for s, e in spans if text[s:e].strip()]


def _boundaries(text: str, sentences: list[str]) -> set[int]:
    """Start offsets of every sentence after the first: the boundaries."""
    spans = _locate_all(text, sentences)
    return {s for s, _ in spans[1:]}


def score_accuracy(run: Callable[[str], Spans]) -> dict:
    right, tp, fp, fn, errors = 0, 0, 0, 0, []
    per_cat: dict[str, list[int]] = {}
    for cat, text, expected in CASES:
        try:
            got = _texts(text, run(text))
        except Exception as exc:  # a crash on one case is a wrong case
            got = [f"<{type(exc).__name__}: {exc}>"]
        ok = got == expected
        right += ok
        per_cat.setdefault(cat, [0, 0])
        per_cat[cat][0] += ok
        per_cat[cat][1] += 1
        want, have = _boundaries(text, expected), _boundaries(text, got)
        tp += len(want & have)
        fp += len(have - want)
        fn += len(want - have)
        if not ok:
            errors.append((text, got))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"cases_right": right, "cases": len(CASES), "precision": precision, "recall": recall,
            "f1": f1, "by_category": per_cat, "errors": errors}


def load_articles(data: Path, limit: int | None) -> list[list[str]]:
    """The paragraphs of each page's true article text."""
    articles = []
    for page in read_pages(data, limit):
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", page.truth)]
        articles.append([p for p in paragraphs if p])
    return articles


def score_speed(runners: dict[str, Callable[[str], Spans]],
                articles: list[list[str]], rounds: int) -> dict[str, dict]:
    times: dict[str, list[float]] = {name: [] for name in runners}
    counts: dict[str, int] = {name: 0 for name in runners}
    for name, run in runners.items():  # warm-up: lazy rule tables, caches
        for paragraph in articles[0]:
            run(paragraph)
    for _ in range(rounds):
        for paragraphs in articles:           # interleaved: every candidate on this article
            for name, run in runners.items():
                t = time.perf_counter()
                n = 0
                for paragraph in paragraphs:
                    n += len(run(paragraph))
                times[name].append((time.perf_counter() - t) * 1000)
                counts[name] += n
    out = {}
    for name, ts in times.items():
        total = sum(ts)
        sentences = counts[name]
        out[name] = {"median_ms": statistics.median(ts),
                     "p90_ms": statistics.quantiles(ts, n=10)[-1] if len(ts) > 1 else ts[0],
                     "total_ms": total, "sentences": sentences // rounds,
                     "ms_per_100_sentences": 100 * total / max(sentences, 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = BenchArguments(__doc__)
    ap.add_data("--data", "extraction", required=False,
                help="extraction benchmark folder with ground-truth.json, for the speed "
                     "table (left out when missing)")
    ap.add_argument("--limit", type=int, help="only the first N articles for speed")
    ap.add_argument("--rounds", type=int, default=1, help="passes over the articles")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    runners, skipped = {}, []
    for name, (dist, factory) in CANDIDATES.items():
        try:
            runners[name] = factory()
            runners[name]("Warm up. Twice.")
        except Exception as exc:  # noqa: BLE001 - missing package or broken install
            skipped.append(f"{name} ({type(exc).__name__}: {exc})")

    accuracy = {name: score_accuracy(run) for name, run in runners.items()}
    speed = {}
    if args.data is not None:
        articles = load_articles(args.data, args.limit)
        speed = score_speed(runners, articles, args.rounds)
        print(f"speed: {len(articles)} article bodies from {args.data}, candidates interleaved "
              f"per article, {args.rounds} round(s); shared 2-core machine, expect noise\n")
    cats = sorted({c for c, _, _ in CASES})
    base = speed.get("pysbd", {}).get("median_ms")
    header = ("| segmenter | version | cases right | boundary F1 | "
              + " | ".join(cats) + " | median ms/article | p90 ms | ms/100 sent. | vs pysbd |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    order = sorted(runners, key=lambda n: (-accuracy[n]["cases_right"],
                                           speed.get(n, {}).get("median_ms", 0)))
    for name in order:
        a, s = accuracy[name], speed.get(name, {})
        per_cat = " | ".join(f"{a['by_category'][c][0]}/{a['by_category'][c][1]}" for c in cats)
        ratio = f"{s['median_ms'] / base:.3f}x" if s and base else "-"
        print(f"| {name} | {_version(CANDIDATES[name][0])} | {a['cases_right']}/{a['cases']} | "
              f"{a['f1']:.3f} | {per_cat} | "
              + (f"{s['median_ms']:.2f} | {s['p90_ms']:.2f} | {s['ms_per_100_sentences']:.2f} | "
                 f"{ratio} |" if s else "- | - | - | - |"))
    for name in skipped:
        print(f"\nskipped: {name}")
    if args.show_errors:
        for name in order:
            print(f"\n## {name}: {len(accuracy[name]['errors'])} wrong")
            for text, got in accuracy[name]["errors"]:
                print(f"- {text!r}\n    -> {got!r}")
    if args.json:
        args.json.write_text(json.dumps({"accuracy": accuracy, "speed": speed,
                                         "skipped": skipped}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
