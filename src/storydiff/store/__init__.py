"""The embedded corpus store (DuckDB file) and its Parquet import/export."""

from .corpus import AddResult, Store

__all__ = ["AddResult", "Store"]
