"""Run the shipped highlighter with ONNX Runtime (no torch): the answer's words inside a cited sentence.

The highlighter is a span head on all-MiniLM-L6-v2 (``training.highlight_train``): for each token of the sentence
a score for starting and one for ending the answer, and the [CLS] token's pair for "no answer here". A sentence is
marked only where its best span (at most ``MAX_ANSWER_TOKENS`` tokens) beats no-answer by ``min_margin``. The
files are checked against the sha256 sums in ``highlighter.json`` before use; nothing is unpickled.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..types import Mark
from .files import PerFolder, checked_bytes, read_versioned_json

DEFAULT_DIR = Path(__file__).resolve().parent / "highlighter"
FORMAT_VERSION = 1
GRAPH, TOKENIZER, META = "highlighter.onnx", "tokenizer.json", "highlighter.json"
MAX_ANSWER_TOKENS = 30
NO_SPAN = -30.0   # the margin of a sentence with no words to mark (below any span's)
CACHE = 4096      # (question, sentence) pairs remembered per process
WHAT = "highlighter model"
RETRAIN = "retrain with citebot train-highlighter, or answer without it: --no-highlight"


class Highlighter:
    """``marks(question, sentences)``: for each sentence, the answer's words in it, or None."""

    def __init__(self, folder: str | os.PathLike = DEFAULT_DIR):
        import tokenizers

        from index.onnx_text import cpu_session

        self.folder = Path(folder)
        self.meta = read_versioned_json(self.folder / META, WHAT, FORMAT_VERSION, RETRAIN)
        graph = checked_bytes(self.folder, GRAPH, self.meta, WHAT)
        tok = checked_bytes(self.folder, TOKENIZER, self.meta, WHAT)
        self.tokenizer = tokenizers.Tokenizer.from_str(tok.decode("utf-8"))
        self.tokenizer.enable_truncation(max_length=int(self.meta["max_tokens"]), strategy="longest_first")
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.min_margin = float(self.meta.get("min_margin", 0.0))
        self.session = cpu_session(graph)
        self.input_names = [i.name for i in self.session.get_inputs()]
        self._lock = threading.Lock()  # the tokenizer's padding/truncation state and the cache are shared
        self._cache: dict[tuple[str, str], Mark | None] = {}

    def marks(self, question: str, sentences: Sequence[str]) -> list[Mark | None]:
        """For each sentence, its best span where it beats no-answer by ``min_margin``, else None."""
        return [m if m is not None and m.margin > self.min_margin else None for m in self.spans(question, sentences)]

    def margins(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """For each sentence, how far its best span scores above no-answer (NO_SPAN where it has no words)."""
        return np.array([NO_SPAN if m is None else m.margin for m in self.spans(question, sentences)])

    def spans(self, question: str, sentences: Sequence[str]) -> list[Mark | None]:
        """For each sentence, its best span whatever its margin (None: no words to mark); the last CACHE
        (question, sentence) pairs are remembered, so marking sentences already ranked costs nothing."""
        with self._lock:
            known = {s: self._cache[(question, s)] for s in sentences if (question, s) in self._cache}
        todo = sorted(set(sentences) - known.keys())
        if todo:
            # One batch (the answerer's best sentences, the first time a question is read): int8 activations are
            # quantised per batch, so a margin can differ by about 1 from the same sentence read alone, but the
            # same question over the same index always gives the same batch. One run per sentence cost 2.5x.
            known.update(zip(todo, self._read(question, todo)))
            with self._lock:
                if len(self._cache) + len(todo) > CACHE:
                    self._cache.clear()
                self._cache.update(((question, s), known[s]) for s in todo)
        return [known[s] for s in sentences]

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _read(self, question: str, sentences: Sequence[str]) -> list[Mark | None]:
        flat = [_collapse(s) for s in sentences]
        with self._lock:
            enc = self.tokenizer.encode_batch([(question.strip(), text) for text, _ in flat])
        cols = {"input_ids": [e.ids for e in enc], "attention_mask": [e.attention_mask for e in enc],
                "token_type_ids": [e.type_ids for e in enc]}
        start, end = self.session.run(None, {n: np.asarray(cols[n], dtype=np.int64) for n in self.input_names})
        out: list[Mark | None] = []
        for k, ((text, where), e) in enumerate(zip(flat, enc)):
            ctx = [t for t, (ty, (a, b)) in enumerate(zip(e.type_ids, e.offsets)) if ty == 1 and b > a]
            best = best_span(start[k], end[k], ctx)
            a, b = word_bounds(text, e.offsets[best[0]][0], e.offsets[best[1]][1]) if best else (0, 0)
            out.append(Mark(where[a], where[b - 1] + 1, round(best[2], 4)) if best and b > a else None)
        return out


def best_span(start: np.ndarray, end: np.ndarray, ctx: Sequence[int]) -> tuple[int, int, float] | None:
    """(first token, last token, score above no-answer) of the best span inside ``ctx`` tokens, at most
    MAX_ANSWER_TOKENS long; None when there are no such tokens."""
    if not ctx:
        return None
    idx = np.asarray(ctx)
    s, e = start[idx], end[idx]
    total = s[:, None] + e[None, :]
    i = np.arange(len(idx))
    ok = (i[None, :] >= i[:, None]) & (idx[None, :] - idx[:, None] < MAX_ANSWER_TOKENS)
    total = np.where(ok, total, -np.inf)
    a, b = np.unravel_index(int(np.argmax(total)), total.shape)
    return int(idx[a]), int(idx[b]), float(total[a, b] - (start[0] + end[0]))


_TRIM = " \t\n,;:.!?\"'“”‘’()[]"


def word_bounds(text: str, a: int, b: int) -> tuple[int, int]:
    """``text[a:b]`` widened to whole words and stripped of surrounding spaces and punctuation."""
    while a > 0 and text[a - 1].isalnum() and text[a].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum() and text[b - 1].isalnum():
        b += 1
    while a < b and text[a] in _TRIM:
        a += 1
    while b > a and text[b - 1] in _TRIM:
        b -= 1
    return a, b


def _collapse(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of whitespace made one space and trimmed, and each of its characters' index in ``text``
    (the highlighter was trained on collapsed sentences; marks are given in the caller's text)."""
    out, where, space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            space = bool(out)
            continue
        if space:
            out.append(" ")
            where.append(i - 1)
            space = False
        out.append(ch)
        where.append(i)
    return "".join(out), where


get_highlighter = PerFolder(Highlighter, "CITEBOT_HIGHLIGHTER", DEFAULT_DIR)  # (folder=None) -> the shared one
