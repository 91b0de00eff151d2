"""DOCX reader (python-docx): paragraphs and tables in body order; headings from the paragraph styles.

The zip is checked before anything is inflated: a DOCX whose parts would unpack past MAX_UNPACKED_BYTES (a zip
bomb) is refused from the sizes its directory declares (zipfile never inflates past a declared size)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from . import base as _base
from .base import Block, Extracted, Unreadable

BOMB_RATIO = 100                  # compression ratio above which a large part is treated as a zip bomb
BOMB_MIN_BYTES = 10 * 1024 * 1024

_HEADING = re.compile(r"^heading ([1-9])$", re.I)
_SPACE = re.compile(r"\s+")


def _check_zip(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Unreadable("not a DOCX file (not a zip archive)") from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        bomb = any(i.file_size > BOMB_MIN_BYTES and i.file_size > BOMB_RATIO * max(i.compress_size, 1)
                   for i in infos)
        if total > _base.MAX_UNPACKED_BYTES or bomb:
            raise Unreadable(f"DOCX would unpack to {total // 2**20} MB; limit {_base.MAX_UNPACKED_BYTES // 2**20} MB"
                             f"{' (and a part compressed over 100:1)' if bomb else ''}")
        if "word/document.xml" not in {i.filename for i in infos}:
            raise Unreadable("not a DOCX file (no word/document.xml)")


def _body_elements(parent):
    """Paragraphs and tables in body order, those inside content controls (<w:sdt>: forms, cover pages, a
    template's sections) included."""
    for el in parent.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in ("p", "tbl"):
            yield el
        elif tag in ("sdt", "sdtContent", "customXml"):
            yield from _body_elements(el)


def _notes(doc) -> list[tuple[str, str, int]]:
    """Footnotes and endnotes, after the body (as a PDF's footnotes follow its page's text), each "N text" with the
    number its reference mark shows. Separator notes (ids -1 and 0) are layout, not text."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    out = []
    for rel in doc.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind not in ("footnotes", "endnotes") or rel.is_external:
            continue
        root = parse_xml(rel.target_part.blob)
        for note in root.iterchildren(qn("w:" + kind[:-1])):
            number = note.get(qn("w:id"), "")
            if number.lstrip("-").isdigit() and int(number) <= 0:
                continue
            texts = [t for t in map(_xml_text, note.iterchildren(qn("w:p"))) if t]
            out += [(f"{number} {t}" if i == 0 else t, "prose", 0) for i, t in enumerate(texts)]
    return out


def _text_boxes(p_el) -> list[str]:
    """The paragraphs of text boxes anchored in a paragraph (a callout, a sidebar), which its own text leaves out;
    a box drawn twice (DrawingML and its VML fallback) is read once."""
    from docx.oxml.ns import qn

    if p_el.find(".//" + qn("w:txbxContent")) is None:
        return []
    out = []
    for box in p_el.iter(qn("w:txbxContent")):
        if any(a.tag.endswith("}Fallback") for a in box.iterancestors()):
            continue
        out += [t for t in map(_xml_text, box.iter(qn("w:p"))) if t]
    return out


def _xml_text(p_el) -> str:
    """The text of a <w:p> element python-docx does not wrap (in a note or a text box), spaces collapsed."""
    from docx.oxml.ns import qn

    return _SPACE.sub(" ", "".join(t.text or "" for t in p_el.iter(qn("w:t")))).strip()


def _contents_entry(p) -> bool:
    """A table-of-contents line (styles "TOC 1", "TOC Heading"): navigation, as in a PDF."""
    try:
        return (p.style.name or "").lower().startswith("toc")
    except Exception:
        return False


def _listed(p) -> bool:
    """A numbered or bulleted paragraph (Word's numbering, or a "List …" style)."""
    ppr = p._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    try:
        return (p.style.name or "").startswith("List")
    except Exception:  # a style part that cannot be read
        return False


def _level(paragraph) -> int:
    """Heading level from the style (Title 1, Heading N -> N), or 0."""
    try:
        name = (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):
        return 0
    if name.lower() == "title":
        return 1
    m = _HEADING.match(name)
    return int(m[1]) if m else 0


TEMPLATE_DATE = datetime(2013, 12, 23, 23, 15)  # python-docx's default template carries this creation date


class DocxReader:
    name = "docx"
    suffixes = (".docx",)
    stores_text = True

    def read(self, data: bytes) -> Extracted:
        _check_zip(data)
        try:
            import docx
            from docx.table import Table
            from docx.text.paragraph import Paragraph
        except ImportError:
            raise Unreadable("DOCX support needs the python-docx package (pip install python-docx)") from None
        try:
            doc = docx.Document(io.BytesIO(data))
            items = self._items(doc, Paragraph, Table)
        except Unreadable:
            raise
        except Exception as e:  # python-docx/lxml raise many kinds on damaged parts
            raise Unreadable(f"damaged DOCX ({type(e).__name__}: {str(e)[:120]})") from None
        parts: list[str] = []
        blocks: list[Block] = []
        pos = 0
        for text, kind, level in items:
            if parts:
                parts.append("\n\n")
                pos += 2
            parts.append(text)
            blocks.append(Block(pos, pos + len(text), kind, level))
            pos += len(text)
        text = "".join(parts)
        title, date = self._meta(doc)
        return Extracted(text=text, blocks=tuple(blocks), title=title, date=date, stored=True)

    @staticmethod
    def _items(doc, Paragraph, Table) -> list[tuple[str, str, int]]:
        """(text, kind, level) per paragraph or table, in body order."""
        items: list[tuple[str, str, int]] = []
        for el in _body_elements(doc.element.body):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "p":
                p = Paragraph(el, doc)
                text = _SPACE.sub(" ", p.text).strip()
                if text and not _contents_entry(p):
                    level = _level(p)
                    items.append((text, "heading" if level else "item" if _listed(p) else "prose", level))
                items += [(t, "prose", 0) for t in _text_boxes(el)]
            elif tag == "tbl":
                rows = []
                for row in Table(el, doc).rows:
                    cells, seen = [], set()
                    for cell in row.cells:  # a merged cell is repeated: once is enough
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        cells.append(_SPACE.sub(" ", cell.text).strip())
                    if any(cells):
                        rows.append(" | ".join(cells).strip())
                if rows:
                    items.append(("\n".join(rows), "lines", 0))
        return items + _notes(doc)

    @staticmethod
    def _meta(doc) -> tuple[str | None, str | None]:
        try:
            props = doc.core_properties
            title = (props.title or "").strip() or None
            when = props.created or props.modified
            if when is not None and when.replace(tzinfo=None) == TEMPLATE_DATE:
                when = None  # python-docx's own template, saved without dates of the document's
        except Exception:
            return None, None
        date = when.date().isoformat() if when is not None and when.year >= 1980 else None
        return title, date
