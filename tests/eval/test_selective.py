"""Accuracy against coverage, AUC and threshold sweeps, checked against hand-computed values."""
import pytest

from eval.gold import GoldItem
from eval.metrics import auc, confidence_auc, judge
from eval.records import QuestionResult, RunResult
from eval.selective import curve, operating_point
from eval.threshold import recommend, score_threshold

from .eval_fixtures import read_source


def item(i, answerable):
    return GoldItem(f"q{i}", f"question {i}?", ("gold",) if answerable else (), ("d",) if answerable else (),
                    "gold" if answerable else "", "single" if answerable else "unanswerable")


def run_of(rows, abstained=()):
    """rows: (answerable, answer holds gold, confidence)."""
    results = tuple(QuestionResult(item(i, a), "I couldn't find that." if i in abstained else
                                   ("the gold one" if hit else "something else"), i in abstained, (), (), 0.01, conf)
                    for i, (a, hit, conf) in enumerate(rows))
    verdicts = tuple(judge(r, read_source) for r in results)
    return RunResult("x", "", None, results, verdicts, None)


ROWS = [(True, True, 0.9), (False, False, 0.8), (True, True, 0.7), (True, False, 0.6), (False, False, 0.2)]


def test_auc_by_hand():
    assert auc([0.9, 0.7, 0.6], [0.8, 0.2]) == pytest.approx((2 + 1 + 1) / 6)
    assert auc([0.5], [0.5]) == 0.5
    assert auc([], [0.1]) is None
    assert confidence_auc(run_of(ROWS).results) == pytest.approx(4 / 6)


def test_curve_by_hand():
    c = curve("reader", run_of(ROWS), points=5)
    # most confident first: right, wrong (unanswerable), right, wrong, wrong
    assert c.points == ((0.2, 1.0), (0.4, 0.5), (0.6, pytest.approx(0.6667, abs=1e-4)), (0.8, 0.5), (1.0, 0.4))
    assert c.aurc == pytest.approx((1 + 0.5 + 2 / 3 + 0.5 + 0.4) / 5, abs=1e-4)
    assert c.accuracy_all == 0.4


def test_operating_point_is_the_share_answered_and_their_accuracy():
    assert operating_point(run_of(ROWS, abstained={1, 3, 4})) == (0.4, 1.0)
    assert operating_point(run_of(ROWS, abstained={0, 1, 2, 3, 4})) == (0.0, 0.0)


def test_threshold_sweep_by_hand():
    run = run_of(ROWS)
    p = score_threshold(run, 0.65)
    # answerable: 0.9 right, 0.7 right, 0.6 below -> abstained; unanswerable: 0.8 answered, 0.2 abstained
    assert (p.answer_recall, p.false_abstention, p.abstention) == (pytest.approx(2 / 3, abs=1e-4),
                                                                   pytest.approx(1 / 3, abs=1e-4), 0.5)
    points = [score_threshold(run, t) for t in (0.0, 0.5, 0.65)]
    assert recommend(points).threshold == 0.5  # the highest one abstaining on no answerable question


@pytest.mark.parametrize("answerer", ["reader", "heuristic"])
def test_threshold_sweep_runs_the_answerer_without_abstaining(monkeypatch, answerer):
    """The sweep must score the chosen answerer's confidences, whatever the default answerer is."""
    import eval.threshold as th

    seen = {}

    def fake_run_gold(items, system, advance=None):
        seen["config"] = system.cfg
        return run_of(ROWS)

    monkeypatch.setattr(th, "run_gold", fake_run_gold)
    points, shipped = th.threshold_sweep([], "nowhere", answerer)
    assert seen["config"].answerer == answerer and seen["config"].forced
    assert shipped == th.shipped_threshold(answerer)
    assert any(abs(p.threshold - shipped) < 1e-4 for p in points)  # the shipped threshold is scored exactly
