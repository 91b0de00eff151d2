"""An EvalReport as JSON, Markdown and a rich terminal table."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from qa.types import in_quotes

from .metrics import dedupe
from .records import EvalReport, QuestionResult, RunResult, Verdict
from .selective import curves_table

# (Scores field or "index_seconds", label, kind): kind "rate" prints 0.000, "ms"/"chars"/"s" print numbers.
# The headline first: is the answer right and supported, does it refuse what the documents lack, how fast.
METRICS = (
    ("answer_recall", "answer recall", "rate"),
    ("citation_recall", "citation support (a citation holds the answer)", "rate"),
    ("abstention", "abstention (not answerable)", "rate"),
    ("false_abstention", "false abstention (answerable)", "rate"),
    ("first_citation_hit", "first quote holds the answer (answered)", "rate"),
    ("latency_p50_ms", "ask p50 (ms)", "ms"),
    ("hit_at_1", "hit@1", "rate"), ("hit_at_5", "hit@5", "rate"), ("mrr_at_10", "MRR@10", "rate"),
    ("ndcg_at_10", "nDCG@10", "rate"), ("passage_hit_at_1", "passage hit@1 (overlaps the evidence)", "rate"),
    ("passage_hit_at_5", "passage hit@5", "rate"), ("passage_mrr_at_10", "passage MRR@10", "rate"),
    ("median_answer_chars", "median answer length (chars)", "chars"),
    ("citation_precision", "citation precision", "rate"),
    ("exact_offsets", "exact offsets", "rate"),
    ("confidence_auc", "confidence AUC (answerable vs not)", "rate"),
    ("highlight_marked", "answer words marked (answered, answer right)", "rate"),
    ("highlight_exact", "... marked words exact match (SQuAD)", "rate"),
    ("highlight_f1", "... marked words F1 (SQuAD)", "rate"),
    ("closest_hit", "closest passage holds the answer (refused answerable)", "rate"),
    ("llm_sentence_support", "LLM sentences a citation supports (support check, before it)", "rate"),
    ("llm_citation_precision", "LLM citations supporting their sentence (support check, before it)", "rate"),
    ("latency_p95_ms", "ask p95 (ms)", "ms"),
    ("index_seconds", "index time (s)", "s"),
)
MAX_LISTED = 100
CLIP = 400


def column(name: str, config: str = "") -> str:
    """A run's name as a person reads it: the default answerer, the other answerers, the LangChain baseline;
    other configurations keep their spec ("citebot dense,k=10" -> "dense,k=10")."""
    from qa.types import ANSWERERS, DEFAULT_ANSWERER

    if name == "baseline":
        return "LangChain baseline"
    if name == "citebot":
        return f"default ({DEFAULT_ANSWERER})" if config.split(",")[0] not in ANSWERERS else f"default ({config})"
    spec = name.removeprefix("citebot ")
    answerer = spec.split(",")[0]
    return answerer if answerer in ANSWERERS and spec == f"{answerer},hybrid,k=5" else spec


def value(run: RunResult, field: str) -> float | None:
    return run.index_seconds if field == "index_seconds" else getattr(run.scores, field)


def fmt(v: float | None, kind: str) -> str:
    if v is None:
        return "n/a"
    return {"rate": f"{v:.3f}", "ms": f"{v:.1f}", "chars": f"{v:.0f}", "s": f"{v:.1f}"}[kind]


def clip(text: str, n: int = CLIP) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


# -- JSON --------------------------------------------------------------------------------------------

def result_json(r: QuestionResult, v: Verdict) -> dict:
    """One question's result; its retrieved passages are judged already (the verdict's evidence_rank) and not stored:
    their sources may be gone (a temporary index), and ten spans per question would double a SQuAD report."""
    return {"id": r.item.id, "text": r.text, "abstained": r.abstained, "confidence": r.confidence,
            "highlight": r.highlight, "seconds": round(r.seconds, 5),
            "ranked_docs": dedupe(r.ranked_docs), "citations": [asdict(c) for c in r.citations],
            "closest": [asdict(c) for c in r.closest],
            **({"checked": list(r.checked)} if r.checked is not None else {}),
            "verdict": {**asdict(v), "failed": v.failed}}


def to_json(report: EvalReport, against=None) -> dict:
    """The report as JSON; with ``against`` (an eval.against.Comparison) an "against" section too."""
    items = {r.item.id: r.item for run in report.runs for r in run.results}
    out = {"dataset": report.dataset, "gold_path": report.gold_path, "documents": report.documents,
           "created": report.created, "notes": list(report.notes),
           "items": [asdict(i) for i in items.values()], "curves": [asdict(c) for c in report.curves],
           "runs": [{"name": run.name, "config": run.config, "index_seconds": run.index_seconds,
                     "scores": asdict(run.scores), "by_kind": dict(run.by_kind),
                     "results": [result_json(r, v) for r, v in zip(run.results, run.verdicts)]}
                    for run in report.runs]}
    if against is not None:
        from .against_report import against_json

        out["against"] = against_json(against)
    return out


# -- Markdown ----------------------------------------------------------------------------------------

def md_table(report: EvalReport) -> list[str]:
    runs = report.runs
    lines = ["| metric | " + " | ".join(column(r.name, r.config) for r in runs) + " |", "|---|" + "---:|" * len(runs)]
    for field, label, kind in METRICS:
        lines.append(f"| {label} | " + " | ".join(fmt(value(r, field), kind) for r in runs) + " |")
    for label in dedupe(k for r in runs for k, _ in r.by_kind):
        lines.append(f"| {label} | " + " | ".join(fmt(dict(r.by_kind).get(label), "rate") for r in runs) + " |")
    return lines


def md_reasons(report: EvalReport) -> list[str]:
    counts = [Counter(reason for v in run.verdicts for reason in v.reasons) for run in report.runs]
    reasons = dedupe(reason for c in counts for reason in c)
    lines = ["| reason | " + " | ".join(column(r.name, r.config) for r in report.runs) + " |",
             "|---|" + "---:|" * len(report.runs)]
    lines += [f"| {reason} | " + " | ".join(str(c.get(reason, 0)) for c in counts) + " |" for reason in reasons]
    lines.append("| **failed questions** | " + " | ".join(str(sum(v.failed for v in r.verdicts))
                                                        for r in report.runs) + " |")
    return lines


def md_failure(r: QuestionResult, v: Verdict) -> list[str]:
    gold = " / ".join(f"“{a}”" for a in r.item.answers) or "(no answer in the corpus)"
    lines = [f"### {r.item.id} ({r.item.kind}): {r.item.question}", "",
             f"- gold: {gold}" + (f" — docs {', '.join(r.item.docs)}" if r.item.docs else ""),
             f"- why: {'; '.join(v.reasons)}",
             f"- answered: {'(abstained) ' if r.abstained else ''}{clip(r.text)}"]
    lines += [f"  - [{c.n}] {c.doc_id}:{c.start}-{c.end}{f' ({c.date})' if c.date else ''}"
              f"{f' ({c.where})' if c.where else ''} "
              f"{in_quotes(clip(c.quote, 240))}" for c in r.citations]
    lines.append(f"- retrieved docs: {', '.join(dedupe(r.ranked_docs)[:5]) or '(none)'}")
    return lines + [""]


def md_failures(run: RunResult) -> list[str]:
    failed = [(r, v) for r, v in zip(run.results, run.verdicts) if v.failed]
    lines = [f"## Failed questions: {column(run.name, run.config)} ({len(failed)} of {len(run.results)})", ""]
    if len(failed) > MAX_LISTED:
        lines += [f"The first {MAX_LISTED} are listed; the JSON file has them all.", ""]
    for r, v in failed[:MAX_LISTED]:
        lines += md_failure(r, v)
    return lines


def to_markdown(report: EvalReport, chart_name: str | None = None, against=None) -> str:
    kinds = Counter(r.item.kind for r in report.runs[0].results) if report.runs else Counter()
    lines = [f"# citebot eval: {report.dataset}", "",
             f"{report.created} · gold `{report.gold_path}` · {sum(kinds.values())} questions "
             f"({', '.join(f'{n} {k}' for k, n in kinds.items())}) · {report.documents} documents", ""]
    lines += [f"- **{column(r.name, r.config)}**: {r.config}" for r in report.runs] + [f"- {n}" for n in report.notes]
    lines += ["", "Metric definitions: eval/README.md.", "", *md_table(report), ""]
    if report.runs:  # the questions the default got wrong, right after its figures
        lines += md_failures(report.runs[0])
    if chart_name:
        lines += [f"![metrics per configuration and latency distribution]({chart_name})", ""]
    if against is not None:
        from .against_report import against_markdown

        lines += against_markdown(against)
    if report.curves:
        lines += ["## Accuracy against coverage", "",
                  "Each answerer answering every question, most confident first (eval/selective.py); the "
                  "operating point is its normal run with the shipped threshold.", "",
                  *curves_table(report.curves), ""]
        for c in report.curves:
            lines.append(f"- {c.name}: " + ", ".join(f"{cov:.2f}→{acc:.3f}" for cov, acc in c.points[::4] +
                                                     c.points[-1:]))
        lines.append("")
    lines += ["## Failure reasons", "", *md_reasons(report), ""]
    return "\n".join(lines).rstrip() + "\n"


# -- terminal ----------------------------------------------------------------------------------------

def metric_table(title: str, names):
    """A rich table with a "metric" column and a right-aligned column per run name."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    return table


def rich_table(report: EvalReport):
    table = metric_table(f"citebot eval: {report.dataset} ({len(report.runs[0].results) if report.runs else 0} "
                         f"questions, {report.documents} documents)",
                         (column(run.name, run.config) for run in report.runs))
    for field, label, kind in METRICS:
        table.add_row(label, *(fmt(value(r, field), kind) for r in report.runs))
    for label in dedupe(k for r in report.runs for k, _ in r.by_kind):
        table.add_row(label, *(fmt(dict(r.by_kind).get(label), "rate") for r in report.runs))
    table.add_row("failed questions", *(str(sum(v.failed for v in r.verdicts)) for r in report.runs))
    return table


def write_outputs(report: EvalReport, out_dir: str | Path, chart: bool = True, against=None) -> dict[str, Path]:
    """<dataset>.json, <dataset>.md and <dataset>.png in ``out_dir``; returns their paths. ``against``: an
    eval.against.Comparison with an earlier report, added to the JSON and the Markdown."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / f"{report.dataset}.json", "markdown": out / f"{report.dataset}.md"}
    paths["json"].write_text(json.dumps(to_json(report, against), ensure_ascii=False, indent=1), encoding="utf-8")
    if chart:
        from .chart import write_chart

        paths["chart"] = write_chart(report, out / f"{report.dataset}.png")
    paths["markdown"].write_text(to_markdown(report, paths["chart"].name if chart else None, against),
                                 encoding="utf-8")
    return paths


# -- calibration sweep -------------------------------------------------------------------------------

def sweep_table(points, best, name: str):
    """Rich table of a calibration sweep (eval.calibrate.SweepPoint rows); the recommended row marked."""
    from rich.table import Table

    from .calibrate import MIN_ABSTENTION

    table = Table(title=f"calibration on {name}: recommended = highest answer recall with abstention "
                        f">= {MIN_ABSTENTION}")
    for col in ("min_evidence", "keep_ratio", "answer recall", "false abstention", "abstention",
                "citation recall", "median chars", "failed", "recommended"):
        table.add_column(col, justify="right")
    for p in points:
        table.add_row(f"{p.min_evidence:g}", f"{p.keep_ratio:g}", fmt(p.answer_recall, "rate"),
                      fmt(p.false_abstention, "rate"), fmt(p.abstention, "rate"), fmt(p.citation_recall, "rate"),
                      fmt(p.median_answer_chars, "chars"), str(p.failed), "◀" if p == best else "")
    return table


def write_sweep(points, best, name: str, out_dir: str | Path) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"calibrate-{name}.json"
    path.write_text(json.dumps({"gold": name, "recommended": asdict(best) if best else None,
                                "points": [asdict(p) for p in points]}, indent=1), encoding="utf-8")
    return path
