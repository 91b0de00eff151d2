"""`citebot train-highlighter` end to end on tiny SQuAD files: a few steps, export, held-out figures, card (slow)."""
import json

import pytest

from citebot.cli import main
from qa.reader.highlight import Highlighter
from qa.reader.rerank import WEIGHTS

from tests.qa.squad_tiny import write

pytestmark = pytest.mark.slow


def test_train_highlighter_writes_a_checked_model_with_its_card(tmp_path, capsys):
    train = write(tmp_path / "train.json", ["Bridges", "Rivers"])
    dev = write(tmp_path / "dev.json", ["Birds", "Tea", "Rivers", "Bridges"])
    out, work = tmp_path / "model", tmp_path / "work"
    assert main(["train-highlighter", "--train", str(train), "--dev", str(dev), "--out", str(out),
                 "--work", str(work), "--max-steps", "2", "--max-examples", "8",
                 "--max-quantisation-loss", "1"]) == 0
    assert "highlighter written to" in capsys.readouterr().out
    assert {f.name for f in out.iterdir()} == {"highlighter.onnx", "tokenizer.json", "highlighter.json",
                                               "README.md"}
    meta = json.loads((out / "highlighter.json").read_text())
    assert meta["training"]["steps"] == 2 and meta["training"]["examples"] == 8
    assert meta["training"]["dev_folds"] == {"train": ["Birds", "Rivers"], "held_out": ["Bridges", "Tea"]}
    held = meta["held_out"]
    assert held["sentences_with_answer"] == 4 and 0 <= held["f1"] <= 1  # Bridges and Tea: two answers each
    assert len(Highlighter(out).marks("Who designed it?", ["John Bradfield designed it.", "No."])) == 2
    assert meta["rerank"]["weight"] in WEIGHTS and meta["rerank"]["articles"] == ["Bridges", "Tea"]
    card = (out / "README.md").read_text()
    assert "Bridges, Tea" in card and "exact match" in card


def test_training_refuses_a_missing_file(tmp_path, capsys):
    assert main(["train-highlighter", "--train", str(tmp_path / "none.json"), "--out", str(tmp_path / "o")]) == 2
    assert "training file not found" in capsys.readouterr().err
