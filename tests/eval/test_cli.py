"""`citebot eval` usage errors: one line, exit 2, before any model is loaded."""
import pytest

from citebot.cli import main


@pytest.mark.parametrize("argv, message", [
    (["eval", "squad"], "usage: citebot eval squad PATH.json"),
    (["eval", "a.jsonl", "b.jsonl"], "one gold file expected, got 2"),
    (["eval", "missing.jsonl"], "gold file not found: missing.jsonl"),
    (["eval", "--compare", "turbo"], "invalid --compare spec 'turbo'"),
    (["eval", "--mode", "fuzzy"], "invalid --mode 'fuzzy'; valid values: hybrid, dense, lexical"),
    (["eval", "-k", "0"], "invalid -k 0"),
    (["eval", "squad", "missing.json"], "SQuAD file not found: missing.json"),
    (["eval", "calibrate", "--answerer", "heuristic", "--min-evidence", "x"], "invalid --min-evidence 'x'"),
    (["eval", "calibrate", "--min-evidence", "0.5"], "--min-evidence and --keep-ratio sweep the heuristic's settings; "
                                                     "add --answerer heuristic (got --answerer guarded)"),
    (["eval", "calibrate", "a", "b"], "usage: citebot eval calibrate"),
    (["eval", "calibrate", "squad"], "usage: citebot eval calibrate squad PATH.json"),
    (["eval", "calibrate", "squad", "missing.json"], "SQuAD file not found: missing.json"),
    (["eval", "squad", "x.json", "--held-out", "--articles", "A"], "--held-out and --articles both choose"),
    (["eval", "--held-out"], "--held-out chooses SQuAD articles; use it with citebot eval squad"),
    (["eval", "--articles", "A"], "--articles chooses SQuAD articles"),
    (["eval", "--answerer", "heuristic"], "--answerer picks what calibrate tunes"),
    (["eval", "--absent", "0.2"], "--absent leaves SQuAD paragraphs out of the index; use it with citebot eval squad"),
    (["eval", "squad", "x.json", "--absent", "1.5"], "--absent must be between 0.0 and 0.9 (got 1.5)"),
    (["eval", "--llm-base-url", "http://127.0.0.1:9/v1"], "--llm-base-url needs --llm-model"),
])
def test_usage_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1



def test_calibrate_squad_sweeps_the_answerers_threshold_on_every_question(tmp_path, monkeypatch, capsys):
    """calibrate squad PATH: one forced run of the chosen answerer over the file's questions, then the sweep."""
    import contextlib
    import json
    from pathlib import Path

    import eval.suite
    import eval.threshold as th
    from eval.threshold import ThresholdPoint

    squad = {"data": [{"title": "T", "paragraphs": [{"context": "Sand is made of quartz.", "qas": [
        {"id": "q1", "question": "What is sand made of?", "answers": [{"text": "quartz", "answer_start": 16}]},
        {"id": "q2", "question": "What is glass made of?", "is_impossible": True, "answers": []}]}]}]}
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(squad), encoding="utf-8")
    seen = {}

    @contextlib.contextmanager
    def fake_index(corpus):
        seen["docs"] = sorted(p.name for p in Path(corpus.paths[0]).iterdir())
        yield "the-index", None

    def fake_sweep(items, index_dir, answerer, mode, k, advance=None):
        seen.update(ids=[i.id for i in items], index_dir=index_dir, answerer=answerer)
        return [ThresholdPoint(0.5, 1.0, 0.0, 0.0, 1.0), ThresholdPoint(0.9, 0.0, 1.0, 1.0, None)], 0.6

    monkeypatch.setattr(eval.suite, "corpus_index", fake_index)
    monkeypatch.setattr(th, "threshold_sweep", fake_sweep)
    assert main(["eval", "calibrate", "squad", str(path), "--answerer", "heuristic", "--out", str(tmp_path / "out")]) == 0
    assert seen == {"docs": ["000_000.txt"], "ids": ["q1", "q2"], "index_dir": "the-index", "answerer": "heuristic"}
    written = json.loads((tmp_path / "out" / "calibrate-heuristic-mini.json").read_text(encoding="utf-8"))
    assert written["recommended"]["threshold"] == 0.5 and written["shipped"] == 0.6
    assert "min_evidence" in capsys.readouterr().out


@pytest.mark.slow
def test_the_llm_answerer_runs_beside_the_default(seeds_index, tmp_path, capsys):
    """--llm-model/--llm-base-url: a second run, the LLM answering (here a stub that finds nothing: it abstains)."""
    import json

    from tests.qa.test_llm_stub import StubOpenAI

    stub = StubOpenAI()
    try:
        assert main(["eval", "--index-dir", str(seeds_index), "--limit", "4", "--no-baseline", "--no-curves",
                     "--llm-model", "stub-model", "--llm-base-url", stub.url, "--out", str(tmp_path)]) == 0
    finally:
        stub.server.shutdown()
    runs = json.loads((tmp_path / "seeds.json").read_text())["runs"]
    assert [r["config"] for r in runs] == ["hybrid,k=5", "llm stub-model,hybrid,k=5"]
    assert all(r["abstained"] for r in runs[1]["results"]) and len(stub.requests) >= 4
    assert "llm stub-model" in capsys.readouterr().out
