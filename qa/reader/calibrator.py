"""From the reader's logits and the heuristic's evidence to a ranking and one calibrated probability.

Ranking: each candidate sentence scores ``heuristic + reader_weight * reader logit``; the heuristic score already
holds the retrieval evidence (cosine, idf-weighted word coverage, answer type, passage rank). Confidence: Platt
scaling of the best candidate's score into the probability that it holds the answer (Kamath, Jia and Liang,
"Selective Question Answering under Domain Shift", ACL 2020: a small calibrator predicting whether the answer is
right). All four numbers are fit on SQuAD articles the reader never saw (``qa.reader.fit``) and stored as plain
JSON beside the model.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import check_range

from .files import read_versioned_json

FORMAT_VERSION = 2
FILE = "calibrator.json"


@dataclass(frozen=True)
class Calibrator:
    reader_weight: float      # weight of the reader's logit next to the heuristic score
    scale: float              # Platt scaling of the best score ...
    bias: float               # ... into a probability
    threshold: float          # abstain below this probability (chosen on held-out data, see the model card)
    low_margin: float = 0.1   # answers within this much above the threshold are flagged "low confidence"

    def __post_init__(self) -> None:
        check_range("reader_weight", self.reader_weight, lo=0.0)
        check_range("threshold", self.threshold, lo=0.0, hi=1.0)

    def scores(self, heuristic: np.ndarray, logits: np.ndarray) -> np.ndarray:
        """The ranking score of each candidate."""
        return np.asarray(heuristic, dtype=np.float64) + self.reader_weight * np.asarray(logits, dtype=np.float64)

    def probability(self, score: float | np.ndarray) -> float | np.ndarray:
        """Probability that a candidate with this (best) score holds the answer."""
        return 1.0 / (1.0 + np.exp(-(self.scale * np.asarray(score, dtype=np.float64) + self.bias)))

    def to_json(self, extra: dict | None = None) -> str:
        body = {"format_version": FORMAT_VERSION, "reader_weight": self.reader_weight, "scale": self.scale,
                "bias": self.bias, "threshold": self.threshold, "low_margin": self.low_margin, **(extra or {})}
        return json.dumps(body, indent=1) + "\n"

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "Calibrator":
        d = read_versioned_json(Path(folder) / FILE, "reader calibrator", FORMAT_VERSION)
        return cls(float(d["reader_weight"]), float(d["scale"]), float(d["bias"]), float(d["threshold"]),
                   float(d.get("low_margin", 0.1)))


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
