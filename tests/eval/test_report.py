"""JSON, Markdown, terminal table and PNG chart of a report built from hand-made runs."""
import json
import subprocess
import sys

from eval.metrics import judge
from eval.records import EvalReport
from eval.report import rich_table, to_markdown, write_outputs
from eval.runner import finish

from .eval_fixtures import RESULTS, read_source


class Named:
    def __init__(self, name, index_seconds):
        self.name, self.config, self.index_seconds = name, f"{name} settings", index_seconds


def report() -> EvalReport:
    runs = (finish(Named("citebot", 1.5), RESULTS, read_source), finish(Named("baseline", None), RESULTS[:2], read_source))
    return EvalReport("mini", "mini.jsonl", 4, runs, "2026-01-01 00:00:00", ("a note",))


def test_outputs_are_written(tmp_path):
    paths = write_outputs(report(), tmp_path / "out")
    assert {p.name for p in paths.values()} == {"mini.json", "mini.md", "mini.png"}
    assert paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [r["name"] for r in data["runs"]] == ["citebot", "baseline"]
    citebot = data["runs"][0]
    assert citebot["scores"]["exact_offsets"] == 0.75 and citebot["index_seconds"] == 1.5
    assert citebot["results"][0]["ranked_docs"] == ["d2", "d1"]
    assert citebot["results"][1]["verdict"]["failed"] is True
    assert {i["id"] for i in data["items"]} == {"q1", "q2", "q3", "q4"}


def test_columns_are_named_for_people():
    from eval.report import column

    assert column("citebot", "hybrid,k=5") == "default (guarded)"
    assert column("citebot heuristic,hybrid,k=5", "heuristic,hybrid,k=5") == "heuristic"
    assert column("citebot reader,hybrid,k=5") == "reader"
    assert column("citebot dense,k=10") == "dense,k=10"
    assert column("baseline") == "LangChain baseline"


def test_markdown_lists_metrics_reasons_and_failures():
    md = to_markdown(report(), "mini.png")
    assert "| metric | default (guarded) | LangChain baseline |" in md
    assert md.index("| answer recall |") < md.index("| hit@1 |")  # the headline first
    assert "| exact offsets | 0.750 | 0.667 |" in md
    assert "| index time (s) | 1.5 | n/a |" in md
    assert "![metrics per configuration and latency distribution](mini.png)" in md
    assert "## Failed questions: default (guarded) (2 of 4)" in md
    assert md.index("## Failed questions") < md.index("## Failure reasons")  # right after the figures
    assert "### q2 (multi): When was Harris tasked?" in md and "- gold: “March”" in md
    assert "[2] d3:0-17 “Weather was fine.”" in md
    assert "### q4 (noise)" in md and "### q1 " not in md


def test_rich_table_has_a_column_per_run():
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(rich_table(report()))
    text = console.export_text()
    assert "citebot" in text and "baseline" in text and "answer recall (multi)" in text


def test_importing_the_cli_loads_no_heavy_modules():
    code = ("import sys, eval.cli, eval.report, eval.chart; "
            "print(sorted(m for m in ('torch', 'matplotlib', 'sentence_transformers', 'faiss', 'qa.api', "
            "'langchain_core', 'onnxruntime') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_verdicts_match_judge():
    r = report().runs[0]
    assert r.verdicts == tuple(judge(x, read_source) for x in RESULTS)
