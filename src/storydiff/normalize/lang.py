"""Language identification (py3langid ships its model in the package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# A paragraph is enough to decide (py3langid is near-certain on 100 words of
# news); classifying a whole article costs time, linear in length, for nothing.
_SAMPLE_CHARS = 600


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when too short or unsure."""
    sample = text[:_SAMPLE_CHARS].strip()
    if len(sample) < 20:
        return None
    lang, prob = _identifier().classify(sample)
    return str(lang) if prob >= 0.5 else None
