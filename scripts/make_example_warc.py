"""Write examples/formats/crawl.warc.gz: a small crawl of two news pages and an image, with warcio.

Run: .venv/bin/python scripts/make_example_warc.py
"""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGES = {
    "https://dailyquake.example/2025/11/20/balikesir-earthquake": """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Earthquake kills two in Balikesir, Turkey</title>
<meta property="og:site_name" content="Daily Quake Watch">
<meta property="article:published_time" content="2025-11-20T16:05:00+03:00">
<meta name="author" content="Selin Kaya"></head>
<body><header><a href="/">Daily Quake Watch</a></header>
<article><h1>Earthquake kills two in Balikesir, Turkey</h1>
<p>A strong earthquake of magnitude 6.1 hit Balikesir province in western Turkey on Thursday, killing two people, Turkey's disaster agency AFAD said.</p>
<p>Interior Minister Ali Yerlikaya told reporters that a three-storey building had collapsed in Sindirgi and that four people were rescued alive from the rubble.</p>
<p>The quake struck at a depth of about 11 kilometres and was felt in Istanbul, some 200 kilometres to the north, and in Izmir.</p>
</article><footer>Contact us</footer></body></html>""",
    "https://harbourtimes.example/antwerp-strike": """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Antwerp port at a standstill over dockers' pension strike</title>
<meta property="og:site_name" content="Harbour Times">
<meta name="date" content="2025-11-18"></head>
<body><article><h1>Antwerp port at a standstill over dockers' pension strike</h1>
<p>The port of Antwerp stood still on Tuesday as roughly 4,000 dockworkers went on strike against the government's pension plans.</p>
<p>Port authority spokesperson Lien Verbeke said 35 ships were waiting at anchor in the Scheldt, a number that was expected to grow through the day.</p>
<p>The strike is set to last 48 hours, the ABVV union said.</p>
</article></body></html>""",
}

# The smallest valid PNG: a crawl holds non-HTML records, which ingest must pass over.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def write_warc(path: Path, pages: dict[str, str], with_image: bool = True) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=path.suffix == ".gz")
        for uri, html in pages.items():
            body = html.encode("utf-8")
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
        if with_image:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record("https://dailyquake.example/logo.png", "response",
                                                          payload=io.BytesIO(PNG), http_headers=headers))


if __name__ == "__main__":
    write_warc(Path(__file__).resolve().parents[1] / "examples" / "formats" / "crawl.warc.gz", PAGES)
