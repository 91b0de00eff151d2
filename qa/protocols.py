"""One interface per stage: a new retriever or answerer implements it and nothing else changes."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .types import Answer, Mark, Passage

if TYPE_CHECKING:
    import numpy as np


@runtime_checkable
class PassageRetriever(Protocol):
    def retrieve(self, question: str, k: int) -> list[Passage]:
        """The k best passages for a question, best first."""
        ...


@runtime_checkable
class Answerer(Protocol):
    name: str

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        """A cited answer from the given passages, or an abstention."""
        ...


@runtime_checkable
class Marker(Protocol):
    def marks(self, question: str, sentences: Sequence[str]) -> list[Mark | None]:
        """For each sentence, the words in it that answer the question, or None."""
        ...

    def margins(self, question: str, sentences: Sequence[str]) -> "np.ndarray":
        """For each sentence, how clearly it holds words answering the question (its best span's margin)."""
        ...
