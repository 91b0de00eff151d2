"""Run the shipped reader with ONNX Runtime (no torch): a logit per (question, candidate) pair.

The files are checked against the sha256 sums in ``reader.json`` before use; nothing is unpickled (the graph is
protobuf, the tokenizer JSON).
"""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.errors import ModelError

from .files import PerFolder, checked_bytes, read_versioned_json

FORMAT_VERSION = 1  # of the model folder's reader.json (training.export writes it)
GRAPH, TOKENIZER, META = "reader.onnx", "tokenizer.json", "reader.json"

DEFAULT_DIR = Path(__file__).resolve().parent / "model"
BATCH = 32


class Reader:
    """``logits(question, candidates)``: how strongly each candidate answers the question (higher: more)."""

    def __init__(self, folder: str | os.PathLike = DEFAULT_DIR):
        import tokenizers

        from index.onnx_text import cpu_session

        self.folder = Path(folder)
        self.meta = read_meta(self.folder)
        graph = checked_bytes(self.folder, GRAPH, self.meta)
        tok_bytes = checked_bytes(self.folder, TOKENIZER, self.meta)
        self.tokenizer = tokenizers.Tokenizer.from_str(tok_bytes.decode("utf-8"))
        self.tokenizer.enable_truncation(max_length=int(self.meta["max_tokens"]), strategy="longest_first")
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.session = cpu_session(graph)
        self.input_names = [i.name for i in self.session.get_inputs()]
        self._lock = threading.Lock()  # the tokenizer's padding/truncation state is shared

    def logits(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(candidates), dtype=np.float32)
        order = sorted(range(len(candidates)), key=lambda i: len(candidates[i]))  # less padding per batch
        for a in range(0, len(order), BATCH):
            idx = order[a:a + BATCH]
            with self._lock:
                enc = self.tokenizer.encode_batch([(question.strip(), candidates[i].strip()) for i in idx])
            cols = {"input_ids": [e.ids for e in enc], "attention_mask": [e.attention_mask for e in enc],
                    "token_type_ids": [e.type_ids for e in enc]}
            feeds = {n: np.asarray(cols[n], dtype=np.int64) for n in self.input_names}
            out[idx] = self.session.run(None, feeds)[0].reshape(-1)
        return out


def read_meta(folder: Path) -> dict:
    return read_versioned_json(folder / META, "reader model", FORMAT_VERSION)


get_reader = PerFolder(Reader, "CITEBOT_READER", DEFAULT_DIR)  # (folder=None) -> the process's Reader for it


def held_out_articles(folder: str | os.PathLike | None = None) -> list[str]:
    """The SQuAD articles the reader's calibrator was fit and measured on (never trained on)."""
    path = Path(folder or os.environ.get("CITEBOT_READER") or DEFAULT_DIR) / "calibrator.json"
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["held_out"]["articles"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelError(f"no held-out article list in {path} ({type(e).__name__}); retrain the reader") from None
