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
    # 2: stories (group stage) and the index state that lets new articles join
    # them without regrouping: each story's key profile and embedding sum,
    # each member's MinHash, and how many articles hold each key.
    """
    CREATE TABLE IF NOT EXISTS stories (
        id         VARCHAR PRIMARY KEY,
        seq        INTEGER NOT NULL,   -- creation order; ids are S<seq> and never reused
        title      VARCHAR,
        first_seen VARCHAR,
        last_seen  VARCHAR,
        size       INTEGER NOT NULL,
        norm2      DOUBLE NOT NULL,    -- squared norm of profile
        profile    JSON NOT NULL,      -- key -> summed weight over members
        centroid   BLOB                -- float32 sum of member embeddings, or NULL
    );
    CREATE TABLE IF NOT EXISTS story_members (
        article_id VARCHAR PRIMARY KEY,
        story_id   VARCHAR NOT NULL,
        pos        INTEGER NOT NULL,   -- order of joining within the story
        minhash    BLOB NOT NULL       -- uint32 MinHash values of the article's shingles
    );
    CREATE TABLE IF NOT EXISTS story_keys (
        key VARCHAR PRIMARY KEY,
        df  INTEGER NOT NULL           -- grouped articles holding the key
    );
    CREATE TABLE IF NOT EXISTS story_state (
        key   VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

ARTICLE_COLUMNS = (
    "id", "source", "url", "title", "published", "text", "lang",
    "content_hash", "origin", "author", "extra", "ingested_at",
)
