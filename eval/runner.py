"""The reusable core: ask every gold question of one system, time it, judge it, score it."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from qa.sources import document_text

from .gold import GoldItem
from .metrics import RETRIEVAL_DEPTH, by_kind, judge, score
from .records import AnswerLike, CitationRecord, PassageLike, PassageRecord, QuestionResult, RunResult


@runtime_checkable
class System(Protocol):
    """Anything that answers questions: citebot in one configuration, the baseline, a test fake."""

    name: str
    config: str
    index_seconds: float | None

    def answer(self, question: str) -> AnswerLike:
        """An object with text, abstained and citations (n, doc_id, source, quote, start, end)."""
        ...

    def ranked_docs(self, question: str, depth: int) -> Sequence[str]:
        """doc_ids of the ``depth`` best passages, best first."""
        ...


@runtime_checkable
class PassageRanker(Protocol):
    """A System that also says where its retrieved passages lie (for the passage-level retrieval metrics)."""

    def ranked_passages(self, question: str, depth: int) -> Sequence[PassageLike]:
        """The ``depth`` best passages (doc_id, source, start, end), best first."""
        ...


def retrieval(system: System, question: str, depth: int) -> tuple[tuple[str, ...], tuple[PassageRecord, ...]]:
    """The system's document ranking, and its passages where it gives them (one retrieval call either way)."""
    if isinstance(system, PassageRanker):
        passages = tuple(PassageRecord.of(p) for p in system.ranked_passages(question, depth))
        return tuple(p.doc_id for p in passages), passages
    return tuple(system.ranked_docs(question, depth)), ()


@dataclass
class FunctionSystem:
    """A System from plain functions, e.g. ``FunctionSystem("mine", lambda q: ask(q, index_dir=d))``.

    Without ``rank_fn`` the retrieval ranking is the doc_ids the answer cites.
    """

    name: str
    answer_fn: Callable[[str], AnswerLike]
    rank_fn: Callable[[str, int], Sequence[str]] | None = None
    config: str = ""
    index_seconds: float | None = None
    _last: tuple[str, AnswerLike] | None = field(default=None, repr=False)

    def answer(self, question: str) -> AnswerLike:
        self._last = (question, self.answer_fn(question))
        return self._last[1]

    def ranked_docs(self, question: str, depth: int) -> Sequence[str]:
        if self.rank_fn is not None:
            return self.rank_fn(question, depth)
        answer = self._last[1] if self._last and self._last[0] == question else self.answer_fn(question)
        return [c.doc_id for c in answer.citations][:depth]


class SourceReader:
    """Cached ``qa.sources.document_text``: the text citations' offsets point into (PDF, DOCX: extracted; with
    ``index_dir``, the index's stored copy while the file is unchanged)."""

    def __init__(self, index_dir: str | None = None) -> None:
        self._texts: dict[str, str] = {}
        self.index_dir = index_dir

    def __call__(self, path: str) -> str:
        if path not in self._texts:
            self._texts[path] = document_text(path, self.index_dir)
        return self._texts[path]


def ask_one(item: GoldItem, system: System, depth: int = RETRIEVAL_DEPTH) -> QuestionResult:
    """One timed answer call, then the (untimed) retrieval ranking for the retrieval metrics."""
    t0 = time.perf_counter()
    answer = system.answer(item.question)
    seconds = time.perf_counter() - t0
    ranked, passages = retrieval(system, item.question, depth)
    confidence = getattr(answer, "confidence", None)
    marked = getattr(answer, "highlight", None)
    return QuestionResult(item, answer.text, bool(answer.abstained),
                          tuple(CitationRecord.of(c) for c in answer.citations), ranked, seconds,
                          None if confidence is None else float(confidence),
                          None if marked is None else answer.text[marked[0]:marked[1]],
                          tuple(CitationRecord.of(c) for c in getattr(answer, "closest", ())), passages,
                          getattr(answer, "checked", None))


def finish(system: System, results: Sequence[QuestionResult], read_source: Callable[[str], str]) -> RunResult:
    verdicts = tuple(judge(r, read_source) for r in results)
    return RunResult(system.name, system.config, score(results, verdicts), tuple(results), verdicts,
                     system.index_seconds, by_kind(results, verdicts))


def run_many(items: Sequence[GoldItem], systems: Sequence[System],
             advances: Sequence[Callable[[], None] | None] = (),
             read_source: Callable[[str], str] | None = None) -> list[RunResult]:
    """Each question asked of every system in turn (interleaved, so a busy machine slows all alike)."""
    read_source = read_source or SourceReader()
    advances = list(advances) or [None] * len(systems)
    results: list[list[QuestionResult]] = [[] for _ in systems]
    for item in items:
        for system, out, advance in zip(systems, results, advances):
            out.append(ask_one(item, system))
            if advance:
                advance()
    return [finish(system, out, read_source) for system, out in zip(systems, results)]


def run_gold(items: Sequence[GoldItem], system: System, advance: Callable[[], None] | None = None,
             read_source: Callable[[str], str] | None = None) -> RunResult:
    """Ask every item, judge and score: the one entry point for seeds, SQuAD, calibration and tests."""
    return run_many(items, [system], [advance], read_source)[0]
