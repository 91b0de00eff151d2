"""A Comparison (eval/against.py) as a JSON section, Markdown and a rich terminal table."""
from __future__ import annotations

from .against import Comparison, Flip, MetricChange, RankChange, RunChange
from .metrics import RETRIEVAL_DEPTH
from .report import clip, fmt, metric_table

MAX_FLIPS = 50   # per run and direction in the Markdown, flips and rank changes alike (the JSON has them all)
MAX_IDS = 20     # per run and direction in the terminal


def change_text(m: MetricChange) -> str:
    c = m.change
    if c is None:
        return "n/a"
    return "0" if c == 0 else ("+" if c > 0 else "−") + fmt(abs(c), m.kind)


def mark(m: MetricChange) -> str:
    """Worse by more than the tolerance, worse within it, better; timings only ever read slower/faster."""
    if m.timing:
        return "slower" if m.worse else "faster" if m.better else ""
    if m.flagged:
        return "WORSE"
    return "worse (within tolerance)" if m.worse else "better" if m.better else ""


def better_way(m: MetricChange) -> str | None:
    return {1: "higher", -1: "lower"}.get(m.direction)


def rank_text(rank: int | None) -> str:
    return f"not in top {RETRIEVAL_DEPTH}" if rank is None else str(rank)


# -- JSON --------------------------------------------------------------------------------------------

def flip_json(f: Flip) -> dict:
    return {"id": f.id, "question": f.question, "reasons_now": list(f.reasons_now),
            "reasons_before": list(f.reasons_before)}


def rank_json(m: RankChange) -> dict:
    return {"id": m.id, "question": m.question, "rank_before": m.rank_before, "rank_now": m.rank_now}


def against_json(c: Comparison) -> dict:
    """The JSON "against" section; a rank_before/rank_now of null: no gold document in the top rank_depth."""
    return {"path": c.path, "created": c.created, "dataset": c.dataset, "tolerance": c.tolerance,
            "rank_depth": RETRIEVAL_DEPTH,
            "questions": {"both": c.questions_both, "only_now": c.questions_only_now,
                          "only_before": c.questions_only_before},
            "notes": list(c.notes), "flagged": [{"run": run, "metric": m.key} for run, m in c.flagged],
            "runs_only_before": list(c.only_before), "runs_only_now": list(c.only_now),
            "runs": [{"name": r.name, "config_before": r.config_before, "config_now": r.config_now,
                      "metrics": [{"metric": m.key, "label": m.label, "before": m.before, "after": m.after,
                                   "change": m.change, "better": better_way(m), "timing": m.timing,
                                   "flagged": m.flagged} for m in r.metrics],
                      "now_failing": [flip_json(f) for f in r.now_failing],
                      "now_passing": [flip_json(f) for f in r.now_passing],
                      "verdict_sign_test_p": round(r.verdict_p, 4),
                      "ranked_lower": [rank_json(m) for m in r.ranked_lower],
                      "ranked_higher": [rank_json(m) for m in r.ranked_higher],
                      "evidence_ranked_lower": [rank_json(m) for m in r.evidence_lower],
                      "evidence_ranked_higher": [rank_json(m) for m in r.evidence_higher]} for r in c.runs]}


# -- Markdown ----------------------------------------------------------------------------------------

def md_capped(title: str, entries: list[str]) -> list[str]:
    """A bold title with the count, the first MAX_FLIPS entries and how many more there are."""
    if not entries:
        return []
    lines = [f"**{title}** ({len(entries)}):", "", *entries[:MAX_FLIPS]]
    if len(entries) > MAX_FLIPS:
        lines.append(f"- … and {len(entries) - MAX_FLIPS} more (all are in the JSON file)")
    return lines + [""]


def md_flips(title: str, flips: tuple[Flip, ...]) -> list[str]:
    return md_capped(title, [f"- `{f.id}` {clip(f.question, 200)} — now: {'; '.join(f.reasons_now) or 'passes'}; "
                             f"before: {'; '.join(f.reasons_before) or 'passed'}" for f in flips])


def md_ranks(title: str, changes: tuple[RankChange, ...]) -> list[str]:
    return md_capped(title, [f"- `{m.id}` {clip(m.question, 200)} — rank {rank_text(m.rank_before)} → "
                             f"{rank_text(m.rank_now)}" for m in changes])


def verdict_line(r: RunChange) -> str:
    """How the flips split, with a sign test: a drop of one or two questions on a small gold set is often noise."""
    p = r.verdict_p
    reading = "unlikely to be chance" if p < 0.05 else "within what chance gives"
    return (f"Verdicts changed: {len(r.now_failing)} now failing, {len(r.now_passing)} now passing; sign test "
            f"p = {p:.3f} ({reading}).")


def md_run(r: RunChange) -> list[str]:
    config = r.config_now if r.config_now == r.config_before else f"{r.config_before} → {r.config_now}"
    lines = [f"### {r.name} ({config})", "", "| metric | before | after | change | |", "|---|---:|---:|---:|---|"]
    lines += [f"| {m.label} | {fmt(m.before, m.kind)} | {fmt(m.after, m.kind)} | {change_text(m)} | "
              f"{'**WORSE**' if m.flagged else mark(m)} |" for m in r.metrics]
    lines += ["", *md_flips("now failing (passed before)", r.now_failing),
              *md_flips("now passing (failed before)", r.now_passing)]
    if not (r.now_failing or r.now_passing):
        lines += ["No question changed verdict.", ""]
    else:
        lines += [verdict_line(r), ""]
    lines += [*md_ranks("ranked lower now (rank of the first gold document, before → now)", r.ranked_lower),
              *md_ranks("ranked higher now (rank of the first gold document, before → now)", r.ranked_higher)]
    if not (r.ranked_lower or r.ranked_higher):
        lines += ["No question's first gold document changed rank.", ""]
    title = "the first passage overlapping the evidence ranked {} now (rank before → now)"
    lines += [*md_ranks(title.format("lower"), r.evidence_lower), *md_ranks(title.format("higher"), r.evidence_higher)]
    return lines


def summary(c: Comparison) -> str:
    if not c.flagged:
        return f"no metric got worse by more than {c.tolerance:g}"
    return (f"{len(c.flagged)} metric(s) worse by more than {c.tolerance:g}: "
            + "; ".join(f"{run} {m.label} {fmt(m.before, m.kind)} → {fmt(m.after, m.kind)}" for run, m in c.flagged))


def against_markdown(c: Comparison) -> list[str]:
    lines = ["## Against an earlier report", "",
             f"`{c.path}` ({c.dataset}, {c.created or 'date unknown'}): {summary(c)}.", ""]
    lines += [f"- {n}" for n in c.notes] + [""]
    for r in c.runs:
        lines += md_run(r)
    return lines


# -- terminal ----------------------------------------------------------------------------------------

def against_table(c: Comparison):
    """One row per metric, one column per run in both reports: before → after (change) and the mark."""
    from rich.markup import escape

    table = metric_table(f"before → after (change), against {escape(c.path)} of {c.created or 'unknown date'}\n"
                         f"WORSE: worse by more than {c.tolerance:g}; timings are never flagged",
                         (r.name for r in c.runs))
    labels = list(dict.fromkeys(m.label for r in c.runs for m in r.metrics))
    cells = [{m.label: m for m in r.metrics} for r in c.runs]
    for label in labels:
        row = []
        for by_label in cells:
            m = by_label.get(label)
            text = "" if m is None else f"{fmt(m.before, m.kind)} → {fmt(m.after, m.kind)} ({change_text(m)})"
            row.append(f"[bold red]{text} WORSE[/]" if m is not None and m.flagged else text)
        table.add_row(label, *row)
    return table


def id_lines(c: Comparison, groups, nothing: str) -> list[str]:
    """Per run and group, "run: N question(s) what: id, id … and M more" (the first MAX_IDS ids); ``groups(run)``
    gives (what, ids) pairs; ``nothing`` when no group of any run has an id."""
    lines = []
    for r in c.runs:
        for what, ids in groups(r):
            more = f" and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else ""
            lines += [f"{r.name}: {len(ids)} question(s) {what}: {', '.join(ids[:MAX_IDS])}{more}"] if ids else []
    return lines or [nothing]


def flip_lines(c: Comparison) -> list[str]:
    """Per run: how many questions flipped each way, with their ids (the Markdown has reasons), and the sign test."""
    lines = id_lines(c, lambda r: (("now fail", [f.id for f in r.now_failing]),
                                   ("now pass", [f.id for f in r.now_passing])), "no question changed verdict")
    return lines + [f"{r.name}: {verdict_line(r)}" for r in c.runs if r.now_failing or r.now_passing]


def rank_lines(c: Comparison) -> list[str]:
    """Per run: the questions whose first gold document, and those whose first passage overlapping the evidence, ranks
    lower / higher now, by id (the Markdown has ranks)."""
    return id_lines(c, lambda r: (("ranked lower now", [m.id for m in r.ranked_lower]),
                                  ("ranked higher now", [m.id for m in r.ranked_higher]),
                                  ("with their evidence passage lower now", [m.id for m in r.evidence_lower]),
                                  ("with their evidence passage higher now", [m.id for m in r.evidence_higher])),
                    "no question's first gold document or evidence passage changed rank")


def show(c: Comparison, console) -> None:
    """The comparison in the terminal: the table, the notes, the flipped and re-ranked questions and the verdict
    line."""
    console.print(against_table(c))
    print("\n".join([*c.notes, *flip_lines(c), *rank_lines(c), summary(c)]))
