"""``citebot train-reader``: train the reader cross-encoder from the packaged all-MiniLM-L6-v2 weights.

Seeded and CPU-only by default (a GPU is used where torch finds one and ``--device`` allows it). The SQuAD 2.0
public dev file is split by article into two folds: the reader trains on the training sample and on fold A
only, so fold B stays held out for the figures and for fitting the calibrator (``training.fit``).
"""
from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import SettingError, check_range

from .pairs import Pair, PairSettings, article_titles, build_pairs, load_squad
from qa.reader.text import MAX_TOKENS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    train_files: tuple[str, ...]            # SQuAD 2.0 files used whole
    dev_file: str | None = None              # SQuAD 2.0 file split by article: fold A trains, fold B is held out
    epochs: float = 1.2
    batch_size: int = 32
    learning_rate: float = 6e-5
    warmup_ratio: float = 0.1
    seed: int = 13
    max_pairs: int | None = None            # a cap, for smoke tests
    max_steps: int = -1                     # likewise
    device: str = "cpu"
    pairs: PairSettings = PairSettings()    # the mix of negatives

    def __post_init__(self) -> None:
        check_range("--epochs", self.epochs, lo=0.01)
        check_range("--batch-size", self.batch_size, lo=1)
        check_files(self.train_files + ((self.dev_file,) if self.dev_file else ()))


def check_files(files: tuple[str, ...]) -> None:
    for f in files:
        if not Path(f).is_file():
            raise SettingError(f"training file not found: {f}")


def dev_folds(dev_file: str) -> tuple[list[str], list[str]]:
    """(fold A, fold B) article titles: alternate articles in sorted title order."""
    titles = article_titles(dev_file)
    return titles[0::2], titles[1::2]


def training_pairs(s: TrainSettings) -> list[Pair]:
    paragraphs = []
    for f in s.train_files:
        paragraphs += load_squad(f)
    if s.dev_file:
        paragraphs += load_squad(s.dev_file, dev_folds(s.dev_file)[0])
    pairs = build_pairs(paragraphs, seed=s.seed, settings=s.pairs)
    return pairs[:s.max_pairs] if s.max_pairs else pairs


def trainer_arguments(s, out: Path) -> dict:
    """The Trainer arguments both trained models share: seeded, no checkpoints, no reporting, CPU unless told."""
    return dict(output_dir=str(out / "checkpoints"), num_train_epochs=s.epochs, max_steps=s.max_steps,
                per_device_train_batch_size=s.batch_size, learning_rate=s.learning_rate, seed=s.seed,
                data_seed=s.seed, save_strategy="no", logging_steps=50, report_to="none", use_cpu=s.device == "cpu",
                dataloader_num_workers=0, disable_tqdm=True)


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(s: TrainSettings, out_dir: str | os.PathLike, base_model: str | os.PathLike) -> dict:
    """Train and save the float32 model to ``out_dir/torch``; returns a summary for the model card."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from datasets import Dataset
    from sentence_transformers.cross_encoder import (CrossEncoder, CrossEncoderTrainer,
                                                     CrossEncoderTrainingArguments)
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    seed_everything(s.seed)
    pairs = training_pairs(s)
    if not pairs:
        raise SettingError("no training pairs: the training files hold no questions")
    ds = Dataset.from_dict({"question": [p.question for p in pairs], "text": [p.text for p in pairs],
                            "label": [float(p.label) for p in pairs]})
    model = CrossEncoder(str(base_model), num_labels=1, max_length=MAX_TOKENS, local_files_only=True,
                         device=s.device)
    out = Path(out_dir)
    # a float warmup_steps below 1 is a share of the steps (transformers 5; warmup_ratio is deprecated there)
    args = CrossEncoderTrainingArguments(**trainer_arguments(s, out), warmup_steps=s.warmup_ratio)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=ds, loss=BinaryCrossEntropyLoss(model))
    t0 = time.time()
    result = trainer.train()
    model.save_pretrained(str(out / "torch"))
    counts: dict[str, int] = {}
    for p in pairs:
        counts[f"{p.kind}"] = counts.get(p.kind, 0) + 1
    return {"settings": asdict(s), "pairs": len(pairs), "pairs_by_kind": counts,
            "positives": sum(p.label for p in pairs), "steps": int(result.global_step),
            "train_seconds": round(time.time() - t0, 1), "cpu_count": os.cpu_count(),
            "final_loss": round(float(result.training_loss), 4),
            "dev_folds": dict(zip(("train", "held_out"), dev_folds(s.dev_file))) if s.dev_file else None}
