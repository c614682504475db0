"""``newsgist batch``: readers, the local runner, resume after a kill, progress, Ray."""

from __future__ import annotations

import fcntl
import gzip
import io
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from batch_support import CRASH_WORD, SLOW_WORD, BrokenModel, CrashingEncoder, SlowEncoder
from newsgist.batch.job import BatchJob, run_job
from newsgist.batch.local import WorkersFailed
from newsgist.batch.output import LineWriter, OutputExists, done_ids
from newsgist.batch.records import count_records, read_records
from newsgist.batch.summarize import RecordSummarizer
from newsgist.config import Settings
from processes import in_session
from support import ARTICLE, FIXTURES, HashingEncoder

TESTS = Path(__file__).parent


def page(title: str, body: str = ARTICLE) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<html lang='en'><head><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{paragraphs}</article></body></html>")


def story(n: int) -> str:
    """A different short article for each n (so summaries differ from record to record)."""
    return (f"Story {n} begins with the council meeting on day {n}. " + ARTICLE
            + f"\n\nIn closing, story {n} notes that {n} buses were inspected.")


def write_jsonl(path: Path, rows: list, gz: bool = False) -> Path:
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return path


def write_warc(path: Path, pages: list[tuple[str, str, str]]) -> Path:
    """A WARC.gz written with warcio: for each (url, content type, body) a request and
    a response record, plus a 404 page and a metadata record that must be skipped."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, ctype, body in pages + [("https://news.example/gone", "text/html",
                                           page("Gone"))]:
            req = writer.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                            http_headers=StatusAndHeaders(
                                                "GET / HTTP/1.1", [("Host", "news.example")],
                                                is_http_request=True))
            writer.write_record(req)
            status = "404 Not Found" if url.endswith("/gone") else "200 OK"
            data = body.encode("latin-1" if "latin-1" in ctype else "utf-8")
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response",
                                                          payload=io.BytesIO(data),
                                                          http_headers=headers))
        writer.write_record(writer.create_warc_record("urn:x", "metadata",
                                                      payload=io.BytesIO(b"k: v\n"),
                                                      warc_content_type="text/plain"))
    return path


def warc_ids(path: Path) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        return [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(fh)
                if r.rec_type == "response"
                and r.rec_headers.get_header("WARC-Target-URI").endswith(("/a", "/b"))]


def make_folder(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "b.html").write_text(page("Bee", story(2)))
    (root / "a.htm").write_text(page("Ay", story(1)))
    (root / "sub" / "c.txt").write_text(story(3))
    (root / "sub" / "d.html.gz").write_bytes(gzip.compress(page("Dee", story(4)).encode()))
    (root / "image.png").write_bytes(b"\x89PNG not a page")
    return root


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def without_timings(line: dict) -> dict:
    return {k: v for k, v in line.items() if k != "timings_ms"}


# -- readers ------------------------------------------------------------------------
def test_jsonl_records_have_ids_positions_and_errors(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "x1", "html": page("One"), "url": "https://e.example/1", "title": "T"},
        "", "not json", {"text": "plain text"}, {"html": "a", "text": "b"}, {"url": "u"},
        {"id": 5, "text": 3}, {"id": 9, "text": "x" * 1200}])
    records = list(read_records([str(src)], max_bytes=1000))
    assert [r.position for r in records] == list(range(7))
    assert [r.id for r in records] == ["x1", f"{src}:3", f"{src}:4", f"{src}:5", f"{src}:6",
                                      5, f"{src}:8"]
    assert records[0].html == page("One") and records[0].url == "https://e.example/1" \
        and records[0].title == "T" and records[0].error is None
    assert records[2].text == "plain text" and records[2].html is None
    assert [r.error.code if r.error else None for r in records] == [
        None, "invalid_json", None, "ambiguous_content", "missing_content", "invalid_field",
        "body_too_large"]
    assert count_records([str(src)], 1000) == 7
    bom = tmp_path / "bom.jsonl"  # as some editors and exporters save it
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "b", "text": "x"}).encode() + b"\n")
    assert [(r.id, r.text, r.error) for r in read_records([str(bom)])] == [("b", "x", None)]


def test_gzip_and_stdin_give_the_same_records(tmp_path):
    rows = [{"id": i, "text": story(i)} for i in range(3)]
    plain = write_jsonl(tmp_path / "in.jsonl", rows)
    packed = write_jsonl(tmp_path / "in.jsonl.gz", rows, gz=True)
    a = list(read_records([str(plain)]))
    b = list(read_records([str(packed)]))
    c = list(read_records(["-"], stdin=io.BytesIO(gzip.compress(plain.read_bytes()))))
    assert [r.text for r in a] == [r.text for r in b] == [r.text for r in c] \
        == [story(i) for i in range(3)]
    assert [r.id for r in c] == [0, 1, 2]
    # Several inputs: positions go on from one to the next.
    assert [r.position for r in read_records([str(plain), str(packed)])] == list(range(6))


def test_warc_written_with_warcio_gives_its_html_responses(tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz", [
        ("https://news.example/a", "text/html; charset=utf-8", page("Ä story")),
        ("https://news.example/logo", "image/png", "PNG"),
        ("https://news.example/b", "text/html; charset=latin-1", page("Café story"))])
    records = list(read_records([str(warc)]))
    assert [r.url for r in records] == ["https://news.example/a", "https://news.example/b"]
    assert [r.id for r in records] == warc_ids(warc)
    assert all(r.id.startswith("<urn:uuid:") for r in records)
    assert "Ä story" in records[0].html and "Café story" in records[1].html
    # The same WARC from stdin (sniffed: no name to go by).
    piped = list(read_records(["-"], stdin=io.BytesIO(warc.read_bytes())))
    assert [r.id for r in piped] == [r.id for r in records]
    assert count_records([str(warc)], 8 << 20) == 2


def test_folder_gives_its_pages_in_path_order(tmp_path):
    folder = make_folder(tmp_path / "site")
    records = list(read_records([str(folder)]))
    names = [os.path.relpath(r.id, folder) for r in records]
    assert names == ["a.htm", "b.html", "sub/c.txt", "sub/d.html.gz"]
    assert records[2].text == story(3) and records[2].html is None
    assert "Dee" in records[3].html
    too_big = list(read_records([str(folder)], max_bytes=100))
    assert {r.error.code for r in too_big} == {"body_too_large"}


# -- output ---------------------------------------------------------------------------
def test_writer_refuses_existing_output_and_resume_cuts_a_torn_tail(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "position": 0}\n{"id": "b", "posi')
    with pytest.raises(OutputExists):
        LineWriter(str(out))
    assert done_ids(str(out)) == {'"a"'}
    with LineWriter(str(out), resume=True) as w:
        assert w.torn_bytes == len('{"id": "b", "posi')
        w.write('{"id": "b", "position": 1}')
    assert lines(out) == [{"id": "a", "position": 0}, {"id": "b", "position": 1}]


def test_cli_reads_a_path_after_ray_as_an_input_and_needs_an_input(tmp_path, monkeypatch):
    pytest.importorskip("ray.data", reason="Ray Data is not installed")
    from types import SimpleNamespace

    from newsgist import cli

    src = write_jsonl(tmp_path / "in.jsonl", [{"text": "x"}])
    jobs = []
    monkeypatch.setattr("newsgist.batch.job.run_job",
                        lambda job, settings: jobs.append(job) or SimpleNamespace(
                            interrupted=False))
    out = str(tmp_path / "out.jsonl")
    assert cli.main(["batch", "--ray", str(src), "--out", out]) == 0
    assert cli.main(["batch", str(src), "--out", out, "--ray", "auto", "-n", "4"]) == 0
    assert [(j.inputs, j.ray, j.ray_address) for j in jobs] == [
        ([str(src)], True, None), ([str(src)], True, "auto")]
    assert jobs[1].sentences == 4
    assert cli.main(["batch", "--out", out]) == 2


# -- the local runner -----------------------------------------------------------------
@pytest.mark.slow
def test_job_summarizes_every_kind_in_order_like_the_single_record_path(tmp_path):
    jsonl = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "s1", "html": page("First", story(1))}, {"id": "bad", "html": "<p>Hi.</p>"},
        "{broken", {"id": "s2", "text": story(2)}])
    warc = write_warc(tmp_path / "c.warc.gz", [
        ("https://news.example/a", "text/html", page("Warc A", story(5))),
        ("https://news.example/b", "text/html", page("Warc B", story(6)))])
    folder = make_folder(tmp_path / "site")
    out = tmp_path / "out.jsonl"
    stream = io.StringIO()
    inputs = [str(jsonl), str(warc), str(folder)]
    result = run_job(BatchJob(inputs, str(out), sentences=2, workers=2,
                              encoder_factory=HashingEncoder, progress_every=0), Settings(),
                     stream=stream)
    got = lines(out)
    assert [x["position"] for x in got] == list(range(10))
    assert [x["id"] for x in got][:4] == ["s1", "bad", f"{jsonl}:3", "s2"]
    assert [x["id"] for x in got][4:6] == warc_ids(warc)
    assert [x.get("error", {}).get("code") for x in got] == [
        None, "no_article", "invalid_json"] + [None] * 7
    assert all(len(x["sentences"]) == 2 for x in got if "error" not in x)
    assert got[4]["url"] == "https://news.example/a" and got[4]["title"] == "Warc A"
    # Each line is what the per-record function gives for that record (timings aside).
    single = RecordSummarizer(Settings(), sentences=2, encoder_factory=HashingEncoder,
                              isolate=False)
    expected = [single(r).line for r in read_records(inputs)]
    assert [without_timings(x) for x in got] == [without_timings(x) for x in expected]
    assert result.tally.by_code == {"ok": 8, "no_article": 1, "invalid_json": 1}
    summary = stream.getvalue().strip().splitlines()[-1]
    assert summary.startswith("newsgist batch: 10 records in ")
    assert "pages/s" in summary and "ok 8" in summary and "no_article 1" in summary
    assert "slowest: " in summary


def _run_stories(tmp_path: Path, n: int, odd: dict, *, at: int, encoder, settings: Settings):
    """A job over `n` story records, the one at `at` replaced by `odd`, two workers with
    `encoder`; returns (the job's result, the output lines)."""
    rows = [{"id": f"r{i}", "text": story(i)} for i in range(n)]
    rows[at] = odd
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    result = run_job(BatchJob([str(src)], str(out), workers=2, encoder_factory=encoder),
                     settings, stream=io.StringIO())
    return result, lines(out)


@pytest.mark.slow
def test_a_record_past_the_deadline_times_out_and_the_job_goes_on(tmp_path):
    slow = {"id": "slow", "text": story(1) + f" It moved {SLOW_WORD} slowly."}
    _, got = _run_stories(tmp_path, 4, slow, at=1, encoder=SlowEncoder,
                          settings=Settings(request_timeout=3.0))
    assert [x["id"] for x in got] == ["r0", "slow", "r2", "r3"]
    assert got[1]["error"]["code"] == "timeout"
    assert all("sentences" in got[i] for i in (0, 2, 3))


@pytest.mark.slow
def test_a_record_that_kills_its_worker_gets_an_error_line_and_the_job_goes_on(tmp_path):
    crash = {"id": "crash", "text": story(2) + f" Then came the {CRASH_WORD}."}
    result, got = _run_stories(tmp_path, 5, crash, at=2, encoder=CrashingEncoder,
                               settings=Settings())
    assert [x["id"] for x in got] == ["r0", "r1", "crash", "r3", "r4"]
    assert got[2]["error"]["code"] == "internal_error"
    assert all("sentences" in got[i] for i in (0, 1, 3, 4))
    assert result.tally.by_code == {"ok": 4, "internal_error": 1}


@pytest.mark.slow
def test_workers_that_cannot_start_stop_the_job_with_a_clear_error(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": story(1)}])
    with pytest.raises(WorkersFailed):
        run_job(BatchJob([str(src)], str(tmp_path / "out.jsonl"), workers=1,
                         encoder_factory=BrokenModel), Settings(), stream=io.StringIO())


# -- resume after a kill ----------------------------------------------------------------
@pytest.mark.slow
def test_resume_after_sigkill_completes_the_output_without_torn_lines(tmp_path):
    """The real CLI and the real model: killed mid-way, then resumed."""
    n = 40
    src = write_jsonl(tmp_path / "in.jsonl",
                      [{"id": f"r{i}", "html": page(f"Story {i}", story(i))} for i in range(n)])
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "newsgist", "batch", str(src), "--out", str(out),
           "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while proc.poll() is None:  # kill once a few lines are written
            if out.exists() and out.read_text().count("\n") >= 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the job ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    # Its workers and their page readers notice and leave (the session is the job's).
    for _ in range(300):
        if not in_session(proc.pid):
            break
        time.sleep(0.1)
    assert not in_session(proc.pid), "processes of the killed job live on"
    raw = out.read_text()
    first = [json.loads(x) for x in raw.splitlines() if x.endswith("}")]
    assert 3 <= len(first) < n
    r = subprocess.run(cmd + ["--resume", "--progress-every", "0"], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    final = lines(out)  # every line parses: none is torn
    assert out.read_text().startswith(raw[:raw.rfind("\n") + 1])  # only appended to
    assert sorted(x["position"] for x in final) == list(range(n))
    assert {x["id"] for x in final} == {f"r{i}" for i in range(n)}
    assert all("sentences" in x for x in final)
    assert f"skipped {len(first)} already in the output" in r.stderr
    # Without --resume the job refuses to touch an output that has lines.
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "--resume" in again.stderr


# -- progress ----------------------------------------------------------------------------
RUN_JOB = """
import sys
import termios
from newsgist.batch.job import BatchJob, run_job
from newsgist.batch.local import WorkersFailed
from newsgist.config import Settings
from support import HashingEncoder
run_job(BatchJob([sys.argv[1]], sys.argv[2], workers=2, progress_every=0,
                 encoder_factory=HashingEncoder), Settings())
"""


def _job_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS)] + [p for p in sys.path if p])
    return env


def _progress_input(tmp_path) -> Path:
    rows = [{"id": f"r{i}", "text": story(i)} for i in range(12)] + [{"id": "e", "text": "x"}]
    return write_jsonl(tmp_path / "in.jsonl", rows)


@pytest.mark.slow
def test_progress_on_a_terminal_is_a_bar(tmp_path):
    src, out = _progress_input(tmp_path), tmp_path / "out.jsonl"
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", RUN_JOB, str(src), str(out)],
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                            env=_job_env())
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = shown.decode("utf-8", "replace")
    assert "\r" in text                      # redrawn in place
    assert "13/13" in text and "rec/s" in text and "errors 1" in text
    assert "<00:00" in text                  # the ETA (tqdm's elapsed<remaining)
    assert "newsgist batch: 13 records" in text
    assert len(lines(out)) == 13


@pytest.mark.slow
def test_progress_off_a_terminal_is_plain_lines(tmp_path):
    src, out = _progress_input(tmp_path), tmp_path / "out.jsonl"
    r = subprocess.run([sys.executable, "-c", RUN_JOB, str(src), str(out)], capture_output=True,
                       text=True, env=_job_env(), timeout=300)
    assert r.returncode == 0, r.stderr
    progress = [x for x in r.stderr.splitlines() if x.startswith("newsgist batch: ")]
    assert "\r" not in r.stderr and "\x1b[" not in r.stderr
    assert progress[-2].startswith("newsgist batch: 13/13 records, ")
    assert "records/s, 1 errors" in progress[-2]
    assert "ok 12, no_article 1" in progress[-1] and "pages/s" in progress[-1]
    assert len(lines(out)) == 13


# -- Ray ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_ray_gives_the_same_lines_as_the_local_path(tmp_path, monkeypatch):
    """A local Ray runtime with 2 CPUs and the real model, against the local path
    (inputs named relative to the working directory, as users do)."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'newsgist[ray]')")
    pytest.importorskip("ray.data", reason="Ray Data is not installed")
    news = (FIXTURES / "news_article.html").read_text(encoding="utf-8")
    write_jsonl(tmp_path / "in.jsonl", [
        {"id": "news", "html": news, "url": "https://news.example/paris"},
        {"id": "bus", "text": ARTICLE}, "not json", {"id": "tiny", "text": "Too short."},
        {"id": "s4", "html": page("Four", story(4))}])
    make_folder(tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    inputs = ["in.jsonl", "site"]
    local_out, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_job(BatchJob(inputs, str(local_out), sentences=3, workers=2), Settings(),
            stream=io.StringIO())
    resumed_out = tmp_path / "ray-resumed.jsonl"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        run_job(BatchJob(inputs, str(ray_out), sentences=3, ray=True), Settings(),
                stream=io.StringIO())
        # --resume on Ray: the read tasks leave out the records OUT already has.
        resumed_out.write_text("".join(ray_out.read_text().splitlines(True)[:4]))
        resumed = run_job(BatchJob(inputs, str(resumed_out), sentences=3, ray=True,
                                   resume=True), Settings(), stream=io.StringIO())
    finally:
        ray.shutdown()
    assert resumed.skipped == 4 and resumed.tally.done == 5
    assert [without_timings(x) for x in lines(resumed_out)] == \
        [without_timings(x) for x in lines(ray_out)]
    local, on_ray = lines(local_out), lines(ray_out)
    assert [x["id"] for x in on_ray] == ["news", "bus", "in.jsonl:3", "tiny", "s4", "site/a.htm",
                                         "site/b.html", "site/sub/c.txt", "site/sub/d.html.gz"]
    assert [x["position"] for x in on_ray] == list(range(9))
    assert [without_timings(x) for x in on_ray] == [without_timings(x) for x in local]
    assert local[0]["title"] == "Paris-China Talks Signal Focus on Peace Efforts in Ukraine"
