"""DocxReader on a document built here with python-docx, the corpus DOCX, and bad input."""
import io
import time
import zipfile
from pathlib import Path

import pytest

from index.readers import base
from index.readers.base import FormatReader, Unreadable
from index.readers.docx import DocxReader
from tests.index.readers.test_pdf import check_invariants

docx = pytest.importorskip("docx", reason="DOCX support needs python-docx")
CORPUS = Path(__file__).resolve().parents[3] / "eval" / "corpus" / "docs" / "docx"


def _docx(build) -> bytes:
    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _sample(d):
    d.core_properties.title = "Ferry report"
    d.add_heading("Ferry report", level=0)
    d.add_heading("Routes", level=1)
    d.add_paragraph("The harbour ferry runs every   twenty minutes.\nIt stops at night.")
    d.add_paragraph("first stop", style="List Bullet")
    d.add_paragraph("second stop", style="List Number")
    t = d.add_table(rows=2, cols=3)
    for r, row in enumerate([("Route", "Boat", "Minutes"), ("A", "Swan", "20")]):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    d.add_heading("Fares", level=2)
    d.add_paragraph("Children travel free.")


def test_structure():
    assert isinstance(DocxReader(), FormatReader) and DocxReader.suffixes == (".docx",)
    ex = DocxReader().read(_docx(_sample))
    check_invariants(ex)
    got = [(ex.text[b.start:b.end], b.kind, b.level) for b in ex.blocks]
    assert got == [("Ferry report", "heading", 1), ("Routes", "heading", 1),
                   ("The harbour ferry runs every twenty minutes. It stops at night.", "prose", 0),
                   ("first stop", "item", 0), ("second stop", "item", 0),  # list paragraphs are items
                   ("Route | Boat | Minutes\nA | Swan | 20", "lines", 0),  # the table stays in place, a row a line
                   ("Fares", "heading", 2), ("Children travel free.", "prose", 0)]
    assert "\n\n".join(g[0] for g in got) == ex.text
    assert ex.title == "Ferry report" and (ex.date is None or len(ex.date) == 10)


def test_the_date_is_the_documents_not_python_docx_templates():
    """A file python-docx saved without dates of its own carries its template's creation date (2013-12-23): no date.
    A date the document sets is read."""
    from datetime import datetime

    assert DocxReader().read(_docx(_sample)).date is None

    def dated(d):
        _sample(d)
        d.core_properties.created = datetime(2024, 5, 2, 9, 30)
    assert DocxReader().read(_docx(dated)).date == "2024-05-02"


def test_merged_cells_once():
    def build(d):
        t = d.add_table(rows=1, cols=3)
        t.cell(0, 0).merge(t.cell(0, 1)).text = "wide"
        t.cell(0, 2).text = "narrow"
    ex = DocxReader().read(_docx(build))
    assert ex.text == "wide | narrow"


@pytest.mark.skipif(not list(CORPUS.glob("*.docx")), reason=f"no corpus DOCX in {CORPUS}")
def test_corpus_docx():
    for path in CORPUS.glob("*.docx"):
        ex = DocxReader().read(path.read_bytes())
        check_invariants(ex)
        kinds = {b.kind for b in ex.blocks}
        assert {"heading", "prose", "lines"} <= kinds
        assert all(b.level >= 1 for b in ex.blocks if b.kind == "heading")


def test_not_a_zip():
    with pytest.raises(Unreadable, match=r"not a DOCX file \(not a zip archive\)"):
        DocxReader().read(b"PK\x03\x04 this is not really a zip" * 10)


def test_zip_without_document():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(Unreadable, match="no word/document.xml"):
        DocxReader().read(buf.getvalue())


def test_zip_bomb_rejected_without_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 20)
            for _ in range(400):  # 400 MB of spaces, about 400 KB compressed
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 2_000_000
    t = time.monotonic()
    with pytest.raises(Unreadable, match=r"DOCX would unpack to 400 MB; limit 300 MB"):
        DocxReader().read(data)
    assert time.monotonic() - t < 0.5


def test_high_ratio_part_under_the_total_limit(monkeypatch):
    monkeypatch.setattr(base, "MAX_UNPACKED_BYTES", 10**12)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b" " * (20 << 20))
    with pytest.raises(Unreadable, match="compressed over 100:1"):
        DocxReader().read(buf.getvalue())


def test_damaged_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<not xml")
    with pytest.raises(Unreadable, match="damaged DOCX"):
        DocxReader().read(buf.getvalue())


def test_content_controls_are_read_and_contents_entries_are_not():
    """Text inside a content control (<w:sdt>, as forms and templates wrap it) is read in place; a table of
    contents' lines (style "TOC 1") are navigation."""
    import copy

    from docx.oxml.ns import qn
    from lxml import etree

    def build(d):
        d.add_heading("Policy", level=1)
        inner = d.add_paragraph("Acknowledge a SEV1 page within 15 minutes.")
        toc = d.add_paragraph("Policy\t1")
        try:
            toc.style = d.styles["TOC 1"]
        except KeyError:
            from docx.enum.style import WD_STYLE_TYPE
            toc.style = d.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
        sdt = etree.SubElement(d.element.body, qn("w:sdt"))
        content = etree.SubElement(sdt, qn("w:sdtContent"))
        content.append(copy.deepcopy(inner._p))
        inner._p.getparent().remove(inner._p)
        d.element.body.remove(sdt)
        d.element.body.insert(1, sdt)
        d.add_paragraph("Escalate after 30 minutes.")

    ex = DocxReader().read(_docx(build))
    assert ex.text == "Policy\n\nAcknowledge a SEV1 page within 15 minutes.\n\nEscalate after 30 minutes."


def test_footnotes_are_read_after_the_body():
    """A DOCX's footnotes live in their own part (word/footnotes.xml): read after the body, each with its number;
    the separator notes Word keeps there are not text."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    notes = (f'<w:footnotes {w}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
             '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
             '</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>The pager rota is kept in the '
             'wiki.</w:t></w:r></w:p></w:footnote></w:footnotes>').encode()

    def build(d):
        d.add_paragraph("Acknowledge a SEV1 page within 15 minutes.")
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
        part = Part(PackURI("/word/footnotes.xml"), kind, notes, d.part.package)
        d.part.relate_to(part, RT.FOOTNOTES)

    ex = DocxReader().read(_docx(build))
    assert ex.text == "Acknowledge a SEV1 page within 15 minutes.\n\n1 The pager rota is kept in the wiki."


def test_text_boxes_are_read_once():
    """A text box anchored in a paragraph (DrawingML, with Word's VML fallback copy) is read after that paragraph,
    once."""
    from docx.oxml import parse_xml

    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:v="urn:schemas-microsoft-com:vml"')
    box = '<w:txbxContent><w:p><w:r><w:t>Call the duty manager first.</w:t></w:r></w:p></w:txbxContent>'
    run = (f'<w:r {ns}><mc:AlternateContent><mc:Choice Requires="wps"><wps:txbx>{box}</wps:txbx></mc:Choice>'
           f'<mc:Fallback><v:textbox>{box}</v:textbox></mc:Fallback></mc:AlternateContent></w:r>')

    def build(d):
        p = d.add_paragraph("Escalation")
        p._p.append(parse_xml(run))
        d.add_paragraph("Page the secondary after 30 minutes.")

    ex = DocxReader().read(_docx(build))
    assert ex.text == "Escalation\n\nCall the duty manager first.\n\nPage the secondary after 30 minutes."
