"""The report chart, read from the matplotlib Figure it builds (no pixels): labelled bars, lower-is-better
metrics on their own Axes, and empty bars still drawn."""
import dataclasses

import pytest

from eval.chart import draw_chart, write_chart
from eval.records import EvalReport
from eval.runner import finish

from .eval_fixtures import RESULTS, read_source


class Named:
    def __init__(self, name):
        self.name, self.config, self.index_seconds = name, name, None


def run(name, **scores):
    r = finish(Named(name), RESULTS, read_source)
    return dataclasses.replace(r, scores=dataclasses.replace(r.scores, **scores))


@pytest.fixture(scope="module")
def figure():
    runs = (run("citebot", answer_recall=0.75, false_abstention=0.25, abstention=0.0),
            run("baseline", answer_recall=0.5, false_abstention=0.0, confidence_auc=None))
    return draw_chart(EvalReport("mini", "mini.jsonl", 4, runs, "2026-01-01 00:00:00"))


def ticks(ax):
    return [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]


def axes_with_tick(fig, text):
    found = [ax for ax in fig.axes if any(text in t for t in ticks(ax))]
    assert len(found) == 1, [ticks(ax) for ax in fig.axes]
    return found[0]


def labels_over(ax, bar):
    """The texts drawn over a bar (within its width)."""
    left, right = bar.get_x(), bar.get_x() + bar.get_width()
    return [t.get_text() for t in ax.texts if left <= t.get_position()[0] <= right]


def test_every_bar_carries_its_value(figure):
    bar_axes = [ax for ax in figure.axes if ax.patches and any("recall" in t or "abstention" in t for t in ticks(ax))]
    bars = [(ax, b) for ax in bar_axes for b in ax.patches]
    assert len(bars) == 2 * 12
    for ax, bar in bars:
        texts = labels_over(ax, bar)
        assert texts, f"bar at x={bar.get_x():.2f} has no label"
        if texts != ["n/a"]:
            assert any(float(t) == pytest.approx(bar.get_height(), abs=0.005) for t in texts)
    higher = axes_with_tick(figure, "answer recall")
    assert "0.75" in [t.get_text() for t in higher.texts] and "n/a" in [t.get_text() for t in higher.texts]


def test_lower_is_better_metrics_are_apart_and_say_so(figure):
    higher = axes_with_tick(figure, "answer recall")
    lower = axes_with_tick(figure, "false abstention")
    latency = next(ax for ax in figure.axes if "latency" in ax.get_title())
    assert len({id(higher), id(lower), id(latency)}) == 3
    assert not any("false abstention" in t for t in ticks(higher))
    assert "higher is better" in higher.get_title()
    assert "lower is better" in lower.get_title() and "lower is better" in latency.get_title()


@pytest.mark.parametrize("axes_tick, tick, name", [("false abstention", "false abstention (answerable)", "baseline"),
                                                   ("answer recall", "abstention", "citebot")])
def test_a_zero_bar_is_still_drawn(figure, axes_tick, tick, name):
    from matplotlib.colors import to_rgb

    ax = axes_with_tick(figure, axes_tick)
    bars = sorted(ax.patches, key=lambda b: b.get_x())
    bar = bars[ticks(ax).index(tick) * 2 + ["citebot", "baseline"].index(name)]
    assert bar.get_height() == 0
    assert "0" in labels_over(ax, bar)
    left, right = bar.get_x(), bar.get_x() + bar.get_width()
    stubs = [line for line in ax.lines if line.get_visible() and line.get_linewidth() >= 2
             and set(line.get_ydata()) == {0} and left <= min(line.get_xdata()) < max(line.get_xdata()) <= right]
    assert [to_rgb(line.get_color()) for line in stubs] == [to_rgb(bar.get_facecolor())]


def test_the_chart_is_saved_as_png(tmp_path):
    report = EvalReport("mini", "mini.jsonl", 4, (run("citebot"),), "2026-01-01 00:00:00")
    path = write_chart(report, tmp_path / "mini.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
