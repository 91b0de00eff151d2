"""The runner: systems asked in turn per question, one answer call each, sources read once."""
from dataclasses import replace

from eval.metrics import judge
from eval.records import CitationRecord, PassageRecord
from eval.runner import FunctionSystem, SourceReader, run_many

from .eval_fixtures import ITEMS, RESULTS, FakeAnswer


def test_systems_are_interleaved_and_answer_once_per_question():
    calls = []

    def answerer(name):
        def answer(q):
            calls.append((name, q))
            return FakeAnswer("Andrew Selee [1]", False, [CitationRecord(1, "d1", "s1", "x", 0, 1)])
        return answer

    a, b = FunctionSystem("a", answerer("a")), FunctionSystem("b", answerer("b"))
    runs = run_many(ITEMS[:2], [a, b], read_source=lambda p: "x")
    assert calls == [("a", ITEMS[0].question), ("b", ITEMS[0].question),
                     ("a", ITEMS[1].question), ("b", ITEMS[1].question)]
    assert [r.name for r in runs] == ["a", "b"]
    assert runs[0].results[0].ranked_docs == ("d1",)      # no rank_fn: the cited docs
    assert runs[0].scores.answer_recall == 0.5 and runs[0].scores.exact_offsets == 1.0


def test_source_reader_reads_each_file_once_and_missing_files_are_bad_offsets(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("Line one.\r\nLine two.", encoding="utf-8")
    reader = SourceReader()
    assert reader(str(path)) == "Line one.\nLine two."     # universal newlines, as open().read()
    path.unlink()
    assert reader(str(path)) == "Line one.\nLine two."     # cached
    missing = replace(RESULTS[0], citations=(CitationRecord(1, "d1", str(tmp_path / "gone.txt"), "x", 0, 1),))
    assert judge(missing, SourceReader()).bad_offsets == 1


class PassageSystem(FunctionSystem):
    """A FunctionSystem that also says where its passages lie (eval.runner.PassageRanker)."""

    def __init__(self, name, answer_fn, spans):
        super().__init__(name, answer_fn)
        self.spans, self.retrievals = spans, 0

    def ranked_passages(self, question, depth):
        self.retrievals += 1
        return [PassageRecord(doc, src, start, end) for doc, src, start, end in self.spans][:depth]

    def ranked_docs(self, question, depth):  # never called: the passages give the document ranking
        raise AssertionError("ranked_docs called beside ranked_passages")


def test_a_system_with_passages_is_judged_at_passage_level_from_one_retrieval():
    # q1's evidence "Andrew Selee is president." is s1[0:26]; d2's passage comes first, d1's second
    system = PassageSystem("p", lambda q: FakeAnswer("Andrew Selee [1]", False), [("d2", "s2", 0, 5),
                                                                                   ("d1", "s1", 20, 31)])
    run = run_many(ITEMS[:1], [system], read_source=lambda p: {"s1": "Andrew Selee is president. More.",
                                                               "s2": "In March"}[p])[0]
    assert system.retrievals == 1 and run.results[0].ranked_docs == ("d2", "d1")
    assert run.results[0].ranked_passages == (PassageRecord("d2", "s2", 0, 5), PassageRecord("d1", "s1", 20, 31))
    assert run.verdicts[0].evidence_rank == 2 and run.scores.hit_at_1 == 0.0
    assert (run.scores.passage_hit_at_1, run.scores.passage_hit_at_5, run.scores.passage_mrr_at_10) == (0.0, 1.0, 0.5)
