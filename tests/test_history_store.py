"""The history's storage, search and what-is-new, below the API."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from newsgist.history import store as store_module
from newsgist.history.search import MeaningIndex, fuse, keyword_query, search_ids
from newsgist.history.since import find_story, new_sentences, similarity_to
from newsgist.history.store import (DB_NAME, SCHEMA_VERSION, HistoryUnavailable, NewEntry,
                                    Recent, Shown, Store)
from newsgist.rank import CentroidRanker
from newsgist.stories.grouping import page_similarity

SERVICE = str(Path(__file__).resolve().parents[1] / "service")


def unit(*values, dim=8):
    v = np.zeros(dim, dtype=np.float32)
    v[:len(values)] = values
    return v / np.linalg.norm(v)


def entry(title, vector, read_at=1000.0, shown=("One sentence shown.",), model="m"):
    return NewEntry(url=f"https://site.example/{title}", title=title, site="site.example",
                    language="en", read_at=read_at, model=model, vector=vector, headline=None,
                    shown=[Shown(t, vector) for t in shown])


def test_a_new_file_gets_the_current_schema(tmp_path):
    store = Store(str(tmp_path))
    assert SCHEMA_VERSION >= 1
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_migrations_run_in_order_from_an_older_file(tmp_path, monkeypatch):
    """A file at version 1 is taken to version 2 by a later step, its entries kept."""
    store = Store(str(tmp_path))
    store.add(entry("kept", unit(1)), None)
    store.close()
    monkeypatch.setattr(store_module, "MIGRATIONS",
                        store_module.MIGRATIONS + ["ALTER TABLE entries ADD COLUMN note TEXT"])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = Store(str(tmp_path))
    assert [e.title for e in store.entries()] == ["kept"]
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert "note" in [r[1] for r in db.execute("PRAGMA table_info(entries)")]
    store.close()


def test_a_newer_schema_is_refused_not_rewritten(tmp_path):
    Store(str(tmp_path)).close()
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(HistoryUnavailable, match="newer"):
        Store(str(tmp_path))
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(HistoryUnavailable):
        Store(str(tmp_path))


def test_clear_leaves_no_deleted_text_in_the_file(tmp_path):
    store = Store(str(tmp_path))
    store.add(entry("secret", unit(1), shown=("A very particular sentence xylophone.",)), None)
    store.clear()
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(DB_NAME))
    assert b"xylophone" not in raw


def test_forget_leaves_no_forgotten_text_in_the_files(tmp_path):
    store = Store(str(tmp_path))
    gone = store.add(entry("secret", unit(1), shown=("A very particular sentence xylophone.",)),
                     None)
    store.add(entry("kept", unit(0, 1), shown=("An ordinary sentence stays.",)), None)
    assert store.forget(gone) and not store.forget(gone)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(DB_NAME))
    assert b"xylophone" not in raw and b"ordinary sentence" in raw
    assert [e.title for e in store.entries()] == ["kept"]
    store.close()


# -- search ---------------------------------------------------------------------------------
def test_meaning_search_finds_entries_without_a_shared_word(tmp_path):
    store = Store(str(tmp_path))
    a = store.add(entry("alpha", unit(1, 0.1)), None)
    b = store.add(entry("beta", unit(0, 1)), None)
    store.add(entry("gamma", unit(0, 0, 1), model="other-model"), None)
    index = MeaningIndex(store)
    assert search_ids(store, index, "nothing shared", "m", lambda q: unit(1)) == [a]
    assert search_ids(store, index, "nothing shared", "m", lambda q: unit(0.1, 1)) == [b]
    assert search_ids(store, index, "alpha", "m", None) == [a]        # keywords alone
    c = store.add(entry("delta", unit(1)), None)                        # the index follows
    assert set(search_ids(store, index, "nothing", "m", lambda q: unit(1))) == {a, c}
    store.close()


def test_fusion_puts_an_entry_found_both_ways_first():
    assert fuse([[1, 2, 3], [3, 4]]) == [3, 1, 2, 4]
    assert fuse([[], []]) == []


@pytest.mark.parametrize("q", ['"', "a\"b", "NEAR(x y)", "col:x", "x*", "AND OR NOT",
                               "é ü 漢字", "'; DROP TABLE entries; --"])
def test_any_text_makes_a_valid_keyword_query(tmp_path, q):
    store = Store(str(tmp_path))
    store.add(entry("drop table entries", unit(1)), None)
    store.keyword_ranks(keyword_query(q), 10)     # never an FTS5 syntax error
    assert store.count() == 1
    store.close()


# -- what is new --------------------------------------------------------------------------------
def test_find_story_uses_the_grouping_threshold():
    recent = [Recent(1, None, "a", 10.0, 1, unit(1, 0.05).astype(np.float32), None),
              Recent(2, None, "b", 9.0, 2, unit(0, 1).astype(np.float32), None)]
    story, members = find_story(recent, unit(1), None)
    assert story == 1 and [m.id for m in members] == [1]
    assert find_story(recent, unit(0, 0, 1), None) == (None, [])
    assert find_story([], unit(1), None) == (None, [])


def test_the_story_test_is_the_digests_page_similarity():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((6, 8))
    heads = [rng.standard_normal(8) if i % 3 else None for i in range(6)]
    for page_head in (heads[1], None):
        heads[0] = page_head
        has = [h is not None for h in heads]
        matrix = page_similarity(vectors, np.stack([h if h is not None else np.zeros(8)
                                                    for h in heads]), has, 0.3)
        row = similarity_to(vectors[0], heads[0], list(vectors[1:]), heads[1:], 0.3)
        np.testing.assert_allclose(row, matrix[0, 1:], atol=1e-12)


def test_new_sentences_skip_what_was_seen_and_keep_what_was_not():
    seen_fact, new_fact, other = unit(1), unit(0, 1), unit(0, 0, 1)
    vectors = np.stack([seen_fact, new_fact, unit(1, 0.02), other])
    words, eligible = [10] * 4, [True] * 4
    chosen = new_sentences(CentroidRanker(), vectors, np.stack([seen_fact]), 3, words, eligible)
    indices = [c.index for c in chosen]
    assert 0 not in indices and 2 not in indices      # the seen fact and its restatement
    assert 1 in indices and indices == sorted(indices)
    nothing_seen = new_sentences(CentroidRanker(), vectors, None, 2, words, eligible)
    assert len(nothing_seen) == 2
    assert new_sentences(CentroidRanker(), vectors, vectors, 3, words, eligible) == []


# -- crashes and two writers ----------------------------------------------------------------------
WRITER = textwrap.dedent("""
    import sys, numpy as np
    from newsgist.history.store import NewEntry, Shown, Store
    store = Store(sys.argv[1])
    tag, n = sys.argv[2], int(sys.argv[3])
    for i in range(n):
        v = np.random.default_rng(i).standard_normal(384).astype(np.float32)
        store.add(NewEntry(url=f"https://x.example/{tag}/{i}", title=f"{tag} {i}", site=None,
                           language="en", read_at=float(i), model="m", vector=v, headline=v,
                           shown=[Shown(f"sentence {j} of {tag} {i}", v) for j in range(5)]),
                  None)
        print(f"{tag} {i}", flush=True)   # printed only once committed
""")


def _writer(data_dir, tag, n):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), tag, str(n)],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": SERVICE})


def _titles(data_dir) -> set[str]:
    with sqlite3.connect(Path(data_dir) / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {r[0] for r in db.execute("SELECT title FROM entries")}


def test_every_committed_entry_survives_sigkill(tmp_path):
    proc = _writer(tmp_path, "k", 100000)
    committed = []
    deadline = time.monotonic() + 120
    while len(committed) < 200 and time.monotonic() < deadline:
        committed.append(proc.stdout.readline().strip())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(committed) == 200
    stored = _titles(tmp_path)      # a fresh connection recovers from the WAL
    assert set(committed) <= stored
    # The writer ran on while its lines were read: what is stored is a prefix of its writes,
    # none torn, each with all its shown sentences.
    assert stored == {f"k {i}" for i in range(len(stored))}
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert {n for (n,) in db.execute("SELECT count(*) FROM shown GROUP BY entry")} == {5}
    store = Store(str(tmp_path))   # and the service opens it again and writes on
    store.add(entry("after", unit(1)), None)
    assert store.integrity() == "ok"
    store.close()


def test_two_writers_on_one_data_directory_lose_nothing(tmp_path):
    procs = [_writer(tmp_path, tag, 150) for tag in ("a", "b")]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    stored = _titles(tmp_path)
    assert stored == {line for out in outputs for line in out.split("\n") if line}
    assert len(stored) == 300


def _open_store(data_dir, barrier, results):
    from newsgist.history.store import Store

    barrier.wait()
    try:
        Store(data_dir).close()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(repr(exc))


@pytest.mark.slow
def test_services_opening_a_new_data_directory_at_once_all_get_it(tmp_path):
    """Three processes open one new history at the same moment, ten times over: each gets
    it (the journal mode switch once raced and one got 'database is locked')."""
    import multiprocessing

    for round_ in range(10):
        data_dir = tmp_path / f"round{round_}"
        barrier, results = multiprocessing.Barrier(3), multiprocessing.Queue()
        openers = [multiprocessing.Process(target=_open_store,
                                           args=(str(data_dir), barrier, results))
                   for _ in range(3)]
        for p in openers:
            p.start()
        for p in openers:
            p.join(timeout=120)
        assert [results.get(timeout=10) for _ in openers] == ["ok"] * 3
