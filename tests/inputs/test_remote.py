"""Inputs in object storage: a run on s3:// gives the records a run on the same files in a folder gives.

The S3 endpoint is real HTTP: moto's standalone server on a free loopback port, which s3fs
reaches through AWS_ENDPOINT_URL like any S3-compatible store.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.inputs.discovery import discover_inputs, skipped_inputs
from pipeline.inputs.storage import is_remote, local_path

pytest.importorskip("s3fs", reason="s3fs is needed to reach S3 (pip install -e '.[test]')")
pytest.importorskip("moto.server", reason="moto[server] provides the S3 endpoint (pip install -e '.[test]')")

ROOT = Path(__file__).resolve().parents[2]
HTML = sorted((ROOT / "tests/fixtures/html").glob("*.html"))[:3]


def _warc(pages: list[Path]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n, page in enumerate(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            f"https://example.org/story-{n}", "response", payload=io.BytesIO(page.read_bytes()),
            http_headers=headers, warc_headers_dict={"WARC-Date": "2024-03-01T10:00:00Z"}))
    return buffer.getvalue()


def _inputs(folder: Path) -> Path:
    """A crawl folder: fixture pages, the seeds, a WARC of pages, one hidden file and a nested folder."""
    folder.mkdir()
    for page in HTML[:2]:
        shutil.copy(page, folder / page.name)
    (folder / "nested").mkdir()
    for seed in sorted((ROOT / "seeds").glob("*.txt"))[:2]:
        shutil.copy(seed, folder / "nested" / seed.name)
    (folder / "nested" / "crawl.warc.gz").write_bytes(_warc(HTML))
    (folder / ".hidden.html").write_text("<p>never read</p>", encoding="utf-8")
    return folder


def _upload(folder: Path, bucket: str) -> None:
    import s3fs

    fs = s3fs.S3FileSystem()
    fs.mkdir(bucket)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fs.pipe(f"{bucket}/crawl/{path.relative_to(folder).as_posix()}", path.read_bytes())


def _run(inputs: str, output: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "run", inputs, "--output", str(output),
                           "--workers", "1", "--reference-date", "2024-06-01", "--no-progress"],
                          capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT, timeout=600)


def _records(output: Path) -> list[str]:
    return sorted(line for f in sorted(output.glob("records-*.jsonl")) for line in f.read_text("utf-8").splitlines())


def test_location_kinds():
    assert [is_remote(x) for x in ("s3://b/k", "gs://b", "file:///tmp/x", "/tmp/x", "seeds", "C:/x")] == [
        True, True, False, False, False, False]
    assert local_path("file:///tmp/x") == "/tmp/x"


def test_discovery_lists_a_bucket_prefix_like_a_folder(tmp_path, aws_env):
    _upload(_inputs(tmp_path / "crawl"), "listing")
    local = discover_inputs([tmp_path / "crawl"])
    remote = discover_inputs(["s3://listing/crawl"])
    assert [f.source for f in remote] == [f.source for f in local] == [
        HTML[0].name, HTML[1].name, "nested/000_c21bab5ccde556bd.txt", "nested/001_c889a8f6c9038af6.txt",
        "nested/crawl.warc.gz"]
    assert [f.url for f in remote] == [f"s3://listing/crawl/{f.source}" for f in local]
    assert [f.size() for f in remote] == [f.size() for f in local]
    assert [(s.source, s.reason) for s in skipped_inputs(["s3://listing/crawl/"])] == [(".hidden.html", "hidden")]
    with remote[-1].open() as handle:
        assert handle.read() == (tmp_path / "crawl/nested/crawl.warc.gz").read_bytes()


def test_a_run_on_s3_gives_the_records_of_the_same_files_in_a_folder(tmp_path, aws_env):
    folder = _inputs(tmp_path / "crawl")
    _upload(folder, "news")
    remote = _run("s3://news/crawl/", tmp_path / "from-s3", aws_env)
    assert remote.returncode == 0, remote.stderr
    local = _run(str(folder), tmp_path / "from-folder", aws_env)
    assert local.returncode == 0, local.stderr
    records = _records(tmp_path / "from-s3")
    # two HTML pages, two seeds, three WARC captures; sources are names under the given root alike
    assert len(records) == 7
    assert records == _records(tmp_path / "from-folder")
    assert (tmp_path / "from-s3/rejects.jsonl").read_bytes() == (tmp_path / "from-folder/rejects.jsonl").read_bytes()


def test_a_missing_bucket_prefix_is_one_line_and_exit_2(tmp_path, aws_env):
    result = _run("s3://no-such-bucket/crawl/", tmp_path / "out", aws_env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == "newsclean: input not found: s3://no-such-bucket/crawl/"
    assert not (tmp_path / "out").exists()
