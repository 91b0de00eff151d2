"""``citebot eval calibrate``: where should an answerer's abstention threshold be on these questions?

One run with the answerer answering every question gives each question's confidence (the reader: its calibrated
probability; the heuristic: its best sentence score) and whether the answer (and its quotes) hold a gold answer;
every threshold is then scored without asking again. The recommendation is the highest threshold whose false
abstention stays at or under ``MAX_FALSE_ABSTENTION``: the rule the reader's shipped threshold was chosen by on
held-out SQuAD articles, and the heuristic's ``min_evidence`` on the SQuAD train sample. The report says how and
why the recommendation and the shipped threshold differ.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .gold import GoldItem
from .records import RunResult
from .runner import run_gold

MAX_FALSE_ABSTENTION = 0.05


@dataclass(frozen=True)
class ThresholdPoint:
    threshold: float
    answer_recall: float | None
    false_abstention: float | None
    abstention: float | None
    citation_recall: float | None


def score_threshold(run: RunResult, t: float) -> ThresholdPoint:
    rows = list(zip(run.results, run.verdicts))
    ans = [(r, v) for r, v in rows if r.item.answerable]
    una = [r for r, _ in rows if not r.item.answerable]
    answered = [(r, v) for r, v in ans if (r.confidence or 0.0) >= t]

    def share(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return ThresholdPoint(round(t, 4), share(sum(bool(v.answer_hit) for _, v in answered), len(ans)),
                          share(len(ans) - len(answered), len(ans)),
                          share(sum((r.confidence or 0.0) < t for r in una), len(una)),
                          share(sum(bool(v.citation_hit) for _, v in answered), len(answered)))


def thresholds(run: RunResult, extra: Sequence[float] = (), steps: int = 20) -> list[float]:
    """0 to 1 in equal steps, every confidence (where a figure changes) and the ``extra`` ones."""
    return sorted({round(i / steps, 4) for i in range(steps + 1)} | {round(t, 4) for t in extra} |
                  {round(r.confidence, 4) for r in run.results if r.confidence is not None})


def recommend(points: Sequence[ThresholdPoint]) -> ThresholdPoint | None:
    ok = [p for p in points if p.false_abstention is None or p.false_abstention <= MAX_FALSE_ABSTENTION]
    return max(ok, key=lambda p: p.threshold) if ok else None


def shipped_threshold(answerer: str) -> float:
    """The threshold ``answerer`` abstains below by default: the reader's calibrated probability, or the
    heuristic's ``min_evidence``."""
    from qa.types import CALIBRATED

    if answerer in CALIBRATED:
        from qa.reader.calibrator import Calibrator
        from qa.reader.model import get_reader

        return Calibrator.load(get_reader().folder).threshold
    from qa import ExtractiveSettings

    return ExtractiveSettings().min_evidence


def threshold_sweep(items: Sequence[GoldItem], index_dir: str, answerer: str = "reader", mode: str = "hybrid",
                    k: int = 5, advance: Callable[[], None] | None = None) -> tuple[list[ThresholdPoint], float]:
    """(points over the thresholds, the shipped threshold) for ``answerer``. The heuristic's sweep moves
    ``min_evidence`` only (its ``min_dense`` guard is off in the run, as in the accuracy-vs-coverage curves)."""
    from .configs import CitebotConfig, CitebotSystem

    config = CitebotConfig(mode, k, answerer=answerer, forced=True)
    run = run_gold(items, CitebotSystem(index_dir, config, cold_queries=False), advance)
    shipped = shipped_threshold(answerer)
    return [score_threshold(run, t) for t in thresholds(run, [shipped])], shipped


def explain(best: ThresholdPoint | None, shipped: float, points: Sequence[ThresholdPoint]) -> str:
    """One paragraph: the recommendation against the shipped threshold."""
    at = min(points, key=lambda p: abs(p.threshold - shipped)) if points else None
    if best is None:
        return "no threshold keeps false abstention at or under 0.05 on this gold set"
    text = (f"recommended {best.threshold:.4f} (highest threshold with false abstention <= {MAX_FALSE_ABSTENTION}: "
            f"answer recall {best.answer_recall}, abstention {best.abstention}); shipped {shipped:.4f}")
    if at is not None:
        text += (f" gives false abstention {at.false_abstention}, abstention {at.abstention}, answer recall "
                 f"{at.answer_recall} here")
    if abs(best.threshold - shipped) > 1e-3:
        text += (". They differ because the shipped one was chosen by the same rule on other, held-out SQuAD "
                 "questions; a threshold is set on held-out data, never on the set it is judged on. To move it for "
                 "your own documents: the reader's --min-confidence (ReaderSettings.min_confidence), the "
                 "heuristic's ExtractiveSettings.min_evidence")
    return text
