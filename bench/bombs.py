"""Decompression bombs and oversized input: what `storydiff ingest` does with each, its time and peak memory.

    .venv/bin/python bench/bombs.py [--gb 1]

Writes, in a temporary folder, gzip files that inflate to --gb GB of one letter (about 1 MB each on disk):
a text file, an HTML page, an RSS feed, a JSONL line, and a WARC response record whose page is the whole
bomb; then runs `storydiff ingest` on each (with the default settings, and the WARC once more with
max_file_bytes=100 MB) and prints the exit code, the message, the wall time and the process's peak
resident memory (its VmHWM). A bomb must be refused with a message naming the file and the limit, at a
peak memory far below its inflated size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path


def bomb(path: Path, head: bytes, megabytes: int, tail: bytes = b"") -> Path:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"a" * (1 << 20)
    with open(path, "wb") as fh:
        fh.write(packer.compress(head))
        for _ in range(megabytes):
            fh.write(packer.compress(chunk))
        fh.write(packer.compress(tail))
        fh.write(packer.flush())
    return path


def warc_head(megabytes: int) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    return (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
            b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
            b"Content-Type: application/http; msgtype=response\r\n"
            b"Content-Length: " + str(len(http) + (megabytes << 20)).encode() + b"\r\n\r\n" + http)


# The child reports its own high-water mark (VmHWM, reset by exec); ru_maxrss would also count the
# pages it shared with this process between fork and exec.
REPORT_PEAK = """
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


def ingest(args: list[str]) -> tuple[int, str, float, float]:
    """Exit code, stderr, seconds and peak RSS (MB) of one `storydiff ingest`."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", REPORT_PEAK, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    stderr, _, peak = done.stderr.rpartition("\npeak-kb ")
    return done.returncode, stderr.strip(), seconds, int(peak) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gb", type=int, default=1, help="inflated size of each bomb")
    args = parser.parse_args()
    mb = args.gb * 1024
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [
            ("text", bomb(folder / "bomb.txt.gz", b"", mb), []),
            ("HTML", bomb(folder / "bomb.html.gz", b"<html><body><p>", mb), []),
            ("RSS", bomb(folder / "bomb.rss.gz", b"<rss><channel><item><title>", mb), []),
            ("JSONL line", bomb(folder / "bomb.jsonl.gz", b'{"id": "x", "text": "', mb), []),
            ("WARC record", bomb(folder / "bomb.warc.gz", warc_head(mb), mb, b"\r\n\r\n"), []),
            ("WARC record", folder / "bomb.warc.gz", ["--setting", "max_file_bytes", "100000000"]),
        ]
        print(f"each bomb: {args.gb} GB inflated, {(folder / 'bomb.txt.gz').stat().st_size / 1e6:.1f} MB on disk; "
              f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for name, path, settings in cases:
            code, message, seconds, peak = ingest([*settings, "ingest", str(path), "--db",
                                                   str(folder / f"{time.monotonic_ns()}.duckdb")])
            where = " ".join(settings[1:]).replace(" ", "=") or "defaults"
            print(f"{name:12} {where:26} exit {code}  {seconds:5.1f} s  peak RSS {peak:5.0f} MB")
            for line in message.splitlines():
                print(f"    {line.replace(str(folder) + '/', '')}")


if __name__ == "__main__":
    main()
