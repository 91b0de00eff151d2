"""Sources edited or deleted after indexing: every citation stays true to its file as it is now, or goes."""
import logging
from pathlib import Path

import pytest

from index.types import content_hash
from qa import ABSTAIN_MESSAGE, Answer, Citation, Passage, ask, retrieve
from qa import sources
from qa.sources import SourceCheck, relocate
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
    kept = (docs / "bridge.txt").read_text()[14:]  # the passage, word for word
    rewrite(docs / "bridge.txt", f"Harbour news\n\nUpdate. {kept}\n"
                                 + "Filler sentence here. " * 40 + f"\n\nArchive: {kept}")
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
    assert [(c.n, c.doc_id) for c in a.citations] == [(1, "ferry.txt")]
    assert a.text == f"Officials said the {BRIDGE[4:]} [1]"  # answered from what is left
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
    rewrite(docs / "bridge.txt", "Harbour news\r\n\r\nNew line one.\r\nNew line two.\r\n" + BRIDGE
            + " Traffic was light in the morning.\r\n", newline="")
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


def test_the_answerer_answers_from_the_passages_as_the_files_are_now(tmp_path):
    """A moved passage is re-pointed, a passage whose text is gone is not offered; the answer says so once."""
    texts = {"a": "Alpha one. Alpha two.", "b": "Beta one."}
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        settle(tmp_path / f"{name}.txt")
    check = SourceCheck({n: {"source": str(tmp_path / f"{n}.txt"), "content_hash": content_hash(t)}
                         for n, t in texts.items()})
    passages = [Passage(n, n, str(tmp_path / f"{n}.txt"), n, t, 0, len(t), 1.0) for n, t in texts.items()]
    seen = []

    def answerer(question, ps):
        seen.append(list(ps))
        return Answer(question, "x", False, [], list(ps))

    assert check.answered("q", passages, answerer).notice is None and seen[-1] == passages
    rewrite(tmp_path / "a.txt", "New first line.\n" + texts["a"])
    rewrite(tmp_path / "b.txt", "Beta changed.")
    got = check.answered("q", passages, answerer)
    [moved] = seen[-1]
    assert (moved.doc_id, moved.start, moved.end) == ("a", 16, 16 + len(texts["a"]))
    assert got.stale_sources == tuple(sorted(str(tmp_path / f"{n}.txt") for n in texts))
    assert got.notice == "2 sources changed since indexing; run citebot index"


PYYAML = ("PyYAML\n\nPyYAML is a YAML parser and emitter for the Python programming language. "
          "PyYAML was originally written by Kirill Simonov in 2006.\n\n"
          "Resources\n\n* PyYAML homepage.\n* PyYAML tutorial and reference.\n* The YAML specification.\n")


def test_an_answer_whose_evidence_was_edited_away_abstains(tmp_path, embedder):
    """What is left once the answering sentence is gone (a list of links) is weak: an abstention, as the
    answerer gives for any weak evidence, never the links shown as the answer."""
    from index import build_index

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README.md").write_text(PYYAML, encoding="utf-8")
    build_index([docs], tmp_path / "ix", embedder)
    settle(docs / "README.md")
    question = "Who originally wrote PyYAML?"
    a = ask(question, index_dir=tmp_path / "ix")
    assert not a.abstained and "Kirill Simonov" in a.citations[0].quote
    rewrite(docs / "README.md", PYYAML.replace("originally written by Kirill Simonov in 2006",
                                               "maintained by a team of volunteers"))
    a = ask(question, index_dir=tmp_path / "ix")
    assert a.abstained and a.text == ABSTAIN_MESSAGE and a.citations == []
    assert a.notice == NOTICE and len(a.stale_sources) == 1
    assert all("Simonov" not in c.quote for c in a.closest)


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


def test_files_not_in_utf8_answer_with_citations_into_their_decoded_text(news_index, caplog):
    """A Windows-1252 text file is indexed (not skipped), cited exactly against the text as decoded, and an edit
    to it is noticed like any other."""
    docs, ix = news_index
    from index import build_index
    from tests.fakes import HashEmbedder

    bridge = docs / "bridge.txt"
    text = "Harbour news\n\nThe caf\u00e9 on the quay \u201cLe Port\u201d served the crews. " + BRIDGE + "\n"
    bridge.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    report = build_index([docs], ix, HashEmbedder())
    assert not report.skipped
    settle(bridge)
    a = ask(QUESTION, index_dir=ix)
    assert not a.abstained and a.stale_sources == () and a.notice is None
    c = a.citations[0]
    assert c.doc_id == "bridge.txt" and sources.document_text(str(bridge))[c.start:c.end] == c.quote == BRIDGE
    rewrite_bytes = ("Harbour news\r\n\r\nA new first line.\r\n" + text).encode("cp1252")
    bridge.write_bytes(rewrite_bytes)
    settle(bridge, age_s=30)
    a = ask(QUESTION, index_dir=ix)
    assert a.stale_sources and sources.document_text(str(bridge))[a.citations[0].start:a.citations[0].end] == BRIDGE


def test_document_text_with_the_index_reads_its_stored_copy_after_a_reader_changes(news_index, monkeypatch):
    """An upgrade that changes how a reader extracts (here: how a Windows-1252 file decodes) moves offsets in a
    fresh extraction; with index_dir, document_text gives the stored text the citations were taken from, while the
    file is unchanged, and the fresh reading once the file changes."""
    docs, ix = news_index
    from index import build_index
    from index.readers import decode as decoding
    from tests.fakes import HashEmbedder

    bridge = docs / "bridge.txt"
    bridge.write_bytes(("Harbour news\n\nThe caf\u00e9 reopened. " + BRIDGE + "\n").encode("cp1252"))
    build_index([docs], ix, HashEmbedder())
    settle(bridge)
    c = ask(QUESTION, index_dir=ix).citations[0]
    assert sources.document_text(str(bridge))[c.start:c.end] == c.quote == BRIDGE
    real = decoding.decode
    monkeypatch.setattr(sources, "decode", lambda data: real(data)._replace(text="Upgraded. " + real(data).text))
    assert sources.document_text(str(bridge))[c.start:c.end] != c.quote  # the new reading moved the offsets
    assert sources.document_text(str(bridge), ix)[c.start:c.end] == c.quote
    bridge.write_bytes(("A new first line. The caf\u00e9 reopened. " + BRIDGE + "\n").encode("cp1252"))
    assert sources.document_text(str(bridge), ix).startswith("Upgraded. A new first line.")
