"""Sources edited or deleted after indexing: every citation stays true to its file as it is now, or goes."""
import logging
from pathlib import Path

import pytest

from index.types import content_hash
from qa import ABSTAIN_MESSAGE, Answer, Citation, ask, retrieve
from qa import sources
from qa.sources import SourceCheck, relocate, renumber
from tests.conftest import BRIDGE, settle

QUESTION = "When did the harbour bridge reopen?"
NOTICE = "1 source changed since indexing; run citebot index"


def check_offsets(answer: Answer) -> None:
    for c in answer.citations:
        with open(c.source, encoding="utf-8") as f:
            assert f.read()[c.start:c.end] == c.quote
        assert f"[{c.n}]" in answer.text
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def rewrite(path: Path, text: str, newline: str | None = None) -> None:
    path.write_text(text, encoding="utf-8", newline=newline)
    settle(path, age_s=30)


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "qa.sources" and r.levelno == logging.WARNING]


def test_unchanged_sources_leave_the_answer_as_it_was(news_index, caplog):
    docs, ix = news_index
    a = ask(QUESTION, index_dir=ix)
    assert [c.doc_id for c in a.citations] == ["bridge.txt", "ferry.txt"] and a.text == f"{BRIDGE} [1][2]"
    assert a.notice is None and a.stale_sources == () and warnings(caplog) == []
    check_offsets(a)


def test_text_inserted_before_the_quote_re_points_the_citation(news_index, caplog):
    docs, ix = news_index
    before = ask(QUESTION, index_dir=ix)
    inserted = "An editor added this paragraph later.\n\n"
    rewrite(docs / "bridge.txt", "Harbour news\n\n" + inserted + (docs / "bridge.txt").read_text()[14:])
    a = ask(QUESTION, index_dir=ix)
    assert a.text == before.text and [c.doc_id for c in a.citations] == ["bridge.txt", "ferry.txt"]
    assert a.citations[0].start == before.citations[0].start + len(inserted)
    assert a.citations[1] == before.citations[1]
    check_offsets(a)
    source = str((docs / "bridge.txt").resolve())
    assert a.stale_sources == (source,) and a.notice == NOTICE
    [line] = warnings(caplog)
    assert source in line and "changed" in line and "run citebot index again" in line and "\n" not in line


def test_the_occurrence_nearest_the_old_offset_is_chosen(news_index):
    docs, ix = news_index
    old = ask(QUESTION, index_dir=ix).citations[0].start
    rewrite(docs / "bridge.txt", f"Harbour news\n\nUpdate. {BRIDGE} Traffic was light.\n\n"
                                 + "Filler sentence here. " * 40 + f"\n\nArchive: {BRIDGE}\n")
    c = ask(QUESTION, index_dir=ix).citations[0]
    assert c.start == old + len("Update. ")
    check_offsets(ask(QUESTION, index_dir=ix))


def test_a_deleted_sentence_drops_its_citation_then_the_answer_abstains(news_index, caplog):
    docs, ix = news_index
    rewrite(docs / "ferry.txt", "Ferry news\n\nCyclists welcomed the new lanes.\n")
    a = ask(QUESTION, index_dir=ix)
    assert not a.abstained and a.text == f"{BRIDGE} [1]"
    assert [(c.n, c.doc_id) for c in a.citations] == [(1, "bridge.txt")]
    check_offsets(a)
    rewrite(docs / "bridge.txt", "Harbour news\n\nTraffic was light in the morning.\n")
    a = ask(QUESTION, index_dir=ix)
    assert a.abstained and a.text == ABSTAIN_MESSAGE and a.citations == []
    assert a.notice == "2 sources changed since indexing; run citebot index" and len(a.stale_sources) == 2
    assert len(warnings(caplog)) == 1 + 2  # one line per changed file and answer


def test_a_deleted_file_drops_its_citations(news_index, caplog):
    docs, ix = news_index
    (docs / "bridge.txt").unlink()
    a = ask(QUESTION, index_dir=ix)
    assert [(c.n, c.doc_id) for c in a.citations] == [(1, "ferry.txt")] and a.text == f"{BRIDGE} [1]"
    assert all(p.doc_id != "bridge.txt" for p in a.passages)
    check_offsets(a)
    [line] = warnings(caplog)
    assert "bridge.txt was deleted" in line and "citebot index" in line
    (docs / "library.txt").unlink()
    a = ask("Which library extended its opening hours?", index_dir=ix)
    assert a.abstained and a.citations == [] and a.stale_sources


def test_crlf_files_are_read_as_indexing_read_them(tmp_path, news_index):
    docs, ix = news_index
    from index import build_index
    from tests.fakes import HashEmbedder

    rewrite(docs / "bridge.txt", (docs / "bridge.txt").read_text(), newline="\r\n")
    build_index([docs], ix, HashEmbedder())
    settle(docs / "bridge.txt")
    a = ask(QUESTION, index_dir=ix)
    assert a.stale_sources == () and a.notice is None  # CRLF on disk matches the indexed (LF) text
    rewrite(docs / "bridge.txt", "Harbour news\r\n\r\nNew line one.\r\nNew line two.\r\n" + BRIDGE + "\r\n",
            newline="")
    a = ask(QUESTION, index_dir=ix)
    assert a.stale_sources and a.citations[0].doc_id == "bridge.txt"
    check_offsets(a)


def test_a_warm_ask_reads_no_file_again(news_index, monkeypatch):
    docs, ix = news_index
    reads = []
    real = sources.source_text
    monkeypatch.setattr(sources, "source_text", lambda data: reads.append(1) or real(data))
    ask(QUESTION, index_dir=ix)
    first = len(reads)
    assert 1 <= first <= 3
    ask(QUESTION, index_dir=ix)
    assert len(reads) == first
    rewrite(docs / "ferry.txt", (docs / "ferry.txt").read_text() + "More.\n")
    ask(QUESTION, index_dir=ix)
    ask(QUESTION, index_dir=ix)
    assert len(reads) == first + 1
    (docs / "ferry.txt").write_text("Just edited.\n", encoding="utf-8")  # too recent to cache: read each time
    ask(QUESTION, index_dir=ix)
    ask(QUESTION, index_dir=ix)
    assert len(reads) == first + 3


def test_retrieve_re_points_and_drops_passages(news_index):
    docs, ix = news_index
    rewrite(docs / "bridge.txt", "Harbour news\n\nInserted first.\n\n" + (docs / "bridge.txt").read_text()[14:])
    (docs / "ferry.txt").unlink()
    ps = retrieve(QUESTION, k=5, index_dir=ix)
    assert {p.doc_id for p in ps} == {"bridge.txt", "library.txt"}
    for p in ps:
        assert open(p.source, encoding="utf-8").read()[p.start:p.end] == p.text


def cite(n: int, path: Path, quote: str) -> Citation:
    start = path.read_text(encoding="utf-8").index(quote)
    return Citation(n, path.stem, str(path), path.stem, quote, start, start + len(quote), 1.0)


def test_a_claim_left_without_citations_is_removed_and_markers_renumbered(tmp_path):
    texts = {"a": "Alpha one. Alpha two.", "b": "Beta one.", "c": "Gamma one."}
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    check = SourceCheck({n: {"source": str(tmp_path / f"{n}.txt"), "content_hash": content_hash(t)}
                         for n, t in texts.items()})
    cites = [cite(1, tmp_path / "a.txt", "Alpha two."), cite(2, tmp_path / "b.txt", "Beta one."),
             cite(3, tmp_path / "c.txt", "Gamma one."), cite(4, tmp_path / "a.txt", "Alpha one.")]
    answer = Answer("q", "Alpha two. [1] Beta one. [2][3] Gamma one. [3] Alpha one. [4]", False, cites)
    assert check.answer(answer) is answer
    (tmp_path / "c.txt").write_text("Gone.")
    (tmp_path / "a.txt").write_text("Alpha two.")
    got = check.answer(answer)
    assert got.text == "Alpha two. [1] Beta one. [2]"
    assert [(c.n, c.quote, c.start) for c in got.citations] == [(1, "Alpha two.", 0), (2, "Beta one.", 0)]


def test_an_answer_whose_first_claim_lost_its_sources_abstains(tmp_path):
    """What is left after the answering sentence went is what was quoted beside it: not an answer."""
    texts = {"a": "PyYAML was written by Kirill Simonov.", "b": "PyYAML homepage."}
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    check = SourceCheck({n: {"source": str(tmp_path / f"{n}.txt"), "content_hash": content_hash(t)}
                         for n, t in texts.items()})
    cites = [cite(1, tmp_path / "a.txt", texts["a"]), cite(2, tmp_path / "b.txt", texts["b"])]
    answer = Answer("q", f"{texts['a']} [1] {texts['b']} [2]", False, cites)
    (tmp_path / "a.txt").write_text("PyYAML is maintained by a team.")
    got = check.answer(answer)
    assert got.abstained and got.text == ABSTAIN_MESSAGE and got.citations == []
    assert got.notice == "1 source changed since indexing; run citebot index"


@pytest.mark.parametrize("text, kept, want", [
    ("Harris met X [2]. She warned [1][2].", {1: 1}, "She warned [1]."),
    ("Harris met X [2]. She warned [1][2].", {2: 1}, "Harris met X [1]. She warned [1]."),
    ("A [1]. B [2]. C [3].", {1: 1, 3: 2}, "A [1]. C [2]."),
    ("A. [1]\n\nB. [2] Trailing words.", {2: 1}, "B. [1] Trailing words."),
])
def test_renumber(text, kept, want):
    assert renumber(text, kept) == want


def test_relocate():
    text = "xxabcxxxxxxabc"
    assert relocate("abc", 2, text) == 2
    assert relocate("abc", 5, text) == 2 and relocate("abc", 8, text) == 11 and relocate("abc", 40, text) == 11
    assert relocate("abd", 2, text) is None and relocate("abc", 0, "") is None


def test_the_readable_text_of_a_plain_text_file_keeps_angle_brackets_and_html_is_decoded(tmp_path):
    txt = Citation(1, "a.txt", str(tmp_path / "a.txt"), "a", "Values where x < 5 and y > 3 use <b> here.", 0, 9, 1.0)
    assert txt.text == txt.quote
    html = Citation(1, "a.html", str(tmp_path / "a.html"), "a", "<b>Fares</b> rose to &pound;42.", 0, 9, 1.0)
    assert html.text == "Fares rose to £42."
    md = Citation(1, "a.md", str(tmp_path / "a.md"), "a", "See [the report](http://x.org/r) <now>.", 0, 9, 1.0)
    assert md.text == "See the report <now>."


def test_a_pdf_is_checked_by_its_bytes_and_re_read_only_when_changed(tmp_path):
    """Extracted text (PDF, DOCX) is compared through the file's sha256; a changed file is read by its reader."""
    import hashlib
    import shutil

    pdfs = sorted((Path(__file__).resolve().parents[2] / "eval" / "corpus" / "docs" / "pdf").glob("*.pdf"))
    if not pdfs:
        pytest.skip("no PDF in eval/corpus/docs/pdf")
    pdf = tmp_path / "paper.pdf"
    shutil.copy(pdfs[0], pdf)
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    text = sources.document_text(str(pdf))
    settle(pdf)
    assert sources.current_text(str(pdf), content_hash(text), digest) is None
    other = tmp_path / "other.pdf"
    shutil.copy(pdfs[-1], other)
    settle(other)
    assert sources.current_text(str(other), content_hash(text), digest) == sources.document_text(str(other))
