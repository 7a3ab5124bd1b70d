"""Limits: article size, decompressed size (bombs), documents per compare, text the parser takes.

Each bomb is a real gzip file that inflates to 1 GB; the ingest runs as a subprocess so its peak memory
can be read: the limit must stop the read, not refuse the file once it is in memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from storydiff.cli import cli
from storydiff.errors import InputError
from storydiff.ingest import load_articles
from storydiff.models import Article, Skipped
from storydiff.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PAIR = [ROOT / "examples" / "konstantinovka" / f"report-{x}.txt" for x in "ab"]
GB = 1024


def _bomb(path: Path, head: bytes, megabytes: int, tail: bytes = b"") -> Path:
    """A gzip file of ``head``, then ``megabytes`` MB of one letter (about 1 KB per MB), then ``tail``."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"a" * (1 << 20)
    with open(path, "wb") as fh:
        fh.write(packer.compress(head))
        for _ in range(megabytes):
            fh.write(packer.compress(chunk))
        fh.write(packer.compress(tail))
        fh.write(packer.flush())
    return path


def _warc_bomb(path: Path, megabytes: int) -> Path:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    length = len(http) + (megabytes << 20)
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
            b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
            b"Content-Type: application/http; msgtype=response\r\n"
            b"Content-Length: " + str(length).encode() + b"\r\n\r\n" + http)
    return _bomb(path, head, megabytes, b"\r\n\r\n")


# The child reports its own high-water mark (VmHWM, reset by exec): ru_maxrss from wait4 would include
# the pages the child shared with this (large) process between fork and exec.
_REPORT_PEAK = """
import atexit, sys
from pathlib import Path

def peak():
    hwm = [line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:")]
    sys.stderr.write("\\npeak-kb " + hwm[0].split()[1] + "\\n")

atexit.register(peak)
from storydiff.cli import main
sys.argv[0] = "storydiff"
main()
"""


def _ingest_peak(args: list[str]) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``storydiff ARGS``; return the result and that process's peak resident memory in MB."""
    done = subprocess.run([sys.executable, "-c", _REPORT_PEAK, *args], capture_output=True, text=True, timeout=300)
    stderr, _, peak = done.stderr.rpartition("\npeak-kb ")
    done.stderr = stderr
    return done, int(peak) / 1024


@pytest.mark.parametrize("name, head, setting", [
    ("bomb.txt.gz", b"", "max_article_bytes"),
    ("bomb.html.gz", b"<html><body><p>", "max_article_bytes"),
    ("bomb.rss.gz", b"<rss><channel><item><title>", "max_feed_bytes"),
])
def test_a_one_gigabyte_bomb_is_refused_without_being_read_into_memory(tmp_path: Path, name: str, head: bytes,
                                                                       setting: str) -> None:
    bomb = _bomb(tmp_path / name, head, GB)
    good = tmp_path / "good.txt"
    good.write_text("A short report that is fine.\n", encoding="utf-8")
    done, peak = _ingest_peak(["ingest", str(bomb), str(good), "--db", str(tmp_path / "s.duckdb")])
    assert done.returncode == 2, done.stderr  # partial: the good file went in
    assert f"skipped: {bomb}: more than {setting}=" in done.stderr
    assert "decompression bomb" in done.stderr
    assert "ingested 1 articles (1 new" in done.stdout
    assert peak < 400, f"peak RSS {peak:.0f} MB: the bomb was read into memory"


def test_a_warc_bomb_stops_at_max_file_bytes_decompressed(tmp_path: Path) -> None:
    bomb = _warc_bomb(tmp_path / "crawl.warc.gz", GB)
    done, peak = _ingest_peak(["--setting", "max_file_bytes", "50000000", "ingest", str(bomb),
                               "--db", str(tmp_path / "s.duckdb")])
    assert done.returncode == 1
    # The page is refused first (too big an article), then the archive itself at the decompressed limit.
    assert "record 1 (http://bomb.example/): page larger than max_article_bytes=5,000,000" in done.stderr
    assert f"{bomb}: more than max_file_bytes=50,000,000 bytes once decompressed" in done.stderr
    assert peak < 400


def test_a_jsonl_bomb_line_is_skipped_and_the_rest_of_the_file_read(tmp_path: Path) -> None:
    tail = b'"}\n' + json.dumps({"id": "after", "text": "still read"}).encode() + b"\n"
    bomb = _bomb(tmp_path / "feed.jsonl.gz", b'{"id": "x", "text": "', 64, tail)
    items = list(load_articles([bomb], Settings({"max_article_bytes": 1_000_000})))
    assert [i.id for i in items if isinstance(i, Article)] == ["after"]
    [skip] = [i for i in items if isinstance(i, Skipped)]
    assert skip.origin == f"{bomb}:1" and "longer than max_article_bytes=1,000,000" in skip.reason


def test_max_article_bytes_holds_for_every_format(tmp_path: Path) -> None:
    body = "word " * 3000  # 15,000 bytes
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    (tmp_path / "b.html").write_text(f"<html><body><article><p>{body}</p></article></body></html>", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "c", "text": body}) + "\n", encoding="utf-8")
    (tmp_path / "d.rss").write_text(f"<rss><channel><item><link>http://d.example/</link><description>{body}"
                                    "</description></item></channel></rss>", encoding="utf-8")
    items = list(load_articles([tmp_path], Settings({"max_article_bytes": 10_000})))
    assert not [i for i in items if isinstance(i, Article)]
    reasons = {Path(i.origin.split(":")[0]).name: i.reason for i in items if isinstance(i, Skipped)}
    assert set(reasons) == {"a.txt", "b.html", "c.jsonl", "d.rss"}
    assert all("max_article_bytes=10,000" in r for r in reasons.values()), reasons


# -- what the parser takes ------------------------------------------------------------------------
def test_text_longer_than_claims_max_chars_is_refused_naming_it() -> None:
    from storydiff.claims import extract_claims

    five_mb = "The mayor said the bridge had collapsed. " * 125_000
    with pytest.raises(InputError) as info:
        extract_claims([Article(id="huge", text=five_mb, origin="huge.txt")])
    assert str(info.value).startswith("huge.txt: text of 5,125,000 characters is longer than claims_max_chars=")


def test_compare_skips_the_document_it_cannot_parse_and_compares_the_rest(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("The mayor said the bridge had collapsed. " * 2_000, encoding="utf-8")  # 82,000 characters
    res = CliRunner().invoke(cli, ["--setting", "claims_max_chars", "50000", "compare", *map(str, PAIR), str(big),
                                   "--format", "json"])
    assert res.exit_code == 2, res.output
    assert f"skipped: {big}: text of 82,000 characters is longer than claims_max_chars=50,000" in res.stderr
    assert [d["id"] for d in json.loads(res.stdout)["documents"]] == ["report-a", "report-b"]


def test_compare_takes_at_most_compare_max_documents(tmp_path: Path) -> None:
    files = []
    for k in range(4):
        path = tmp_path / f"v{k}.txt"
        path.write_text(f"Version {k}: the mayor said the bridge had collapsed.\n", encoding="utf-8")
        files.append(str(path))
    res = CliRunner().invoke(cli, ["--setting", "compare_max_documents", "3", "compare", *files])
    assert res.exit_code == 1
    assert "4 documents are more than compare_max_documents=3" in res.stderr


def test_show_compares_the_first_compare_max_documents_of_a_story(tmp_path: Path) -> None:
    from storydiff.pipeline import ingest, stories

    db = tmp_path / "s.duckdb"
    corpus = tmp_path / "c.jsonl"
    text = "Officials said a storm flooded the harbour of Varnholt on Monday, closing its ferry terminal. "
    corpus.write_text("".join(json.dumps({"id": f"v{k}", "text": text * 3,
                                          "published": "2025-11-20"}) + "\n" for k in range(4)), encoding="utf-8")
    ingest([corpus], db)
    [story] = stories(db)
    assert len(story.articles) == 4
    res = CliRunner().invoke(cli, ["--setting", "compare_max_documents", "3", "show", story.id, "--db", str(db),
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    assert f"story {story.id} has 4 reports; comparing the first 3 (compare_max_documents)" in res.stderr
    assert len(json.loads(res.stdout)["documents"]) == 3
