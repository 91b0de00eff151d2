"""Selective answering: how accuracy trades against coverage as the abstention threshold moves.

From a run that answered every question (``CitebotConfig.forced_version``; the baseline never abstains), the
questions are ordered by the answerer's confidence, most confident first. Answering the top share ``c`` of them
(coverage) gives an accuracy: the share of those answers that are right, where an answerable question is right when
its answer holds a gold answer and an unanswerable one is always wrong to answer. Lowering the threshold moves
along the curve; the operating point is where the shipped threshold puts the system (its normal run).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .metrics import auc
from .records import RunResult

CURVE_POINTS = 20


@dataclass(frozen=True)
class Curve:
    name: str                               # "reader", "heuristic", "baseline"
    points: tuple[tuple[float, float], ...]  # (coverage, accuracy), coverage rising
    auc: float | None                        # confidence, answerable vs unanswerable
    aurc: float | None                       # mean accuracy over coverage (area under the curve; higher is better)
    operating: tuple[float, float] | None    # (coverage, accuracy) of the normal run, when there is one
    accuracy_all: float | None               # accuracy answering everything (coverage 1)


def correct_flags(run: RunResult) -> list[tuple[float, bool]]:
    """(confidence, right to answer) per question that has a confidence."""
    return [(r.confidence, bool(r.item.answerable and v.answer_hit))
            for r, v in zip(run.results, run.verdicts) if r.confidence is not None]


def curve(name: str, forced: RunResult, normal: RunResult | None = None, points: int = CURVE_POINTS) -> Curve:
    rows = sorted(correct_flags(forced), key=lambda x: -x[0])
    n = len(rows)
    if not n:
        return Curve(name, (), None, None, operating_point(normal), None)
    hits, cum = 0, []
    for _, ok in rows:
        hits += ok
        cum.append(hits)
    pts = []
    for i in range(1, points + 1):
        m = max(1, round(n * i / points))
        pts.append((round(m / n, 4), round(cum[m - 1] / m, 4)))
    aurc = sum(cum[m - 1] / m for m in range(1, n + 1)) / n
    pos = [r.confidence for r in forced.results if r.confidence is not None and r.item.answerable]
    neg = [r.confidence for r in forced.results if r.confidence is not None and not r.item.answerable]
    return Curve(name, tuple(pts), auc(pos, neg), round(aurc, 4), operating_point(normal), round(cum[-1] / n, 4))


def operating_point(run: RunResult | None) -> tuple[float, float] | None:
    """(coverage, accuracy) of a normal run: the share it answered, and the share of those answers right."""
    if run is None or not run.results:
        return None
    answered = [(r, v) for r, v in zip(run.results, run.verdicts) if not r.abstained]
    if not answered:
        return (0.0, 0.0)
    right = sum(bool(r.item.answerable and v.answer_hit) for r, v in answered)
    return (round(len(answered) / len(run.results), 4), round(right / len(answered), 4))


def curves_table(curves: Sequence[Curve]) -> list[str]:
    """Markdown: AUC, area under the curve, accuracy at full coverage and at the operating point."""
    lines = ["| answerer | AUC (answerable vs not) | accuracy over coverage (area) | accuracy, all answered | "
             "operating point: coverage / accuracy |", "|---|---:|---:|---:|---:|"]
    for c in curves:
        op = f"{c.operating[0]:.3f} / {c.operating[1]:.3f}" if c.operating else "n/a"
        lines.append(f"| {c.name} | {_f(c.auc)} | {_f(c.aurc)} | {_f(c.accuracy_all)} | {op} |")
    return lines


def _f(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"
