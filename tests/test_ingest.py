"""Each reader on a real file of its format, and bad input reported per record."""

from __future__ import annotations

import base64
import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from storydiff.cli import cli
from storydiff.ingest import load_articles
from storydiff.models import Article, Skipped
from storydiff.settings import Settings
from storydiff.store import Store


def read(path: Path, **settings: object) -> tuple[list[Article], list[Skipped]]:
    items = list(load_articles([path], Settings(settings)))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Skipped)]


def test_plain_text_keeps_the_file_text_and_reads_the_headline(examples: Path) -> None:
    path = examples / "konstantinovka" / "report-a.txt"
    [art], skipped = read(path)
    assert not skipped
    assert art.id == "report-a"
    assert art.text == path.read_text(encoding="utf-8")  # offsets line up with the file
    assert art.title is not None and art.title.startswith("As the War in Donbass Reaches a Critical Juncture")
    assert art.published is None


def test_plain_text_without_a_headline_has_no_title(examples: Path) -> None:
    [art], _ = read(examples / "konstantinovka" / "report-b.txt")
    assert art.id == "report-b"
    assert art.title is None
    assert art.text.startswith("The ongoing conflict in eastern Ukraine")


def test_crlf_becomes_lf(tmp_path: Path) -> None:
    path = tmp_path / "dos.txt"
    path.write_bytes(b"Headline here\r\n\r\nBody line one.\r\nBody line two.\r\n")
    [art], _ = read(path)
    assert art.text == "Headline here\n\nBody line one.\nBody line two.\n"
    assert art.title == "Headline here"


def test_html_page_through_trafilatura(examples: Path) -> None:
    [art], skipped = read(examples / "formats" / "harbour-strike-portnews.html")
    assert not skipped
    assert art.id == "harbour-strike-portnews"
    assert art.title == "Dockworkers' strike halts container traffic at Antwerp port"
    assert art.published == "2025-11-18T07:45:00+01:00"
    assert art.author == "Marieke Janssens"
    assert art.source == "PortNews"
    assert art.url == "https://portnews.example/2025/11/18/antwerp-dockworkers-strike"
    assert "about 4,000 dockworkers walked out" in art.text
    # boilerplate is gone
    assert "Subscribe" not in art.text and "All rights reserved" not in art.text


def test_rss_feed_gives_one_article_per_item(examples: Path) -> None:
    arts, skipped = read(examples / "formats" / "wire.rss")
    assert not skipped
    assert [a.id for a in arts] == [
        "https://wire.example/business/antwerp-port-strike-1118",
        "https://wire.example/world/turkey-earthquake-1120",
    ]
    strike = arts[0]
    assert strike.title == "Antwerp port paralysed as 4,000 dockers strike over pensions"
    assert strike.published == "2025-11-18T09:31:00+01:00"
    assert strike.source == "Continental Wire"
    assert strike.text.startswith("Europe's second-largest port was paralysed on Tuesday")
    assert "<p>" not in strike.text
    assert strike.extra["guid"] == "cw-2025-11-18-0931"


def test_atom_feed_reads_content_and_summary(examples: Path) -> None:
    arts, _ = read(examples / "formats" / "regional.atom")
    quake, strike = arts
    assert quake.id == "https://aegean.example/news/balikesir-quake"
    assert quake.title == "Quake of magnitude 6.0 rocks Balikesir; three killed, officials say"
    assert quake.published == "2025-11-20T17:40:00+03:00"
    assert quake.author == "Deniz Aydin"
    assert quake.source == "Aegean Regional News"
    assert "killing three people" in quake.text
    assert strike.text.startswith("Dozens of ships were stranded outside Antwerp")


def test_jsonl_schema_and_unknown_fields(examples: Path) -> None:
    arts, skipped = read(examples / "formats" / "agency.jsonl")
    assert not skipped
    first = arts[0]
    assert first.id == "agency-2025-11-18-antwerp"
    assert first.title == "Strike shuts Antwerp container terminals"
    assert first.published == "2025-11-18T08:10:00+01:00"
    assert first.source == "Agency Press"
    assert first.url == "https://agency.example/antwerp-strike"
    assert first.extra == {"section": "economy", "wordcount": 78}
    assert arts[2].published == "2025-11-21"  # a date alone stays a date


def test_warc_html_responses_become_articles(examples: Path) -> None:
    arts, skipped = read(examples / "formats" / "crawl.warc.gz")
    assert not skipped
    assert [a.id for a in arts] == [
        "https://dailyquake.example/2025/11/20/balikesir-earthquake",
        "https://harbourtimes.example/antwerp-strike",
    ]  # the PNG record is passed over
    quake = arts[0]
    assert quake.title == "Earthquake kills two in Balikesir, Turkey"
    assert quake.published == "2025-11-20T16:05:00+03:00"
    assert quake.source == "Daily Quake Watch"
    assert "magnitude 6.1 hit Balikesir province" in quake.text
    assert arts[1].published == "2025-11-18"


def test_folder_is_read_recursively(examples: Path) -> None:
    arts, skipped = read(examples)
    assert not skipped
    assert len(arts) == 12
    assert len({a.id for a in arts}) == 12


def test_non_utf8_text_is_decoded(data_dir: Path) -> None:
    [art], skipped = read(data_dir / "ingest" / "latin1-report.txt")
    assert not skipped
    assert art.title == "Café owners in Liège protest new rules"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty.txt", "empty"),
        ("binary.txt", "binary file"),
        ("no-article.html", "no article text"),
    ],
)
def test_unusable_files_are_skipped_with_the_reason(data_dir: Path, name: str, problem: str) -> None:
    arts, [skip] = read(data_dir / "ingest" / name)
    assert not arts
    assert name in skip.origin
    assert problem in skip.reason


def test_broken_jsonl_line_is_reported_and_the_rest_goes_through(data_dir: Path) -> None:
    arts, skipped = read(data_dir / "ingest" / "broken.jsonl")
    assert [a.id for a in arts] == ["ok-1", "ok-3"]
    assert [s.origin.rsplit(":", 1)[1] for s in skipped] == ["2", "4"]
    assert "not valid JSON" in skipped[0].reason
    assert "no 'text' field" in skipped[1].reason
    assert arts[1].published == "2025-03-05T18:00:00+00:00"


def test_truncated_warc_keeps_the_records_before_the_damage(examples: Path, tmp_path: Path) -> None:
    whole = gzip.decompress((examples / "formats" / "crawl.warc.gz").read_bytes())
    second = whole.find(b"WARC/1.0", whole.find(b"harbourtimes") - 600)
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[: second + 700])  # first record whole, second cut mid-page
    arts, skipped = read(cut)
    assert [a.id for a in arts] == ["https://dailyquake.example/2025/11/20/balikesir-earthquake"]
    assert len(skipped) == 1 and "cut.warc" in skipped[0].origin


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    line = json.dumps({"id": "x", "text": "word " * 100}).encode() + b"\n"
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        for _ in range(2000):
            gz.write(line)
    bomb.write_bytes(buf.getvalue())
    arts, skipped = read(bomb, max_file_bytes=100_000)
    assert len(arts) < 200
    assert "decompression bomb" in skipped[-1].reason


def test_missing_file_is_reported(tmp_path: Path) -> None:
    arts, [skip] = read(tmp_path / "nowhere.txt")
    assert not arts and "no such file" in skip.reason


def test_cli_exit_codes_and_messages(runner: CliRunner, data_dir: Path, db: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(data_dir / "ingest" / "broken.jsonl"), "--db", str(db)])
    assert result.exit_code == 2
    assert "broken.jsonl:2: not valid JSON" in result.stderr
    assert "ingested 2 articles (2 new" in result.stdout
    with Store(db, read_only=True) as store:
        assert store.ids() == ["ok-1", "ok-3"]

    nothing = runner.invoke(cli, ["ingest", str(tmp_path / "missing.txt"), "--db", str(db)])
    assert nothing.exit_code == 1
    assert "missing.txt: no such file" in nothing.stderr
    with Store(db, read_only=True) as store:
        assert store.count() == 2  # nothing already stored is lost


def test_cli_ingests_the_examples_with_exit_code_zero(runner: CliRunner, examples: Path, db: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(examples), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "ingested 12 articles (12 new, 0 already stored), skipped 0" in result.stdout
    with Store(db, read_only=True) as store:
        art = store.get("https://aegean.example/news/balikesir-quake")
        assert art.title == "Quake of magnitude 6.0 rocks Balikesir; three killed, officials say"
        assert art.lang == "en"
        assert art.origin.endswith("regional.atom: item 1")


def test_db_from_environment(runner: CliRunner, examples: Path, tmp_path: Path) -> None:
    target = tmp_path / "env.duckdb"
    path = tmp_path / "one"
    path.mkdir()
    shutil.copy(examples / "konstantinovka" / "report-a.txt", path)
    result = runner.invoke(cli, ["ingest", str(path)], env={"STORYDIFF_DB": str(target)})
    assert result.exit_code == 0, result.output
    assert target.exists()


def test_character_references_to_no_character_do_not_lose_the_feed(tmp_path: Path) -> None:
    # Found by fuzzing: feedparser's loose parser turned &#xD800; into a lone surrogate and raised
    # UnicodeEncodeError out of the ingest, stopping the whole batch.
    feed = tmp_path / "odd.rss"
    feed.write_text("<rss><channel><title>Wire &#xD800;</title><item><title>A &#xDFFF; title</title>"
                    "<link>http://x.example/a</link><description>Words &#xD800; and &#0; and &#x110000; "
                    "and &#99999999999999999999; end.</description></item></channel></rss>", encoding="utf-8")
    after = tmp_path / "after.txt"
    after.write_text("Read after the feed.\n", encoding="utf-8")
    arts, skipped = read(tmp_path)
    assert not skipped
    item = next(a for a in arts if a.id == "http://x.example/a")
    assert item.title == "A \ufffd title" and item.source == "Wire \ufffd"
    assert item.text.startswith("Words \ufffd and \ufffd and \ufffd and \ufffd end.")
    assert "after" in {a.id for a in arts}


def test_a_lone_surrogate_in_any_field_is_skipped_not_stored() -> None:
    from storydiff.ingest import check_article

    for field in ("title", "source", "url", "author"):
        art = Article(id="x", text="Fine text.", origin="f.rss: item 1", **{field: "bad \ud800"})
        skipped = check_article(art, Settings())
        assert isinstance(skipped, Skipped) and skipped.origin == "f.rss: item 1"
        assert "invalid Unicode" in skipped.reason


def test_json_nested_too_deeply_is_skipped_and_the_next_line_read(tmp_path: Path) -> None:
    # Found by probing: json.loads recursed once per level and raised RecursionError out of the ingest.
    from storydiff.scale.read import parse_line

    path = tmp_path / "deep.jsonl"
    deep = '{"id": "a", "text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(deep + "\n" + json.dumps({"id": "b", "text": "fine"}) + "\n", encoding="utf-8")
    arts, [skip] = read(path)
    assert [a.id for a in arts] == ["b"]
    assert skip.origin == f"{path}:1" and skip.reason == "JSON nested too deeply to read"
    spark_skip = parse_line(deep.encode(), "deep.jsonl:1", Settings())  # spark-stories reads lines the same way
    assert isinstance(spark_skip, Skipped) and spark_skip.reason == "JSON nested too deeply to read"


def test_a_file_name_that_is_not_utf8_is_skipped_with_the_reason(tmp_path: Path) -> None:
    import os

    name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / name).write_text("A report whose file name is Latin-1.\n", encoding="utf-8")
    arts, [skip] = read(tmp_path / name)
    assert not arts and "is not valid Unicode (a file name that is not UTF-8?); rename the file" in skip.reason


def test_a_named_pipe_is_skipped_not_waited_on(tmp_path: Path) -> None:
    import os

    pipe = tmp_path / "feed.jsonl"
    os.mkfifo(pipe)  # opening it for reading would block until a writer came
    arts, [skip] = read(pipe)
    assert not arts and skip.origin == str(pipe) and "not a regular file" in skip.reason


@pytest.mark.parametrize("archive", [
    # the input atheris found (bench/fuzz.py, target warc), and the same fault written plainly
    base64.b64decode("V0FSQy8xLjANCldBUkMtVHlwZTogcmVzcG9uc2UNChAKzlIKMArFdCAKPgpBCkHzwQo+CkEKxcEKPgpB88FXQVJDLzEu"
                     "MA0KCkEKwQo+Cj0="),
    b"WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
])
def test_a_response_record_with_no_target_uri_is_reported_not_raised(tmp_path: Path, archive: bytes) -> None:
    # warcio raised AttributeError ('NoneType' object has no attribute 'startswith') out of the ingest.
    path = tmp_path / "odd.warc"
    path.write_bytes(archive)
    arts, [skip] = read(path)
    assert not arts and skip.origin == f"{path}: record 1" and "archive is truncated or damaged here" in skip.reason
