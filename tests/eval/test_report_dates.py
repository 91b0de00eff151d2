"""A failed question in the eval report lists each citation with its document's date, quoted once."""
from eval.gold import GoldItem
from eval.records import CitationRecord, QuestionResult, Verdict
from eval.report import md_failure
from qa import Citation

ITEM = GoldItem("q1", "Who is president?", ("Selee",), ("d1",), "Andrew Selee is president.", "single")


def test_a_failed_question_lists_each_citation_with_its_date_and_no_doubled_quotes():
    said = "“We will stay,” he said."
    cites = (CitationRecord.of(Citation(1, "d2", "s2", "T", said, 0, len(said), 0.5, "2021-06-08")),
             CitationRecord.of(Citation(2, "d3", "s3", "T", "Weather was fine.", 4, 21, 0.4)))
    r = QuestionResult(ITEM, "Wrong. [1] [2]", False, cites, ("d2",), 0.01)
    lines = md_failure(r, Verdict(False, False, 0, 2, 0, ("no gold answer in the answer text",)))
    assert f"  - [1] d2:0-{len(said)} (2021-06-08) {said}" in lines
    assert "  - [2] d3:4-21 “Weather was fine.”" in lines
