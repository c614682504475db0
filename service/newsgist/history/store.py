"""The reading history on disk: one SQLite file, its schema, and every read and write.

- ``history.sqlite3`` in the data directory (``Settings.data_dir``), mode 0600, the
  directory 0700; WAL journal with ``synchronous=NORMAL``: a commit survives the
  process being killed (the WAL is in the operating system's hands), and readers
  never wait for the writer.
- The schema version is ``PRAGMA user_version``; ``MIGRATIONS[n]`` takes a database
  from version ``n`` to ``n + 1``, each in one transaction, so an old file is
  brought up to date on open and a newer one (from a later NewsGist) is refused.
- Two services on one data directory: every write holds an exclusive ``flock`` on
  ``history.lock`` beside the database for the length of its transaction (SQLite
  locks too; the file lock also orders writers that SQLite would make retry), and
  reads need no lock.  Nothing is lost or corrupted; ``tests/test_history_store.py``
  runs two writers at once.
- Kept per entry: URL, title, site, language, when it was read, the model, the
  article vector (its lead-weighted centroid), the headline's vector, the story it
  belongs to, and the summary sentences shown with their vectors.  Never the page's
  HTML or text.  Keyword search reads an FTS5 index of the title and those sentences.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

DB_NAME = "history.sqlite3"
LOCK_NAME = "history.lock"

# version n -> n + 1.  Append only: a released step is never edited.
MIGRATIONS: list[str] = [
    # 0 -> 1: entries, their shown sentences, the keyword index.
    """
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT, title TEXT, site TEXT, language TEXT,
        read_at REAL NOT NULL,            -- seconds since the epoch, UTC
        model TEXT NOT NULL,              -- vectors of two models do not compare
        vector BLOB NOT NULL,             -- float16: the lead-weighted centroid
        headline BLOB,                    -- float16: the headline's vector, or NULL
        story INTEGER NOT NULL            -- the id of the story's first entry
    );
    CREATE INDEX entries_read_at ON entries(read_at);
    CREATE INDEX entries_story ON entries(story);
    CREATE TABLE shown (
        entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,        -- order in the summary shown
        text TEXT NOT NULL,
        vector BLOB NOT NULL,             -- float16
        PRIMARY KEY (entry, position)
    );
    CREATE VIRTUAL TABLE entries_fts USING fts5(title, summary, tokenize='unicode61');
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryUnavailable(Exception):
    """The database cannot be used (newer schema, unreadable file): the message says why."""


@dataclass(frozen=True)
class Shown:
    text: str
    vector: np.ndarray


@dataclass(frozen=True)
class Reading:
    """A page read: what every entry says of it."""

    url: str | None
    title: str | None
    site: str | None
    language: str | None
    read_at: float
    model: str


@dataclass(frozen=True)
class NewEntry(Reading):
    """What is written for one page read (``Store.add``)."""

    vector: np.ndarray
    headline: np.ndarray | None
    shown: list[Shown]


@dataclass(frozen=True)
class Entry(Reading):
    """A stored entry, with the summary sentences shown."""

    id: int
    story: int
    summary: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Recent:
    """An entry as the story test needs it: its vectors."""

    id: int
    url: str | None
    title: str | None
    read_at: float
    story: int
    vector: np.ndarray
    headline: np.ndarray | None


# Vectors are kept as float16: half the file, and cosines move by under 1e-3 (unit vectors).
def _blob(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=np.float16).tobytes()


def _vector(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def _vectors(blobs: Sequence[bytes]) -> np.ndarray:
    """Blobs of one length (one model) as the rows of one float32 matrix, converted at once."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    if len({len(b) for b in blobs}) > 1:       # another model's rows: one by one
        width = max(len(b) for b in blobs) // 2
        out = np.zeros((len(blobs), width), dtype=np.float32)
        for n, b in enumerate(blobs):
            out[n, :len(b) // 2] = _vector(b)
        return out
    return np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), -1) \
        .astype(np.float32)


class Store:
    """One history database.  Thread-safe: one connection, used under a lock."""

    def __init__(self, data_dir: str):
        self.data_dir = data_dir
        self.path = os.path.join(data_dir, DB_NAME)
        os.makedirs(data_dir, mode=0o700, exist_ok=True)
        # The file exists with mode 0600 before SQLite opens it (SQLite gives its
        # -wal and -shm files the database's mode).
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        self._lock_fd = os.open(os.path.join(data_dir, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
        self._mutex = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                   isolation_level=None)   # transactions are explicit
        self._writes = 0
        try:
            # Under the write lock: a second service opening the same file at the same
            # moment would otherwise race this switch and get "database is locked" at
            # once (SQLite's busy timeout does not cover a journal mode change).
            with self._locked() as db:
                db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            # What is deleted is overwritten, not only unlinked (the reader asked to forget).
            self._db.execute("PRAGMA secure_delete=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise HistoryUnavailable(f"The history database {self.path} cannot be used: "
                                     f"{exc}") from None

    # -- lifetime -------------------------------------------------------------------
    def close(self) -> None:
        with self._mutex:
            self._db.close()
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
                self._lock_fd = -1

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        """The connection, holding this thread's turn and the data directory's write lock."""
        with self._mutex:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                yield self._db
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding the data directory's write lock."""
        with self._locked() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            self._writes += 1

    def _migrate(self) -> None:
        with self._writing() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryUnavailable(
                    f"The history in {self.path} has schema version {version}, newer than "
                    f"this NewsGist knows ({SCHEMA_VERSION}); upgrade NewsGist.")
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {step + 1}")

    @property
    def version(self) -> tuple[int, int]:
        """Changes seen: (this connection's writes, SQLite's data_version, which moves when
        another connection commits).  Equal versions: nothing changed in between."""
        with self._mutex:
            return self._writes, self._db.execute("PRAGMA data_version").fetchone()[0]

    # -- writes ---------------------------------------------------------------------------
    def add(self, entry: NewEntry, story: int | None) -> int:
        """Write ``entry`` (in the story whose first entry is ``story``; None starts a
        story of its own) and answer its id."""
        summary = " ".join(s.text for s in entry.shown)
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO entries (url, title, site, language, read_at, model, vector, "
                "headline, story) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.url, entry.title, entry.site, entry.language, entry.read_at, entry.model,
                 _blob(entry.vector), _blob(entry.headline), story if story is not None else 0))
            entry_id = int(cursor.lastrowid)
            if story is None:
                db.execute("UPDATE entries SET story = ? WHERE id = ?", (entry_id, entry_id))
            db.executemany("INSERT INTO shown (entry, position, text, vector) VALUES (?, ?, ?, ?)",
                           [(entry_id, n, s.text, _blob(s.vector))
                            for n, s in enumerate(entry.shown)])
            db.execute("INSERT INTO entries_fts (rowid, title, summary) VALUES (?, ?, ?)",
                       (entry_id, entry.title or "", summary))
        return entry_id

    def forget(self, entry_id: int) -> bool:
        """Delete one entry; False when there is none with that id."""
        with self._writing() as db:
            deleted = db.execute("DELETE FROM entries WHERE id = ?", (entry_id,)).rowcount
            if deleted:
                db.execute("DELETE FROM entries_fts WHERE rowid = ?", (entry_id,))
                # FTS5 keeps a deleted row's words in its segments until they are merged.
                db.execute("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
        if deleted:
            self._empty_wal()
        return deleted > 0

    def _empty_wal(self) -> None:
        """Copy the WAL into the database and truncate it: the WAL still holds the pages
        as they were before a deletion (best effort: a reader in progress may keep it)."""
        with self._locked() as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def clear(self) -> int:
        """Delete every entry; answers how many there were.  The freed pages are
        overwritten (``secure_delete``), the keyword index rebuilt empty, the file
        shrunk and the WAL emptied, so nothing deleted stays readable."""
        with self._writing() as db:
            count = db.execute("DELETE FROM entries").rowcount
            db.execute("DELETE FROM shown")
            db.execute("DELETE FROM entries_fts")
            db.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")
        with self._locked() as db:
            db.execute("VACUUM")
        self._empty_wal()
        return count

    # -- reads ----------------------------------------------------------------------------
    def _query(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with self._mutex:
            return self._db.execute(sql, args).fetchall()

    def count(self) -> int:
        return self._query("SELECT count(*) FROM entries")[0][0]

    def entries(self, ids: Sequence[int] | None = None, before: float | None = None,
                limit: int | None = None) -> list[Entry]:
        """Entries newest first (``ids``: those, in the order given), each with its summary."""
        columns = "id, url, title, site, language, read_at, model, story"
        if ids is not None:
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            rows = self._query(f"SELECT {columns} FROM entries WHERE id IN ({marks})", list(ids))
            order = {i: n for n, i in enumerate(ids)}
            rows.sort(key=lambda r: order[r[0]])
        else:
            sql, args = f"SELECT {columns} FROM entries", []
            if before is not None:
                sql, args = sql + " WHERE read_at < ?", [before]
            sql += " ORDER BY read_at DESC, id DESC"
            if limit is not None:
                sql, args = sql + " LIMIT ?", args + [limit]
            rows = self._query(sql, args)
        summaries: dict[int, list[str]] = {}
        if rows:
            marks = ",".join("?" * len(rows))
            for entry, text in self._query(f"SELECT entry, text FROM shown WHERE entry IN "
                                           f"({marks}) ORDER BY entry, position",
                                           [r[0] for r in rows]):
                summaries.setdefault(entry, []).append(text)
        return [Entry(id=i, url=url, title=title, site=site, language=language, read_at=read_at,
                      model=model, story=story, summary=summaries.get(i, []))
                for i, url, title, site, language, read_at, model, story in rows]

    def recent(self, model: str, since: float, limit: int) -> list[Recent]:
        """The newest ``limit`` entries of ``model`` read at ``since`` or later."""
        rows = self._query("SELECT id, url, title, read_at, story, vector, headline FROM entries "
                           "WHERE model = ? AND read_at >= ? ORDER BY read_at DESC, id DESC "
                           "LIMIT ?", (model, since, limit))
        vectors = _vectors([r[5] for r in rows])     # one conversion for all the rows
        return [Recent(r[0], r[1], r[2], r[3], r[4], vectors[n], _vector(r[6]))
                for n, r in enumerate(rows)]

    def shown_vectors(self, entry_ids: Sequence[int]) -> np.ndarray | None:
        """The vectors of the sentences shown for these entries, one row each."""
        if not entry_ids:
            return None
        marks = ",".join("?" * len(entry_ids))
        rows = self._query(f"SELECT vector FROM shown WHERE entry IN ({marks})", list(entry_ids))
        return _vectors([r[0] for r in rows]) if rows else None

    def article_vectors(self, model: str) -> tuple[np.ndarray, np.ndarray]:
        """Ids and article vectors (one row each) of every entry of ``model``."""
        rows = self._query("SELECT id, vector FROM entries WHERE model = ? ORDER BY id", (model,))
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        return ids, _vectors([r[1] for r in rows])

    def keyword_ranks(self, match: str, limit: int) -> list[int]:
        """Entry ids matching the FTS5 query ``match``, best (bm25) first."""
        if not match:
            return []
        rows = self._query("SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? "
                           "ORDER BY bm25(entries_fts) LIMIT ?", (match, limit))
        return [r[0] for r in rows]

    def integrity(self) -> str:
        return self._query("PRAGMA integrity_check")[0][0]
