"""The calibrator: its logistic regression against scikit-learn's, its fit on hand-made data, its file format."""
import dataclasses
import json

import numpy as np
import pytest

from index.errors import ModelError
from qa.reader.calibrator import Calibrator, fit_logistic, span_evidence
from training.fit import QuestionFeatures, confidence, first, fit, threshold_for, top1
from qa.stats import auc as fit_auc


def test_fit_logistic_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4))
    y = (x @ np.array([1.5, -2.0, 0.5, 0.0]) + 0.3 + rng.normal(size=400) > 0).astype(float)
    l2 = 1e-2
    w, b = fit_logistic(x, y, l2)
    ref = LogisticRegression(C=1.0 / (l2 * len(x)), tol=1e-10, max_iter=10_000).fit(x, y)
    np.testing.assert_allclose(w, ref.coef_[0], atol=1e-4)
    assert b == pytest.approx(ref.intercept_[0], abs=1e-4)


def test_calibrator_round_trips_and_checks_its_file(tmp_path):
    c = Calibrator(0.05, 2.0, -3.0, 0.3)
    (tmp_path / "calibrator.json").write_text(c.to_json({"held_out": {}}), encoding="utf-8")
    assert Calibrator.load(tmp_path) == c
    assert c.probability(1.5) == pytest.approx(0.5)
    np.testing.assert_allclose(c.scores([1.0, 0.5], [2.0, -2.0]), [1.1, 0.4])
    (tmp_path / "calibrator.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        Calibrator.load(tmp_path)
    (tmp_path / "calibrator.json").write_text('{"format_version": 1}', encoding="utf-8")
    with pytest.raises(ModelError, match="format 1; this citebot reads 3"):
        Calibrator.load(tmp_path)


def test_the_highlighters_evidence_enters_the_probability_when_weighed(tmp_path):
    c = Calibrator(0.05, 2.0, -3.0, 0.3, span_weight=0.5)
    (tmp_path / "calibrator.json").write_text(c.to_json(), encoding="utf-8")
    assert Calibrator.load(tmp_path) == c and c.uses_span
    assert c.probability(1.5, 0.0) == pytest.approx(0.5)
    assert c.probability(1.5, 2.0) == pytest.approx(1 / (1 + np.exp(-1.0)))
    with pytest.raises(ValueError, match="span_weight 0.5"):
        c.probability(1.5)
    assert span_evidence([-30.0, -1.0]) == 0.0 and span_evidence([2.5, 7.0, -30.0]) == 7.0 and span_evidence([]) == 0.0
    body = json.loads(c.to_json())
    (tmp_path / "calibrator.json").write_text(json.dumps({**body, "span_top": 6}), encoding="utf-8")
    with pytest.raises(ModelError, match="best 6 sentences; this citebot reads 4"):
        Calibrator.load(tmp_path)


def q(article, answerable, heuristic, logits, y):
    return QuestionFeatures(article, answerable, np.array(heuristic, float), np.array(logits, float),
                            np.array(y, float))


def test_fit_picks_the_reader_weight_that_chooses_right_and_the_threshold_from_held_out_articles():
    # the heuristic prefers the wrong first candidate; a reader weight above 0.1 puts the right one first: the
    # smallest such weight of the grid is chosen
    qs = [q(a, True, [1.0, 0.8], [-1.0, 1.0], [0, 1]) for a in "ABC" for _ in range(4)]
    qs += [q(a, False, [0.5, 0.4], [-2.0, -2.0], [0, 0]) for a in "ABC" for _ in range(4)]
    assert top1(qs, 0.0) == 0.0 and top1(qs, 0.2) == 1.0
    cal, figures = fit(qs)
    assert cal.reader_weight == 0.15 and cal.scale > 0
    assert figures["top1_holds_answer_reader"] == 1.0 and figures["top1_holds_answer_heuristic"] == 0.0
    assert figures["auc_confidence"] == 1.0 and figures["false_abstention"] == 0.0
    assert figures["abstention_unanswerable"] == 1.0
    assert dataclasses.replace(cal, threshold=0.0) != cal  # a threshold was chosen


def test_auc_and_threshold_by_hand():
    assert fit_auc([0.9, 0.8], [0.1, 0.8]) == pytest.approx((2 + 1.5) / 4)
    # 20 answerable confidences 0.00 .. 0.95: 5 % may be abstained on -> exactly one below the threshold
    assert threshold_for([i / 20 for i in range(20)], 0.05) == pytest.approx(0.05)


def test_fit_reports_the_guarded_answerers_figures_and_keeps_its_false_abstention_within_bounds():
    # the answer sits in the third candidate: read from the best 2 only, the guarded confidence is lower for
    # answerable questions, so the shared threshold is the guarded one's (the lower)
    qs = [q(a, True, [0.9, 0.85, 0.8], [-1.0, -1.0, 6.0], [0, 0, 1]) for a in "ABC" for _ in range(5)]
    qs += [q(a, True, [1.0, 0.8, 0.7], [3.0, -1.0, -1.0], [1, 0, 0]) for a in "ABC" for _ in range(5)]
    qs += [q(a, False, [0.5, 0.4, 0.3], [-2.0, -2.0, -2.0], [0, 0, 0]) for a in "ABC" for _ in range(5)]
    cal, figures = fit(qs, max_false_abstention=0.0, guard_candidates=2)
    g = figures["guarded"]
    assert g["candidates"] == 2
    assert figures["false_abstention"] == 0.0 and g["false_abstention"] == 0.0
    assert g["auc_confidence"] == 1.0 and g["abstention_unanswerable"] == 1.0
    _, reader_only = fit(qs, max_false_abstention=0.0, guard_candidates=3)
    assert cal.threshold < reader_only["threshold"]  # reading 3 the guarded confidence equals the reader's
    # the shipped calibrator, as eval scores these questions, abstains on none of the answerable ones either
    answerable = [x for x in qs if x.answerable]
    assert min(confidence(cal, first(x, 2)) for x in answerable) >= cal.threshold
    assert min(confidence(cal, x) for x in answerable) >= cal.threshold


def test_the_guarded_read_replaces_the_first_logits_and_must_match_their_number():
    x = dataclasses.replace(q("A", True, [1.0, 0.5, 0.2], [0.0, 1.0, 2.0], [1, 0, 0]),
                            guard_logits=np.array([3.0, 4.0]))
    np.testing.assert_array_equal(first(x, 2).logits, [3.0, 4.0])
    np.testing.assert_array_equal(first(x, 2).heuristic, [1.0, 0.5])
    with pytest.raises(ValueError, match="different guard_candidates"):
        first(x, 3)


def test_the_highlighters_evidence_is_fit_where_every_question_has_it_and_refuses_what_it_separates():
    # questions about a left-out paragraph score like answerable ones; only the highlighter's evidence tells them apart
    right = [dataclasses.replace(q(a, True, [1.0, 0.5], [0.0, 0.0], [1, 0]), span=5.0 + i % 3)
             for a in "ABC" for i in range(6)]
    away = [dataclasses.replace(q(a, False, [1.0, 0.5], [0.0, 0.0], [0, 0]), span=0.0, absent=True)
            for a in "ABC" for _ in range(6)]
    cal, figures = fit(right + away, max_false_abstention=0.0, guard_candidates=2)
    assert cal.span_weight > 0 and figures["span_weight"] == round(cal.span_weight, 4)
    assert figures["absent"] == 18 and figures["abstention_absent"] == 1.0 and figures["false_abstention"] == 0.0
    assert figures["auc_absent"] == 1.0 and figures["guarded"]["abstention_absent"] == 1.0
    blind, without = fit([dataclasses.replace(x, span=None) for x in right + away], max_false_abstention=0.0)
    assert blind.span_weight == 0.0 and without["abstention_absent"] == 0.0


def test_the_threshold_also_keeps_false_abstention_within_bounds_on_more_held_out_questions():
    qs = [q(a, True, [1.0, 0.8], [1.0, 1.0], [1, 0]) for a in "ABC" for _ in range(4)]
    qs += [q(a, False, [0.5, 0.4], [-2.0, -2.0], [0, 0]) for a in "ABC" for _ in range(4)]
    cal, _ = fit(qs, max_false_abstention=0.0)
    weaker = [q("A", True, [0.7, 0.6], [1.0, 1.0], [1, 0])]  # e.g. the same article with every paragraph indexed
    assert confidence(cal, weaker[0]) < cal.threshold
    lowered, _ = fit(qs, max_false_abstention=0.0, also=weaker)
    assert confidence(lowered, weaker[0]) >= lowered.threshold and lowered.threshold < cal.threshold


def test_the_guarded_answerers_own_abstentions_count_against_the_false_abstention_bound():
    qs = [q(a, True, [1.0, 0.8], [1.0, 1.0], [1, 0]) for a in "ABC" for _ in range(4)]
    qs += [q(a, False, [0.5, 0.4], [-2.0, -2.0], [0, 0]) for a in "ABC" for _ in range(4)]
    cal, figures = fit(qs, max_false_abstention=0.0)
    assert cal.threshold > 0 and figures["guarded"]["false_abstention"] == 0.0
    # the heuristic refuses one answerable question itself: no threshold above 0 keeps false abstention at 0
    weak = [dataclasses.replace(qs[0], heuristic_abstains=True)] + qs[1:]
    cal, figures = fit(weak, max_false_abstention=0.0)
    assert cal.threshold == 0.0 and figures["guarded"]["false_abstention"] == pytest.approx(1 / 12, abs=1e-4)
