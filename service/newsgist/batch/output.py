"""The output file: appended to one complete line at a time, and read back by ``--resume``.

Each line goes to the file in one ``write`` on a descriptor opened with
``O_APPEND``, straight from the record's result (no buffer that a crash would
lose).  A kill can still land in the middle of one large write; that torn
tail is the only thing ``--resume`` ever removes, since its record was still
in flight and is done again.
"""

from __future__ import annotations

import json
import os

from .records import id_key


class OutputExists(Exception):
    """OUT already has lines and ``--resume`` was not given."""


def done_ids(path: str) -> set[str]:
    """Ids (``id_key``) of the complete lines in ``path`` (empty if it does not exist)."""
    ids: set[str] = set()
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return ids
    with fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break  # a torn tail: not done
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and "id" in line:
                ids.add(id_key(line["id"]))
    return ids


def cut_torn_tail(path: str) -> int:
    """Remove an incomplete last line (a write cut short by a kill); bytes removed."""
    try:
        with open(path, "rb+") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return 0
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return 0
            end, block = size, 1 << 16
            while end > 0:  # find the last newline, reading backwards
                start = max(0, end - block)
                fh.seek(start)
                chunk = fh.read(end - start)
                i = chunk.rfind(b"\n")
                if i >= 0:
                    keep = start + i + 1
                    break
                end = start
            else:
                keep = 0
            fh.truncate(keep)
            return size - keep
    except FileNotFoundError:
        return 0


class LineWriter:
    """Appends JSON lines to ``path``, each in one write, each complete."""

    def __init__(self, path: str, resume: bool = False):
        if not resume and os.path.exists(path) and os.path.getsize(path) > 0:
            raise OutputExists(f"{path} already has results: add --resume to continue it, "
                               "or choose another --out")
        self.path = path
        self.torn_bytes = cut_torn_tail(path) if resume else 0
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.lines = 0

    def write(self, text: str) -> None:
        data = (text + "\n").encode("utf-8")
        view = memoryview(data)
        while view:  # a regular file takes it whole; loop on a short write all the same
            view = view[os.write(self._fd, view):]
        self.lines += 1

    def close(self) -> None:
        if self._fd >= 0:
            try:
                os.fsync(self._fd)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "LineWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
