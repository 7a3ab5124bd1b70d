"""The command line as a user meets it: help, version, settings, the demo, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from storydiff import __version__
from storydiff.cli import cli

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert f"Usage: cli {command}" in result.output or f"Usage: storydiff {command}" in result.output
    cmd = cli.commands[command]
    assert isinstance(cmd, click.Command) and cmd.help and len(cmd.help) > 20


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_unknown_setting_is_a_clear_error(runner: CliRunner, examples: Path, db: Path) -> None:
    result = runner.invoke(cli, ["--setting", "no_such_thing", "3", "ingest", str(examples), "--db", str(db)])
    assert result.exit_code == 1
    assert "unknown setting 'no_such_thing'" in result.stderr


def test_bad_setting_value_names_the_setting(runner: CliRunner, examples: Path, db: Path) -> None:
    result = runner.invoke(cli, ["--setting", "ingest_batch_size", "many", "ingest", str(examples), "--db", str(db)])
    assert result.exit_code == 1
    assert "ingest_batch_size takes a int" in result.stderr


def test_settings_from_toml(runner: CliRunner, examples: Path, db: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "storydiff.toml"
    cfg.write_text("min_html_words = 1000\n", encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(cfg), "ingest", str(examples / "formats"), "--db", str(db)])
    assert result.exit_code == 2  # every HTML page is now "too short"
    assert "harbour-strike-portnews.html: HTML page with no article text" in result.stderr


def test_settings_command_lists_every_setting(runner: CliRunner) -> None:
    from storydiff.settings import SETTINGS

    result = runner.invoke(cli, ["settings"])
    for s in SETTINGS:
        assert s.name in result.output


def test_demo_runs_and_shows_the_ingested_corpus(tmp_path: Path) -> None:
    """`make demo` runs exactly this command."""
    done = subprocess.run(
        [sys.executable, "-m", "storydiff", "demo", "--out", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "ingested 12 articles (12 new), skipped 0" in done.stdout
    assert "Strike shuts Antwerp container terminals" in done.stdout
    assert "report-b.txt" in done.stdout
    assert (tmp_path / "demo" / "storydiff.duckdb").exists()
    # stories: the strike told five ways is one story, the two rewrites another
    assert "(5 reports · 2025-11-18)" in done.stdout
    assert "report-a.txt, report-b.txt" in done.stdout
    # claims: the speaker under both spellings, with each report's role
    assert "Kimakovski / Kimakovsky" in done.stdout
    assert "military adviser to the head of the DPR (report-b)" in done.stdout
    assert (tmp_path / "demo" / "claims.json").exists()
    # and how to browse it
    assert f"storydiff serve --db {tmp_path / 'demo' / 'storydiff.duckdb'}" in done.stdout


def test_verbose_log_lines_print_above_the_progress_bar_not_into_it(tmp_path: Path) -> None:
    """On a terminal, ``-v`` log lines written while a bar is drawn come out as lines of their own."""
    import os
    import re

    main, child = os.openpty()
    storydiff = Path(sys.executable).parent / "storydiff"
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    pair = Path(__file__).resolve().parents[1] / "examples" / "konstantinovka"
    proc = subprocess.Popen([str(storydiff), "-v", "ingest", str(pair), "--db", str(tmp_path / "s.duckdb")],
                            stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=120) == 0
    os.close(main)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    pieces = [p.strip() for p in re.split(r"[\r\n]", text)]
    logged = [p for p in pieces if "INFO storydiff" in p]
    assert logged, text
    assert all(p.startswith("INFO storydiff") for p in logged), logged
    assert any("ingesting" in p or "articles ·" in p for p in pieces), text  # a bar was drawn
