"""The highlighter as a second opinion on which sentence to quote first (the default, guarded answerer).

The heuristic ranks the candidate sentences; for its best ``top`` the highlighter scores how clearly each holds
words that answer the question (its best span's margin over "no answer here"), and the sentence with the highest
heuristic score + ``weight`` × margin is quoted first, before the sentences the heuristic chose
(``ExtractiveAnswerer.lead_with``: they all stay, its best second, within max_sentences and max_chars). Nothing
else changes: the scores, the confidence and the decision to abstain stay the heuristic's and the reader's. ``weight`` is chosen on held-out SQuAD articles by
``fit_weight`` (article-level cross-validation for the figures) when the highlighter is packaged.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.errors import check_range

from ..extractive import Candidate
from ..protocols import Marker

TOP = 4  # on held-out SQuAD, re-ordering the best 4 gained as much as the best 6 (and 3 a little less)
WEIGHTS = (0.0, 0.02, 0.05, 0.08, 0.12, 0.2, 0.3)


@dataclass(frozen=True)
class SpanOrder:
    """``order(question, candidates)``: the candidates with the one to quote first moved to the front."""

    highlighter: Marker
    weight: float
    top: int = TOP

    def __post_init__(self) -> None:
        check_range("weight", self.weight, lo=0.0)
        check_range("top", self.top, lo=1)

    def __call__(self, question: str, cands: list[Candidate]) -> list[Candidate]:
        if self.weight == 0 or len(cands) < 2:
            return cands
        head = cands[:self.top]
        best = pick(np.array([c.score for c in head]), self.highlighter.margins(question, [c.text for c in head]),
                    self.weight)
        return cands if best == 0 else [head[best]] + [c for i, c in enumerate(cands) if i != best]


def pick(heuristic: np.ndarray, margins: np.ndarray, weight: float) -> int:
    return int(np.argmax(heuristic + weight * margins))


@dataclass(frozen=True)
class Ranked:
    """One held-out answerable question: its candidates' heuristic scores and margins, and which hold the answer."""

    article: str
    heuristic: np.ndarray
    margins: np.ndarray
    y: np.ndarray


def top1(rows: Sequence[Ranked], weight: float) -> float:
    return float(np.mean([r.y[pick(r.heuristic, r.margins, weight)] for r in rows])) if rows else 0.0


def fit_weight(rows: Sequence[Ranked], top: int = TOP) -> tuple[float, dict]:
    """The weight of WEIGHTS that puts a sentence holding the answer first most often on all rows, and the
    figures: the heuristic's top-1 and the top-1 when each article is ordered with the weight fit on the others.
    ``rows`` hold the best ``top`` candidates of each question."""
    articles = sorted({r.article for r in rows})
    hits = []
    for a in articles:
        train = [r for r in rows if r.article != a]
        w = max(WEIGHTS, key=lambda w: (top1(train, w), -w))
        hits += [r.y[pick(r.heuristic, r.margins, w)] for r in rows if r.article == a]
    weight = max(WEIGHTS, key=lambda w: (top1(rows, w), -w))
    return weight, {"weight": weight, "top": top, "questions": len(rows), "articles": articles,
                    "top1_heuristic": round(top1(rows, 0.0), 4),
                    "top1_cross_validated": round(float(np.mean(hits)), 4) if hits else None}


def order_of(highlighter) -> SpanOrder | None:
    """The order the highlighter was packaged with (``rerank`` in highlighter.json); None when it has none."""
    fitted = highlighter.meta.get("rerank") or {}
    weight = float(fitted.get("weight", 0.0))
    return SpanOrder(highlighter, weight, int(fitted.get("top", TOP))) if weight > 0 else None
