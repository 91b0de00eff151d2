"""The runner: systems asked in turn per question, one answer call each, sources read once."""
from dataclasses import replace

from eval.metrics import judge
from eval.records import CitationRecord
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
