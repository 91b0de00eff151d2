"""evaluate() end to end with the real model: citebot, a --compare config and the baseline (slow)."""
import json

import pytest

from eval.gold import load_gold, spread
from eval.configs import CitebotConfig
from eval.report import write_outputs
from eval.suite import Corpus, evaluate

pytestmark = pytest.mark.slow


def test_seeds_subset_with_baseline_and_compare(seeds_index, tmp_path):
    items = spread(load_gold(), 12)                       # every kind is represented
    report = evaluate(Corpus("seeds", "seeds.jsonl", index_dir=str(seeds_index)), items,
                      [CitebotConfig(), CitebotConfig("dense", 3)])
    # the heuristic and the reader are added next to the default (guarded); the curves come from each run without
    # abstaining
    assert [r.name for r in report.runs] == ["citebot", "citebot dense,k=3", "citebot heuristic,hybrid,k=5",
                                             "citebot reader,hybrid,k=5", "baseline"]
    citebot, dense, heuristic, reader, baseline = report.runs
    assert [c.name for c in report.curves] == ["guarded", "heuristic", "reader", "baseline"]
    for curve in report.curves:
        assert curve.points[-1][0] == 1.0 and curve.operating is not None and curve.auc is not None
    for run in (citebot, reader):  # the reader's calibrated probability
        assert all(r.confidence is not None and 0 <= r.confidence <= 1 for r in run.results)
    for run in report.runs:
        assert run.scores.exact_offsets == 1.0 and len(run.results) == 12
        assert all(len(r.ranked_docs) >= 1 for r in run.results)
        # every system here says where its passages lie: each answerable question is judged at passage level
        assert all(v.evidence_rank is not None for r, v in zip(run.results, run.verdicts) if r.item.answerable)
        assert run.scores.passage_hit_at_5 is not None
    assert baseline.scores.abstention == 0.0 and baseline.index_seconds > 0
    assert citebot.index_seconds is None                  # prebuilt index
    assert all(len(c.quote) <= 1000 for r in baseline.results for c in r.citations)
    paths = write_outputs(report, tmp_path)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["documents"] == 5 and len(data["curves"]) == 4
    assert "Accuracy against coverage" in paths["markdown"].read_text(encoding="utf-8")
