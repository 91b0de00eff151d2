"""One interface per stage: a new retriever or answerer implements it and nothing else changes."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .types import Answer, Passage


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
