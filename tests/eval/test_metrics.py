"""Metrics against values computed by hand (see the comments for the arithmetic)."""
import math

import pytest

from eval import metrics as m
from eval.gold import GoldItem
from eval.records import PassageRecord, QuestionResult
from eval.runner import FunctionSystem, run_gold

from .eval_fixtures import ITEMS, RESULTS, SOURCES, FakeAnswer, cite, read_source


def test_normalize_handles_unicode_quotes_punctuation_articles_and_spaces():
    # NFKC turns the no-break space into a space; curly quotes, dash, apostrophe and dots become spaces.
    assert m.normalize("The “Quick” brown—fox’s  a\u00a0B.C.") == "quick brown fox s b c"
    assert m.normalize("  An\tAPPLE\n") == "apple"
    assert m.normalize("") == ""


@pytest.mark.parametrize("text, answers, expected", [
    ("Harris met Alejandro Giammattei [1].", ["alejandro giammattei"], True),
    ("It was in 2017.", ["17"], False),                       # word boundaries: no match inside 2017
    ("additional aid of 310 million", ["$310 million"], True),
    ("the Migration Policy Institute", ["The Migration Policy Institute"], True),
    ("co director of the group", ["co-director"], True),
    ("López Obrador’s plan", ["López Obrador"], True),
    ("Lopez Obrador", ["López Obrador"], False),              # accents are kept: list both spellings
    ("anything", ["", "  "], False),                          # empty gold strings never match
    ("anything", [], False),
])
def test_contains_answer(text, answers, expected):
    assert m.contains_answer(text, answers) is expected


def test_strip_markers():
    assert m.normalize(m.strip_markers("Seventeen [1][12] people")) == "seventeen people"


def test_document_ranking_metrics():
    ranked = ["a", "a", "b", "c", "c"]            # passage doc_ids; as documents: a, b, c
    assert m.dedupe(ranked) == ["a", "b", "c"]
    assert [m.hit_at(ranked, {"c"}, k) for k in (1, 2, 3)] == [0.0, 0.0, 1.0]
    assert m.reciprocal_rank(ranked, {"c"}) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(ranked, {"c"}, k=2) == 0.0
    assert m.reciprocal_rank(ranked, {"z"}) == 0.0
    # gold {a, c}: DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3) = 1.63093
    assert m.ndcg_at(ranked, {"a", "c"}) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert m.ndcg_at(ranked, {"a", "c"}) == pytest.approx(0.919721, abs=1e-6)
    # cut at 2: DCG = 1, ideal still 1.63093
    assert m.ndcg_at(ranked, {"a", "c"}, k=2) == pytest.approx(0.613147, abs=1e-6)
    assert m.ndcg_at(ranked, set()) == 0.0


def test_percentile_interpolates_linearly():
    assert m.percentile([4, 1, 3, 2], 50) == 2.5
    assert m.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)   # position 3 * 0.95 = 2.85
    assert m.percentile([7], 95) == 7
    assert m.percentile([], 50) is None
    assert m.mean([]) is None
    assert m.mean([True, False, True, True]) == 0.75


def test_citation_support():
    evidence = "Andrew Selee, president of the Migration Policy Institute"   # 7 words without "the"
    assert m.evidence_overlap("Selee is president of it", evidence) == pytest.approx(3 / 7)
    assert not m.supports("Selee is president of it", ["Andrew Selee"], evidence)
    assert m.supports("Selee, president of the Migration Policy Institute, said", ["nobody"], evidence)
    assert m.supports("said Andrew Selee.", ["Andrew Selee"], "")
    assert m.evidence_overlap("anything", "") == 0.0


def test_offset_ok():
    assert m.offset_ok("abcdef", 1, 3, "bc")
    assert not m.offset_ok("abcdef", 1, 3, "bd")
    assert not m.offset_ok("abc", 2, 9, "c")
    assert not m.offset_ok("abc", -1, 1, "c")


def test_judge_each_kind():
    v = [m.judge(r, read_source) for r in RESULTS]
    assert (v[0].answer_hit, v[0].citation_hit, v[0].supported, v[0].cited, v[0].reasons) == (True, True, 1, 1, ())
    assert (v[1].answer_hit, v[1].citation_hit, v[1].supported, v[1].cited, v[1].bad_offsets) == (False, True, 1, 2, 1)
    assert v[1].reasons == ("1 citation(s) with wrong offsets", "no gold answer in the answer text")
    assert not v[2].failed and v[2].answer_hit is None
    assert v[3].reasons == ("answered a question the corpus cannot answer",)


def test_score_matches_hand_computed_values():
    s = m.score(RESULTS, [m.judge(r, read_source) for r in RESULTS])
    assert (s.questions, s.answerable, s.unanswerable) == (4, 2, 2)
    assert s.hit_at_1 == 0.0                      # q1 ranks d2 first, q2 ranks d3 first
    assert s.hit_at_5 == 1.0
    assert s.mrr_at_10 == 0.5                     # both gold docs at rank 2
    # q1: 1/log2(3) / 1 = 0.63093; q2: 0.63093 / 1.63093 = 0.38685
    assert s.ndcg_at_10 == pytest.approx((0.630930 + 0.386853) / 2, abs=1e-5)
    assert s.answer_recall == 0.5
    assert s.false_abstention == 0.0
    assert s.median_answer_chars == 28.5          # lengths 30 and 27
    assert s.citation_recall == 1.0
    assert s.citation_precision == pytest.approx(2 / 3)
    assert s.exact_offsets == 0.75                # 1 of 4 citations is off
    assert s.abstention == 0.5
    assert s.latency_p50_ms == pytest.approx(25.0)
    assert s.latency_p95_ms == pytest.approx(38.5)
    assert m.by_kind(RESULTS, [m.judge(r, read_source) for r in RESULTS]) == (
        ("answer recall (single)", 1.0), ("answer recall (multi)", 0.0),
        ("abstention (unanswerable)", 1.0), ("abstention (noise)", 0.0))


def test_figures_are_none_when_undefined():
    s = m.score([RESULTS[2]], [m.judge(RESULTS[2], read_source)])
    assert s.answer_recall is None and s.hit_at_1 is None and s.citation_precision is None
    assert s.exact_offsets is None and s.abstention == 1.0


def test_run_gold_through_a_system_gives_the_same_scores():
    answers = {r.item.question: r for r in RESULTS}
    system = FunctionSystem("fake", lambda q: FakeAnswer(answers[q].text, answers[q].abstained,
                                                        list(answers[q].citations)),
                            lambda q, depth: answers[q].ranked_docs[:depth])
    ticks = []
    run = run_gold(list(ITEMS), system, advance=lambda: ticks.append(1), read_source=read_source)
    expected = m.score(RESULTS, [m.judge(r, read_source) for r in RESULTS])
    assert len(ticks) == 4 and run.name == "fake"
    for field in ("hit_at_1", "mrr_at_10", "ndcg_at_10", "answer_recall", "citation_precision", "exact_offsets",
                  "abstention"):
        assert getattr(run.scores, field) == getattr(expected, field), field


def test_highlight_scores_against_hand_computed_values():
    from dataclasses import replace

    from eval.records import QuestionResult

    # q1 answered right, marked "Andrew Selee": exact match 0 (gold "Selee"), F1 2*(1/2*1)/(1/2+1) = 2/3.
    # A second right answer with no mark counts 0 for both and lowers "marked" to 1/2.
    q1 = replace(RESULTS[0], highlight="Andrew Selee")
    unmarked = QuestionResult(ITEMS[0], "Selee leads it. [1]", False, RESULTS[0].citations, ("d1",), 0.01)
    rows = [q1, unmarked, RESULTS[1], RESULTS[2]]   # q2 (wrong answer) and q3 (unanswerable) do not count
    s = m.score(rows, [m.judge(r, read_source) for r in rows])
    assert s.highlight_marked == 0.5
    assert s.highlight_exact == 0.0
    assert s.highlight_f1 == pytest.approx((2 / 3 + 0) / 2)
    exact = replace(RESULTS[0], highlight="Selee")
    assert m.score([exact], [m.judge(exact, read_source)]).highlight_exact == 1.0
    plain = m.score(RESULTS, [m.judge(r, read_source) for r in RESULTS])
    assert plain.highlight_marked is None and plain.highlight_f1 is None  # a system that marks nothing: n/a


def test_sign_test_against_hand_computed_binomial_tails():
    assert m.sign_test(0, 0) == 1.0                          # nothing changed
    assert m.sign_test(1, 1) == 1.0 and m.sign_test(1, 0) == 1.0
    assert m.sign_test(5, 0) == pytest.approx(2 / 32)        # 2 x (1/2)^5
    assert m.sign_test(0, 5) == m.sign_test(5, 0)            # two-sided: symmetric
    assert m.sign_test(10, 2) == pytest.approx(2 * (1 + 12 + 66) / 4096)   # C(12,0..2) / 2^12, doubled
    with pytest.raises(ValueError, match="at least 0"):
        m.sign_test(-1, 2)


def test_closest_hit_against_hand_computed_values():
    from dataclasses import replace

    refused = "I couldn't find that in the indexed documents."
    # three refused answerable questions: q1's closest quote holds "Selee", q2's does not hold "March", and the
    # second q1 has no closest passage at all (it counts as a miss): 1/3. An answered one and the refused
    # unanswerable q3 (closest or not) do not count.
    hit = replace(RESULTS[0], text=refused, abstained=True, citations=(), closest=(cite(1, "d1", "s1", 0, 26),))
    miss = replace(RESULTS[1], text=refused, abstained=True, citations=(), closest=(cite(1, "d3", "s3", 0, 24),))
    bare = replace(RESULTS[0], text=refused, abstained=True, citations=())
    q3 = replace(RESULTS[2], closest=(cite(1, "d1", "s1", 0, 26),))
    rows = [hit, miss, bare, RESULTS[0], q3]
    assert m.score(rows, [m.judge(r, read_source) for r in rows]).closest_hit == pytest.approx(1 / 3)
    plain = m.score(RESULTS, [m.judge(r, read_source) for r in RESULTS])
    assert plain.closest_hit is None  # a system that never shows a closest passage: n/a


# -- passage level -------------------------------------------------------------------------------------

PASSAGE_SOURCES = {"a": "Intro here. Andrew Selee is\npresident. Outro.", "b": "Andrew Selee is president."}
PASSAGE_ITEM = GoldItem("p1", "Who is president?", ("Selee",), ("d1",), "Andrew Selee is president.", "single")


def passages(*spans):
    return tuple(PassageRecord(doc, src, start, end) for doc, src, start, end in spans)


def ranked(item, *spans):
    found = passages(*spans)
    return QuestionResult(item, "", False, (), tuple(p.doc_id for p in found), 0.0, ranked_passages=found)


def test_evidence_spans_match_any_whitespace_and_every_occurrence():
    text = PASSAGE_SOURCES["a"] + " Andrew  Selee is president."
    assert m.evidence_spans(text, "Andrew Selee is president.") == [(12, 38), (46, 73)]
    assert m.evidence_spans(text, "Selee (is)") == [] and m.evidence_spans(text, "  ") == []


def test_evidence_rank_against_hand_computed_ranks():
    read = PASSAGE_SOURCES.__getitem__
    # the evidence lies at [12, 38) of source a (doc d1); b holds the same words but is not a gold document
    third = ranked(PASSAGE_ITEM, ("d2", "b", 0, 26), ("d1", "a", 0, 11), ("d1", "a", 30, 45))
    first = ranked(PASSAGE_ITEM, ("d1", "a", 12, 20))            # any overlap counts
    touching = ranked(PASSAGE_ITEM, ("d1", "a", 0, 12), ("d1", "a", 38, 45))  # ends where it starts: no overlap
    other_docs = ranked(PASSAGE_ITEM, ("d2", "b", 0, 26))
    assert [m.evidence_rank(r, read) for r in (third, first, touching, other_docs)] == [3, 1, 0, 0]
    deep = ranked(PASSAGE_ITEM, *[("d2", "b", 0, 26)] * m.RETRIEVAL_DEPTH, ("d1", "a", 12, 38))
    assert m.evidence_rank(deep, read) == 0                      # beyond the first RETRIEVAL_DEPTH
    # reported by two documents, the evidence quoted from d1: only d3 retrieved, which lacks the quote: a miss
    multi = GoldItem("p5", "Who is president?", ("Selee",), ("d1", "d3"), "Andrew Selee is president.", "multi")
    assert m.evidence_rank(ranked(multi, ("d3", "c", 0, 5)), {**PASSAGE_SOURCES, "c": "Selee leads."}.__getitem__) == 0


def test_evidence_rank_is_none_where_it_cannot_judge():
    read = PASSAGE_SOURCES.__getitem__
    no_passages = QuestionResult(PASSAGE_ITEM, "", False, (), ("d1",), 0.0)
    absent = GoldItem("p2", "Who?", ("Selee",), ("d1",), "Not in the source.", "single")
    no_evidence = GoldItem("p3", "Who?", ("Selee",), ("d1",), "", "single")
    unanswerable = GoldItem("p4", "Who?", (), (), "", "unanswerable")

    def unreadable(path):
        raise FileNotFoundError(path)

    for r, reader in ((no_passages, read), (ranked(absent, ("d1", "a", 0, 45)), read),
                      (ranked(no_evidence, ("d1", "a", 0, 45)), read), (ranked(unanswerable, ("d1", "a", 0, 45)), read),
                      (ranked(PASSAGE_ITEM, ("d1", "a", 0, 45)), unreadable)):
        assert m.evidence_rank(r, reader) is None


def test_passage_scores_against_hand_computed_values():
    # ranks 3, 1 and 0 (none in the top 10): hit@1 1/3, hit@5 2/3, MRR (1/3 + 1 + 0) / 3 = 4/9
    s = m.passage_scores([3, 1, 0])
    assert s == pytest.approx({"passage_hit_at_1": 1 / 3, "passage_hit_at_5": 2 / 3, "passage_mrr_at_10": 4 / 9})
    assert m.passage_scores([]) == {"passage_hit_at_1": None, "passage_hit_at_5": None, "passage_mrr_at_10": None}


def test_score_judges_passages_only_where_a_system_gives_them():
    def source(path):
        return {**SOURCES, **PASSAGE_SOURCES}[path]

    with_passages = ranked(PASSAGE_ITEM, ("d2", "b", 0, 26), ("d1", "a", 30, 45))
    rows = [with_passages, *RESULTS]                  # the fixtures' results carry no passages: not judged
    s = m.score(rows, [m.judge(r, source) for r in rows])
    assert (s.passage_hit_at_1, s.passage_hit_at_5, s.passage_mrr_at_10) == (0.0, 1.0, 0.5)
    plain = m.score(RESULTS, [m.judge(r, read_source) for r in RESULTS])
    assert plain.passage_hit_at_1 is None and plain.passage_mrr_at_10 is None


def test_llm_sentence_level_citation_scores_pool_the_replies():
    """ALCE-style, by the support check: supported sentences / sentences written, supporting citations / made."""
    from eval.metrics import llm_scores
    from eval.records import QuestionResult

    from eval.gold import GoldItem

    item = GoldItem("q", "Who?", ("X",), ("a",), "", "single")
    rows = [QuestionResult(item, "t", False, (), (), 0.1, checked=(2, 1, 3, 1)),
            QuestionResult(item, "t", False, (), (), 0.1, checked=(0, 0, 0, 0)),  # markers only
            QuestionResult(item, "t", False, (), (), 0.1)]  # no LLM
    assert llm_scores(rows) == {"llm_sentence_support": 0.5, "llm_citation_precision": 1 / 3}
    assert llm_scores(rows[2:]) == {}
