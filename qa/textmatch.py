"""Does a text contain an answer? The normalisation the eval harness scores with and the reader is fit with."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

ARTICLES = frozenset({"a", "an", "the"})
CURLY = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
                       "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})


def normalize(text: str) -> str:
    """NFKC, curly quotes straight, lowercase, punctuation/symbols -> space, no articles, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(CURLY).lower()
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    return " ".join(w for w in text.split() if w not in ARTICLES)


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """A normalized gold answer occurs in the normalized text, on word boundaries."""
    hay = f" {normalize(text)} "
    return any(n and f" {n} " in hay for n in map(normalize, answers))
