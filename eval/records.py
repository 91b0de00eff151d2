"""The typed records an evaluation produces: per question, per configuration, per report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from qa.types import where

from .gold import GoldItem


class CitationLike(Protocol):
    n: int
    doc_id: str
    source: str
    quote: str
    start: int
    end: int


class AnswerLike(Protocol):
    """What an answerer returns: qa.Answer and the baseline's answer both fit."""

    text: str
    abstained: bool
    citations: list


@dataclass(frozen=True)
class CitationRecord:
    n: int
    doc_id: str
    source: str
    quote: str
    start: int
    end: int
    score: float | None = None     # the answerer's score for the cited sentence/chunk, when it gives one
    date: str | None = None        # the cited document's publication date, when the answerer gives one
    page: int | None = None        # PDF page of the quote (1-based)
    section: str | None = None     # heading path above the quote

    @classmethod
    def of(cls, c: CitationLike) -> "CitationRecord":
        score = getattr(c, "score", None)
        return cls(int(c.n), c.doc_id, c.source, c.quote, int(c.start), int(c.end),
                   None if score is None else float(score), getattr(c, "date", None), getattr(c, "page", None),
                   getattr(c, "section", None))

    @property
    def where(self) -> str:
        return where(self.section, self.page)


class PassageLike(Protocol):
    doc_id: str
    source: str
    start: int
    end: int


@dataclass(frozen=True)
class PassageRecord:
    """One retrieved passage: where it lies in its document's source file."""

    doc_id: str
    source: str
    start: int
    end: int

    @classmethod
    def of(cls, p: PassageLike) -> "PassageRecord":
        return cls(p.doc_id, p.source, int(p.start), int(p.end))


@dataclass(frozen=True)
class QuestionResult:
    """What one system did with one gold question."""

    item: GoldItem
    text: str
    abstained: bool
    citations: tuple[CitationRecord, ...]
    ranked_docs: tuple[str, ...]   # doc_ids of the retrieved passages, best first (may repeat)
    seconds: float                 # wall time of the answer call
    confidence: float | None = None  # the answerer's confidence in its best sentence (qa.Answer.confidence)
    highlight: str | None = None     # the answer's words the highlighter marked (qa.Answer.highlight), if any
    closest: tuple[CitationRecord, ...] = ()  # an abstention's closest sentences (qa.Answer.closest), if any
    ranked_passages: tuple[PassageRecord, ...] = ()  # the retrieved passages, best first (systems that give them)
    checked: tuple[int, int, int, int] | None = None  # an LLM reply as the support check read it (qa.Answer.checked)


@dataclass(frozen=True)
class Verdict:
    """Per-question judgement; None where a figure does not apply to the question."""

    answer_hit: bool | None        # answerable: a gold answer appears in the answer text
    citation_hit: bool | None      # answerable and answered: the cited quotes contain a gold answer
    supported: int                 # answerable: citations whose quote supports the answer
    cited: int                     # number of citations
    bad_offsets: int               # citations with source[start:end] != quote
    reasons: tuple[str, ...]       # why the question counts as failed (empty: passed)
    # answerable with gold evidence: 1-based rank of the first retrieved passage overlapping the evidence in a gold
    # document, 0 when none of the first RETRIEVAL_DEPTH does; None when not judged (no passages, no evidence)
    evidence_rank: int | None = None

    @property
    def failed(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Scores:
    """Aggregate figures of one configuration (None: not defined on this gold set)."""

    questions: int
    answerable: int
    unanswerable: int
    hit_at_1: float | None
    hit_at_5: float | None
    mrr_at_10: float | None
    ndcg_at_10: float | None
    answer_recall: float | None
    false_abstention: float | None
    median_answer_chars: float | None
    citation_recall: float | None
    citation_precision: float | None
    exact_offsets: float | None
    abstention: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    first_citation_hit: float | None = None  # answered answerable questions whose first quote holds the answer
    confidence_auc: float | None = None      # AUC of confidence, answerable vs unanswerable questions
    # Answered questions whose answer holds a gold answer: the share with marked words, and the SQuAD exact match
    # and F1 of those words against the gold answers (unmarked: 0). None when the system marks nothing at all.
    highlight_marked: float | None = None
    highlight_exact: float | None = None
    highlight_f1: float | None = None
    # Answerable questions the system refused: the share whose "closest passage, not confirmed" quotes hold a gold
    # answer (the reader doubted a sentence that did answer). None when the system shows no closest passage at all.
    closest_hit: float | None = None
    # Passage level (answerable questions with gold evidence, systems that give their passages): the share whose
    # first / first five retrieved passages overlap the evidence in a gold document, and the mean reciprocal rank of
    # the first such passage in the first 10. None when no question was judged so.
    passage_hit_at_1: float | None = None
    passage_hit_at_5: float | None = None
    passage_mrr_at_10: float | None = None
    # An LLM's replies, judged sentence by sentence by the support check (validated against people:
    # benchmarks/support_check.py), before anything is left out, in the manner of ALCE: the share of the sentences it
    # wrote that a citation supports (citation recall), and of the citations it made that support their sentence
    # (citation precision). None for systems with no LLM.
    llm_sentence_support: float | None = None
    llm_citation_precision: float | None = None


@dataclass(frozen=True)
class RunResult:
    name: str                       # "citebot", "baseline", "citebot dense" ...
    config: str                     # human-readable settings
    scores: Scores
    results: tuple[QuestionResult, ...]
    verdicts: tuple[Verdict, ...]
    index_seconds: float | None     # time to build this system's index (None: prebuilt)
    by_kind: tuple[tuple[str, float | None], ...] = ()  # answer recall / abstention per gold kind


@dataclass(frozen=True)
class EvalReport:
    dataset: str                    # short name, used for the output file names
    gold_path: str
    documents: int                  # documents in the corpus
    runs: tuple[RunResult, ...]
    created: str
    notes: tuple[str, ...] = ()
    curves: tuple = ()              # eval.selective.Curve per answerer: accuracy against coverage
