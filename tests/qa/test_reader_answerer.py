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
                                          ({"max_candidates": 0}, "max_candidates must be at least 1 \\(got 0\\)"),
                                          ({"guard_candidates": 0}, "guard_candidates must be at least 1 \\(got 0\\)")])
def test_settings_are_checked_when_built(bad, message):
    with pytest.raises(ValueError, match=message):
        ReaderSettings(**bad)


def guarded(news_index, keyword, settings=None, **reader_settings):
    from qa import ExtractiveAnswerer, GuardedAnswerer

    _, ix = news_index
    index = open_index(ix)
    return (GuardedAnswerer(index, KeywordReader(keyword), CAL, settings, ReaderSettings(**reader_settings)),
            ExtractiveAnswerer(index, settings), ix)


def test_guarded_quotes_the_heuristic_with_the_readers_confidence(news_index):
    q = "When is the library open?"
    # the stand-in reader prefers a sentence the heuristic does not choose first (read: all 6 candidates) ...
    g, h, ix = guarded(news_index, "pleased", min_confidence=0.3, guard_candidates=6)
    passages = retrieve(q, k=3, index_dir=ix)
    ans, plain = g.answer(q, passages), h.answer(q, passages)
    assert not plain.abstained and not ans.abstained and ans.answerer == "guarded"
    # ... yet the answer is the heuristic's, word for word and citation for citation
    assert (ans.text, ans.citations) == (plain.text, plain.citations)
    best = max(g.scored(q, passages), key=lambda c: c.score)
    assert best.text == "Readers were pleased." and best.text not in ans.text
    assert ans.confidence == pytest.approx(1 / (1 + np.exp(-(best.score - 4))), abs=1e-3) and ans.confidence > 0.3


class RecordingReader(KeywordReader):
    def __init__(self, keyword: str):
        super().__init__(keyword)
        self.read: list[list[str]] = []

    def logits(self, question, candidates):
        self.read.append([c.split(" [SEP] ")[0] for c in candidates])
        return super().logits(question, candidates)


@pytest.mark.parametrize("n", [1, 2])
def test_guarded_reads_only_the_heuristics_best_guard_candidates(news_index, n):
    from qa import ExtractiveAnswerer, GuardedAnswerer

    q = "When is the library open?"
    _, ix = news_index
    index = open_index(ix)
    passages = retrieve(q, k=3, index_dir=ix)
    reader = RecordingReader("no-such-word")
    GuardedAnswerer(index, reader, CAL, None, ReaderSettings(guard_candidates=n)).answer(q, passages)
    best = [c.text for c in ExtractiveAnswerer(index).candidates(q, passages)]
    assert len(best) > n and reader.read == [best[:n]]


def test_guarded_abstains_when_the_reader_finds_no_answer_likely(news_index):
    q = "When is the library open?"
    g, h, ix = guarded(news_index, "no-such-word")
    passages = retrieve(q, k=3, index_dir=ix)
    assert not h.answer(q, passages).abstained
    ans = g.answer(q, passages)
    assert ans.abstained and ans.text == ABSTAIN_MESSAGE and ans.passages and ans.confidence < 0.01


def test_a_reader_refusal_shows_the_heuristics_quotes_as_closest_not_as_citations(news_index):
    q = "When is the library open?"
    g, h, ix = guarded(news_index, "no-such-word")
    passages = retrieve(q, k=3, index_dir=ix)
    plain = h.answer(q, passages)
    ans = g.answer(q, passages)
    assert ans.abstained and not ans.citations and ans.text == ABSTAIN_MESSAGE
    assert ans.closest == plain.citations and ans.closest  # what the heuristic would have quoted, offsets and all
    for c in ans.closest:
        with open(c.source, encoding="utf-8") as f:
            assert f.read()[c.start:c.end] == c.quote


def test_the_reader_answerer_refusing_shows_its_best_sentences_as_closest(news_index):
    a, ix = answerer(news_index, "no-such-word")
    ans = ask(a, ix)
    assert ans.abstained and not ans.citations
    assert ans.closest and ans.closest[0].quote.startswith("The city library extended its opening hours")


def test_no_closest_passage_where_the_heuristics_own_evidence_is_too_weak(news_index):
    from qa import ExtractiveSettings

    q = "When is the library open?"
    g, h, ix = guarded(news_index, "library", ExtractiveSettings(min_evidence=10.0))
    passages = retrieve(q, k=3, index_dir=ix)
    assert g.answer(q, passages).closest == []
    _, ix = news_index
    weak = ReaderAnswerer(open_index(ix), KeywordReader("no-such-word"), CAL, ExtractiveSettings(min_evidence=10.0))
    ans = weak.answer(q, passages)
    assert ans.abstained and ans.closest == []


def test_guarded_abstains_where_the_heuristic_does(news_index):
    from qa import ExtractiveSettings

    q = "When is the library open?"
    g, h, ix = guarded(news_index, "library", ExtractiveSettings(min_evidence=10.0))
    passages = retrieve(q, k=3, index_dir=ix)
    assert h.answer(q, passages).abstained
    ans = g.answer(q, passages)
    assert ans.abstained and ans.confidence > 0.5  # the reader was confident; the heuristic's guard still holds


def test_guarded_quotes_first_the_sentence_its_order_chooses_with_the_same_confidence(news_index):
    from qa import GuardedAnswerer
    from qa.reader.rerank import SpanOrder

    from .test_rerank import Margins

    q = "When is the library open?"
    _, ix = news_index
    index = open_index(ix)
    passages = retrieve(q, k=3, index_dir=ix)
    plain = GuardedAnswerer(index, KeywordReader("pleased"), CAL, None,
                            ReaderSettings(min_confidence=0.3, guard_candidates=6))
    # a stand-in highlighter sure that "Readers were pleased." holds the answer
    order = SpanOrder(Margins({"Readers were pleased.": 10.0}), weight=0.2, top=6)
    ordered = GuardedAnswerer(index, KeywordReader("pleased"), CAL, None,
                              ReaderSettings(min_confidence=0.3, guard_candidates=6), order)
    a, b = plain.answer(q, passages), ordered.answer(q, passages)
    assert not a.abstained and not b.abstained
    assert not a.text.startswith("Readers were pleased.") and b.text.startswith("Readers were pleased.")
    assert b.citations[0].quote == "Readers were pleased."
    assert (b.confidence, b.low_confidence) == (a.confidence, a.low_confidence)


def test_lead_with_keeps_every_sentence_the_heuristic_chose_and_its_best_second(news_index):
    from qa import ExtractiveAnswerer, ExtractiveSettings

    q = "When is the library open?"
    _, ix = news_index
    passages = retrieve(q, k=3, index_dir=ix)
    h = ExtractiveAnswerer(open_index(ix), ExtractiveSettings(max_sentences=3, keep_ratio=0.0, other_doc_ratio=0.0))
    cands = h.candidates(q, passages)
    chosen = h.select(cands)
    assert len(chosen) == 3
    assert h.lead_with(chosen[0], chosen) == chosen
    moved = h.lead_with(chosen[2], chosen)
    assert moved == [chosen[2], chosen[0], chosen[1]]
    outsider = next(c for c in cands if c not in chosen and not h._is_duplicate(c, chosen))
    led = h.lead_with(outsider, chosen)
    assert led[:2] == [outsider, chosen[0]] and len(led) == 3  # max_sentences: the last one gives way
    tight = ExtractiveAnswerer(open_index(ix), ExtractiveSettings(max_chars=50))
    assert tight.lead_with(outsider, chosen)[:2] == [outsider, chosen[0]]  # the best is kept even past max_chars


def test_the_highlighters_evidence_raises_the_confidence_where_the_calibrator_weighs_it(news_index):
    import dataclasses

    from index.errors import SettingError
    from qa import ExtractiveAnswerer, GuardedAnswerer

    from .test_rerank import Margins

    q = "When is the library open?"
    _, ix = news_index
    index = open_index(ix)
    passages = retrieve(q, k=3, index_dir=ix)
    weighed = dataclasses.replace(CAL, span_weight=0.5)
    with pytest.raises(SettingError, match="span_weight 0.5"):
        GuardedAnswerer(index, KeywordReader("no-such-word"), weighed)
    best = [c.text for c in ExtractiveAnswerer(index).candidates(q, passages)]
    sure = Margins({best[3]: 6.0, best[0]: -2.0})  # the evidence is the largest margin among the best 4, at least 0
    plain = GuardedAnswerer(index, KeywordReader("no-such-word"), CAL, marker=sure).answer(q, passages)
    ans = GuardedAnswerer(index, KeywordReader("no-such-word"), weighed, marker=sure).answer(q, passages)
    assert sure.asked[-1] == best[:4]
    assert ans.confidence == pytest.approx(1 / (1 + 1 / (plain.confidence / (1 - plain.confidence)) * np.exp(-3.0)),
                                           abs=1e-3)
    unsure = GuardedAnswerer(index, KeywordReader("no-such-word"), weighed, marker=Margins({})).answer(q, passages)
    assert unsure.confidence == pytest.approx(plain.confidence, abs=1e-4)  # no words marked: evidence 0

