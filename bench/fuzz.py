"""Coverage-guided fuzzing (atheris, libFuzzer) of every reader, of claims and of compare, for a bounded time.

    .venv/bin/python bench/fuzz.py [--seconds 60] [TARGET ...]     # all targets when none is named
    .venv/bin/python bench/fuzz.py --run TARGET -- -max_total_time=60 ...   # one target, libFuzzer flags

Targets: ``jsonl``, ``html``, ``feed``, ``warc``, ``warcgz``, ``text`` (the bytes of one input file, read by
``storydiff.ingest.load_articles``, so its name decides the reader), ``claims`` (one document of arbitrary
Unicode, lone surrogates included) and ``compare`` (two such documents). Each target runs in a process of
its own, seeded with the example corpus's files of its format, with the storydiff modules (and warcio,
feedparser, the JSON and gzip modules) instrumented for coverage.

What counts as a failure (a crash, written to ``crash-*`` in the working folder by libFuzzer):
- any exception out of a reader: every record must come back as an Article or as a Skipped whose origin
  names the input file; an Article must have text, fit max_article_bytes and be storable (UTF-8);
- from claims and compare, any exception but an InputError naming the document; every claim, entity
  mention and piece of evidence must point at the characters it quotes.

Prints, per target: seconds, executions, executions/s, coverage (libFuzzer's ``cov:`` edges) and
whether it crashed; the exit code is 1 when any target did.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

READERS = {"jsonl": ".jsonl", "html": ".html", "feed": ".rss", "warc": ".warc", "warcgz": ".warc.gz",
           "text": ".txt"}
TARGETS = (*READERS, "claims", "compare")
# A small max_article_bytes, so the fuzzer reaches the limit's code paths too.
READER_SETTINGS = {"max_article_bytes": 20_000, "min_html_words": 3, "detect_language": False}
MAX_CLAIMS_CHARS = 2_000  # a parse per input: keep each short, so there are many


# -- what must hold ---------------------------------------------------------------------------------
def check_items(items: Iterable[Any], path: Path, max_article_bytes: int) -> int:
    """Every item a reader gave is an Article or a Skipped naming ``path``; return the articles."""
    from storydiff.models import Article, Skipped

    articles = 0
    for item in items:
        if isinstance(item, Skipped):
            assert item.origin.startswith(str(path)), f"skipped record does not name the file: {item}"
            assert item.reason.strip(), f"skipped record with no reason: {item.origin}"
        elif isinstance(item, Article):
            articles += 1
            assert isinstance(item.id, str) and item.id, f"article with no id from {item.origin}"
            assert item.text.strip(), f"empty article from {item.origin}"
            assert item.origin.startswith(str(path)), f"article origin does not name the file: {item.origin}"
            size = len(item.text.encode("utf-8"))  # raises on a lone surrogate: the store could not take it
            assert size <= max_article_bytes, f"{item.origin}: {size} bytes passed max_article_bytes"
        else:
            raise AssertionError(f"reader gave {type(item).__name__}")
    return articles


def read_file_bytes(data: bytes, suffix: str, folder: Path, settings: Any) -> int:
    """Write ``data`` as one input file and read it as ingest does."""
    from storydiff.ingest import load_articles

    path = folder / f"input{suffix}"
    path.write_bytes(data)
    return check_items(load_articles([path], settings), path, int(settings["max_article_bytes"]))


def check_claims(texts: list[str], compare: bool) -> None:
    """claims (or compare) on these texts: a result whose offsets hold, or an InputError naming a document."""
    from storydiff.errors import InputError
    from storydiff.models import Article

    articles = [Article(id=f"doc{k}", text=t, origin=f"doc{k}.txt") for k, t in enumerate(texts)]
    try:
        if compare:
            from storydiff.compare import compare_articles

            result: Any = compare_articles(articles)
        else:
            from storydiff.claims import extract_claims

            result = extract_claims(articles)
    except InputError as e:
        assert re.match(r"doc\d\.txt$", e.origin), f"error does not name the document: {e}"
        return
    text = {a.id: a.text for a in articles}
    for claim in result.claims:
        assert text[claim.doc][claim.start : claim.end] == claim.text, f"claim {claim.id} offsets"
        for span in (claim.content, claim.source, claim.cue):
            if span is not None:
                assert text[claim.doc][span.start : span.end] == span.text, f"claim {claim.id} span offsets"
    for entity in result.entities:
        for m in entity.mentions:
            assert text[m.doc][m.start : m.end] == m.text, f"entity {entity.id} mention offsets"
    for d in getattr(result, "discrepancies", ()):
        for ev in d.evidence:
            assert text[ev.doc][ev.start : ev.end] == ev.text, f"{d.kind} evidence offsets"


# -- the atheris side -------------------------------------------------------------------------------
def _instrumented_imports(target: str) -> None:
    import atheris

    with atheris.instrument_imports(include=["storydiff", "warcio", "feedparser", "json", "gzip"]):
        import storydiff.ingest
        import storydiff.ingest.feeds
        import storydiff.ingest.jsonl
        import storydiff.ingest.warc

        if target in READERS:
            import feedparser  # noqa: F401
            import warcio.archiveiterator  # noqa: F401
        else:
            import storydiff.claims.extract
            import storydiff.compare.engine  # noqa: F401


def one_input(target: str, folder: Path) -> Callable[[bytes], None]:
    """libFuzzer's TestOneInput for ``target``."""
    import atheris

    from storydiff.settings import Settings

    if target in READERS:
        settings = Settings(READER_SETTINGS)
        suffix = READERS[target]

        def read(data: bytes) -> None:
            read_file_bytes(data, suffix, folder, settings)

        return read

    def parse(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        # ConsumeUnicode gives ASCII, UTF-16 or UTF-32 strings, surrogates included.
        texts = [fdp.ConsumeUnicode(MAX_CLAIMS_CHARS) for _ in range(2 if target == "compare" else 1)]
        check_claims(texts, compare=target == "compare")

    return parse


def seeds(target: str, folder: Path) -> Path:
    """A folder of the example files of the target's format (and a few plain texts for claims/compare)."""
    folder.mkdir(parents=True, exist_ok=True)
    if target in READERS:
        want = READERS[target]
        found = [p for p in EXAMPLES.rglob("*") if p.is_file() and p.name.endswith(want)]
        if target == "feed":
            found += list(EXAMPLES.rglob("*.atom"))
        for k, path in enumerate(found):
            (folder / f"seed{k}").write_bytes(path.read_bytes()[:200_000])
    else:
        for k, path in enumerate(sorted(EXAMPLES.rglob("*.txt"))):
            # ConsumeUnicode reads its first byte as the width: 0 (even) means ASCII, one byte a character.
            (folder / f"seed{k}").write_bytes(b"\x00" + path.read_bytes()[:MAX_CLAIMS_CHARS])
    return folder


# libFuzzer dictionary: tokens of the formats, and the character references and escapes that name no
# character (how the feed bug was found by hand; with them the fuzzer reaches such inputs itself).
TOKENS = ("&#xD800;", "&#0;", "&#x110000;", "&#", ";", "<![CDATA[", "]]>", "<item>", "</item>", "<entry>",
          "<link>", "<description>", "<content:encoded>", "<title>", "<guid>", "<pubDate>", "<rss>", "<feed>",
          "<html>", "<body>", "<article>", "<p>", "<script>", "<meta property=\"article:published_time\" content=\"",
          "WARC/1.0\r\n", "WARC-Type: response\r\n", "WARC-Target-URI: ", "Content-Length: ", "\r\n\r\n",
          "HTTP/1.1 200 OK\r\n", "Content-Type: text/html\r\n", '"text": "', '"id": ', '"published": ', "\\ud800",
          "\\u0000", "\x1f\x8b\x08\x00")


def _dictionary(path: Path) -> Path:
    lines = []
    for token in TOKENS:
        escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c):02x}" for c in token)
        lines.append(f'"{escaped}"')
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def run_target(target: str, libfuzzer_args: list[str]) -> None:
    """Fuzz one target in this process until libFuzzer stops it (it exits the process)."""
    import atheris

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _instrumented_imports(target)
    work = Path(tempfile.mkdtemp(prefix=f"storydiff-fuzz-{target}-"))
    corpus = seeds(target, work / "corpus")
    test = one_input(target, work)
    if target not in READERS:
        test(b"\x00warm the models up")  # load spaCy once, before libFuzzer times inputs
    else:
        libfuzzer_args = [*libfuzzer_args, f"-dict={_dictionary(work / 'tokens.dict')}"]
    atheris.Setup([sys.argv[0], *libfuzzer_args, str(corpus)], test)
    atheris.Fuzz()


# -- the driver -------------------------------------------------------------------------------------
def fuzz(target: str, seconds: int, out_dir: Path) -> dict[str, Any]:
    """Run one target for ``seconds`` in a subprocess; return what libFuzzer reported."""
    max_len = 65_536 if target in READERS else 4 * MAX_CLAIMS_CHARS + 8
    args = [f"-max_total_time={seconds}", f"-max_len={max_len}", "-timeout=60", "-rss_limit_mb=4096",
            "-print_final_stats=1", f"-artifact_prefix={out_dir}/{target}-"]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--run", target, "--", *args],
                          capture_output=True, text=True, check=False, cwd=out_dir)
    wall = time.perf_counter() - started
    log = done.stderr
    (out_dir / f"{target}.log").write_text(log, encoding="utf-8")  # libFuzzer's own report, kept
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log) or re.findall(r"Done (\d+) runs", log)
    cov = re.findall(r"\bcov: (\d+)", log)
    crashed = done.returncode != 0
    crash = ""
    raised: list[str] = []
    if crashed:  # the last line of the Python traceback atheris printed, e.g. "AttributeError: ..."
        raised = re.findall(r"^(\w+(?:Error|Exception|Exit|Interrupt)\b.*)$", log, re.M)
        crash = raised[-1] if raised else "see the log"
    if crashed and not raised:
        crash = next((line for line in reversed(log.splitlines()) if "libFuzzer:" in line), crash)
    return {"target": target, "seconds": wall, "runs": int(runs[-1]) if runs else 0,
            "cov": int(cov[-1]) if cov else 0, "crashed": crashed, "crash": crash, "log": log}


def main() -> None:
    if sys.argv[1:2] == ["--run"]:  # one target, in this process; the rest are libFuzzer's flags
        run_target(sys.argv[2], [a for a in sys.argv[3:] if a != "--"])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", default=[], metavar="TARGET", help=f"of {', '.join(TARGETS)}")
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target")
    parser.add_argument("--out", type=Path, default=None, help="folder for crash files (default: a temporary one)")
    args = parser.parse_args()
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; targets: {', '.join(TARGETS)}")
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="storydiff-fuzz-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    failed = False
    total_runs = 0
    for target in args.targets or TARGETS:
        r = fuzz(target, args.seconds, out_dir)
        total_runs += r["runs"]
        failed |= r["crashed"]
        status = f"CRASH: {r['crash']}" if r["crashed"] else "no failure"
        print(f"{target:8} {r['seconds']:6.0f} s  {r['runs']:9,} executions  {r['runs'] / r['seconds']:8,.0f}/s  "
              f"cov {r['cov']:6,}  {status}", flush=True)
        if r["crashed"]:
            print("\n".join("    " + line for line in r["log"].strip().splitlines()[-40:]))
    print(f"total: {total_runs:,} executions; crash files (if any) in {out_dir}; "
          f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
