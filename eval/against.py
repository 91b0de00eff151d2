"""`citebot eval --against EARLIER.json`: read a report an earlier run wrote and diff it with this run's.

Reading turns the JSON back into an EvalReport (the inverse of eval.report.to_json), so both sides are scored
the same way; every problem with the file is one line (AgainstError). Which metrics are better higher or lower
comes from the chart's lists (eval/chart.py); the timings (the "ms" and "s" metrics of eval.report.METRICS) are
lower-is-better and never flagged.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields, replace
from pathlib import Path

from qa.errors import CitebotError

from .chart import HIGHER, LOWER
from .gold import GoldItem
from .metrics import by_kind, dedupe, reciprocal_rank, score, sign_test
from .records import CitationRecord, EvalReport, QuestionResult, RunResult, Scores, Verdict
from .report import METRICS, value

DEFAULT_TOLERANCE = 0.01
TIMING_KINDS = ("ms", "s")     # units of eval.report.METRICS that are wall times: shown, never flagged
EPSILON = 1e-9                 # a drop of exactly the tolerance is not "more than" it, whatever the float error


class AgainstError(CitebotError):
    """An earlier report that cannot be compared; the message is one line naming the file."""


# -- the comparison ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MetricChange:
    key: str                  # Scores field, "index_seconds" or a by-kind label ("answer recall (single)")
    label: str
    kind: str                 # eval.report.fmt kind: rate, ms, chars, s
    before: float | None
    after: float | None
    direction: int            # +1 higher is better, -1 lower is better, 0 neither (median answer length)
    flagged: bool             # worse by more than the tolerance (never for a timing)

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def timing(self) -> bool:
        return self.kind in TIMING_KINDS

    @property
    def worse(self) -> bool:
        return self.change is not None and self.direction * self.change < -EPSILON

    @property
    def better(self) -> bool:
        return self.change is not None and self.direction * self.change > EPSILON


@dataclass(frozen=True)
class Flip:
    """A question whose verdict changed between the reports."""

    id: str
    question: str
    reasons_now: tuple[str, ...]      # empty: passes now
    reasons_before: tuple[str, ...]   # empty: passed before


@dataclass(frozen=True)
class RankChange:
    """A question whose first gold document ranks elsewhere now: 1-based ranks, None when no gold document is in
    the top RETRIEVAL_DEPTH (the ranks hit@k and MRR@10 score)."""

    id: str
    question: str
    rank_before: int | None
    rank_now: int | None


@dataclass(frozen=True)
class RunChange:
    name: str
    config_before: str
    config_now: str
    metrics: tuple[MetricChange, ...]
    now_failing: tuple[Flip, ...]     # passed before, fail now
    now_passing: tuple[Flip, ...]     # failed before, pass now
    ranked_lower: tuple[RankChange, ...] = ()    # first gold document further down (or out of the top) now
    ranked_higher: tuple[RankChange, ...] = ()
    evidence_lower: tuple[RankChange, ...] = ()  # first passage overlapping the evidence further down now
    evidence_higher: tuple[RankChange, ...] = ()

    @property
    def flagged(self) -> tuple[MetricChange, ...]:
        return tuple(m for m in self.metrics if m.flagged)

    @property
    def verdict_p(self) -> float:
        """Sign test of the questions that changed verdict: how likely a split this uneven is by chance."""
        return sign_test(len(self.now_failing), len(self.now_passing))


@dataclass(frozen=True)
class Comparison:
    path: str                         # the earlier report
    created: str | None               # its "created"
    dataset: str                      # its dataset
    tolerance: float
    runs: tuple[RunChange, ...]       # every run name in both reports, in this run's order
    only_before: tuple[str, ...]      # run names only the earlier report has
    only_now: tuple[str, ...]
    questions_both: int
    questions_only_now: int
    questions_only_before: int
    notes: tuple[str, ...]

    @property
    def flagged(self) -> tuple[tuple[str, MetricChange], ...]:
        return tuple((r.name, m) for r in self.runs for m in r.flagged)


# -- reading an earlier report -----------------------------------------------------------------------

class _Shape(Exception):
    """Inside the reader: what is wrong with the report's structure (turned into an AgainstError)."""


def _need(obj: object, key: str, where: str):
    if not isinstance(obj, dict):
        raise _Shape(f"{where} is not a JSON object")
    if key not in obj:
        raise _Shape(f"{where} has no {key!r} key")
    return obj[key]


def _list(obj: object, key: str, where: str) -> list:
    got = _need(obj, key, where)
    if not isinstance(got, list):
        raise _Shape(f"{where}'s {key!r} is not a list")
    return got


def _record(cls, obj: object, where: str):
    """A dataclass from a JSON object: every field without a default is needed; unknown keys are ignored
    (older reports lack fields that have defaults, newer ones may add keys)."""
    for f in fields(cls):
        if f.default is MISSING:
            _need(obj, f.name, where)
    return cls(**{f.name: obj[f.name] for f in fields(cls) if f.name in obj})


def _item(obj: object, where: str) -> GoldItem:
    qid, question, evidence, kind = (str(_need(obj, name, where)) for name in ("id", "question", "evidence", "kind"))
    return GoldItem(qid, question, tuple(_list(obj, "answers", where)), tuple(_list(obj, "docs", where)), evidence,
                    kind)


def _result(obj: object, items: dict[str, GoldItem], where: str) -> tuple[QuestionResult, Verdict]:
    qid = str(_need(obj, "id", where))
    if qid not in items:
        raise _Shape(f"{where} is question {qid!r}, which 'items' does not list")
    verdict = _record(Verdict, _need(obj, "verdict", where), f"{where}'s verdict")
    if not isinstance(verdict.reasons, list):
        raise _Shape(f"{where}'s verdict reasons are not a list")
    citations = tuple(_record(CitationRecord, c, f"{where}, citation {n + 1}")
                      for n, c in enumerate(_list(obj, "citations", where)))
    stored = _list(obj, "closest", where) if "closest" in obj else []  # reports before closest passages: none
    closest = tuple(_record(CitationRecord, c, f"{where}, closest passage {n + 1}") for n, c in enumerate(stored))
    result = QuestionResult(items[qid], str(_need(obj, "text", where)), bool(_need(obj, "abstained", where)),
                            citations, tuple(_list(obj, "ranked_docs", where)), float(_need(obj, "seconds", where)),
                            obj.get("confidence"), obj.get("highlight"), closest,
                            checked=tuple(obj["checked"]) if isinstance(obj.get("checked"), list) else None)
    return result, replace(verdict, reasons=tuple(verdict.reasons))


def _run(obj: object, items: dict[str, GoldItem], where: str) -> RunResult:
    name = str(_need(obj, "name", where))
    where = f"run {name!r}"
    scores = _need(obj, "scores", where)
    if not isinstance(scores, dict):
        raise _Shape(f"{where}'s 'scores' is not a JSON object")
    pairs = [_result(r, items, f"{where}, result {i + 1}") for i, r in enumerate(_list(obj, "results", where))]
    return RunResult(name, str(obj.get("config", "")), Scores(**{f.name: scores.get(f.name) for f in fields(Scores)}),
                     tuple(r for r, _ in pairs), tuple(v for _, v in pairs), obj.get("index_seconds"),
                     tuple(dict(obj.get("by_kind") or {}).items()))


def from_json(data: object) -> EvalReport:
    """The EvalReport a JSON file written by eval.report.to_json describes; _Shape when it is not one."""
    dataset = str(_need(data, "dataset", "the file"))
    items = {}
    for i, obj in enumerate(_list(data, "items", "the file")):
        item = _item(obj, f"item {i + 1}")
        items[item.id] = item
    runs = tuple(_run(obj, items, f"run {i + 1}") for i, obj in enumerate(_list(data, "runs", "the file")))
    if not runs:
        raise _Shape("'runs' is empty")
    return EvalReport(dataset, str(data.get("gold_path", "")), int(data.get("documents") or 0), runs,
                      data.get("created"), tuple(data.get("notes") or ()))


def read_report(path: str | Path) -> EvalReport:
    """An earlier `citebot eval` JSON report, or AgainstError naming what is wrong in one line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AgainstError(f"earlier report not found: {path}") from None
    except IsADirectoryError:
        raise AgainstError(f"earlier report {path} is a folder; give the .json file `citebot eval` wrote") from None
    except (OSError, UnicodeDecodeError) as e:
        raise AgainstError(f"cannot read earlier report {path}: {e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise AgainstError(f"{path}:{e.lineno}: not valid JSON ({e.msg}, column {e.colno})") from None
    try:
        return from_json(data)
    except _Shape as e:
        raise AgainstError(f"{path} is not a citebot eval report: {e}") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise AgainstError(f"{path} is not a citebot eval report: a value has the wrong type ({e})") from None


def question_ids(report: EvalReport) -> list[str]:
    """Every question id a report's runs answered, in order."""
    return dedupe(r.item.id for run in report.runs for r in run.results)


def check_questions(earlier: EvalReport, path: str | Path, items: Sequence[GoldItem], dataset: str) -> None:
    """AgainstError when the earlier report shares no question with ``items`` (before any evaluation)."""
    before = question_ids(earlier)
    if not set(before) & {i.id for i in items}:
        raise AgainstError(f"{path} is a report over other questions: none of its {len(before)} question ids "
                           f"(dataset {earlier.dataset!r}) is among the {len(items)} of this run (dataset "
                           f"{dataset!r})")


# -- diffing -----------------------------------------------------------------------------------------

def check_tolerance(tolerance: float, name: str = "tolerance") -> None:
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise AgainstError(f"{name} must be a number at least 0 (got {tolerance:g})")


def direction(key: str, kind: str) -> int:
    """+1 when higher is better, -1 when lower is (eval/chart.py's LOWER, and the timings), 0 when neither.
    A by-kind label ("answer recall (single)") goes the way of its metric (answer_recall)."""
    field = key.split(" (")[0].replace(" ", "_")
    if field in {f for f, _ in LOWER} or kind in TIMING_KINDS:
        return -1
    return 1 if field in {f for f, _ in HIGHER} else 0


def metric_change(key: str, label: str, kind: str, before: float | None, after: float | None,
                  tolerance: float) -> MetricChange:
    d = direction(key, kind)
    dropped = before is not None and after is not None and d * (after - before) < -(tolerance + EPSILON)
    return MetricChange(key, label, kind, before, after, d, dropped and kind not in TIMING_KINDS)


def on_questions(run: RunResult, ids: set[str]) -> RunResult:
    """The run restricted to the questions ``ids``, its scores and by-kind figures recomputed on them."""
    pairs = [(r, v) for r, v in zip(run.results, run.verdicts) if r.item.id in ids]
    results, verdicts = tuple(r for r, _ in pairs), tuple(v for _, v in pairs)
    return replace(run, scores=score(results, verdicts), results=results, verdicts=verdicts,
                   by_kind=by_kind(results, verdicts))


def _flips(before: RunResult, now: RunResult) -> tuple[tuple[Flip, ...], tuple[Flip, ...]]:
    earlier = {r.item.id: v for r, v in zip(before.results, before.verdicts)}
    failing, passing = [], []
    for r, v in zip(now.results, now.verdicts):
        old = earlier.get(r.item.id)
        if old is not None and old.failed != v.failed:
            (failing if v.failed else passing).append(Flip(r.item.id, r.item.question, v.reasons, old.reasons))
    return tuple(failing), tuple(passing)


def gold_rank(r: QuestionResult) -> int | None:
    """The 1-based rank of the first gold document among the result's documents, None when none is in the top
    RETRIEVAL_DEPTH: read off eval.metrics.reciprocal_rank, so matched exactly as hit@k and MRR@10 match (the
    ranking deduplicated, gold docs as the report names them: stems were resolved to doc ids before the run)."""
    rr = reciprocal_rank(r.ranked_docs, r.item.docs)
    return round(1 / rr) if rr else None


_UNSCORED = object()  # a question a rank metric does not score


def document_rank(r: QuestionResult, v: Verdict):
    """gold_rank where hit@k scores the question (answerable, with gold docs)."""
    return gold_rank(r) if r.item.answerable and r.item.docs else _UNSCORED


def passage_rank(r: QuestionResult, v: Verdict):
    """The verdict's evidence rank where passage hit@k scores the question; None when not in the top 10."""
    return _UNSCORED if v.evidence_rank is None else (v.evidence_rank or None)


def _rank_changes(before: RunResult, now: RunResult, rank=document_rank) -> tuple[tuple[RankChange, ...],
                                                                                  tuple[RankChange, ...]]:
    """The questions both runs score by ``rank`` (document_rank or passage_rank) whose rank moved: (lower now,
    higher now)."""
    earlier = {r.item.id: (r, v) for r, v in zip(before.results, before.verdicts)}
    lower, higher = [], []
    for r, v in zip(now.results, now.verdicts):
        if r.item.id not in earlier:
            continue
        was, now_rank = rank(*earlier[r.item.id]), rank(r, v)
        if _UNSCORED in (was, now_rank) or was == now_rank:
            continue
        moved_down = now_rank is None or (was is not None and now_rank > was)
        (lower if moved_down else higher).append(RankChange(r.item.id, r.item.question, was, now_rank))
    return tuple(lower), tuple(higher)


def compare_runs(before: RunResult, now: RunResult, tolerance: float) -> RunChange:
    """Each metric before/after (on the questions both runs asked), the questions whose verdict flipped and those
    whose first gold document ranks elsewhere now."""
    ids_before, ids_now = {r.item.id for r in before.results}, {r.item.id for r in now.results}
    if ids_before != ids_now:
        before, now = on_questions(before, ids_now & ids_before), on_questions(now, ids_now & ids_before)
    rows = [metric_change(f, label, kind, value(before, f), value(now, f), tolerance) for f, label, kind in METRICS]
    kinds_before, kinds_now = dict(before.by_kind), dict(now.by_kind)
    rows += [metric_change(label, label, "rate", kinds_before.get(label), kinds_now.get(label), tolerance)
             for label in dedupe([*kinds_now, *kinds_before])]
    return RunChange(now.name, before.config, now.config, tuple(rows), *_flips(before, now),
                     *_rank_changes(before, now), *_rank_changes(before, now, passage_rank))


def compare(earlier: EvalReport, now: EvalReport, path: str | Path,
            tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    """The earlier report against this one, run by run (matched by name)."""
    check_tolerance(tolerance)
    earlier_runs = {r.name: r for r in earlier.runs}
    now_names = [r.name for r in now.runs]
    runs = tuple(compare_runs(earlier_runs[r.name], r, tolerance) for r in now.runs if r.name in earlier_runs)
    before_ids, now_ids = set(question_ids(earlier)), set(question_ids(now))
    both = before_ids & now_ids
    notes = [f"a metric is flagged when it got worse by more than {tolerance:g} (lower is better for false "
             "abstention and the timings; median answer length is neither better nor worse)",
             "timings (ask p50/p95, index time) are shown but never flagged: they vary from run to run and "
             "machine to machine"]
    if before_ids != now_ids:
        notes.append(f"the reports share {len(both)} questions ({len(now_ids - before_ids)} only in this run, "
                     f"{len(before_ids - now_ids)} only in the earlier one): both sides are scored on the "
                     f"{len(both)} in both")
    notes += [f"{r.name}: configuration before {r.config_before!r}, now {r.config_now!r}"
              for r in runs if r.config_before != r.config_now]
    only_before = tuple(n for n in earlier_runs if n not in now_names)
    only_now = tuple(n for n in now_names if n not in earlier_runs)
    if only_before or only_now:
        notes.append("not compared (in one report only): " + ", ".join(
            [f"{n} (earlier)" for n in only_before] + [f"{n} (this run)" for n in only_now]))
    return Comparison(str(path), earlier.created, earlier.dataset, tolerance, runs, only_before, only_now,
                      len(both), len(now_ids - before_ids), len(before_ids - now_ids), tuple(notes))
