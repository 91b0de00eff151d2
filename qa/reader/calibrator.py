"""From the reader's logits and the heuristic's evidence to a ranking and one calibrated probability.

Ranking: each candidate sentence scores ``heuristic + reader_weight * reader logit``; the heuristic score already
holds the retrieval evidence (cosine, idf-weighted word coverage, answer type, passage rank). Confidence: logistic
regression of the best candidate's score and the highlighter's evidence (``span``: how clearly the best of the
heuristic's first sentences holds words that answer the question, 0 where it marks none) into the probability that
the chosen sentence holds the answer (Kamath, Jia and Liang, "Selective Question Answering under Domain Shift", ACL
2020: a small calibrator predicting whether the answer is right). All the numbers are fit on SQuAD articles the
reader and the highlighter never saw (``training.fit``) and stored as plain JSON beside the model.
"""
from __future__ import annotations

import hashlib

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import ModelError, check_range

from .files import read_versioned_json
from .rerank import TOP

FORMAT_VERSION = 3
SPAN_TOP = TOP  # the heuristic's best sentences the highlighter reads, the same qa.reader.rerank orders
FILE = "calibrator.json"


@dataclass(frozen=True)
class Calibrator:
    reader_weight: float      # weight of the reader's logit next to the heuristic score
    scale: float              # logistic regression of the best score (and span_weight's evidence) ...
    bias: float               # ... into a probability
    threshold: float          # abstain below this probability (chosen on held-out data, see the model card)
    low_margin: float = 0.1   # answers within this much above the threshold are flagged "low confidence"
    span_weight: float = 0.0  # weight of the highlighter's evidence (``span_evidence``); 0: not used

    def __post_init__(self) -> None:
        check_range("reader_weight", self.reader_weight, lo=0.0)
        check_range("threshold", self.threshold, lo=0.0, hi=1.0)

    def scores(self, heuristic: np.ndarray, logits: np.ndarray) -> np.ndarray:
        """The ranking score of each candidate."""
        return np.asarray(heuristic, dtype=np.float64) + self.reader_weight * np.asarray(logits, dtype=np.float64)

    @property
    def uses_span(self) -> bool:
        return self.span_weight != 0.0

    def probability(self, score: float | np.ndarray, span: float | np.ndarray | None = None) -> float | np.ndarray:
        """Probability that a candidate with this (best) score holds the answer, given the highlighter's evidence
        ``span`` (``span_evidence``; needed when ``uses_span``)."""
        z = self.scale * np.asarray(score, dtype=np.float64) + self.bias
        if self.uses_span:
            if span is None:
                raise ValueError("this calibrator weighs the highlighter's evidence (span_weight "
                                 f"{self.span_weight}); pass span=span_evidence(...)")
            z = z + self.span_weight * np.asarray(span, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self, extra: dict | None = None) -> str:
        body = {"format_version": FORMAT_VERSION, "reader_weight": self.reader_weight, "scale": self.scale,
                "bias": self.bias, "span_weight": self.span_weight, "span_top": SPAN_TOP, "threshold": self.threshold,
                "low_margin": self.low_margin, **(extra or {})}
        return json.dumps(body, indent=1) + "\n"

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "Calibrator":
        d = read_versioned_json(Path(folder) / FILE, "reader calibrator", FORMAT_VERSION,
                                "refit it: python -m training.pipeline --refit --out FOLDER, or answer without the "
                                "reader: --answerer heuristic")
        if int(d.get("span_top", SPAN_TOP)) != SPAN_TOP:
            raise ModelError(f"reader calibrator {Path(folder) / FILE} was fit on the highlighter's best "
                             f"{d['span_top']} sentences; this citebot reads {SPAN_TOP}: refit it")
        return cls(float(d["reader_weight"]), float(d["scale"]), float(d["bias"]), float(d["threshold"]),
                   float(d.get("low_margin", 0.1)), float(d.get("span_weight", 0.0)))


def span_evidence(margins: Sequence[float] | np.ndarray) -> float:
    """The highlighter's evidence for a question: the largest margin over "no answer here" among the heuristic's
    best SPAN_TOP sentences, 0 where it would mark words in none of them (its marks need a margin above 0)."""
    return max(0.0, float(np.max(margins))) if len(margins) else 0.0


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iterations: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = np.full(xb.shape[1], l2 * len(x))
    reg[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w[:-1], float(w[-1])

def withheld(doc_id: str, share: float) -> bool:
    """Whether the paragraph ``doc_id`` is left out of the documents: a fixed hash of its id below ``share``, so the
    same paragraphs are left out on every run and machine."""
    if share <= 0.0:
        return False
    h = int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big")
    return h / 2 ** 64 < share
