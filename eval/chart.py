"""PNG chart of a report: rate metrics per configuration (higher is better, and lower is better apart), the
distribution of ask latency, and the accuracy-against-coverage curves."""
from __future__ import annotations

from pathlib import Path

from .records import EvalReport

HIGHER = (("hit_at_1", "hit@1"), ("hit_at_5", "hit@5"), ("mrr_at_10", "MRR@10"), ("ndcg_at_10", "nDCG@10"),
          ("answer_recall", "answer recall"), ("citation_recall", "citation recall"),
          ("citation_precision", "citation precision"), ("exact_offsets", "exact offsets"),
          ("abstention", "abstention"), ("first_citation_hit", "first quote holds answer"),
          ("confidence_auc", "confidence AUC"))
LOWER = (("false_abstention", "false abstention\n(answerable)"),)
HIGHER_TITLE = "higher is better: share per configuration"
LOWER_TITLE = "lower is better: share"
LATENCY_TITLE = "ask latency, warm (lower is better)"


def rate_label(v: float | None) -> str:
    """The text over a bar: its value, "0" for an empty bar, "n/a" for a figure the gold set lacks."""
    return "n/a" if v is None else "0" if v == 0 else f"{v:.2f}"


def _bar_labels(ax, xs, vals, width: float, color: str, rotation: int) -> None:
    for x, v in zip(xs, vals):
        ax.text(x, v or 0.0, rate_label(v), rotation=rotation, ha="center", va="bottom", fontsize=6.5)
        if not v:  # an empty bar (zero or n/a) is still seen: a thick stub on the baseline in the run's colour
            ax.plot([x - width * 0.4, x + width * 0.4], [0, 0], color=color, linewidth=3, solid_capstyle="butt",
                    clip_on=False, zorder=3)


def _bars(ax, report: EvalReport, metrics) -> None:
    """Grouped bars, one colour per run (C0, C1, ... in run order), each with its value written on top."""
    n = len(report.runs)
    width = 0.8 / max(n, 1)
    rotation = 90 if n * len(metrics) > 36 else 0
    for i, run in enumerate(report.runs):
        vals = [getattr(run.scores, f) for f, _ in metrics]
        xs = [j + (i - (n - 1) / 2) * width for j in range(len(metrics))]
        ax.bar(xs, [v or 0.0 for v in vals], width, label=run.name, color=f"C{i}")
        _bar_labels(ax, xs, vals, width, f"C{i}", rotation)
    ax.set_xticks(range(len(metrics)), [label for _, label in metrics], rotation=25 if len(metrics) > 1 else 0,
                  ha="right" if len(metrics) > 1 else "center")
    ax.set_ylabel("share")
    ax.grid(axis="y", alpha=0.3)


def _higher(ax, report: EvalReport) -> None:
    _bars(ax, report, HIGHER)
    ax.set_ylim(0, 1.12)
    ax.set_title(HIGHER_TITLE)


def _lower(ax, report: EvalReport) -> None:
    _bars(ax, report, LOWER)
    top = max([getattr(r.scores, f) or 0.0 for r in report.runs for f, _ in LOWER], default=0.0)
    ax.set_ylim(0, max(0.1, top * 1.25))
    ax.set_xlim(-0.6, 0.6)
    ax.set_title(LOWER_TITLE)


def _latency(ax, report: EvalReport) -> None:
    from matplotlib.ticker import FuncFormatter

    data = [[max(r.seconds * 1000.0, 1e-3) for r in run.results] or [1e-3] for run in report.runs]
    boxes = ax.boxplot(data, showfliers=True, patch_artist=True, widths=0.5, medianprops={"color": "black"})
    for i, (box, run) in enumerate(zip(boxes["boxes"], report.runs)):
        box.set_facecolor(f"C{i}")
        box.set_alpha(0.6)
        p50 = run.scores.latency_p50_ms
        if p50 is not None:
            ax.text(i + 1.3, max(p50, 1e-3), f"{p50:.1f} ms" if p50 < 10 else f"{p50:.0f} ms", va="center",
                    fontsize=7)
    ax.set_xticks(range(1, len(report.runs) + 1), [run.name for run in report.runs], rotation=20, ha="right")
    ax.set_xlim(0.5, len(report.runs) + 0.9)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if f"{v:g}"[0] in "235" else ""))
    ax.set_ylabel("ms per question (log scale; label: median)")
    ax.set_title(LATENCY_TITLE)
    ax.grid(axis="y", alpha=0.3, which="both")


def _curves(ax, report: EvalReport) -> None:
    for c in report.curves:
        line, = ax.plot([p[0] for p in c.points], [p[1] for p in c.points], label=f"{c.name} (AUC "
                        f"{'n/a' if c.auc is None else f'{c.auc:.2f}'})")
        if c.operating:
            ax.plot(*c.operating, "o", color=line.get_color())
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("coverage (share answered)")
    ax.set_ylabel("accuracy of the answers given")
    ax.set_title("accuracy vs coverage (dot: shipped threshold)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def draw_chart(report: EvalReport):
    """The chart as a matplotlib Figure (no pyplot, no backend switched): higher-is-better rates on top;
    below them false abstention, latency and, when the report has them, the accuracy-vs-coverage curves."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(16, 10))
    ratios = [0.55, 1.3, 1.6] if report.curves else [0.55, 1.3]
    grid = fig.add_gridspec(2, len(ratios), width_ratios=ratios, height_ratios=[1.05, 1])
    top = fig.add_subplot(grid[0, :])
    _higher(top, report)
    _lower(fig.add_subplot(grid[1, 0]), report)
    _latency(fig.add_subplot(grid[1, 1]), report)
    if report.curves:
        _curves(fig.add_subplot(grid[1, 2]), report)
    handles, labels = top.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=max(len(labels), 1), fontsize=9,
               bbox_to_anchor=(0.5, 0.955), frameon=False)
    fig.suptitle(f"citebot eval: {report.dataset} — {len(report.runs[0].results) if report.runs else 0} "
                 f"questions, {report.documents} documents")
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig


def write_chart(report: EvalReport, path: str | Path) -> Path:
    """Draw and save a PNG."""
    draw_chart(report).savefig(path, dpi=110)
    return Path(path)
