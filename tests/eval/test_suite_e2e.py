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
    assert [r.name for r in report.runs] == ["citebot", "citebot dense,k=3", "baseline"]
    citebot, dense, baseline = report.runs
    for run in report.runs:
        assert run.scores.exact_offsets == 1.0 and len(run.results) == 12
        assert all(len(r.ranked_docs) >= 1 for r in run.results)
    assert baseline.scores.abstention == 0.0 and baseline.index_seconds > 0
    assert citebot.index_seconds is None                  # prebuilt index
    assert all(len(c.quote) <= 1000 for r in baseline.results for c in r.citations)
    paths = write_outputs(report, tmp_path)
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["documents"] == 5
