"""The docs say what the code does: generated references are current, the README names every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storydiff.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_generated_docs_are_current() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_readme_shows_the_two_commands_and_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    for name in cli.commands:
        assert f"storydiff {name}" in readme, f"README does not mention `storydiff {name}`"
