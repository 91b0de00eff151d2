"""``citebot train-highlighter``: train, export and measure the span head that marks an answer's words.

From the packaged all-MiniLM-L6-v2 weights, a question-answering head (a start and an end score per token) is
trained with transformers' ``Trainer`` on ``training.spans`` examples: the training sample and fold A of the public
dev file, as the reader. Fold B stays held out: the card's figures (exact match and F1 of the marked words against
the gold answers, and how often a sentence without the answer gets a mark) are measured on it with the shipped
runtime (``qa.reader.highlight``), for the float32 and the int8 graph. Seeded and CPU-only by default.
"""
from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.errors import SettingError, check_range

from .export import OPSET, quantize, write_files
from qa.reader.highlight import FORMAT_VERSION, GRAPH, META, TOKENIZER, Highlighter
from .pairs import load_squad
from qa.squadmatch import exact_match, span_f1

from .spans import SpanExample, span_examples
from .train import check_files, dev_folds, seed_everything, trainer_arguments

log = logging.getLogger(__name__)
MAX_TOKENS = 128  # question + sentence; a longer sentence loses its tail
MAX_QUANTISATION_LOSS = 0.02  # int8 may lose at most this much held-out F1 against float32


@dataclass(frozen=True)
class HighlightSettings:
    train_files: tuple[str, ...]
    dev_file: str | None = None      # split by article as for the reader: fold A trains, fold B measures
    epochs: float = 3.0
    batch_size: int = 32
    learning_rate: float = 6e-5
    warmup_ratio: float = 0.1
    negative_share: float = 0.5      # answerable questions that also get a sentence without the answer
    seed: int = 13
    max_examples: int | None = None  # a cap, for smoke tests
    max_steps: int = -1              # likewise
    device: str = "cpu"

    def __post_init__(self) -> None:
        check_range("--epochs", self.epochs, lo=0.01)
        check_range("--batch-size", self.batch_size, lo=1)
        check_range("negative_share", self.negative_share, lo=0.0, hi=1.0)
        check_files(self.train_files + ((self.dev_file,) if self.dev_file else ()))


def examples(s: HighlightSettings) -> tuple[list[SpanExample], list[SpanExample]]:
    """(training examples, held-out fold B examples)."""
    paragraphs = [p for f in s.train_files for p in load_squad(f)]
    held: list = []
    if s.dev_file:
        fold_a, fold_b = dev_folds(s.dev_file)
        paragraphs += load_squad(s.dev_file, fold_a)
        held = load_squad(s.dev_file, fold_b)
    train = span_examples(paragraphs, s.seed, s.negative_share)
    return (train[:s.max_examples] if s.max_examples else train), span_examples(held, s.seed, s.negative_share)


def _features(tokenizer, batch: list[SpanExample]) -> dict:
    """Token ids and the answer's first and last token (0, [CLS], when the sentence holds none or lost it)."""
    enc = tokenizer([e.question for e in batch], [e.text for e in batch], truncation="only_second",
                    max_length=MAX_TOKENS, return_offsets_mapping=True)
    starts, ends = [], []
    for k, ex in enumerate(batch):
        first = last = 0
        if ex.span is not None:
            offsets, ids = enc["offset_mapping"][k], enc.sequence_ids(k)
            inside = [t for t, sid in enumerate(ids) if sid == 1 and offsets[t][1] > ex.span[0]
                      and offsets[t][0] < ex.span[1]]
            if inside:
                first, last = inside[0], inside[-1]
        starts.append(first)
        ends.append(last)
    enc.pop("offset_mapping")
    return {**enc, "start_positions": starts, "end_positions": ends}


def train(s: HighlightSettings, work: str | os.PathLike, base_model: str | os.PathLike) -> dict:
    """Train and save the float32 model to ``work/torch``; returns a summary for the card."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from datasets import Dataset
    from transformers import (AutoModelForQuestionAnswering, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments)

    seed_everything(s.seed)
    train_ex, _ = examples(s)
    if not train_ex:
        raise SettingError("no training examples: the training files hold no answerable questions")
    tokenizer = AutoTokenizer.from_pretrained(str(base_model), local_files_only=True)
    model = AutoModelForQuestionAnswering.from_pretrained(str(base_model), local_files_only=True)
    ds = Dataset.from_dict(_features(tokenizer, train_ex))
    out = Path(work)
    args = TrainingArguments(**trainer_arguments(s, out), weight_decay=0.01,
                             warmup_steps=s.warmup_ratio)  # a float below 1 is a share of the steps
    trainer = Trainer(model=model, args=args, train_dataset=ds, data_collator=DataCollatorWithPadding(tokenizer))
    t0 = time.time()
    result = trainer.train()
    model.save_pretrained(str(out / "torch"))
    tokenizer.save_pretrained(str(out / "torch"))
    return {"settings": asdict(s), "max_tokens": MAX_TOKENS, "examples": len(train_ex),
            "positives": sum(e.span is not None for e in train_ex), "steps": int(result.global_step),
            "train_seconds": round(time.time() - t0, 1), "cpu_count": os.cpu_count(),
            "final_loss": round(float(result.training_loss), 4),
            "dev_folds": dict(zip(("train", "held_out"), dev_folds(s.dev_file))) if s.dev_file else None}


def export_onnx(torch_dir: str | os.PathLike) -> tuple[bytes, bytes]:
    """(float32 ONNX graph giving start and end scores per token, tokenizer JSON) of the saved model."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    model = AutoModelForQuestionAnswering.from_pretrained(str(torch_dir), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(torch_dir), local_files_only=True)
    features = tokenizer([("who?", "someone")], return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in features]

    class Spans(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            out = self.model(**dict(zip(names, inputs)))
            return out.start_logits, out.end_logits

    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(Spans().eval(), tuple(features[n] for n in names), buffer, input_names=names,
                          output_names=["start", "end"],
                          dynamic_axes={**{n: {0: "pairs", 1: "tokens"} for n in names},
                                        "start": {0: "pairs", 1: "tokens"}, "end": {0: "pairs", 1: "tokens"}},
                          opset_version=OPSET, dynamo=False)
    return buffer.getvalue(), tokenizer.backend_tokenizer.to_str().encode("utf-8")


def write_model(folder: str | os.PathLike, graph: bytes, tokenizer: bytes, extra: dict) -> Path:
    """Graph, tokenizer, then highlighter.json vouching for both (sha256), each written atomically."""
    meta = {"format_version": FORMAT_VERSION, "max_tokens": MAX_TOKENS, "min_margin": 0.0, **extra}
    return write_files(folder, {GRAPH: graph, TOKENIZER: tokenizer}, META, meta)


def measure(highlighter: Highlighter, held: list[SpanExample]) -> dict:
    """Held-out figures of the marks: on sentences holding the answer, the share marked and the exact match and
    F1 of the marked words (an unmarked sentence scores 0); on the others, the share wrongly marked."""
    pos = [e for e in held if e.span is not None]
    neg = [e for e in held if e.span is None]
    em = f1 = marked = wrong = 0.0
    for e in pos:
        m = highlighter.marks(e.question, [e.text])[0]
        if m is not None:
            words = e.text[m.start:m.end]
            marked += 1
            em += exact_match(words, e.answers)
            f1 += span_f1(words, e.answers)
    for e in neg:
        wrong += highlighter.marks(e.question, [e.text])[0] is not None
    n, m = max(len(pos), 1), max(len(neg), 1)
    return {"sentences_with_answer": len(pos), "sentences_without": len(neg), "marked": round(marked / n, 3),
            "exact_match": round(em / n, 3), "f1": round(f1 / n, 3), "wrongly_marked": round(wrong / m, 3)}


def package(work: str | os.PathLike, out: str | os.PathLike, summary: dict, held: list[SpanExample],
            max_quantisation_loss: float = MAX_QUANTISATION_LOSS) -> dict:
    """Export ``work/torch`` to int8 ONNX, measure both graphs on the held-out examples, write ``out``."""
    from .highlight_card import write_card

    graph32, tokenizer = export_onnx(Path(work) / "torch")
    with tempfile.TemporaryDirectory(prefix="citebot-highlighter-") as tmp:
        graph8 = quantize(graph32, tmp, per_channel=True)  # per tensor lost 0.03 held-out F1, per channel 0.01
        fig32 = measure(Highlighter(write_model(Path(tmp) / "fp32", graph32, tokenizer, {}).parent), held)
        int8 = Highlighter(write_model(Path(tmp) / "int8", graph8, tokenizer, {}).parent)
        fig8 = measure(int8, held)
        if held and fig32["f1"] - fig8["f1"] > max_quantisation_loss:
            raise SettingError(f"int8 quantisation lost {fig32['f1'] - fig8['f1']:.3f} of held-out F1 (more than "
                               f"{max_quantisation_loss}); nothing was written")
        extra = {"quantisation": "dynamic int8 weights, per channel (onnxruntime)", "training": summary,
                 "held_out": fig8, "held_out_float32": fig32}
        if summary["settings"].get("dev_file") and held:
            int8.clear_cache()  # measure() read sentences one at a time; ordering reads them as ask() does
            extra["rerank"] = fit_order(summary["settings"]["dev_file"], int8)
    write_model(out, graph8, tokenizer, extra)  # once, when everything it vouches for is measured
    write_card(Path(out), summary, fig8, fig32, len(graph8), extra.get("rerank"))
    return extra


def fit_order(dev_file: str, highlighter: Highlighter) -> dict:
    """The weight with which the highlighter re-orders the heuristic's best sentences (qa.reader.rerank), fit on
    the held-out fold's answerable questions, retrieved as ``ask`` does; its figures cross-validated by article."""
    from .fit import answer_labels, ask_all
    from qa.reader.rerank import TOP, Ranked, fit_weight

    rows = []
    for a in ask_all(dev_file, dev_folds(dev_file)[1]):
        cands = list(a.candidates)[:TOP]
        if a.answers and cands:
            texts = [c.text for c in cands]
            rows.append(Ranked(a.article, np.array([c.score for c in cands]), highlighter.margins(a.question, texts),
                               answer_labels(a.answers, texts)))
    return fit_weight(rows)[1]


def train_highlighter(train_files=None, dev_file=None, out="build/highlighter/model", work="build/highlighter",
                      epochs=None, seed=13, max_steps=-1, max_examples=None, device="cpu",
                      max_quantisation_loss=MAX_QUANTISATION_LOSS, package_only=False) -> str:
    """Train (unless ``package_only``: the model already in ``work``), export, measure; a one-line summary."""
    from index.embed import default_model_dir

    from .pipeline import DEFAULT_DEV, DEFAULT_TRAIN

    summary_file = Path(work) / "summary.json"
    if package_only:
        try:
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        except OSError:
            raise SettingError(f"no trained highlighter in {work} ({summary_file.name} missing); "
                               "run citebot train-highlighter") from None
        s = HighlightSettings(**{**summary["settings"], "train_files": tuple(summary["settings"]["train_files"])})
    else:
        s = HighlightSettings(tuple(train_files or DEFAULT_TRAIN), dev_file or DEFAULT_DEV,
                              **({"epochs": epochs} if epochs else {}), seed=seed, max_steps=max_steps,
                              max_examples=max_examples, device=device)
        Path(work).mkdir(parents=True, exist_ok=True)
        summary = train(s, work, default_model_dir())
        summary_file.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    fig = package(work, out, summary, examples(s)[1], max_quantisation_loss)["held_out"]
    return (f"highlighter written to {out}: {summary['examples']} examples, {summary['steps']} steps; held-out "
            f"sentences holding the answer: marked {fig['marked']}, exact match {fig['exact_match']}, F1 "
            f"{fig['f1']}; sentences without it marked {fig['wrongly_marked']}")
