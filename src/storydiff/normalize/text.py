"""Text clean-up that must be the same everywhere offsets are taken."""

from __future__ import annotations


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``; nothing else changes, so offsets stay meaningful."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` cannot be stored as UTF-8 (a JSON ``\\ud800`` escape, say)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
