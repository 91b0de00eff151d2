"""The reader answerer over a small index, with a deterministic stand-in reader (the real one: test_ask_seeds)."""
import numpy as np
import pytest

from index import open_index
from qa import ABSTAIN_MESSAGE, ReaderAnswerer, ReaderSettings, retrieve
from qa.reader.calibrator import Calibrator
from tests.conftest import BRIDGE


class KeywordReader:
    """Logit 4 for a candidate holding the keyword, -4 otherwise."""

    def __init__(self, keyword: str):
        self.keyword = keyword

    def logits(self, question, candidates):
        return np.array([4.0 if self.keyword in c.split(" [SEP] ")[0] else -4.0 for c in candidates])


# score = heuristic + logit; probability = sigmoid(score - 4): the stand-in's logit decides
CAL = Calibrator(reader_weight=1.0, scale=1.0, bias=-4.0, threshold=0.5, low_margin=0.1)


def answerer(news_index, keyword, **settings):
    _, ix = news_index
    index = open_index(ix)
    return ReaderAnswerer(index, KeywordReader(keyword), CAL, reader_settings=ReaderSettings(**settings)), ix


def ask(a, ix, q="When is the library open?"):
    return a.answer(q, retrieve(q, k=3, index_dir=ix))


def test_answers_with_the_sentence_the_reader_picks_and_its_confidence(news_index):
    a, ix = answerer(news_index, "library")
    ans = ask(a, ix)
    assert not ans.abstained and ans.answerer == "reader"
    assert ans.text.startswith("The city library extended its opening hours") and ans.citations
    best = max(a.scored("When is the library open?", retrieve("When is the library open?", k=3, index_dir=ix)),
               key=lambda c: c.score)
    assert ans.confidence == pytest.approx(1 / (1 + np.exp(-(best.score - 4))), abs=1e-3)
    assert ans.confidence > 0.6 and not ans.low_confidence


def test_abstains_below_the_threshold_and_keeps_the_passages(news_index):
    a, ix = answerer(news_index, "no-such-word")
    ans = ask(a, ix)
    assert ans.abstained and ans.text == ABSTAIN_MESSAGE and not ans.citations
    assert ans.confidence < 0.01
    assert ans.passages  # listed as related, not an answer


def test_min_confidence_moves_the_threshold_and_flags_low_confidence(news_index):
    a, ix = answerer(news_index, "library")
    conf = ask(a, ix).confidence
    a, ix = answerer(news_index, "library", min_confidence=min(1.0, conf + 0.01))
    assert ask(a, ix).abstained
    a, ix = answerer(news_index, "library", min_confidence=conf - 0.05)
    ans = ask(a, ix)
    assert not ans.abstained and ans.low_confidence  # within 0.1 of the threshold


def test_the_same_statement_in_two_articles_is_cited_twice(news_index):
    a, ix = answerer(news_index, "reopened")
    ans = ask(a, ix, "When did the harbour bridge reopen?")
    assert BRIDGE[4:-1] in ans.text and {c.doc_id for c in ans.citations} == {"bridge.txt", "ferry.txt"}


@pytest.mark.parametrize("bad, message", [({"min_confidence": 1.5}, "min_confidence must be between 0.0 and 1.0 \\(got 1.5\\)"),
                                          ({"max_candidates": 0}, "max_candidates must be at least 1 \\(got 0\\)")])
def test_settings_are_checked_when_built(bad, message):
    with pytest.raises(ValueError, match=message):
        ReaderSettings(**bad)
