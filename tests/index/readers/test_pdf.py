"""PdfReader on real PDFs (eval/corpus) and on bad input generated here."""
import bisect
import io
import os
import re
import time
from pathlib import Path

import pytest

from index.readers import base
from index.readers.base import Extracted, FormatReader, Unreadable

pytest.importorskip("pypdfium2", reason="PDF support needs pypdfium2")
from index.readers.pdf import PdfReader  # noqa: E402

CORPUS = Path(__file__).resolve().parents[3] / "eval" / "corpus" / "docs" / "pdf"
ACL = CORPUS / "N18-3011.pdf"                           # two columns, 8 pages
FEDREG = CORPUS / "federal-register-2020-17221.pdf"     # three columns, running headers, margin stamp
needs_corpus = pytest.mark.skipif(not ACL.exists() or not FEDREG.exists(), reason=f"no corpus PDFs in {CORPUS}")


def check_invariants(ex: Extracted) -> None:
    assert ex.stored and ex.text
    last = 0
    for b in ex.blocks:
        assert last <= b.start < b.end <= len(ex.text), b
        assert ex.text[b.start:b.end].strip() == ex.text[b.start:b.end]
        last = b.end
    assert list(ex.pages) == sorted(ex.pages) and all(0 <= p <= len(ex.text) for p in ex.pages)


@pytest.fixture(scope="module")
def acl():
    return PdfReader().read(ACL.read_bytes())


@pytest.fixture(scope="module")
def fedreg():
    return PdfReader().read(FEDREG.read_bytes())


def test_is_a_format_reader():
    assert isinstance(PdfReader(), FormatReader) and PdfReader.suffixes == (".pdf",) and PdfReader.stores_text


@needs_corpus
def test_two_column_paper(acl):
    check_invariants(acl)
    assert len(acl.pages) == 8
    text = acl.text
    # sentences that wrap across lines (and columns) come out whole, one paragraph per line
    for s in ["We deterministically remove duplicate papers based on string similarity of their metadata, "
              "resulting in 37M unique paper nodes.",
              "We run our final tests on a held-out set from PubMed Central, consisting of about 54K documents.",
              "This labeling process succeeds for 76% of the documents."]:
        assert s in text
    page = lambda off: bisect.bisect_right(acl.pages, off)  # noqa: E731
    assert page(text.index("resulting in 37M unique paper nodes")) == 2
    assert page(text.index("This labeling process succeeds for 76%")) == 3
    assert "available at https://metamap.nlm.nih.gov/MetaMapLite.shtml" in text  # a URL wrapped at a line end
    # a footnote's raised number is set apart from its first word ("4We" would be one word to search)
    assert "\n\n4 We also experimented with a \u201cpure\u201d rules-based approach" in text
    assert "\n\n7 http://rtw.ml.cmu.edu/rtw/" in text
    # a reference's second line, indented under the first (a hanging indent), goes on with the broken word
    assert "Luca Weihs and Oren Etzioni. 2017. Learning to predict citation-based impact measures. In JCDL." in text
    headings = {text[b.start:b.end]: b.level for b in acl.blocks if b.kind == "heading"}
    # no outline; the 15 pt title by its size; the 12 pt numbered sections by their numbers, in sequence (the
    # footnote "2 The ScienceParse libraries can be found at …" and "5 The TagMe APIs …" are not headings)
    assert headings["Construction of the Literature Graph in Semantic Scholar"] == 1
    assert headings["2 Structure of The Literature Graph"] == 2 and headings["2.1 Node Types"] == 3
    assert headings["6 Conclusion and Future Work"] == 2
    assert not any("ScienceParse" in h or "TagMe" in h for h in headings)
    assert not [p for p in text.split("\n\n") if re.fullmatch(r"\d{1,3}", p)]  # page numbers gone
    assert 0.95 < sum(c.isalnum() for c in text) / acl.visible_chars <= 1
    assert acl.title == "Construction of the Literature Graph in Semantic Scholar"


@needs_corpus
def test_table_rows_stay_rows(acl, fedreg):
    """A table inside a column is read row by row, each row a block of kind "lines" with its cells in order (not
    read as two narrow columns, nor run together into one paragraph), and tables with leader dots alike."""
    def block_of(ex, needle):
        at = ex.text.index(needle)
        return next(b for b in ex.blocks if b.start <= at < b.end)

    row = block_of(acl, "bibliography venues")
    assert row.kind == "lines"
    assert acl.text[row.start:row.end] == "bibliography venues | 91.7 | 89.7 90.7"
    title = block_of(acl, "title | 85.5")
    assert title.kind == "lines" and title.end < row.start  # rows in order, each its own block
    caption = block_of(acl, "Table 1: Results of the ScienceParse system.")
    assert caption.kind == "prose"
    # a small table whose cells sit close together: its lines of figures are rows too
    assert block_of(acl, "Baseline 84.2 54.2").kind == "lines" and block_of(acl, "Neural | 84.6").kind == "lines"
    afm = block_of(fedreg, "AFM revisions ....")
    assert afm.kind == "lines" and fedreg.text[afm.start:afm.end].endswith("$6,205.")
    assert "FCC OPS installation" not in fedreg.text[afm.start:afm.end]
    # a cell wrapped onto a second line stays in its cell; a header cell stacked on two lines is one cell
    mds = block_of(fedreg, "MDS installation and verification, INOP")
    assert fedreg.text[mds.start:mds.end].startswith("MDS installation and verification, INOP marker removal. | ")
    wiring = block_of(fedreg, "Stabilizer wiring change")
    assert "× $85 per hour = Up to $6,715. | Up to $3,790" in fedreg.text[wiring.start:wiring.end]
    header = block_of(fedreg, "Action | Labor cost")
    assert fedreg.text[header.start:header.end] == ("Action | Labor cost | Parts cost | Cost per product | "
                                                     "Cost on U.S. operators")


@needs_corpus
def test_a_sentence_goes_on_after_a_table_or_figure_at_the_top_of_the_next_column(acl):
    """A table or figure set at the top of a column cuts the sentence running from the column before; the sentence
    is read whole, the table and its caption after it."""
    text = acl.text
    assert ("the statistics collected in the index described earlier. We compute two scores based on the word "
            "overlap") in text
    assert "(e.g., Xiong et al., 2017). We describe methods used in a scalable deployed production system" in text
    assert text.index("index described earlier.") < text.index("Table 4: The Bag of Concepts F1 score")


@needs_corpus
def test_lines_repeated_away_from_the_page_edges_are_text(fedreg):
    """Under the full-page figures of pages 8-14, two lines in two columns repeat from page to page but for their
    numbers, as running footers do; they sit above the bottom margin, so they are text, read column by column."""
    assert ("(4) In the Operating Procedures chapter, replace the existing Runaway Stabilizer paragraph with the "
            "information in figure 3 to paragraph (h)(4) of this AD.") in fedreg.text
    assert "VerDate" not in fedreg.text  # the printer's line at the very bottom still goes


@needs_corpus
def test_three_columns_headers_hyphens(fedreg):
    check_invariants(fedreg)
    text = fedreg.text
    assert "Federal Register / Vol. 85" not in text   # running header of pages 2..15
    assert "PROPOSALS" not in text                     # rotated stamp in the margin of every page
    assert fedreg.left_out and "15 pages" in fedreg.left_out[0]
    # a sentence crossing a column and a page break, with a compound hyphen at the break
    assert ("On October 29, 2018, a Boeing Model 737–8 airplane operated by Lion Air (Lion Air Flight 610) was "
            "involved in an accident after takeoff from Soekarno-Hatta International Airport") in text
    assert "The FAA estimates that this proposed AD affects 73 airplanes of U.S. registry." in text


@needs_corpus
def test_narrow_gutters_still_part_columns(fedreg):
    """The footnote area of page 2 is three columns of 7 pt type with gutters of 9 pt, under one em of the page's
    9 pt body: each column is still read top to bottom, so sentences run on in their own column."""
    text = fedreg.text
    assert ("‘‘low’’ AOA is a relatively small angle (associated with flight conditions within the normal "
            "flight envelope).") in text
    assert ("The FAA’s review of these flights and associated risk assessments provided the basis for the revised "
            "pilot procedures") in text
    # a paragraph opening with a label in small capitals goes on in body type on its next line
    assert "FOR FURTHER INFORMATION CONTACT: Ian Won, Manager, Seattle ACO Branch" in text
    # the first page's left column reads on from SUMMARY to DATES before the next column starts
    assert "The FAA is proposing this AD to address the unsafe condition on these products.\n\nDATES:" in text


def test_an_options_table_is_not_two_columns():
    """An options table (flags on the left, "-o, --output=FILE", what they do on the right; the libtasn1 manual's) is
    not two columns of running text: flags are not prose, so its rows are read across. Two columns of prose are."""
    from index.readers.pdf import _columns, _Line

    def line(x0, x1, y, text):
        return _Line(x0, y, x1, y + 9, text, 10.9, 0)
    flags = ["-c, --check", "-o, --output=FILE", "-n, --name=NAME", "-h, --help", "-v, --version"]
    meanings = ["checks the syntax only", "output file", "array name", "display this help and exit",
                "output version information and exit"]
    table = [line(101.5, 101.5 + 8 * len(f), 500 - 13 * i, f) for i, f in enumerate(flags)]
    table += [line(227.5, 227.5 + 6 * len(m), 500 - 13 * i, m) for i, m in enumerate(meanings)]
    assert _columns(table, 213.0, 10.9) is None
    prose = ["the reader takes the text of every page", "and groups its lines into paragraphs that",
             "run on across a column break when the", "sentence plainly goes on in the next one"]
    two = [line(72, 290, 700 - 13 * i, t) for i, t in enumerate(prose)]
    two += [line(306, 524, 700 - 13 * i, t) for i, t in enumerate(prose)]
    left, right = _columns(two, 298.0, 10.9)
    assert len(left) == len(right) == 4


def test_contents_and_index_entries_are_navigation():
    """A page of "title . . . . page" lines (a table of contents, a back-of-book index) is left out, and said so;
    a table row with leader dots ("AFM revisions ........ 1 work-hour × $85") and a lone such line are text."""
    from index.readers.pdf import _Line, _remove_contents

    def line(y, text):
        return _Line(90, y, 500, y + 10, text, 10.9, 0)
    contents = [line(700, "1 Introduction . . . . . . . . . . . . 1"),
                line(686, "2 ASN.1 structure handling . . . . 2"),
                line(672, "3.1 Invoking asn1Parser . . . . . . . . 5"), line(658, "Concept Index. . . . . . . . . 32")]
    body = [line(700, "AFM revisions ........ 1 work-hour × $85 per hour = $85 ...... $0 ...... $85"),
            line(686, "See the introduction . . . . 1"), line(672, "The library parses ASN.1 definitions.")]
    pages = [contents, body]
    assert _remove_contents(pages, 40) == 4
    assert pages[0] == [] and len(pages[1]) == 3


def test_hyphenation_rules():
    from index.readers.pdf import _Line, _join

    def para(*lines):
        return [_Line(0, 0, 100, 10, t, 10, 0) for t in lines]

    paras = [para("a trace is an exam-", "ple of this."), para("a type-", "specialized trace"),
             para("every type-specialized trace"), para("Trace-", "Monkey runs"), para("build 737\u2013", "9 now")]
    texts, _ = _join(paras)
    assert texts == ["a trace is an example of this.", "a type-specialized trace", "every type-specialized trace",
                     "Trace-Monkey runs", "build 737\u20139 now"]
    # a URL or an e-mail address broken at a line end goes on without a space; a sentence after a URL does not
    texts, _ = _join([para("internet https://", "www.example.com. You may"), para("email: help@", "faa.gov."),
                      para("see https://example.com", "for more")])
    assert texts == ["internet https://www.example.com. You may", "email: help@faa.gov.",
                     "see https://example.com for more"]


# ------------------------------------------------------------------------------------------------- bad input

def _some_pdf() -> bytes:
    if ACL.exists():
        return ACL.read_bytes()
    pytest.skip(f"no corpus PDFs in {CORPUS}")


@pytest.mark.parametrize("data, reason", [
    (os.urandom(50_000), "not a PDF"),
    (b"%PDF-1.7\n" + os.urandom(50_000) + b"\n%%EOF\n", "damaged"),
    (b"", "not a PDF"),
])
def test_garbage(data, reason):
    with pytest.raises(Unreadable, match=reason):
        PdfReader().read(data)


def test_truncated():
    data = _some_pdf()
    with pytest.raises(Unreadable, match="truncated"):
        PdfReader().read(data[: len(data) // 2])


def test_encrypted():
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test only) encrypts the sample")
    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_some_pdf())))
    w.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(Unreadable, match=r"encrypted PDF \(password-protected\)"):
        PdfReader().read(buf.getvalue())


def test_no_text_layer():
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test only) writes the blank PDF")
    w = pypdf.PdfWriter()
    for _ in range(3):
        w.add_blank_page(612, 792)
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(Unreadable, match="no text layer"):
        PdfReader().read(buf.getvalue())


def test_page_limit(monkeypatch):
    data = _some_pdf()
    monkeypatch.setattr(base, "MAX_PAGES", 5)
    with pytest.raises(Unreadable, match="PDF has 8 pages; the limit is 5"):
        PdfReader().read(data)


def test_time_limit(monkeypatch):
    data = _some_pdf()
    monkeypatch.setattr(base, "READ_SECONDS", 0.01)
    t = time.monotonic()
    with pytest.raises(Unreadable, match="took over"):
        PdfReader().read(data)
    assert time.monotonic() - t < 5


def test_worker_crash_is_unreadable(monkeypatch):
    from index.readers import pdf

    monkeypatch.setattr(pdf.sys, "executable", "/bin/false")
    with pytest.raises(Unreadable, match="PDF parser failed"):
        PdfReader().read(_some_pdf())


@needs_corpus
def test_headings_from_outline():
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test only) adds the outline")
    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(ACL))
    top = w.add_outline_item(title="Structure of The Literature Graph", page_number=1)
    w.add_outline_item(title="Node Types", page_number=1, parent=top)
    buf = io.BytesIO()
    w.write(buf)
    ex = PdfReader().read(buf.getvalue())
    check_invariants(ex)
    headings = {ex.text[b.start:b.end]: b.level for b in ex.blocks if b.kind == "heading"}
    assert headings == {"2 Structure of The Literature Graph": 1, "2.1 Node Types": 2}
