"""The highlighter: span decoding, word bounds, marking an answer (with a fake and with the shipped model), the
sha256 check, and the training examples."""
from __future__ import annotations

import json
import shutil
import numpy as np
import pytest

from index.errors import ModelError
from qa import Answer, Citation
from qa.protocols import Marker
from qa.types import Mark
from qa.highlighting import highlight
from qa.reader.highlight import GRAPH, META, Highlighter, _collapse, best_span, get_highlighter, word_bounds
from training.pairs import load_squad
from qa.squadmatch import exact_match, normalize, span_f1
from training.spans import span_examples
from qa.highlighting import moved

from .squad_tiny import write


def test_best_span_stays_inside_the_sentence_and_beats_no_answer_by_its_margin():
    start = np.array([1.0, 9.0, 0.0, 3.0, 0.5, 0.0])   # token 1 (the question) scores high but is not a candidate
    end = np.array([1.0, 9.0, 0.0, 0.2, 2.0, 0.0])
    assert best_span(start, end, [3, 4]) == (3, 4, pytest.approx(3.0 + 2.0 - 2.0))
    assert best_span(start, end, []) is None


def test_a_span_never_ends_before_it_starts():
    start = np.array([0.0, 0.0, 5.0])
    end = np.array([0.0, 5.0, 0.0])
    a, b, _ = best_span(start, end, [1, 2])
    assert a <= b


def test_word_bounds_widen_to_whole_words_and_drop_punctuation():
    text = "It was designed by John Bradfield, an engineer."
    a = text.index("Brad") + 2
    assert text.__getitem__(slice(*word_bounds(text, a, a + 3))) == "Bradfield"
    assert text.__getitem__(slice(*word_bounds(text, text.index("John") - 1, text.index(",") + 1))) == \
        "John Bradfield"


def test_collapse_maps_every_character_back():
    text = "  The  bridge\n opened\tin 1932. "
    flat, where = _collapse(text)
    assert flat == "The bridge opened in 1932."
    assert all(flat[i] == text[where[i]] or flat[i] == " " for i in range(len(flat)))


class FakeMarker:
    """Marks ``word`` wherever a sentence holds it, with the sentence's length as its margin."""

    def __init__(self, word: str):
        self.word = word
        self.calls = 0

    def margins(self, question, sentences):
        return np.array([m.margin if m else -30.0 for m in self.marks(question, sentences)])

    def marks(self, question, sentences):
        self.calls += 1
        return [Mark(s.index(self.word), s.index(self.word) + len(self.word), float(len(s))) if self.word in s
                else None for s in sentences]


def _answer(*sentences: str) -> Answer:
    cites = [Citation(i, f"d{i}", f"d{i}.txt", "T", s, 0, len(s), 1.0) for i, s in enumerate(sentences, 1)]
    text = " ".join(f"{s} [{i}]" for i, s in enumerate(sentences, 1))
    return Answer("Who designed it?", text, False, cites)


def test_highlight_marks_the_words_in_the_answer_text_and_in_the_citation():
    a = highlight(_answer("The bridge opened in 1932.", "It was designed by John Bradfield."),
                  FakeMarker("John Bradfield"))
    s, e = a.highlight
    assert a.text[s:e] == "John Bradfield"
    c = a.citations[1]
    assert c.text[c.highlight[0]:c.highlight[1]] == "John Bradfield"
    assert a.citations[0].highlight is None
    assert [c.quote for c in a.citations] == ["The bridge opened in 1932.", "It was designed by John Bradfield."]


def test_the_first_sentence_is_marked_when_it_can_be_else_the_surest_other():
    first = highlight(_answer("Bradfield.", "It was designed by Bradfield, an engineer."), FakeMarker("Bradfield"))
    assert [c.highlight is not None for c in first.citations] == [True, False] and first.highlight == (0, 9)
    others = highlight(_answer("Opened in 1932.", "By Bradfield.", "It was designed by Bradfield, an engineer."),
                       FakeMarker("Bradfield"))  # the fake's margin: the sentence's length
    assert [c.highlight is not None for c in others.citations] == [False, False, True]
    s, e = others.highlight
    assert others.text[s:e] == "Bradfield" and s > others.text.index("an engineer") - 20


def test_no_mark_or_an_abstention_leaves_the_answer_as_it_was():
    plain = _answer("The bridge opened in 1932.")
    assert highlight(plain, FakeMarker("Bradfield")) == plain
    marker = FakeMarker("x")
    abstained = Answer.abstain("q")
    assert highlight(abstained, marker) is abstained and marker.calls == 0


def test_an_abstentions_closest_sentence_gets_its_words_marked_and_nothing_else_changes():
    closest = _answer("It was designed by John Bradfield.", "The bridge opened in 1932.").citations
    refused = Answer.abstain("Who designed it?", closest=closest)
    a = highlight(refused, FakeMarker("John Bradfield"))
    c = a.closest[0]
    assert c.text[c.highlight[0]:c.highlight[1]] == "John Bradfield" and a.closest[1] == closest[1]
    assert (a.abstained, a.text, a.citations, a.highlight) == (True, refused.text, [], None)
    assert highlight(refused, FakeMarker("Sydney")) is refused  # no mark: as it was


def test_a_renumbered_answer_keeps_its_mark_where_the_words_occur_once():
    assert moved("Built in 1932 [2].", (9, 13), "Built in 1932 [1].") == (9, 13)
    assert moved("1932 and 1932 [2].", (0, 4), "1932 and 1932 [1].") is None
    assert moved("x", None, "y") is None


def test_the_shipped_highlighter_marks_the_answer_and_not_an_unrelated_sentence():
    h = get_highlighter()
    assert isinstance(h, Marker) and isinstance(FakeMarker("x"), Marker)
    sentence = "The harbour bridge, designed by the engineer John Bradfield, opened in March 1932."
    m, none = h.marks("Who designed the harbour bridge?", [sentence, "Cairo sits on the banks of the Nile."])
    assert m is not None and "Bradfield" in sentence[m.start:m.end] and "1932" not in sentence[m.start:m.end]
    assert none is None
    when = h.marks("When did the harbour bridge open?", [sentence])[0]
    assert when is not None and "1932" in sentence[when.start:when.end]


def test_marks_are_given_in_the_callers_text_even_with_odd_whitespace():
    sentence = "The  harbour bridge was\n designed by   John Bradfield."
    m = get_highlighter().marks("Who designed the harbour bridge?", [sentence])[0]
    assert m is not None and sentence[m.start:m.end].split()[-1] == "Bradfield"


def test_a_damaged_highlighter_file_is_a_one_line_error(tmp_path):
    folder = tmp_path / "h"
    shutil.copytree(get_highlighter().folder, folder)
    (folder / GRAPH).write_bytes((folder / GRAPH).read_bytes()[:-10])
    with pytest.raises(ModelError, match="sha256") as e:
        Highlighter(folder)
    assert "\n" not in str(e.value)
    meta = json.loads((folder / META).read_text())
    (folder / META).write_text(json.dumps({**meta, "format_version": 99}))
    with pytest.raises(ModelError, match="train-highlighter"):
        Highlighter(folder)


def test_span_examples_mark_the_answer_and_are_seeded(tmp_path):
    paragraphs = load_squad(write(tmp_path / "t.json", ["Bridges", "Rivers", "Tea"]))
    ex = span_examples(paragraphs, seed=3, negative_share=1.0)
    positives = [e for e in ex if e.span is not None]
    assert positives and all(e.text[e.span[0]:e.span[1]] in e.answers for e in positives)
    assert len([e for e in ex if e.span is None]) == len(positives)  # one negative per answerable question
    assert span_examples(paragraphs, seed=3, negative_share=1.0) == ex
    with pytest.raises(Exception, match="negative_share"):
        span_examples(paragraphs, negative_share=2)


def test_squad_exact_match_and_f1_against_hand_computed_values():
    assert normalize("The  Harbour-Bridge!") == "harbourbridge"
    assert exact_match("the Nile", ["Nile"]) == 1.0 and exact_match("Nile river", ["Nile"]) == 0.0
    # "john bradfield engineer" vs "john bradfield": 2 common words, precision 2/3, recall 1 -> F1 0.8
    assert span_f1("John Bradfield, engineer", ["John Bradfield", "Bradfield"]) == pytest.approx(0.8)
    assert span_f1("Cairo", ["Egypt"]) == 0.0


def test_a_question_longer_than_the_model_reads_is_cut_not_an_error():
    question = "Who designed the harbour bridge " + "and why " * 400 + "?"
    sentence = "It was designed by John Bradfield."
    [m] = get_highlighter().marks(question, [sentence])
    assert m is None or 0 <= m.start < m.end <= len(sentence)
