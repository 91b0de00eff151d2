"""The highlighter's say in which sentence is quoted first: the order, the weight fit, and the guarded answerer."""
from __future__ import annotations

import numpy as np
import pytest

from index.types import Passage
from qa.extractive import Candidate
from qa.reader.rerank import Ranked, SpanOrder, fit_weight, order_of, pick, top1


class Margins:
    """A stand-in highlighter whose margins are given per sentence text."""

    def __init__(self, by_text: dict[str, float], meta: dict | None = None):
        self.by_text, self.meta, self.asked = by_text, meta or {}, []

    def margins(self, question, sentences):
        self.asked.append(list(sentences))
        return np.array([self.by_text.get(s, -30.0) for s in sentences])

    def marks(self, question, sentences):
        return [None for _ in sentences]


P = Passage("c1", "d1", "d1.txt", "T", "x", 0, 1, 1.0)


def cand(text: str, score: float) -> Candidate:
    return Candidate(0, P, 0, len(text), text, 0.5, score)


def test_pick_adds_the_weighted_margin_to_the_heuristic_score():
    assert pick(np.array([1.0, 0.9]), np.array([0.0, 2.0]), 0.0) == 0
    assert pick(np.array([1.0, 0.9]), np.array([0.0, 2.0]), 0.1) == 1     # 0.9 + 0.2 > 1.0
    assert pick(np.array([1.0, 0.9]), np.array([0.0, 0.5]), 0.1) == 0     # 0.95 < 1.0


def test_span_order_moves_one_sentence_to_the_front_and_keeps_the_rest_in_order():
    cands = [cand("a", 1.0), cand("b", 0.95), cand("c", 0.9), cand("d", 0.2)]
    h = Margins({"a": -5.0, "b": 0.0, "c": 3.0, "d": 20.0})
    ordered = SpanOrder(h, weight=0.1, top=3)("q?", cands)
    assert [c.text for c in ordered] == ["c", "a", "b", "d"]   # d lies beyond the top 3: never read
    assert h.asked == [["a", "b", "c"]]
    assert [c.score for c in ordered] == [0.9, 1.0, 0.95, 0.2]  # scores untouched
    assert SpanOrder(h, weight=0.0)("q?", cands) is cands


def test_settings_are_checked_when_built():
    with pytest.raises(Exception, match="weight"):
        SpanOrder(Margins({}), weight=-1)
    with pytest.raises(Exception, match="top"):
        SpanOrder(Margins({}), weight=0.1, top=0)


def test_fit_weight_against_hand_computed_values():
    # Article A: the answer is the second sentence, margin 2 above the first's -> any weight > 0.05 fixes it.
    # Article B: the answer is first; the second has margin 1 over it -> weights above 0.2 break it.
    a = Ranked("A", np.array([1.0, 0.9]), np.array([0.0, 2.0]), np.array([0.0, 1.0]))
    b = Ranked("B", np.array([1.0, 0.8]), np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert top1([a, b], 0.0) == 0.5 and top1([a, b], 0.08) == 1.0 and top1([a, b], 0.3) == 0.5
    weight, fig = fit_weight([a, a, b])
    assert weight == 0.08  # the smallest weight of the best (0.08, 0.12, 0.2 all reach 1.0)
    assert fig["top1_heuristic"] == pytest.approx(1 / 3, abs=1e-4)
    # Cross-validated: A ordered with B's best weight (0: nothing to gain on B) misses twice; B with A's (0.08) hits.
    assert fig["top1_cross_validated"] == pytest.approx(1 / 3, abs=1e-4)
    assert fig["articles"] == ["A", "B"] and fig["questions"] == 3


def test_order_of_reads_the_packaged_weight():
    assert order_of(Margins({}, {})) is None
    assert order_of(Margins({}, {"rerank": {"weight": 0.0}})) is None
    o = order_of(Margins({}, {"rerank": {"weight": 0.12, "top": 4}}))
    assert (o.weight, o.top) == (0.12, 4)


def test_the_shipped_highlighter_carries_its_fitted_order():
    from qa.reader.highlight import get_highlighter

    o = order_of(get_highlighter())
    assert o is not None and 0 < o.weight
    fitted = get_highlighter().meta["rerank"]
    assert fitted["top1_cross_validated"] > fitted["top1_heuristic"]
