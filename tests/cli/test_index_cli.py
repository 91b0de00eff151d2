"""`citebot index` as a user runs it: option checks first, one line per skipped file, a line per path."""
import pytest

import index as index_package
from citebot.cli import main
from index import build as build_module
from tests.fakes import HashEmbedder


class QuickEmbedder(HashEmbedder):
    def prepare_query_path(self) -> str:
        return "none"


@pytest.fixture(autouse=True)
def quick_model(monkeypatch):
    """The CLI's model, swapped for the hash embedder: these tests are about files and messages."""
    e = QuickEmbedder()
    monkeypatch.setattr(build_module, "get_embedder", lambda: e)
    monkeypatch.setattr(build_module, "configured_weights_stamp", lambda: None)
    monkeypatch.setattr(index_package, "get_embedder", lambda: e)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--chunk-size", "0"], "--chunk-size must be at least 1 (got 0)"),
    (["--chunk-size", "-5"], "--chunk-size must be at least 1 (got -5)"),
    (["--overlap", "-1"], "--overlap must be at least 0 (got -1)"),
])
def test_a_bad_option_is_one_line_and_leaves_nothing_behind(tmp_path, capsys, args, message):
    write(tmp_path / "docs" / "a.txt", "The harbour bridge reopened on Friday. Traffic was light.\n")
    assert main(["index", str(tmp_path / "docs"), "--index-dir", str(tmp_path / "ix"), *args]) == 2
    assert capsys.readouterr().err == f"citebot: error: {message}\n"
    assert not (tmp_path / "ix").exists()


def test_no_document_found_is_an_error_and_writes_no_index(tmp_path, capsys):
    write(tmp_path / "docs" / "slides.pdf", "%PDF")
    assert main(["index", str(tmp_path / "docs"), "--index-dir", str(tmp_path / "ix")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no documents to index under" in err
    assert not (tmp_path / "ix").exists()


def test_each_skipped_file_is_reported_once(tmp_path, capsys):
    write(tmp_path / "docs" / "empty.txt", "  \n")
    write(tmp_path / "docs" / "good.txt", "The harbour bridge reopened on Friday. Traffic was light.\n")
    assert main(["index", str(tmp_path / "docs"), "--index-dir", str(tmp_path / "ix")]) == 0
    out, err = capsys.readouterr()
    assert err.count("empty.txt") == 1 and out.count("empty.txt") == 0
    assert "1 added" in out and "1 skipped" in out


def test_add_delete_refresh_and_remove_as_a_user_would(tmp_path, capsys):
    docs, ix = tmp_path / "dup", str(tmp_path / "ix")
    write(docs / "a" / "notes.txt", "Bees keep honey in wax combs. The queen lays the eggs.\n")
    write(docs / "b" / "notes.txt", "Ants dig nests under the ground. Soldier ants guard the colony.\n")
    assert main(["index", str(docs), "--index-dir", ix]) == 0
    assert f"{docs.resolve()}: 2 added, 0 changed, 0 removed" in capsys.readouterr().out
    write(tmp_path / "more" / "bees.md", "Honey bees swarm in spring. A swarm has one queen.\n")
    assert main(["index", str(tmp_path / "more" / "bees.md"), "--index-dir", ix]) == 0
    out = capsys.readouterr().out
    assert "1 added, 0 changed, 0 removed" in out and "2 kept from other paths" in out
    (docs / "b" / "notes.txt").unlink()
    assert main(["index", "--index-dir", ix]) == 0
    out = capsys.readouterr().out
    assert f"{docs.resolve()}: 0 added, 0 changed, 1 removed, 1 unchanged" in out
    assert main(["index", "--index-dir", ix]) == 0
    assert "nothing changed, nothing written" in capsys.readouterr().out
    assert main(["index", "--remove", str(tmp_path / "more"), "--index-dir", ix]) == 0
    assert "1 removed" in capsys.readouterr().out


NO_HEAVY_IMPORTS = """
import sys
from citebot.cli import main
code = main(["index", sys.argv[1], "--index-dir", sys.argv[2]])
heavy = sorted(m for m in ("torch", "sentence_transformers", "faiss", "onnxruntime") if m in sys.modules)
print("HEAVY", ",".join(heavy) or "none")
sys.exit(code)
"""


@pytest.mark.slow
def test_an_unchanged_folder_is_re_indexed_without_torch_faiss_or_writing(tmp_path):
    """With the real model: the second run of the same folder imports no model or vector library, writes nothing."""
    import os
    import subprocess
    import sys

    write(tmp_path / "docs" / "a.txt", "The harbour bridge reopened on Friday. Traffic was light.\n")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    args = [sys.executable, "-c", NO_HEAVY_IMPORTS, str(tmp_path / "docs"), str(tmp_path / "ix")]
    first = subprocess.run(args, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    files = {p: p.stat().st_mtime_ns for p in (tmp_path / "ix").rglob("*")}
    again = subprocess.run(args, capture_output=True, text=True, env=env)
    assert again.returncode == 0 and "HEAVY none" in again.stdout, again.stdout + again.stderr
    assert "nothing changed, nothing written" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "ix").rglob("*")} == files


def test_progress_off_a_terminal_is_a_few_plain_lines(capsys):
    """On a pipe or in a log (no bar), embedding reports when it starts (the model load can take a minute), then
    whenever a further quarter is done and at the end, never per batch."""
    from citebot.commands import _quarter_lines

    report = _quarter_lines()
    report("embed", 0, 1000)
    for done in range(100, 1001, 100):
        report("embed", done, 1000)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "citebot index: embedding 1,000 new sentences (the model loads first)"
    assert lines[1:] == [f"citebot index: embedded {n:,} of 1,000 new sentences" for n in (300, 600, 900, 1000)]
