"""Hand-built gold items, answers and sources shared by the eval tests (no model needed)."""
from __future__ import annotations

from dataclasses import dataclass, field

from eval.gold import GoldItem
from eval.records import CitationRecord, QuestionResult

SOURCES = {"s1": "Andrew Selee is president. More.", "s2": "In March Biden tasked Harris.",
           "s3": "Something else entirely.", "s4": "Lock icon. x"}

ITEMS = (
    GoldItem("q1", "Who is president?", ("Selee",), ("d1",), "Andrew Selee is president.", "single"),
    GoldItem("q2", "When was Harris tasked?", ("March",), ("d1", "d2"), "In March Biden tasked Harris.", "multi"),
    GoldItem("q3", "Who is the president of Honduras?", (), (), "", "unanswerable"),
    GoldItem("q4", "What does the lock icon mean?", (), (), "", "noise"),
)


def cite(n, doc, src, start, end, quote=None):
    return CitationRecord(n, doc, src, SOURCES[src][start:end] if quote is None else quote, start, end)


RESULTS = (
    QuestionResult(ITEMS[0], "Andrew Selee is president. [1]", False, (cite(1, "d1", "s1", 0, 26),),
                   ("d2", "d1", "d1"), 0.010),
    QuestionResult(ITEMS[1], "It happened in May. [1] [2]", False,
                   (cite(1, "d2", "s2", 0, 29), cite(2, "d3", "s3", 0, 17, quote="Weather was fine.")),
                   ("d3", "d2"), 0.020),
    QuestionResult(ITEMS[2], "I couldn't find that in the indexed documents.", True, (), ("d1",), 0.030),
    QuestionResult(ITEMS[3], "Lock icon. [1]", False, (cite(1, "d4", "s4", 0, 10),), ("d4",), 0.040),
)


@dataclass
class FakeAnswer:
    text: str
    abstained: bool
    citations: list = field(default_factory=list)


def read_source(path: str) -> str:
    return SOURCES[path]
