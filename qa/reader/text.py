"""How a (question, candidate sentence) pair is written for the reader; training and answering share it."""
from __future__ import annotations

MAX_TOKENS = 96  # question + candidate + its preceding sentence; longer inputs lose the tail of the context


def candidate_text(sentence: str, previous: str | None) -> str:
    """The candidate first (truncation cuts the context, never the candidate), the sentence before it after."""
    sentence = " ".join(sentence.split())
    if previous:
        return f"{sentence} [SEP] {' '.join(previous.split())}"
    return sentence
