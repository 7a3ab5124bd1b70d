"""Shared fixtures: the repo's example corpus, fresh stores, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
