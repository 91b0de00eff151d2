"""Calibrate the extractive answerer's thresholds on gold data: sweep settings, report the trade-off.

One setting for the whole gold set (never per question): each point of the sweep is the answer recall /
abstention balance the settings give over every gold item.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.errors import SettingError

from .gold import GoldItem
from .runner import FunctionSystem, System, run_gold

MIN_ABSTENTION = 0.8  # the bar above issue 11's 0.70 (tests/eval/test_seeds_eval.py: NOT_MET)


@dataclass(frozen=True)
class SweepPoint:
    min_evidence: float
    keep_ratio: float
    answer_recall: float | None
    false_abstention: float | None
    abstention: float | None
    citation_recall: float | None
    median_answer_chars: float | None
    failed: int


def parse_values(spec: str, name: str) -> list[float]:
    """``0.4:0.8:0.05`` (start:stop:step, stop included) or ``0.5,0.6``."""
    try:
        if ":" in spec:
            start, stop, step = (float(x) for x in spec.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = int(round((stop - start) / step)) + 1
            return [round(start + i * step, 6) for i in range(count)]
        return [float(x) for x in spec.split(",") if x.strip()]
    except ValueError:
        raise SettingError(f"invalid --{name.replace('_', '-')} {spec!r}; use start:stop:step or a,b,c") from None


def default_min_evidence(steps: int = 16) -> list[float]:
    """From 0.3 to the top of the sentence-score scale (dense + lexical weight), in equal steps."""
    from qa import ExtractiveSettings

    lo, hi = 0.3, 1.0 + ExtractiveSettings().lexical_weight
    return [round(lo + (hi - lo) * i / (steps - 1), 3) for i in range(steps)]


def settings_grid(min_evidence: Sequence[float], keep_ratio: Sequence[float] = (), base=None) -> list:
    """ExtractiveSettings for every (min_evidence, keep_ratio) pair; other fields from ``base``."""
    from qa import ExtractiveSettings

    base = base or ExtractiveSettings()
    return [dataclasses.replace(base, min_evidence=m, keep_ratio=r)
            for r in (keep_ratio or [base.keep_ratio]) for m in min_evidence]


def sweep(items: Sequence[GoldItem], system_for: Callable[[object], System], grid: Sequence,
          advance: Callable[[], None] | None = None) -> list[SweepPoint]:
    """Run the gold items once per settings; ``system_for(settings)`` gives the system to ask."""
    points = []
    for settings in grid:
        system = system_for(settings)
        quick = FunctionSystem(system.name, system.answer, lambda q, d: (), system.config)  # no retrieval metrics
        run = run_gold(items, quick, advance)
        s = run.scores
        points.append(SweepPoint(settings.min_evidence, settings.keep_ratio, s.answer_recall, s.false_abstention,
                                 s.abstention, s.citation_recall, s.median_answer_chars,
                                 sum(v.failed for v in run.verdicts)))
    return points


def recommend(points: Sequence[SweepPoint], min_abstention: float = MIN_ABSTENTION) -> SweepPoint | None:
    """Highest answer recall among points abstaining on >= ``min_abstention`` of the unanswerable questions;
    ties go to the higher citation recall, then to the stricter (higher) min_evidence."""
    ok = [p for p in points if p.abstention is None or p.abstention >= min_abstention]
    if not ok:
        return None
    return max(ok, key=lambda p: (p.answer_recall or 0.0, p.citation_recall or 0.0, p.min_evidence))


def calibrate(items: Sequence[GoldItem], index_dir: str, grid: Sequence, mode: str = "hybrid", k: int = 5,
              advance: Callable[[], None] | None = None) -> list[SweepPoint]:
    """The sweep over a built index with citebot's extractive answerer."""
    from .configs import CitebotConfig, CitebotSystem

    base = CitebotSystem(index_dir, CitebotConfig(mode, k), cold_queries=False)
    return sweep(items, lambda s: base.with_settings(s, "citebot"), grid, advance)
