"""The reader answerer: the heuristic's candidate sentences, re-ranked with the reader and calibrated.

Retrieval finds the passages; the heuristic (qa.extractive) scores their sentences with its evidence (cosine,
idf-weighted word coverage, answer type, passage rank) and keeps the best ``max_candidates``; the reader reads the
question against each (with the sentence before it); the calibrator adds the reader's logit to the heuristic
score and turns the best score into the probability that its sentence holds the answer. The best sentence and
others close to it are quoted as the heuristic does; below ``min_confidence`` the answer is an honest abstention
that still lists the retrieved passages.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index import LoadedIndex
from index.errors import SettingError, check_range

from ..extractive import Candidate, ExtractiveAnswerer, ExtractiveSettings
from ..types import Answer, Passage
from ..protocols import Marker
from .calibrator import SPAN_TOP, Calibrator, span_evidence
from .model import Reader
from .text import candidate_text


@dataclass(frozen=True)
class ReaderSettings:
    min_confidence: float | None = None  # abstain below this probability; None: the calibrated default
    max_candidates: int = 6        # sentences the reader reads, the heuristic's best first (on held-out SQuAD,
                                   # reading 6, 8, 10, 12 or 16 chose the answer sentence equally often)
    guard_candidates: int = 4      # sentences the guarded answerer's reader reads for its confidence, the
                                   # heuristic's best first (held-out SQuAD, out of fold: reading 1, 2, 3, 4 or 6 gave
                                   # the same AUC, 0.628; with the shipped calibrator, reading fewer than 4 took false
                                   # abstention over 0.05 at its threshold: 0.052 reading 2, 0.049 reading 4 or 6)

    def __post_init__(self) -> None:
        if self.min_confidence is not None:
            check_range("min_confidence", self.min_confidence, lo=0.0, hi=1.0)
        check_range("max_candidates", self.max_candidates, lo=1)
        check_range("guard_candidates", self.guard_candidates, lo=1)


class ReaderAnswerer:
    name = "reader"

    def __init__(self, index: LoadedIndex, reader: Reader, calibrator: Calibrator,
                 settings: ExtractiveSettings | None = None, reader_settings: ReaderSettings | None = None,
                 order=None, marker: Marker | None = None):
        if calibrator.uses_span and marker is None:
            raise SettingError(f"this reader calibrator weighs the highlighter's evidence (span_weight "
                               f"{calibrator.span_weight:g}): build the answerer with marker=get_highlighter()")
        self.heuristic = ExtractiveAnswerer(index, settings, order)
        self.reader, self.calibrator, self.marker = reader, calibrator, marker
        self.settings = reader_settings or ReaderSettings()
        self.threshold = (self.settings.min_confidence if self.settings.min_confidence is not None
                          else calibrator.threshold)

    def read(self, question: str, passages: Sequence[Passage],
             cands: list[Candidate] | None = None) -> tuple[list[Candidate], np.ndarray]:
        """The heuristic's best candidates (of ``cands``, when the caller has them) and the reader's logit for each."""
        cands = (self.heuristic.candidates(question, passages) if cands is None else cands)
        cands = cands[:self.settings.max_candidates]
        if not cands:
            return [], np.zeros(0)
        return cands, self.reader.logits(question, [candidate_text(c.text, c.previous) for c in cands])

    def scored(self, question: str, passages: Sequence[Passage],
               cands: list[Candidate] | None = None) -> list[Candidate]:
        """The candidates with ``score`` = heuristic + reader_weight * logit, best first."""
        cands, logits = self.read(question, passages, cands)
        scores = self.calibrator.scores([c.score for c in cands], logits)
        rescored = [dataclasses.replace(c, score=float(s)) for c, s in zip(cands, scores)]
        return sorted(rescored, key=lambda c: -c.score)

    def span(self, question: str, cands: list[Candidate]) -> float | None:
        """The highlighter's evidence over the heuristic's best SPAN_TOP candidates, where the calibrator weighs it
        (the same batch qa.reader.rerank reads, so a cache hit in the default answerer)."""
        if not self.calibrator.uses_span:
            return None
        return span_evidence(self.marker.margins(question, [c.text for c in cands[:SPAN_TOP]]))

    def confidence(self, best_score: float | None, span: float | None = None) -> float:
        """The calibrated probability for the best combined score (0 when there is no candidate)."""
        return 0.0 if best_score is None else round(float(self.calibrator.probability(best_score, span)), 4)

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        heuristic = self.heuristic.candidates(question, passages)
        cands = self.scored(question, passages, heuristic)
        confidence = self.confidence(cands[0].score if cands else None, self.span(question, heuristic))
        if not cands or confidence < self.threshold:
            closest = (() if self.heuristic.abstains(heuristic) else
                       self.heuristic.compose(question, passages, self.heuristic.select(cands), cands, None).citations)
            return Answer.abstain(question, passages, self.name, confidence=confidence, closest=closest,
                                  off_topic=self.heuristic.far(heuristic))
        chosen = self.heuristic.select(cands)
        answer = self.heuristic.compose(question, passages, chosen, cands, confidence)
        low = confidence < self.threshold + self.calibrator.low_margin
        return dataclasses.replace(answer, answerer=self.name, low_confidence=low)


class GuardedAnswerer(ReaderAnswerer):
    """The heuristic's answer, given only when the reader finds it likely that the passages hold one.

    The heuristic chooses and quotes the sentences exactly as ``--answerer heuristic`` does (and abstains where
    it would); the reader reads the heuristic's best ``guard_candidates`` sentences (4: on held-out SQuAD, more
    gave no better confidence, and each costs its share of the model call) and the calibrator turns the best
    combined score, with the highlighter's evidence over the heuristic's best four (``marker``), into
    ``confidence``, the probability that the passages answer the question; below the threshold the answer is an
    abstention. The reader's gain is in knowing when the documents lack the answer ("absent" questions in
    ``citebot eval squad --absent``), the heuristic's in choosing the sentence on news articles.
    """

    name = "guarded"

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        cands = self.heuristic.candidates(question, passages)
        top, logits = self.read(question, passages, cands[:self.settings.guard_candidates])
        best = float(self.calibrator.scores([c.score for c in top], logits).max()) if top else None
        confidence = self.confidence(best, self.span(question, cands))
        heuristic = self.heuristic.answer(question, passages, cands)
        if heuristic.abstained or confidence < self.threshold:
            # where only the reader doubts it, the heuristic's quotes stay visible as "closest, not an answer"
            return Answer.abstain(question, passages, self.name, confidence=confidence,
                                  closest=heuristic.citations or heuristic.closest, off_topic=heuristic.off_topic)
        low = confidence < self.threshold + self.calibrator.low_margin
        return dataclasses.replace(heuristic, answerer=self.name, confidence=confidence, low_confidence=low)
