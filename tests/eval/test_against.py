"""`citebot eval --against EARLIER.json`: reading an earlier report, the per-metric diff, flipped questions,
the errors, the JSON/Markdown sections and the exit status."""
import dataclasses
import json
import shutil

import pytest

import eval.suite
from citebot.cli import main
from eval import against_report
from eval.against import (AgainstError, check_questions, compare, direction, metric_change, read_report)
from eval.chart import HIGHER, LOWER
from eval.records import EvalReport, PassageRecord
from eval.report import METRICS, to_json, to_markdown, write_outputs
from eval.runner import finish

from .eval_fixtures import ITEMS, RESULTS, read_source

ABSTAIN = "I couldn't find that in the indexed documents."


class Named:
    def __init__(self, name, index_seconds, config=None):
        self.name, self.index_seconds = name, index_seconds
        self.config = config or f"{name} settings"


def before_report(results=RESULTS) -> EvalReport:
    runs = (finish(Named("citebot", 1.5), results, read_source), finish(Named("baseline", None), results, read_source))
    return EvalReport("mini", "mini.jsonl", 4, runs, "2026-01-01 00:00:00", ("a note",))


def after_report(results=None, extra_run=False) -> EvalReport:
    """q1 now abstains (passed before), q4 now abstains (failed before); every answer 10x slower."""
    if results is None:
        results = list(RESULTS)
        results[0] = dataclasses.replace(results[0], text=ABSTAIN, abstained=True, citations=())
        results[3] = dataclasses.replace(results[3], text=ABSTAIN, abstained=True, citations=())
        results = [dataclasses.replace(r, seconds=r.seconds * 10) for r in results]
    runs = [finish(Named("citebot", 3.0), results, read_source), finish(Named("baseline", None), RESULTS, read_source)]
    if extra_run:
        runs.insert(1, finish(Named("citebot dense,k=3", 1.0), results, read_source))
    return EvalReport("mini", "mini.jsonl", 4, tuple(runs), "2026-02-01 00:00:00")


def write_report(report: EvalReport, path):
    path.write_text(json.dumps(to_json(report), indent=1), encoding="utf-8")
    return path


def write_json(data, path):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def by_key(run_change):
    return {m.key: m for m in run_change.metrics}


# -- reading -----------------------------------------------------------------------------------------

def test_a_written_report_reads_back_as_the_same_report(tmp_path):
    results = list(RESULTS)
    results[2] = dataclasses.replace(results[2], closest=results[0].citations)  # a refusal with a closest passage
    results[0] = dataclasses.replace(results[0], ranked_passages=(PassageRecord("d2", "s2", 0, 8),
                                                                  PassageRecord("d1", "s1", 0, 12)))
    report = before_report(tuple(results))
    earlier = read_report(write_outputs(report, tmp_path, chart=False)["json"])
    assert earlier.dataset == "mini" and earlier.created == report.created
    for old, new in zip(report.runs, earlier.runs):
        assert (new.name, new.config, new.index_seconds, new.by_kind) == (old.name, old.config, old.index_seconds,
                                                                          old.by_kind)
        assert new.scores == old.scores and new.verdicts == old.verdicts
        assert [r.item for r in new.results] == [r.item for r in old.results]
        assert [r.citations for r in new.results] == [r.citations for r in old.results]
        assert [r.closest for r in new.results] == [r.closest for r in old.results] and new.results[2].closest
        # the passages are judged when the report is written; it keeps their verdict (where the evidence ranked),
        # not the passages, whose sources may be gone (a temporary index)
        assert all(r.ranked_passages == () for r in new.results)
        assert new.verdicts[0].evidence_rank == 2 and new.scores.passage_hit_at_5 == 1.0


def test_a_report_without_newer_fields_still_reads(tmp_path):
    data = to_json(before_report())
    for run in data["runs"]:
        del run["scores"]["confidence_auc"]
        for r in run["results"]:
            del r["confidence"], r["closest"], r["verdict"]["evidence_rank"]
            for c in r["citations"]:
                del c["date"]
    earlier = read_report(write_json(data, tmp_path / "old.json"))
    assert earlier.runs[0].scores.confidence_auc is None and earlier.runs[0].results[0].confidence is None
    assert all(r.closest == () for r in earlier.runs[0].results)
    assert all(v.evidence_rank is None for v in earlier.runs[0].verdicts)


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(AgainstError, match=r"^earlier report not found: .*nope\.json$"):
        read_report(tmp_path / "nope.json")


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "dataset": "mini",\n oops\n}\n', encoding="utf-8")
    with pytest.raises(AgainstError, match=r"bad\.json:3: not valid JSON"):
        read_report(path)


@pytest.mark.parametrize("data, missing", [
    ({"gold": "seeds", "points": []}, "has no 'dataset' key"),               # a calibration sweep
    ({"dataset": "mini", "items": []}, "has no 'runs' key"),
    ([1, 2], "the file is not a JSON object"),
    ({"dataset": "mini", "items": [], "runs": [{"name": "citebot", "scores": {}}]},
     "run 'citebot' has no 'results' key"),
])
def test_a_json_file_that_is_no_report_says_what_is_missing(tmp_path, data, missing):
    path = write_json(data, tmp_path / "other.json")
    with pytest.raises(AgainstError, match="is not a citebot eval report") as e:
        read_report(path)
    assert missing in str(e.value) and "\n" not in str(e.value)


def test_a_verdict_without_reasons_is_named(tmp_path):
    data = to_json(before_report())
    del data["runs"][1]["results"][2]["verdict"]["reasons"]
    with pytest.raises(AgainstError, match=r"run 'baseline', result 3's verdict has no 'reasons' key"):
        read_report(write_json(data, tmp_path / "r.json"))


def test_reports_over_other_questions_name_both_datasets(tmp_path):
    other = [dataclasses.replace(i, id=f"x-{i.id}") for i in ITEMS]
    with pytest.raises(AgainstError, match=r"over other questions.*dataset 'mini'.*dataset 'squad-dev'"):
        check_questions(before_report(), "before.json", other, "squad-dev")
    check_questions(before_report(), "before.json", other[:3] + list(ITEMS[3:]), "mini")  # one in common: fine


# -- the diff ----------------------------------------------------------------------------------------

def test_directions_come_from_the_chart_and_the_timings():
    for field, _ in HIGHER:
        assert direction(field, "rate") == 1
    for field, _ in LOWER:
        assert direction(field, "rate") == -1
    kinds = {field: kind for field, _, kind in METRICS}
    assert direction("latency_p95_ms", kinds["latency_p95_ms"]) == -1
    assert direction("index_seconds", kinds["index_seconds"]) == -1
    assert direction("median_answer_chars", kinds["median_answer_chars"]) == 0
    assert direction("answer recall (single)", "rate") == 1 and direction("abstention (noise)", "rate") == 1


def test_worse_by_more_than_the_tolerance_is_flagged_whichever_way_is_better():
    assert metric_change("answer_recall", "a", "rate", 0.85, 0.83, 0.01).flagged
    assert not metric_change("answer_recall", "a", "rate", 0.85, 0.84, 0.01).flagged   # exactly the tolerance
    assert not metric_change("answer_recall", "a", "rate", 0.85, 0.95, 0.01).flagged
    assert metric_change("false_abstention", "f", "rate", 0.0, 0.05, 0.01).flagged      # a rise is worse
    assert not metric_change("false_abstention", "f", "rate", 0.05, 0.0, 0.01).flagged
    assert not metric_change("answer_recall", "a", "rate", None, 0.5, 0.01).flagged
    slower = metric_change("latency_p50_ms", "p50", "ms", 10.0, 500.0, 0.01)
    assert slower.worse and not slower.flagged


def test_compare_flags_drops_and_lists_flips(tmp_path):
    path = write_report(before_report(), tmp_path / "before.json")
    c = compare(read_report(path), after_report(), path)
    assert [r.name for r in c.runs] == ["citebot", "baseline"]
    citebot, baseline = c.runs
    m = by_key(citebot)
    assert (m["answer_recall"].before, m["answer_recall"].after) == (0.5, 0.0) and m["answer_recall"].flagged
    assert m["false_abstention"].change == 0.5 and m["false_abstention"].flagged
    assert m["abstention"].better and not m["abstention"].flagged
    assert m["answer recall (single)"].flagged and m["abstention (noise)"].better
    for timing in ("latency_p50_ms", "latency_p95_ms", "index_seconds"):
        assert m[timing].worse and not m[timing].flagged
    assert not m["median_answer_chars"].flagged
    assert [f.id for f in citebot.now_failing] == ["q1"] and [f.id for f in citebot.now_passing] == ["q4"]
    flip = citebot.now_failing[0]
    assert flip.question == "Who is president?"
    assert flip.reasons_now == ("abstained on an answerable question",) and flip.reasons_before == ()
    assert citebot.now_passing[0].reasons_before == ("answered a question the corpus cannot answer",)
    assert not baseline.flagged and not baseline.now_failing and not baseline.now_passing
    assert {(run, m.key) for run, m in c.flagged} >= {("citebot", "answer_recall"), ("citebot", "false_abstention")}
    assert all(run == "citebot" for run, _ in c.flagged)
    assert any("never flagged" in n for n in c.notes)


def test_a_high_tolerance_flags_nothing(tmp_path):
    path = write_report(before_report(), tmp_path / "before.json")
    assert compare(read_report(path), after_report(), path, tolerance=1.0).flagged == ()


def test_runs_in_one_report_only_are_noted_not_compared(tmp_path):
    path = write_report(before_report(), tmp_path / "before.json")
    c = compare(read_report(path), after_report(extra_run=True), path)
    assert [r.name for r in c.runs] == ["citebot", "baseline"] and c.only_now == ("citebot dense,k=3",)
    assert any("citebot dense,k=3 (this run)" in n for n in c.notes)


def test_partly_shared_questions_are_scored_on_those_in_both(tmp_path):
    path = write_report(before_report(), tmp_path / "before.json")
    now = EvalReport("mini", "mini.jsonl", 4, tuple(finish(Named(name, None), RESULTS[1:], read_source)
                                                    for name in ("citebot", "baseline")), "2026-02-01")  # no q1
    c = compare(read_report(path), now, path)
    assert (c.questions_both, c.questions_only_now, c.questions_only_before) == (3, 0, 1)
    assert any("share 3 questions (0 only in this run, 1 only in the earlier one)" in n for n in c.notes)
    m = by_key(c.runs[0])
    assert m["answer_recall"].before == 0.0 and m["answer_recall"].after == 0.0  # q2 alone: no change
    assert not c.runs[0].now_failing and not c.runs[0].flagged


def test_json_and_markdown_carry_the_comparison(tmp_path):
    path = write_report(before_report(), tmp_path / "before.json")
    c = compare(read_report(path), after_report(), path)
    paths = write_outputs(after_report(), tmp_path / "out", chart=False, against=c)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    section = data["against"]
    assert section["path"] == str(path) and section["created"] == "2026-01-01 00:00:00"
    assert {"run": "citebot", "metric": "answer_recall"} in section["flagged"]
    rows = {m["metric"]: m for m in section["runs"][0]["metrics"]}
    assert rows["answer_recall"] == {"metric": "answer_recall", "label": "answer recall", "before": 0.5, "after": 0.0,
                                     "change": -0.5, "better": "higher", "timing": False, "flagged": True}
    assert rows["false_abstention"]["better"] == "lower" and rows["latency_p50_ms"]["timing"] is True
    assert [f["id"] for f in section["runs"][0]["now_failing"]] == ["q1"]
    assert section["runs"][0]["now_passing"][0]["reasons_before"] == ["answered a question the corpus cannot answer"]
    assert data["runs"][0]["name"] == "citebot" and "scores" in data["runs"][0]     # the existing keys stay
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "## Against an earlier report" in md and "### citebot (citebot settings)" in md
    assert "| answer recall | 0.500 | 0.000 | −0.500 | **WORSE** |" in md and "| hit@5 | 1.000 | 1.000 | 0 |  |" in md
    assert "| false abstention (answerable) | 0.000 | 0.500 | +0.500 | **WORSE** |" in md
    assert "`q1` Who is president? — now: abstained on an answerable question; before: passed" in md
    # one question failing, one passing: the sign test reads it as chance (p = 1), in both files
    assert section["runs"][0]["verdict_sign_test_p"] == 1.0 and "verdict_sign_test_p" in section["runs"][1]
    assert "Verdicts changed: 1 now failing, 1 now passing; sign test p = 1.000 (within what chance gives)." in md
    assert against_report.flip_lines(c)[-1] == ("citebot: Verdicts changed: 1 now failing, 1 now passing; sign test "
                                                "p = 1.000 (within what chance gives).")
    assert "timings (ask p50/p95, index time) are shown but never flagged" in md
    assert "against" not in json.loads(json.dumps(to_json(after_report())))
    assert "Against an earlier report" not in to_markdown(after_report())


def test_the_markdown_caps_the_flips(tmp_path):
    from eval import against_report

    path = write_report(before_report(), tmp_path / "before.json")
    c = compare(read_report(path), after_report(), path)
    run = dataclasses.replace(c.runs[0], now_failing=c.runs[0].now_failing * (against_report.MAX_FLIPS + 7))
    md = "\n".join(against_report.md_run(run))
    assert md.count("- `q1`") == against_report.MAX_FLIPS and "… and 7 more" in md


# -- questions whose gold document moved -------------------------------------------------------------

def reranked(order: dict, results=RESULTS) -> list:
    """The results with the ranked docs of some questions (id -> docs, best first) replaced; answers unchanged."""
    return [dataclasses.replace(r, ranked_docs=order[r.item.id]) if r.item.id in order else r for r in results]


def rank_comparison(tmp_path, before: dict, now: dict, results=RESULTS):
    """compare() of two hand-made reports that differ only in ranked docs, the earlier one read from its JSON."""
    path = write_report(before_report(reranked(before, results)), tmp_path / "before.json")
    runs = tuple(finish(Named(name, None), reranked(now, results), read_source) for name in ("citebot", "baseline"))
    return compare(read_report(path), EvalReport("mini", "mini.jsonl", 4, runs, "2026-02-01"), path)


def test_a_gold_doc_from_rank_1_to_2_is_ranked_lower_with_both_ranks_though_no_verdict_flips(tmp_path):
    # q1's gold doc d1: first before, second now (d2 repeats: passages of one document count once, as in hit@k);
    # q2 unchanged; q3 and q4 have no gold docs, so their new rankings are not listed
    c = rank_comparison(tmp_path, {"q1": ("d1", "d2")},
                        {"q1": ("d2", "d2", "d1"), "q3": ("d4", "d1"), "q4": ("d1", "d2")})
    citebot = c.runs[0]
    assert by_key(citebot)["hit_at_1"].flagged and not citebot.now_failing and not citebot.now_passing
    assert [(m.id, m.question, m.rank_before, m.rank_now) for m in citebot.ranked_lower] == [
        ("q1", "Who is president?", 1, 2)]
    assert citebot.ranked_higher == ()


def test_a_gold_doc_leaving_or_entering_the_top_10_has_no_rank_there(tmp_path):
    others = tuple(f"x{n}" for n in range(10))
    c = rank_comparison(tmp_path, {"q1": ("d1",), "q2": (*others, "d2")},    # q2: d2 11th, not in the top 10
                        {"q1": others, "q2": ("d3", "d2")})
    citebot = c.runs[0]
    assert [(m.id, m.rank_before, m.rank_now) for m in citebot.ranked_lower] == [("q1", 1, None)]
    assert [(m.id, m.rank_before, m.rank_now) for m in citebot.ranked_higher] == [("q2", None, 2)]
    m = by_key(citebot)
    assert (m["mrr_at_10"].before, m["mrr_at_10"].after) == (0.5, 0.25)      # the same ranks MRR@10 scores


def test_gold_docs_named_by_stem_are_ranked_as_the_metrics_match_them(tmp_path):
    from eval.gold import check_docs

    # the gold file names d1, d2 (stems); the index names d1.md, d2.md: resolved before any run, as for the metrics
    items = check_docs(ITEMS, ["d1.md", "d2.md", "d3.md", "d4.md"], "mini.jsonl")
    results = [dataclasses.replace(r, item=i, ranked_docs=tuple(f"{d}.md" for d in r.ranked_docs))
               for r, i in zip(RESULTS, items)]
    c = rank_comparison(tmp_path, {}, {"q1": ("d3.md", "d2.md", "d1.md")}, results)
    citebot = c.runs[0]
    assert [(m.id, m.rank_before, m.rank_now) for m in citebot.ranked_lower] == [("q1", 2, 3)]
    m = by_key(citebot)
    assert (m["mrr_at_10"].before, m["mrr_at_10"].after) == (0.5, (1 / 3 + 1 / 2) / 2)


def test_rank_changes_in_json_markdown_and_terminal(tmp_path, capsys):
    from rich.console import Console

    from eval import against_report

    c = rank_comparison(tmp_path, {"q1": ("d1", "d2")}, {"q1": ("d3", "d2"), "q2": ("d2", "d3")})
    paths = write_outputs(after_report(), tmp_path / "out", chart=False, against=c)
    run = json.loads(paths["json"].read_text(encoding="utf-8"))["against"]["runs"][0]
    assert run["ranked_lower"] == [{"id": "q1", "question": "Who is president?", "rank_before": 1, "rank_now": None}]
    assert run["ranked_higher"] == [{"id": "q2", "question": "When was Harris tasked?", "rank_before": 2,
                                     "rank_now": 1}]
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "**ranked lower now" in md and "- `q1` Who is president? — rank 1 → not in top 10" in md
    assert "**ranked higher now" in md and "- `q2` When was Harris tasked? — rank 2 → 1" in md
    assert md.index("ranked lower now") < md.index("`q1` Who is president? — rank")

    against_report.show(c, Console(width=200))
    out = capsys.readouterr().out
    assert "citebot: 1 question(s) ranked lower now: q1" in out
    assert "citebot: 1 question(s) ranked higher now: q2" in out


def with_passages(spans: dict, results=RESULTS):
    """The results with the given questions' passages (doc, source, start, end), their doc ranking to match."""
    out = []
    for r in results:
        found = tuple(PassageRecord(*p) for p in spans.get(r.item.id, ()))
        out.append(dataclasses.replace(r, ranked_passages=found, ranked_docs=tuple(p.doc_id for p in found))
                   if found else r)
    return tuple(out)


def test_evidence_passage_moves_are_listed_in_json_markdown_and_terminal(tmp_path, capsys):
    from rich.console import Console

    from eval import against_report

    # q1's evidence is s1[0:26] (doc d1), q2's s2[0:29] (doc d2): q1's passage falls out of the top 10 (d1's only
    # passage now is "More.") though d1 stays second; q2's rises from second to first
    before = with_passages({"q1": [("d1", "s1", 0, 26)], "q2": [("d3", "s3", 0, 5), ("d2", "s2", 0, 29)]})
    now = with_passages({"q1": [("d2", "s2", 0, 5), ("d1", "s1", 27, 32)], "q2": [("d2", "s2", 0, 29)]})
    path = write_report(before_report(before), tmp_path / "before.json")
    runs = tuple(finish(Named(name, None), now, read_source) for name in ("citebot", "baseline"))
    c = compare(read_report(path), EvalReport("mini", "mini.jsonl", 4, runs, "2026-02-01"), path)
    citebot = c.runs[0]
    assert [(m.id, m.rank_before, m.rank_now) for m in citebot.evidence_lower] == [("q1", 1, None)]
    assert [(m.id, m.rank_before, m.rank_now) for m in citebot.evidence_higher] == [("q2", 2, 1)]
    assert by_key(citebot)["passage_hit_at_1"].before == 0.5 and by_key(citebot)["passage_hit_at_1"].after == 0.5
    paths = write_outputs(after_report(now), tmp_path / "out", chart=False, against=c)
    run = json.loads(paths["json"].read_text(encoding="utf-8"))["against"]["runs"][0]
    assert run["evidence_ranked_lower"] == [{"id": "q1", "question": "Who is president?", "rank_before": 1,
                                             "rank_now": None}]
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "**the first passage overlapping the evidence ranked lower now" in md
    assert "- `q2` When was Harris tasked? — rank 2 → 1" in md
    against_report.show(c, Console(width=200))
    out = capsys.readouterr().out
    assert "citebot: 1 question(s) with their evidence passage lower now: q1" in out
    assert "citebot: 1 question(s) with their evidence passage higher now: q2" in out


def test_questions_without_passages_are_not_listed_as_evidence_moves(tmp_path):
    # the fixtures carry no passages (a system that does not say where they lie): nothing to compare
    c = rank_comparison(tmp_path, {"q1": ("d1", "d2")}, {"q1": ("d3", "d2")})
    assert all(r.evidence_lower == () and r.evidence_higher == () for r in c.runs)


def test_unchanged_ranks_are_not_listed(tmp_path, capsys):
    from rich.console import Console

    from eval import against_report

    c = rank_comparison(tmp_path, {}, {})
    assert all(r.ranked_lower == () and r.ranked_higher == () for r in c.runs)
    md = "\n".join(against_report.md_run(c.runs[0]))
    assert "ranked lower now" not in md and "No question's first gold document changed rank." in md
    against_report.show(c, Console(width=200))
    assert "no question's first gold document or evidence passage changed rank" in capsys.readouterr().out


def test_rank_changes_are_capped_in_the_markdown_and_the_terminal(tmp_path):
    from eval import against_report

    c = rank_comparison(tmp_path, {"q1": ("d1",)}, {"q1": ("d2", "d1")})
    many = c.runs[0].ranked_lower * (against_report.MAX_FLIPS + 7)
    run = dataclasses.replace(c.runs[0], ranked_lower=many)
    md = "\n".join(against_report.md_run(run))
    assert md.count("- `q1` Who is president? — rank 1 → 2") == against_report.MAX_FLIPS
    assert "… and 7 more" in md
    line, = [t for t in against_report.rank_lines(dataclasses.replace(c, runs=(run,))) if "ranked lower" in t]
    assert line.count("q1") == against_report.MAX_IDS
    assert line.endswith(f"and {len(many) - against_report.MAX_IDS} more")


# -- the command -------------------------------------------------------------------------------------

def write_gold(path, items=ITEMS):
    path.write_text("".join(json.dumps(dataclasses.asdict(i)) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture()
def fake_evaluation(monkeypatch):
    """evaluate() swapped for the hand-made after-report: these tests are about the command around it."""
    calls = []

    def evaluate(corpus, items, *args, **kwargs):
        calls.append([i.id for i in items])
        return dataclasses.replace(after_report(), dataset=corpus.name)
    monkeypatch.setattr(eval.suite, "evaluate", evaluate)
    return calls


def cli(tmp_path, *extra):
    gold = write_gold(tmp_path / "mini.jsonl")
    return main(["eval", str(gold), "--index-dir", str(tmp_path), "--out", str(tmp_path / "out"), *extra])


def test_the_command_writes_the_comparison_and_exits_by_fail_on_drop(tmp_path, capsys, fake_evaluation):
    before = write_report(before_report(), tmp_path / "before.json")
    assert cli(tmp_path, "--against", str(before)) == 0
    out = capsys.readouterr().out
    assert "WORSE" in out and "citebot: 1 question(s) now fail: q1" in out
    assert "metric(s) worse by more than 0.01" in out
    data = json.loads((tmp_path / "out" / "mini.json").read_text(encoding="utf-8"))
    assert data["against"]["path"] == str(before) and data["against"]["flagged"]
    assert "## Against an earlier report" in (tmp_path / "out" / "mini.md").read_text(encoding="utf-8")

    assert cli(tmp_path, "--against", str(before), "--fail-on-drop") == 1
    assert "(--fail-on-drop)" in capsys.readouterr().err
    assert (tmp_path / "out" / "mini.json").is_file()                        # written before exiting 1
    assert cli(tmp_path, "--against", str(before), "--fail-on-drop", "--tolerance", "1") == 0


def test_the_command_against_the_same_results_passes(tmp_path, capsys, fake_evaluation):
    same = write_report(after_report(), tmp_path / "same.json")
    assert cli(tmp_path, "--against", str(same), "--fail-on-drop") == 0
    assert "no metric got worse by more than 0.01" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--against", "nope.json"], "earlier report not found: nope.json"),
    (["--against", "before.json", "--tolerance", "-0.1"], "--tolerance must be a number at least 0 (got -0.1)"),
    (["--fail-on-drop"], "--tolerance and --fail-on-drop need --against EARLIER.json"),
    (["--tolerance", "0.1"], "--tolerance and --fail-on-drop need --against EARLIER.json"),
    (["--against", "other.json"], "is a report over other questions"),
    (["--against", "bad.json"], "bad.json:1: not valid JSON"),
])
def test_bad_against_input_is_one_line_before_any_evaluation(tmp_path, monkeypatch, capsys, fake_evaluation,
                                                             extra, message):
    monkeypatch.chdir(tmp_path)
    write_report(before_report(), tmp_path / "before.json")
    renamed = [dataclasses.replace(r, item=dataclasses.replace(r.item, id="z" + r.item.id)) for r in RESULTS]
    other = dataclasses.replace(before_report(renamed), dataset="elsewhere")
    write_report(other, tmp_path / "other.json")
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    assert cli(tmp_path, *extra) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert fake_evaluation == []                                             # the evaluation never started


def test_calibrate_refuses_against(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["eval", "calibrate", "--against", "before.json"]) == 2
    err = capsys.readouterr().err
    assert "calibrate writes none" in err and err.count("\n") == 1


def test_squad_runs_take_against(tmp_path, capsys, fake_evaluation):
    squad = {"version": "v2.0", "data": [{"title": "T", "paragraphs": [{"context": "Selee is president.", "qas": [
        {"id": "s1", "question": "Who is president?", "answers": [{"text": "Selee", "answer_start": 0}],
         "is_impossible": False}]}]}]}
    (tmp_path / "sq.json").write_text(json.dumps(squad), encoding="utf-8")
    before = write_report(before_report(), tmp_path / "before.json")
    assert main(["eval", "squad", str(tmp_path / "sq.json"), "--index-dir", str(tmp_path), "--out",
                 str(tmp_path / "out"), "--against", str(before)]) == 2    # its question ids are s1, not q1..q4
    assert "is a report over other questions" in capsys.readouterr().err and fake_evaluation == []


# -- end to end: the real evaluation over a small hash-embedded index --------------------------------

NEWS_GOLD = (
    {"id": "n1", "question": "When did the harbour bridge reopen?", "answers": ["Friday"],
     "docs": ["bridge", "ferry"], "evidence": "The harbour bridge reopened on Friday", "kind": "multi"},
    {"id": "n2", "question": "What did the city library extend for the summer?", "answers": ["opening hours"],
     "docs": ["library"], "evidence": "The city library extended its opening hours for the summer.",
     "kind": "single"},
    {"id": "n3", "question": "Who is the mayor of Reykjavik?", "answers": [], "docs": [], "evidence": "",
     "kind": "unanswerable"},
)


def test_against_end_to_end(news_index, tmp_path, monkeypatch, capsys):
    import index
    from eval.configs import CitebotSystem
    from tests.fakes import HashEmbedder

    monkeypatch.setattr(index, "get_embedder", HashEmbedder)      # forget_query_vectors: no model either
    _, ix = news_index
    gold = tmp_path / "news.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in NEWS_GOLD), encoding="utf-8")
    args = ["eval", str(gold), "--index-dir", str(ix), "--no-baseline", "--no-curves", "--out", str(tmp_path / "out")]
    assert main(args) == 0
    before = tmp_path / "before.json"
    shutil.copy(tmp_path / "out" / "news.json", before)                     # the report of the code "before"
    earlier = json.loads(before.read_text(encoding="utf-8"))["runs"][0]
    assert earlier["scores"]["answer_recall"] > 0
    answerable = {g["id"] for g in NEWS_GOLD if g["answers"]}
    passed = {r["id"] for r in earlier["results"] if not r["verdict"]["failed"] and r["id"] in answerable}

    assert main([*args, "--against", str(before), "--fail-on-drop"]) == 0  # same code: nothing flagged
    section = json.loads((tmp_path / "out" / "news.json").read_text(encoding="utf-8"))["against"]
    assert section["flagged"] == [] and section["runs"][0]["now_failing"] == []
    assert section["runs"][0]["ranked_lower"] == [] and section["runs"][0]["ranked_higher"] == []

    def abstain(self, question):                                            # the "change": citebot stops answering
        from tests.eval.eval_fixtures import FakeAnswer
        return FakeAnswer(ABSTAIN, True)

    def rerank(self, question, depth):                                      # and retrieves otherwise: n1's gold
        docs = ["library.txt"] if "bridge" in question else ["bridge.txt", "ferry.txt", "library.txt"]  # docs gone
        return [PassageRecord(d, "", 0, 1) for d in docs]
    monkeypatch.setattr(CitebotSystem, "answer", abstain)
    monkeypatch.setattr(CitebotSystem, "ranked_passages", rerank)
    capsys.readouterr()
    assert main([*args, "--against", str(before), "--fail-on-drop"]) == 1
    section = json.loads((tmp_path / "out" / "news.json").read_text(encoding="utf-8"))["against"]
    assert {"run": "citebot", "metric": "answer_recall"} in section["flagged"]
    assert {f["id"] for f in section["runs"][0]["now_failing"]} == passed
    gold = {g["id"]: g for g in json.loads(before.read_text(encoding="utf-8"))["items"]}   # stems resolved: bridge.txt
    was = {r["id"]: next((n for n, d in enumerate(r["ranked_docs"][:10], 1) if d in gold[r["id"]]["docs"]), None)
           for r in earlier["results"]}
    assert was["n1"] is not None and was["n2"] in (1, 2) and was["n3"] is None      # before: gold docs near the top
    assert {(m["id"], m["rank_before"], m["rank_now"]) for m in section["runs"][0]["ranked_lower"]} == {
        ("n1", was["n1"], None), ("n2", was["n2"], 3)}                       # n3 has no gold docs: never listed
    assert section["runs"][0]["ranked_higher"] == []
    assert "## Against an earlier report" in (tmp_path / "out" / "news.md").read_text(encoding="utf-8")
