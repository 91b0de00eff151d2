"""The command line's edges: one-line errors, exit status 2, JSON output."""
import json
import re
import subprocess
import sys

import pytest

from citebot.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "citebot.cli", *args], capture_output=True, text=True)


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_a_usage_error(question, capsys):
    assert main(["ask", question, "--index-dir", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "question is empty" in err


def test_missing_index_says_what_to_run(tmp_path, capsys):
    assert main(["ask", "Who?", "--index-dir", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "citebot index PATH" in err


def test_missing_path_to_index(tmp_path, capsys):
    assert main(["index", str(tmp_path / "missing"), "--index-dir", str(tmp_path / "ix")]) == 2
    assert "path not found" in capsys.readouterr().err


def test_unknown_option_exits_2_with_one_line():
    r = run("ask")
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "question" in r.stderr


@pytest.mark.slow
def test_ask_json_round_trip(seeds_index):
    r = run("ask", "Who is the president of the Migration Policy Institute?", "--index-dir", str(seeds_index),
            "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert not data["abstained"] and data["citations"]
    c = data["citations"][0]
    assert open(c["source"], encoding="utf-8").read()[c["start"]:c["end"]] == c["quote"]


def test_ask_notes_sources_changed_since_indexing(news_index, capsys):
    docs, ix = news_index
    (docs / "ferry.txt").unlink()
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("note: 1 source changed since indexing; run citebot index\n")
    assert "ferry.txt" not in out and "[2]" not in out


@pytest.mark.slow
def test_index_prepares_the_onnx_query_encoder(tmp_path, monkeypatch, capsys):
    from index import get_embedder
    from index.onnx_text import cache_ready

    monkeypatch.setenv("CITEBOT_CACHE_DIR", str(tmp_path / "cache"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The harbour bridge reopened on Friday. Traffic was light.\n", encoding="utf-8")
    assert main(["index", str(docs), "--index-dir", str(tmp_path / "ix")]) == 0
    e = get_embedder()
    assert cache_ready(e.model_dir, e.weights_sha256)  # the first ask loads it without torch
    assert main(["index", str(docs), "--index-dir", str(tmp_path / "ix")]) == 0  # cached: nothing exported again
    assert "1 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--answerer", "oracle"], "invalid answerer 'oracle'; valid values: guarded, heuristic, reader"),
    (["--answerer", "reader", "--min-confidence", "1.5"], "--min-confidence must be between 0.0 and 1.0 (got 1.5)"),
    (["-k", "0"], "-k must be at least 1 (got 0)"),
    (["--answerer", "heuristic", "--min-confidence", "0.5"], "min_confidence is the reader's threshold; use it with "
                                                             "answerer 'reader' or 'guarded' (got answerer 'heuristic')"),
])
def test_bad_answerer_options_are_one_line_usage_errors(news_index, capsys, args, message):
    _, ix = news_index
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_ask_json_carries_the_confidence(news_index, capsys):
    _, ix = news_index
    for answerer in ("reader", "heuristic"):
        assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), "--json",
                     "--answerer", answerer]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["answerer"] == answerer and isinstance(data["confidence"], float)
        assert isinstance(data["low_confidence"], bool)


def test_an_abstention_lists_related_passages(news_index, capsys):
    _, ix = news_index
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), "--answerer", "reader",
                 "--min-confidence", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("I couldn't find that") and "Related, not an answer:" in out
    related = [line for line in out.split("Related, not an answer:")[1].splitlines() if line.startswith("- ")]
    assert related and len(related) == len(set(related))  # one line per document
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), "--answerer", "reader",
                 "--min-confidence", "1", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    ids = [r["doc_id"] for r in got["related"]]
    assert got["abstained"] and ids and len(ids) == len(set(ids)) and all(r["source"] for r in got["related"])


def test_a_refusal_the_heuristic_would_have_answered_shows_its_closest_passage(news_index, capsys):
    _, ix = news_index
    q = "When did the harbour bridge reopen?"
    assert main(["ask", q, "--index-dir", str(ix), "--answerer", "reader", "--min-confidence", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("I couldn't find that")
    closest = re.split(r"Closest passages?, not confirmed as an answer \(confidence ", out)[1].split("Related")[0]
    assert "reopened" in closest and "characters " in closest
    shown = [line for line in closest.splitlines() if line.startswith("    ")]  # each quote's document line
    related = out.split("Related, not an answer:")[1] if "Related, not an answer:" in out else ""
    assert not any(line.split("(")[1].split(",")[0] in related for line in shown)  # quoted: not listed again
    assert main(["ask", q, "--index-dir", str(ix), "--answerer", "reader", "--min-confidence", "1", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["abstained"] and got["citations"] == [] and got["closest"]
    for c in got["closest"]:
        with open(c["source"], encoding="utf-8") as f:
            assert f.read()[c["start"]:c["end"]] == c["quote"]
    assert main(["ask", q, "--index-dir", str(ix), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["closest"] == []  # an answer has none


def test_the_answerer_can_come_from_the_environment(news_index, capsys, monkeypatch):
    _, ix = news_index
    monkeypatch.setenv("CITEBOT_ANSWERER", "reader")
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answerer"] == "reader"
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), "--json",
                 "--answerer", "heuristic"]) == 0  # the flag wins
    assert json.loads(capsys.readouterr().out)["answerer"] == "heuristic"
    monkeypatch.setenv("CITEBOT_ANSWERER", "oracle")
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix)]) == 2
    assert "invalid answerer 'oracle'" in capsys.readouterr().err


def test_output_piped_into_a_reader_that_leaves_ends_quietly():
    """`citebot ask … | head -2`: when the reader closes the pipe, no BrokenPipeError traceback."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys, citebot.commands as c; c.cmd_ask = lambda a: [print('x' * 100) for _ in range(200000)];"
            " from citebot.cli import main; sys.exit(main(['ask', 'q']))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(300)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and "Traceback" not in err and err == ""


def test_ask_json_marks_the_answers_words_unless_told_not_to(news_index, capsys):
    _, ix = news_index
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), "--json",
                 "--answerer", "heuristic"]) == 0
    data = json.loads(capsys.readouterr().out)
    h = data["highlight"]
    assert h is not None and data["text"][h["start"]:h["end"]] == h["text"]  # which words: tests/qa/test_highlight
    marked = [c for c in data["citations"] if c["highlight"]]
    assert len(marked) == 1 and marked[0]["text"][slice(*marked[0]["highlight"])] == h["text"]
    assert main(["ask", "When did the harbour bridge reopen?", "--index-dir", str(ix), "--json",
                 "--answerer", "heuristic", "--no-highlight"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["highlight"] is None and not any(c["highlight"] for c in data["citations"])


def test_the_terminal_shows_the_mark_in_bold_and_a_pipe_gets_plain_text():
    from citebot.commands import _marked

    assert _marked("Built in 1932 [1].", (9, 13), bold=True) == "Built in \033[1m1932\033[0m [1]."
    assert _marked("Built in 1932 [1].", (9, 13), bold=False) == "Built in 1932 [1]."
    assert _marked("Built in 1932 [1].", None, bold=True) == "Built in 1932 [1]."


@pytest.mark.slow
def test_an_off_topic_question_says_nothing_is_close_and_lists_nothing_as_related(seeds_index, capsys):
    ix = seeds_index
    q = "Who wrote the novel One Hundred Years of Solitude?"
    assert main(["ask", q, "--index-dir", str(ix)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("I couldn't find that") and "Nothing in the documents is close to this question." in out
    assert "Related" not in out and "Closest" not in out
    assert main(["ask", q, "--index-dir", str(ix), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["abstained"] and got["off_topic"] and got["related"] == [] and got["closest"] == []


def test_terminal_and_json_show_section_and_page():
    from citebot.commands import _render
    from qa import Answer, Citation

    c = Citation(1, "spec.pdf", "/docs/spec.pdf", "Spec", "Locks are taken in order.", 10, 35, 1.0,
                 page=4, section="Design › Locking")
    a = Answer("q", "Locks are taken in order. [1]", False, [c])
    assert "(spec.pdf, Design › Locking, p. 4, characters 10-35)" in _render(a, False)
    cited = json.loads(_render(a, True))["citations"][0]
    assert cited["page"] == 4 and cited["section"] == "Design › Locking"
