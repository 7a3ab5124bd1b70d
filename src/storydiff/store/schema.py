"""The store's tables, as numbered migrations.

A store records the highest migration applied (``meta.schema_version``);
opening it applies the rest in order, each in its own transaction. A later
stage that needs a table appends a migration here; it never edits an old one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: articles as ingested.
    """
    CREATE TABLE IF NOT EXISTS articles (
        id           VARCHAR PRIMARY KEY,
        source       VARCHAR,
        url          VARCHAR,
        title        VARCHAR,
        published    VARCHAR,          -- ISO 8601: a date, or a datetime with offset when known
        text         VARCHAR NOT NULL,
        lang         VARCHAR,
        content_hash VARCHAR NOT NULL, -- sha256 of text: same id + same hash = same article
        origin       VARCHAR,          -- file (and line or record) it came from
        author       VARCHAR,
        extra        JSON,             -- fields of the source with no column here
        ingested_at  TIMESTAMPTZ NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

ARTICLE_COLUMNS = (
    "id", "source", "url", "title", "published", "text", "lang",
    "content_hash", "origin", "author", "extra", "ingested_at",
)
