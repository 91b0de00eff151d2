"""The calibration sweep with a fake answerer whose abstention follows min_evidence."""
import pytest

from eval.calibrate import default_min_evidence, parse_values, recommend, settings_grid, sweep
from eval.runner import FunctionSystem
from index.errors import SettingError

from .eval_fixtures import ITEMS, FakeAnswer


ANSWERABLE = {i.question for i in ITEMS if i.answerable}


def fake_system(settings):
    """Answers everything below min_evidence 0.5, only answerable questions below 0.6, nothing from 0.6."""
    def answer(q):
        if settings.min_evidence >= 0.6 or (settings.min_evidence >= 0.5 and q not in ANSWERABLE):
            return FakeAnswer("I couldn't find that.", True)
        return FakeAnswer("Andrew Selee in March", False)
    return FunctionSystem("fake", answer)


def test_sweep_and_recommendation():
    points = sweep(ITEMS, fake_system, settings_grid([0.4, 0.5, 0.6]))
    assert [p.min_evidence for p in points] == [0.4, 0.5, 0.6]
    assert [p.answer_recall for p in points] == [1.0, 1.0, 0.0]
    assert [p.abstention for p in points] == [0.0, 1.0, 1.0]
    assert [p.false_abstention for p in points] == [0.0, 0.0, 1.0]
    assert recommend(points).min_evidence == 0.5
    assert recommend(points[:1]) is None


def test_grid_and_values():
    assert parse_values("0.4:0.5:0.05", "min_evidence") == [0.4, 0.45, 0.5]
    assert parse_values("0.7,0.85", "keep_ratio") == [0.7, 0.85]
    grid = settings_grid([0.4, 0.5], [0.7, 0.9])
    assert [(s.min_evidence, s.keep_ratio) for s in grid] == [(0.4, 0.7), (0.5, 0.7), (0.4, 0.9), (0.5, 0.9)]
    for bad in ("a:b:c", "0.5:0.4:0.1", "0.4:0.5:0"):
        with pytest.raises(SettingError, match="invalid --min-evidence"):
            parse_values(bad, "min_evidence")


def test_default_grid_spans_the_score_scale():
    from qa import ExtractiveSettings

    values = default_min_evidence()
    assert len(values) == 16 and values[0] == 0.3
    assert values[-1] == round(1 + ExtractiveSettings().lexical_weight, 3)
