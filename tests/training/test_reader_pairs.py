"""Training pairs for the reader: labels follow the gold spans, unanswerable questions give only negatives."""
import pytest

from index.errors import SettingError
from training.pairs import PairSettings, build_pairs, load_squad
from training.train import dev_folds

from tests.qa.squad_tiny import ARTICLES, write


def test_pair_labels_follow_the_gold_answer_spans(tmp_path):
    paragraphs = load_squad(write(tmp_path / "s.json", list(ARTICLES)))
    pairs = build_pairs(paragraphs, seed=1)
    answers = {q: a for _, qs in ARTICLES.values() for q, a in qs}
    for p in pairs:
        sentence = p.text.split(" [SEP] ")[0]
        if p.kind == "positive":
            assert p.label == 1 and answers[p.question] in sentence
        else:
            assert p.label == 0
        if p.kind in ("paragraph", "other") and answers.get(p.question):
            assert answers[p.question] not in sentence
        if p.kind == "unanswerable":
            assert answers[p.question] is None
        if p.kind == "swap":
            assert p.question not in answers  # a word of the question was replaced
    kinds = {p.kind for p in pairs}
    assert {"positive", "paragraph", "unanswerable"} <= kinds


def test_pairs_are_reproducible_from_the_seed(tmp_path):
    paragraphs = load_squad(write(tmp_path / "s.json", list(ARTICLES)))
    assert build_pairs(paragraphs, seed=7) == build_pairs(paragraphs, seed=7)
    assert build_pairs(paragraphs, seed=7) != build_pairs(paragraphs, seed=8)


def test_pair_settings_set_the_mix_of_negatives(tmp_path):
    paragraphs = load_squad(write(tmp_path / "s.json", list(ARTICLES)))
    kinds = lambda pairs: {p.kind for p in pairs}  # noqa: E731
    default = build_pairs(paragraphs, seed=1)
    fewer = build_pairs(paragraphs, seed=1, settings=PairSettings(hard_negatives=0, swap_share=0.0, other_share=0.0))
    assert "paragraph" in kinds(default) and not {"paragraph", "swap", "other"} & kinds(fewer)
    assert {p for p in fewer if p.kind == "positive"} == {p for p in default if p.kind == "positive"}


@pytest.mark.parametrize("bad", [{"hard_negatives": -1}, {"swap_share": 1.5}, {"other_share": -0.1}])
def test_pair_settings_name_the_bad_value(bad):
    name, value = next(iter(bad.items()))
    with pytest.raises(SettingError, match=rf"{name} must be .*\(got {value!r}\)"):
        PairSettings(**bad)


def test_candidate_text_puts_the_previous_sentence_after_the_candidate(tmp_path):
    paragraphs = load_squad(write(tmp_path / "s.json", ["Bridges"]))
    p = paragraphs[0]
    assert p.candidate(0) == "The harbour bridge opened in 1932."
    assert p.candidate(1) == "It was designed by John Bradfield. [SEP] The harbour bridge opened in 1932."


def test_dev_folds_alternate_sorted_titles(tmp_path):
    a, b = dev_folds(str(write(tmp_path / "s.json", ["Tea", "Birds", "Rivers", "Bridges"])))
    assert a == ["Birds", "Rivers"] and b == ["Bridges", "Tea"]
