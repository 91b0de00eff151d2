"""PNG chart of a report: rate metrics per configuration, and the distribution of ask latency."""
from __future__ import annotations

from pathlib import Path

from .records import EvalReport

RATES = (("hit_at_1", "hit@1"), ("hit_at_5", "hit@5"), ("mrr_at_10", "MRR@10"), ("ndcg_at_10", "nDCG@10"),
         ("answer_recall", "answer recall"), ("citation_recall", "citation recall"),
         ("citation_precision", "citation precision"), ("exact_offsets", "exact offsets"),
         ("abstention", "abstention"), ("false_abstention", "false abstention"),
         ("first_citation_hit", "first quote holds answer"), ("confidence_auc", "confidence AUC"))


def _bars(ax, report: EvalReport) -> None:
    n = len(report.runs)
    width = 0.8 / max(n, 1)
    for i, run in enumerate(report.runs):
        vals = [getattr(run.scores, f) for f, _ in RATES]
        xs = [j + (i - (n - 1) / 2) * width for j in range(len(RATES))]
        ax.bar(xs, [v or 0.0 for v in vals], width, label=run.name)
        for x, v in zip(xs, vals):
            if v is None:
                ax.text(x, 0.01, "n/a", rotation=90, ha="center", va="bottom", fontsize=6)
    ax.set_xticks(range(len(RATES)), [label for _, label in RATES], rotation=35, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share")
    ax.set_title("metrics per configuration")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)


def _latency(ax, report: EvalReport) -> None:
    data = [[max(r.seconds * 1000.0, 1e-3) for r in run.results] or [1e-3] for run in report.runs]
    ax.boxplot(data, showfliers=True)
    ax.set_xticks(range(1, len(report.runs) + 1), [run.name for run in report.runs], rotation=20, ha="right")
    ax.set_yscale("log")
    ax.set_ylabel("ms per question (log scale)")
    ax.set_title("ask latency (warm)")
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


def write_chart(report: EvalReport, path: str | Path) -> Path:
    """Draw with the Agg backend (set here, not at import) and save a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 3 if report.curves else 2
    fig, axes = plt.subplots(1, panels, figsize=(14 + 5 * (panels - 2), 5.5),
                             gridspec_kw={"width_ratios": [3, 1.3, 1.6][:panels]})
    try:
        _bars(axes[0], report)
        _latency(axes[1], report)
        if report.curves:
            _curves(axes[2], report)
        fig.suptitle(f"citebot eval: {report.dataset} — {len(report.runs[0].results) if report.runs else 0} "
                     f"questions, {report.documents} documents")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)
    return Path(path)
