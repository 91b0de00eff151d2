"""The shipped reader and highlighter are what their training commands build today (issue 11: the shipped model must
be reproducible on CPU): the recipe each model's file records is its command's default, and that default builds the
same training set. Change a default, the pair mix or the example builder and this fails until the model is retrained
(`make reader`, `citebot train-highlighter`) or the change is undone."""
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest

from training.highlight_train import HighlightSettings, examples
from qa.reader.model import DEFAULT_DIR as READER_DIR
from training.pipeline import DEFAULT_DEV, DEFAULT_TRAIN
from training.train import TrainSettings, training_pairs

HIGHLIGHTER_DIR = Path(__file__).resolve().parents[2] / "qa" / "reader" / "highlighter"
FILES = ("train_files", "dev_file")  # recorded as given on the command line; compared by name

needs_data = pytest.mark.skipif(not Path(DEFAULT_DEV).is_file() or not all(Path(f).is_file() for f in DEFAULT_TRAIN),
                                reason="the SQuAD files of eval/data are missing")


def recorded(folder: Path, meta_file: str) -> dict:
    return json.loads((folder / meta_file).read_text(encoding="utf-8"))["training"]


def same_recipe(shipped: dict, default: dict) -> None:
    assert {k: v for k, v in shipped.items() if k not in FILES} == {k: v for k, v in default.items() if k not in FILES}
    assert [Path(f).name for f in shipped["train_files"]] == [Path(f).name for f in default["train_files"]]
    assert Path(shipped["dev_file"]).name == Path(default["dev_file"]).name


def test_the_shipped_reader_records_the_default_recipe():
    same_recipe(recorded(READER_DIR, "reader.json")["settings"], asdict(TrainSettings(DEFAULT_TRAIN, DEFAULT_DEV)))


@needs_data
def test_the_default_recipe_builds_the_shipped_readers_pairs():
    training = recorded(READER_DIR, "reader.json")
    pairs = training_pairs(TrainSettings(DEFAULT_TRAIN, DEFAULT_DEV))
    assert len(pairs) == training["pairs"]
    assert dict(Counter(p.kind for p in pairs)) == training["pairs_by_kind"]


def test_the_shipped_highlighter_records_the_default_recipe():
    same_recipe(recorded(HIGHLIGHTER_DIR, "highlighter.json")["settings"],
                asdict(HighlightSettings(DEFAULT_TRAIN, DEFAULT_DEV)))


@needs_data
def test_the_default_recipe_builds_the_shipped_highlighters_examples():
    training = recorded(HIGHLIGHTER_DIR, "highlighter.json")
    train, _ = examples(HighlightSettings(DEFAULT_TRAIN, DEFAULT_DEV))
    assert len(train) == training["examples"]
