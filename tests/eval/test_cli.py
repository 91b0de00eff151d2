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
    (["eval", "calibrate", "--min-evidence", "x"], "invalid --min-evidence 'x'"),
    (["eval", "calibrate", "a", "b"], "usage: citebot eval calibrate"),
    (["eval", "--absent", "0.2"], "--absent leaves SQuAD paragraphs out of the index; use it with citebot eval squad"),
    (["eval", "squad", "x.json", "--absent", "1.5"], "--absent must be between 0.0 and 0.9 (got 1.5)"),
])
def test_usage_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1

