"""`citebot train-reader` end to end on tiny SQuAD files: a few steps, export, calibration, card (slow)."""
import json

import pytest

from citebot.cli import main
from qa.reader.calibrator import Calibrator
from qa.reader.model import Reader

from tests.qa.squad_tiny import write

pytestmark = pytest.mark.slow


def test_train_reader_writes_a_checked_model_calibrator_and_card(tmp_path, capsys):
    train = write(tmp_path / "train.json", ["Bridges", "Rivers"])
    dev = write(tmp_path / "dev.json", ["Birds", "Tea", "Rivers", "Bridges"])
    out, work = tmp_path / "model", tmp_path / "work"
    assert main(["train-reader", "--train", str(train), "--dev", str(dev), "--out", str(out), "--work", str(work),
                 "--max-steps", "2", "--max-pairs", "16", "--max-quantisation-loss", "1"]) == 0
    assert "reader written to" in capsys.readouterr().out
    summary = json.loads((work / "summary.json").read_text())
    assert summary["steps"] == 2 and summary["pairs"] == 16
    assert summary["dev_folds"] == {"train": ["Birds", "Rivers"], "held_out": ["Bridges", "Tea"]}
    assert {f.name for f in out.iterdir()} == {"reader.onnx", "tokenizer.json", "reader.json", "calibrator.json",
                                               "README.md"}
    assert Reader(out).logits("Who designed it?", ["John Bradfield designed it."]).shape == (1,)
    cal = Calibrator.load(out)
    assert 0.0 <= cal.threshold <= 1.0
    assert "Bridges, Tea" in (out / "README.md").read_text()


def test_training_refuses_a_missing_file(tmp_path, capsys):
    assert main(["train-reader", "--train", str(tmp_path / "none.json"), "--out", str(tmp_path / "o")]) == 2
    assert "training file not found" in capsys.readouterr().err
