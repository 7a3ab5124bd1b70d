"""Shared fixtures: the repo's example corpus, fresh stores, a CLI runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The example corpus plus two hostile versions of one story, grouped (see serve_corpus.py)."""
    from serve_corpus import build_store

    return build_store(tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="session")
def serve_app(served_store: Any) -> Any:
    """One app over that store for the API and browser tests, so a story is compared once per session."""
    from storydiff.serve import create_app

    return create_app(served_store.db)
