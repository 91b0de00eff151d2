"""AUC, shared by the reader's calibration (training.fit) and the eval harness (eval.metrics)."""
from __future__ import annotations

import bisect
from collections.abc import Iterable


def auc(pos: Iterable[float], neg: Iterable[float]) -> float | None:
    """P(a random positive scores above a random negative), ties counting half; None without both."""
    pos, neg_sorted = [float(p) for p in pos], sorted(float(n) for n in neg)
    if not pos or not neg_sorted:
        return None
    total = 0.0
    for p in pos:
        below = bisect.bisect_left(neg_sorted, p)
        total += below + 0.5 * (bisect.bisect_right(neg_sorted, p) - below)
    return total / (len(pos) * len(neg_sorted))
