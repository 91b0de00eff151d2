"""Refitting the shipped reader's calibrator (after a retrieval change) leaves the model alone."""
import json
import shutil
from pathlib import Path

import pytest

from qa.reader.calibrator import Calibrator
from qa.reader.model import Reader
from training.pipeline import refit

SHIPPED = Path(__file__).resolve().parents[2] / "qa" / "reader" / "model"


@pytest.mark.slow
def test_refit_rewrites_the_calibrator_and_card_only(tmp_path, monkeypatch):
    monkeypatch.chdir(SHIPPED.parents[2])  # reader.json names the held-out file relative to the repository
    folder = tmp_path / "model"
    shutil.copytree(SHIPPED, folder)
    graph = (folder / "reader.onnx").read_bytes()
    line = refit(str(folder), fit_limit=2)
    assert line.startswith(f"calibrator refit in {folder}")
    assert (folder / "reader.onnx").read_bytes() == graph
    body = json.loads((folder / "calibrator.json").read_text())
    assert body["held_out"]["questions"] == 8 and body["held_out"]["articles"]  # 2 questions x 4 articles
    Calibrator.load(folder)
    Reader(folder)  # still loads: hashes unchanged
    assert "Held-out" in (folder / "README.md").read_text() or "held-out" in (folder / "README.md").read_text()
