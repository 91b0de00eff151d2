"""The reader's model card describes the mix of pairs and the machine the model was trained with."""
from dataclasses import asdict

from training.card import write_card
from training.pairs import PairSettings

FIGURES = {"questions": 10, "answerable": 6, "auc_confidence": 0.6, "auc_heuristic": 0.6,
           "top1_holds_answer_reader": 0.7, "top1_holds_answer_heuristic": 0.7, "top1_holds_answer_reader_alone": 0.6,
           "abstention_unanswerable": 0.1, "false_abstention": 0.05, "threshold": 0.1, "reader_weight": 0.1}


def summary(**settings):
    base = {"batch_size": 32, "epochs": 1.2, "learning_rate": 6e-5, "warmup_ratio": 0.1, "seed": 13}
    return {"settings": {**base, **settings}, "pairs": 9, "positives": 3, "pairs_by_kind": {"positive": 3},
            "steps": 2, "train_seconds": 60.0, "final_loss": 0.5, "cpu_count": 2,
            "dev_folds": {"train": ["A"], "held_out": ["B"]}}


def card(tmp_path, s):
    return write_card(tmp_path, s, FIGURES, FIGURES, 1_000_000).read_text(encoding="utf-8")


def test_the_card_gives_the_recorded_mix_and_machine(tmp_path):
    mix = asdict(PairSettings(hard_negatives=1, random_negatives=2, swap_share=0.25))
    text = card(tmp_path, summary(pairs=mix, device="cpu"))
    assert "the 1 sharing most words with the question and 2 at random;" in text
    assert "for a share 0.25 of answerable questions" in text
    assert "on\nCPU (2 cores) in 1 minutes" in text
    assert "on\na GPU in" in card(tmp_path, summary(pairs=mix, device="cuda"))


def test_a_model_trained_before_the_mix_was_recorded_gets_no_invented_numbers(tmp_path):
    text = card(tmp_path, summary())
    assert "the mix was not recorded with this model" in text
    assert "sharing most words" not in text


def test_a_model_trained_before_the_mix_was_recorded_keeps_the_lines_its_first_card_gave(tmp_path):
    written = ["- paragraph: the two sharing most words with the question;", "- other: another article's sentence."]
    text = card(tmp_path, {**summary(), "kind_notes": written})
    assert "\n".join(written) in text and "the mix was not recorded" not in text
