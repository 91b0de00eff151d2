"""PDF reader: pypdfium2 (PDFium; Apache-2.0/BSD-3) extracts the characters with their boxes, this module lays them
out (columns, paragraphs, hyphenation, running headers/footers) and returns one paragraph per line.

Extraction runs in a child process (``python <this file> <pdf> <max pages>``, which prints JSON), so a PDF that
hangs or crashes the C library, or eats memory, costs one Unreadable line and never the indexing run.
Why PDFium: docs/pdf-extraction.md (measured with benchmarks/pdf_extract.py).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter

try:
    from . import base as _base
    from .base import Block, Extracted, Unreadable
except ImportError:  # run as the extraction worker (python path/to/pdf.py FILE MAX_PAGES): no package needed
    if __name__ != "__main__":
        raise

WORKER_MEMORY_BYTES = 4 * 1024 ** 3  # address-space limit of the extraction process


class PdfReader:
    name = "pdf"
    suffixes = (".pdf",)
    stores_text = True

    def read(self, data: bytes) -> Extracted:
        if b"%PDF-" not in data[:1024]:
            raise Unreadable("not a PDF file (no %PDF- header)")
        if b"%%EOF" not in data.rstrip(b"\x00\r\n\t ")[-1024:]:
            raise Unreadable("truncated PDF (no end-of-file marker)")
        fd, path = tempfile.mkstemp(suffix=".pdf", prefix="citebot-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            out = _run_worker(path)
        finally:
            os.unlink(path)
        if "error" in out:
            raise Unreadable(out["error"])
        text = out["text"]
        blocks = tuple(Block(s, e, k, lv) for s, e, k, lv in out["blocks"])
        return Extracted(text=text, blocks=blocks, title=out.get("title"), date=out.get("date"),
                         pages=tuple(out["pages"]), visible_chars=out["visible_chars"],
                         left_out=tuple(out["left_out"]), stored=True)


def _run_worker(path: str) -> dict:
    cmd = [sys.executable, "-I", os.path.abspath(__file__), path, str(_base.MAX_PAGES)]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=_base.READ_SECONDS)
    except subprocess.TimeoutExpired:
        raise Unreadable(f"reading the PDF took over {_base.READ_SECONDS} s; stopped") from None
    if proc.returncode == 0:
        try:
            return json.loads(proc.stdout)
        except ValueError:
            pass
    err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    if any("MemoryError" in line for line in err[-3:]):
        return {"error": f"reading the PDF needs over {WORKER_MEMORY_BYTES // 1024**3} GB of memory; stopped"}
    if any("No module named 'pypdfium2'" in line for line in err):
        return {"error": "PDF support needs the pypdfium2 package (pip install pypdfium2)"}
    how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
    return {"error": f"the PDF parser failed ({how}): {err[-1][:200] if err else 'no message'}"}


# ---------------------------------------------------------------------------------------------------- worker side

_HYPHENS = "-\u00ad\ufffe\u2010\x02"
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
              "\ufb06": "st"}
_ACCENTS = {"\u00a8": "\u0308", "\u00b4": "\u0301", "`": "\u0300", "\u02c6": "\u0302", "\u02dc": "\u0303",
            "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02dd": "\u030b", "\u02d8": "\u0306", "\u02da": "\u030a"}
_ACCENTED = re.compile("([\u00a8\u00b4`\u02c6\u02dc\u00b8\u02c7\u02dd\u02d8\u02da])([A-Za-z\u0131])")
# an accent drawn apart from its letter, standing alone between spaces ("Paul Erd o ˝ s" read as "˝ can be")
_STRAY_ACCENT = re.compile("(?:^|(?<=\\s))[\u00a8\u00b4\u02c6\u02dc\u00b8\u02c7\u02dd\u02d8\u02da](?=\\s|$)")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?(?:\d{1,5}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.I)
_BULLET = re.compile(r"^(?:[\u2022\u2023\u25e6\u25aa\u25cf\u2043\u2219\u00b7\u2013\u2014*\uf0b7]\s|\(?\d{1,2}[.)]\s"
                     r"|\([a-z]\)\s)")
_SENTENCE_END = tuple('.!?:;"\u201d)')
_LEADER = re.compile(r"\S\s?\.{4,}\s?(?=\S)")  # "AFM revisions ....... 1 work-hour": dots leading to the next cell
_CELL = " | "  # between the cells of a table row in the stored text
PROSE_WORDS = 3  # a line of running text has this many words of two letters or more ("-o, --output=FILE" has not)
GUTTER_EMS = 0.8  # a column gutter is at least this wide (the Federal Register's is 9 pt beside 9 pt type)
EDGE_SHARE = 0.12  # running headers and footers sit within this share of the page's height from its top or bottom


class _Line:
    """A run of characters on one baseline: one line of a column (or one cell of a table row)."""

    __slots__ = ("x0", "y0", "x1", "y1", "text", "size", "page", "region", "base", "cells", "row", "frags",
                 "size_end")

    def __init__(self, x0, y0, x1, y1, text, size, page, base=None):
        self.x0, self.y0, self.x1, self.y1, self.text, self.size, self.page = x0, y0, x1, y1, text, size, page
        self.region = 0
        self.cells = 1  # fragments set apart by a gap of over an em, or by leader dots (a table row has several)
        self.row = False  # a table row (_table_rows): a paragraph of its own
        self.frags = [(x0, x1, 0, len(text))]  # the fragments _rows joined: x0, x1 and where each is in text
        self.size_end = size  # the size of its last characters ("CONTACT: Ian": small capitals, then 9 pt)
        self.base = y0 if base is None else base  # bottom of the first letter's box: baselines, for line pitch

    @property
    def mid(self):
        return (self.y0 + self.y1) / 2


def _clean(s: str) -> str:
    s = "".join(_LIGATURES.get(c, c) for c in s)
    if _ACCENTED.search(s):
        s = _ACCENTED.sub(lambda m: unicodedata.normalize(
            "NFC", ("i" if m[2] == "\u0131" else m[2]) + _ACCENTS[m[1]]), s)
    if _STRAY_ACCENT.search(s):
        s = _STRAY_ACCENT.sub("", s)
    return re.sub(r"\s+", " ", s).strip()


def _page_lines(raw, textpage, pageno: int) -> tuple[list[_Line], list[_Line]]:
    """The page's characters as line fragments: (upright fragments, rotated ones in stream order)."""
    n = raw.FPDFText_CountChars(textpage)
    rect = raw.FS_RECTF()
    upright: list[_Line] = []
    rotated: list[_Line] = []
    chars: list[str] = []
    box = None  # [x0, y0, x1, y1, size, last_x1, rotated, base]
    space = False

    def close():
        nonlocal chars, box
        if box is not None:
            text = _clean("".join(chars))
            if text:
                size = max(box[4].items(), key=lambda kv: kv[1])[0]  # the size of most of its characters
                line = _Line(*box[:4], text, size, pageno, box[7])
                line.size_end = box[8]
                (rotated if box[6] else upright).append(line)
        chars, box = [], None

    for k in range(n):
        u = raw.FPDFText_GetUnicode(textpage, k)
        if u in (10, 13):
            close()
            space = False
            continue
        if u == 0xFFFE or u == 2:
            ch = "\ufffe"
        elif u < 32 or 0xD800 <= u <= 0xDFFF or u >= 0x110000 or u == 0xFFFF:
            space = space or u == 9
            continue
        else:
            ch = chr(u)
        if ch.isspace():
            space = True
            continue
        raw.FPDFText_GetLooseCharBox(textpage, k, rect)
        x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
        size = raw.FPDFText_GetFontSize(textpage, k)
        if not 3 <= size < 500:
            size = max(y1 - y0, 1.0)
        angle = raw.FPDFText_GetCharAngle(textpage, k)
        rot = 0.05 < angle < 6.23  # radians; upright text is 0 (or just under 2 pi)
        if box is not None:
            em = max(size, box[8])
            if (rot != box[6] or (not rot and (x0 - box[5] > 1.5 * em or x0 < box[5] - 2 * em
                                               or y0 > box[3] + 0.2 * em or y1 < box[1] - 0.2 * em))):
                close()
                space = False
        if box is None:
            box = [x0, y0, x1, y1, {}, x1, rot, y0 if ch.isalnum() else None, size]
        else:
            if space or (not rot and x0 - box[5] > 0.3 * size):
                chars.append(" ")
            box[0], box[1], box[2], box[3] = min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)
            box[8] = size
            box[5] = x1
            if box[7] is None and ch.isalnum():
                box[7] = y0
        chars.append(ch)
        rs = round(size, 1)
        box[4][rs] = box[4].get(rs, 0) + 1
        space = False
    close()
    return upright, rotated


def _order(lines: list[_Line], region: list[int], depth: int = 0, em: float = 0.0) -> list[_Line]:
    """Reading order of one region: horizontal slabs; a run of consecutive slabs that share a column gutter (and
    holds lines of prose width on both sides) is read column by column, recursively (three columns, a column
    inside a column); everything else top to bottom. ``region`` numbers the column flows (Line.region)."""
    if len(lines) <= 1 or depth > 6:
        return _single(lines, region)
    lines = sorted(lines, key=lambda ln: -ln.y1)
    slabs: list[list[_Line]] = []
    bottom = None
    for ln in lines:
        half = 0.3 * (ln.y1 - ln.y0)
        if bottom is None or ln.mid + half < bottom:
            slabs.append([])
            bottom = ln.mid - half
        slabs[-1].append(ln)
        bottom = min(bottom, ln.mid - half)
    em = em or sorted(ln.size for ln in lines)[len(lines) // 2]  # the page's body size
    out: list[_Line] = []
    flat: list[_Line] = []  # consecutive single-column slabs: one flow
    i = 0
    while i < len(slabs):
        group, gutter, j = list(slabs[i]), None, i + 1
        while j < len(slabs) and j - i < 400:
            g = _gutter(group + slabs[j], em)
            if g is None:
                break
            group += slabs[j]
            gutter, j = g, j + 1
        if gutter is None and j == i + 1 and len(slabs[i]) > 1:
            gutter = _gutter(group, em)
        cols = _columns(group, gutter, em) if gutter is not None else None
        if cols is None:
            flat += slabs[i]
            i += 1
            continue
        out += _single(flat, region)
        flat = []
        out += _order(cols[0], region, depth + 1, em) + _order(cols[1], region, depth + 1, em)
        i = j
    return out + _single(flat, region)


def _single(lines: list[_Line], region: list[int]) -> list[_Line]:
    if not lines:
        return []
    region[0] += 1
    for ln in lines:
        ln.region = region[0]
    rows: list[list[_Line]] = []
    for ln in sorted(lines, key=lambda ln: -ln.mid):  # top to bottom; a row (same baseline) left to right
        r = rows[-1][0] if rows else None
        if r is not None and min(r.y1, ln.y1) - max(r.y0, ln.y0) > 0.5 * min(r.y1 - r.y0, ln.y1 - ln.y0):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.x0)]


def _gutter(lines: list[_Line], em: float) -> float | None:
    """The x of the widest vertical gap (at least GUTTER_EMS) crossing all these lines between their outer edges."""
    spans = sorted((ln.x0, ln.x1) for ln in lines)
    best, best_w, reach = None, GUTTER_EMS * em, spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= best_w:
            best, best_w = (reach + x0) / 2, x0 - reach
        reach = max(reach, x1)
    return best


def _columns(group: list[_Line], gutter: float, em: float):
    """(left, right) when both sides of the gutter hold lines of prose width (not the cells of a table)."""
    left = [ln for ln in group if ln.x1 <= gutter]
    right = [ln for ln in group if ln.x0 >= gutter]
    if not left or not right:
        return None
    width = max(ln.x1 for ln in group) - min(ln.x0 for ln in group)
    wide = min(0.25 * width, 12 * em)

    def prose(ln: _Line) -> bool:  # a line of running text, not a table cell ("85.5 85.5", "bibliography titles")
        return (ln.x1 - ln.x0 >= wide and sum(len(w) > 1 for w in _WORD.findall(ln.text)) >= PROSE_WORDS
                and not _LEADER.search(ln.text))

    if sum(map(prose, left)) >= 2 and sum(map(prose, right)) >= 2:
        return left, right
    return None


def _rows(lines: list[_Line]) -> list[_Line]:
    """Fragments on one baseline next to each other in reading order (a table row, a header) become one line."""
    out: list[_Line] = []
    for ln in lines:
        ln.cells = max(ln.cells, 1 + len(_LEADER.findall(ln.text)))
        p = out[-1] if out else None
        if (p is not None and p.region == ln.region and ln.x0 >= p.x1 - 1
                and min(p.y1, ln.y1) - max(p.y0, ln.y0) > 0.5 * min(p.y1 - p.y0, ln.y1 - ln.y0)):
            cell = ln.x0 - p.x1 > max(p.size, ln.size)
            p.cells += ln.cells if cell else ln.cells - 1
            p.text += _CELL if cell else " "
            p.frags.append((ln.x0, ln.x1, len(p.text), len(p.text) + len(ln.text)))
            p.text += ln.text
            p.x1, p.y0, p.y1 = ln.x1, min(p.y0, ln.y0), max(p.y1, ln.y1)
            p.size, p.size_end = max(p.size, ln.size), ln.size_end
        else:
            out.append(ln)
    return out


def _wrapped_cells(lines: list[_Line]) -> list[_Line]:
    """A table cell wrapped onto a second line ("MDS installation and verification, INOP" / "marker removal.")
    goes back into its row; so does a header cell stacked on two lines beside a one-line header ("Cost on U.S." /
    "operators" beside "Parts cost"). Lines in reading order, as _rows leaves them."""
    rows = _table_rows(lines)
    if not rows:
        return lines
    taken: set[int] = set()
    for r in sorted(rows):
        row = lines[r]
        em = row.size
        beside: list[_Line] = []  # lines that share the row's band but stand apart from its cells: a stacked cell
        for k in range(max(0, r - 3), min(len(lines), r + 4)):
            ln = lines[k]
            if k == r or k in rows or k in taken:
                continue
            overlaps = min(row.y1, ln.y1) > max(row.y0, ln.y0)
            apart = all(ln.x1 < a - 0.5 * em or ln.x0 > b + 0.5 * em for a, b, _, _ in row.frags)
            if overlaps and apart and ln.region == row.region and ln.x1 - ln.x0 < 0.4 * (row.x1 - row.x0):
                beside.append(ln)
                taken.add(k)
            elif (k == r + 1 and not overlaps and row.y0 - ln.y1 < 0.6 * em and row.x0 - em <= ln.x0
                  and ln.x1 <= row.x1 + em and ln.x1 - ln.x0 < 0.4 * (row.x1 - row.x0)
                  and not (k + 1 < len(lines) and k + 1 not in rows and ln.y0 - lines[k + 1].y1 < 0.6 * em
                           and lines[k + 1].x0 < ln.x1 and lines[k + 1].x1 > ln.x0)):
                _append_to_cell(row, ln)  # the one short line right under the row, not a paragraph's first line
                taken.add(k)
        if beside:
            text = " ".join(ln.text for ln in sorted(beside, key=lambda ln: -ln.mid))
            x0, x1 = min(ln.x0 for ln in beside), max(ln.x1 for ln in beside)
            _insert_cell(row, x0, x1, text)
    return [ln for k, ln in enumerate(lines) if k not in taken]


def _append_to_cell(row: _Line, ln: _Line) -> None:
    """Add a wrapped line's text to the end of the row's cell above it (a leader's dots lead to the next cell)."""
    frag = max((f for f in row.frags if f[0] <= ln.x0 + row.size), default=row.frags[0], key=lambda f: f[0])
    x0, x1, a, b = frag
    at = a + round((ln.x0 - x0) / max(x1 - x0, 1e-6) * (b - a))  # about where that x falls in the fragment's text
    ends = [a + m.start() + 1 for m in _LEADER.finditer(row.text[a:b])] + [b]  # a cell ends at its leader
    end = next((e for e in ends if e >= at), b)
    _insert(row, end, " " + ln.text)


def _insert_cell(row: _Line, x0: float, x1: float, text: str) -> None:
    """Put a cell into the row at its place by x."""
    i = next((k for k, f in enumerate(row.frags) if f[0] > x0), len(row.frags))
    last = i == len(row.frags)
    at = len(row.text) if last else row.frags[i][2]
    _insert(row, at, _CELL + text if last else text + _CELL)
    start = at + len(_CELL) if last else at
    row.frags.insert(i, (x0, x1, start, start + len(text)))
    row.cells += 1
    row.x0, row.x1 = min(row.x0, x0), max(row.x1, x1)


def _insert(row: _Line, at: int, piece: str) -> None:
    row.text = row.text[:at] + piece + row.text[at:]
    row.frags = [(x0, x1, a + len(piece) * (a >= at), b + len(piece) * (b >= at)) for x0, x1, a, b in row.frags]


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()


def _remove_furniture(pages: list[list[_Line]], rotated: set[int], heights: list[float]) -> int:
    """Drop running headers/footers (repeated at the top/bottom of pages within EDGE_SHARE of the page's height, or
    rotated in the margin, digits aside) and bare page numbers. Lines repeated further in (the two lines under a
    full-page figure: "(4) In the Operating Procedures chapter,") are text."""
    edge = []
    for lines, height in zip(pages, heights):
        by_y = sorted((ln for ln in lines if id(ln) not in rotated), key=lambda ln: -ln.mid)
        near = [ln for ln in by_y[:3] + by_y[-3:] if min(ln.y0, height - ln.y1) <= EDGE_SHARE * height]
        edge.append({id(ln) for ln in near} | {id(ln) for ln in lines if id(ln) in rotated})
    counts = Counter()
    for lines, ids in zip(pages, edge):
        counts.update({_furniture_key(ln.text) for ln in lines if id(ln) in ids})
    need = max(2, -(-len(pages) // 10))
    touched = 0
    for i, (lines, ids) in enumerate(zip(pages, edge)):
        keep = [ln for ln in lines if id(ln) not in ids or not (
            _PAGE_NUMBER.match(ln.text) or (counts[_furniture_key(ln.text)] >= need and len(pages) >= 2))]
        if len(keep) < len(lines):
            touched += 1
            pages[i] = keep
    return touched


_CONTENTS_LINE = re.compile(r"\S.*?\s?(?:\.\s?){3,}\s*(?:\d{1,4}|[ivxlc]{1,6})$")  # "3.1 Invoking asn1Parser . . . 5"
CONTENTS_MIN_LINES = 3  # a page with this many such lines holds a table of contents (or an index)


def _remove_contents(pages: list[list[_Line]], n_pages: int) -> int:
    """Drop table-of-contents and back-of-book index entries (a title, leader dots, a page number at most the
    document's page count; three or more on a page): they repeat the headings and point at pages, and a question
    matching a heading's words would be answered with its entry. Returns how many lines went."""
    def entry(ln: _Line) -> bool:
        m = _CONTENTS_LINE.fullmatch(ln.text) if _CELL not in ln.text else None
        if not m:
            return False
        page = ln.text.rsplit(None, 1)[-1].rsplit(".", 1)[-1]
        return not page.isdigit() or int(page) <= n_pages

    gone = 0
    for i, lines in enumerate(pages):
        hits = [ln for ln in lines if entry(ln)]
        if len(hits) >= CONTENTS_MIN_LINES:
            ids = {id(ln) for ln in hits}
            pages[i] = [ln for ln in lines if id(ln) not in ids]
            gone += len(hits)
    return gone


def _paragraphs(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Group lines into paragraphs: a new one after a wide gap, a change of font size, a first-line indent, a
    bullet, or a short line ending a sentence; a column or page break continues a paragraph whose sentence goes on."""
    pitches = []
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            if a.region == b.region and abs(a.size - b.size) < 0.1 * a.size:
                r = (a.base - b.base) / a.size
                if 0.8 < r < 2.5:
                    pitches.append(round(r, 1))
    pitch = Counter(pitches).most_common(1)[0][0] if pitches else 1.2
    extent: dict[tuple[int, int], tuple[float, float]] = {}
    for lines in pages:
        for ln in lines:
            k = (ln.page, ln.region)
            x0, x1 = extent.get(k, (ln.x0, ln.x1))
            extent[k] = (min(x0, ln.x0), max(x1, ln.x1))
    flat = [ln for lines in pages for ln in lines]
    for i in _table_rows(flat):
        flat[i].row = True
    paras: list[list[_Line]] = []
    for i, ln in enumerate(flat):
        p = paras[-1][-1] if paras else None
        new = p is None or ln.row or p.row
        if not new:
            em = max(p.size, ln.size)
            same_flow = p.page == ln.page and p.region == ln.region
            left, right = extent[(ln.page, ln.region)]
            if not same_flow or ln.mid > p.mid or ln.x1 < p.x0 or ln.x0 > p.x1:
                # column or page break, or a jump: continue only a sentence that plainly goes on
                goes_on = ln.text[:1].islower() or (p.text[-1:] in _HYPHENS and p.text[-2:-1].isalpha()
                                                     and ln.text[:1].isalpha())
                new = not (p.text[-1:] not in _SENTENCE_END and goes_on and abs(p.size - ln.size) < 0.1 * em)
            elif (abs(p.size - ln.size) > 0.12 * min(p.size, ln.size)
                  and abs(p.size_end - ln.size) > 0.12 * min(p.size_end, ln.size)):
                new = True  # a change of size, unless the line goes on in the size the last one ended in
            elif (p.base - ln.base) / em > pitch * 1.3 + 0.15:
                new = True
            elif _BULLET.match(ln.text):
                new = True
            elif p.x1 < right - 2 * em and p.text.endswith(_SENTENCE_END):
                new = True
            elif (ln.x0 > p.x0 + 0.7 * em and ln.x0 < p.x0 + 6 * em and abs(p.x0 - left) < 0.5 * em
                  and not (p.text[-1:] in _HYPHENS and p.text[-2:-1].isalpha() and ln.text[:1].islower())):
                # a first-line indent; not a hanging indent's second line going on with a broken word ("pre-/dict")
                nxt = flat[i + 1] if i + 1 < len(flat) else None
                new = nxt is None or nxt.region != ln.region or nxt.x0 < ln.x0 - 0.5 * em or nxt.mid > ln.mid
        if new:
            paras.append([ln])
        else:
            paras[-1].append(ln)
    return _around_floats(paras)


FLOAT_CAPTION = re.compile(r"^(?:Table|Figure|Fig\.|Algorithm|Listing)\s*[\dIVX]", re.I)
MAX_FLOATS = 12  # paragraphs (table rows, a caption) a sentence may jump over at a column or page break


def _around_floats(paras: list[list[_Line]]) -> list[list[_Line]]:
    """A sentence cut at the end of a column by a table or figure set at the top of the next one goes on after it
    ("… the index described" / [Table 4, its caption] / "earlier. We compute …"): the paragraph that goes on is
    joined to the one it continues, the table and caption follow."""
    i = 0
    while i < len(paras):
        last = paras[i][-1]
        if last.row or last.text[-1:] in _SENTENCE_END or last.text[-1:] in _HYPHENS:
            i += 1
            continue
        j = i + 1
        while j < len(paras) and j - i <= MAX_FLOATS and (paras[j][0].row or FLOAT_CAPTION.match(paras[j][0].text)):
            j += 1
        if j > i + 1 and j < len(paras):
            nxt = paras[j][0]
            broke = nxt.page != last.page or nxt.region != last.region
            goes_on = nxt.text[:1].islower() or (last.text[-1:] == "," and nxt.text[:1].isalnum())
            if broke and goes_on and abs(nxt.size - last.size) < 0.1 * max(nxt.size, last.size) \
                    and any(FLOAT_CAPTION.match(p[0].text) for p in paras[i + 1:j]):
                paras[i] = paras[i] + paras.pop(j)
                continue
        i += 1
    return paras


def _table_rows(flat: list[_Line]) -> set[int]:
    """Indexes of the lines that are table rows: three cells or more, or two in a run of such lines (each row is a
    paragraph of its own, kept with its cells in order)."""
    def multi(j: int, region: int) -> bool:
        return 0 <= j < len(flat) and flat[j].region == region and (flat[j].cells >= 2 or _figures(flat[j]))
    return {i for i, ln in enumerate(flat)
            if ln.cells >= 3 or ((ln.cells == 2 or _figures(ln)) and (multi(i - 1, ln.region)
                                                                      or multi(i + 1, ln.region)))}


_NUMBER = re.compile(r"^[-+±(]?[$€£]?\d[\d.,:/%]*\)?%?$")


def _figures(ln: _Line) -> bool:
    """A short line of figures, a row whose cells sit close ("Baseline 84.2 54.2"): two numbers or more, at least
    60% of its words, at most three words of letters."""
    words = ln.text.replace(_CELL, " ").split()
    numbers = sum(bool(_NUMBER.match(w)) for w in words)
    return numbers >= 2 and numbers >= 0.6 * len(words) and len(words) - numbers <= 3


_URL_END = re.compile(r"(?:https?://|www\.)\S*[/:.\-_=?&#~]$|https?:(?://)?$|\w@$")  # a URL or address goes on
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _join(paras: list[list[_Line]]) -> tuple[list[str], list[list[tuple[int, int]]]]:
    """Each paragraph's text, lines joined with spaces and words hyphenated at a line end joined; per paragraph,
    (page, offset in the paragraph) where each line starts."""
    words = Counter(w.lower() for para in paras for ln in para for w in _WORD.findall(ln.text.replace("\ufffe", "-")))
    texts, starts = [], []
    for para in paras:
        out, pos = "", []
        for ln in para:
            t = ln.text
            if not out:
                t = _FOOTNOTE_MARK.sub(r"\1 ", t)  # "1Due to space…": a footnote's raised number, then its text
            if out:
                if out[-1] in _HYPHENS + "\u2013" and len(out) > 1 and out[-2].isalnum() and t[:1].isalnum() and not (
                        out[-1] != "\u2013" and out[-2].isalpha() and t[:1].isalpha()):
                    out = out[:-1] + ("\u2013" if out[-1] == "\u2013" else "-")  # 737–\n9, FAA-\n2020: no space
                elif out[-1] in _HYPHENS and len(out) > 1 and out[-2].isalpha() and t[:1].isalpha():
                    head = re.search(r"[^\W\d_]+$", out[:-1])
                    tail = re.match(r"[^\W\d_]+", t)
                    lw, rw = (head[0] if head else ""), tail[0]
                    soft = out[-1] == "\u00ad"
                    keep = not soft and (rw[0].isupper() or (words[f"{lw}-{rw}".lower()] > 0
                                                              and words[(lw + rw).lower()] == 0))
                    out = out[:-1] + ("-" if keep else "")
                elif not _URL_END.search(out):
                    out += " "
            pos.append((ln.page, len(out)))
            out += t
        texts.append(out.replace("\ufffe", "-").replace("\u00ad", ""))
        starts.append(pos)
    return texts, starts


_FOOTNOTE_MARK = re.compile(r"^(\d{1,2})(?=[A-Z][a-z]|https?://|www\.)")  # "4We also", "7http://"
_NUMBERING = re.compile(r"^\s*(?:\d+|[IVXLC]+|[A-Z])(?:\.\d+)*\.?\s+")


def _norm(s: str) -> str:
    return "".join(c for c in s.lower() if c.isalnum())


def _headings(paras, texts, toc) -> dict[int, int]:
    """paragraph index -> heading level: from the outline when the PDF has one, else from a clearly larger font."""
    found: dict[int, int] = {}
    if toc:
        by_page: dict[int, list[int]] = {}
        for i, para in enumerate(paras):
            by_page.setdefault(para[0].page, []).append(i)
        for title, level, page in toc:
            want = _norm(_NUMBERING.sub("", title))
            if len(want) < 2:
                continue
            for pg in (page, page + 1, page - 1):
                hit = next((i for i in by_page.get(pg, ()) if i not in found and len(texts[i]) < 200
                            and want in (_norm(texts[i]), _norm(_NUMBERING.sub("", texts[i])))), None)
                if hit is not None:
                    found[hit] = min(level + 1, 9)
                    break
        return found
    sizes = Counter()
    for para in paras:
        for ln in para:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    if not sizes:
        return found
    body = sizes.most_common(1)[0][0]
    cand = {}
    for i, (para, t) in enumerate(zip(paras, texts)):
        size = round(min(ln.size for ln in para) * 2) / 2
        if (size >= 1.15 * body and len(para) <= 2 and len(t) <= 120 and len(t.split()) <= 12
                and any(c.isalpha() for c in t) and t[-1] not in ".,;" and not _PAGE_NUMBER.match(t)):
            cand[i] = size
    levels = sorted(set(cand.values()), reverse=True)
    if 0 < len(levels) <= 4 and len(cand) <= 8 * len({ln.page for para in paras for ln in para}):
        found = {i: levels.index(s) + 1 for i, s in cand.items()}
    numbered = _numbered_headings(paras, texts)
    if numbered:  # below the title (which a larger font may have found), numbered sections in body type
        top = min(found.values(), default=0)
        found.update({i: top + level for i, level in numbered.items() if i not in found})
    return found


_SECTION_NUMBER = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=[A-Z])")


def _numbered_headings(paras, texts) -> dict[int, int]:
    """paragraph index -> level of one-line paragraphs numbered as sections ("2.1 Node Types"), accepted only in
    sequence: each number follows the last accepted one (the next at some level, or its first sub-section; one
    number may be missed), so footnotes ("5 The APIs are described at …") and table rows are not headings."""
    found: dict[int, int] = {}
    last: tuple[int, ...] = ()
    for i, (para, t) in enumerate(zip(paras, texts)):
        m = _SECTION_NUMBER.match(t)
        if not m or len(para) > 1 or len(t) > 90 or len(t.split()) > 10 or t[-1] in ".,;:" or "://" in t:
            continue
        number = tuple(int(x) for x in m.group(1).split("."))
        if _follows(last, number):
            found[i], last = len(number), number
    return found


def _follows(last: tuple[int, ...], number: tuple[int, ...]) -> bool:
    if not last:
        return len(number) == 1 and number[0] <= 2
    for depth in range(len(last) + 1):
        prefix = last[:depth]
        if number[:depth] == prefix and len(number) == depth + 1:
            before = last[depth] if depth < len(last) else 0
            if 0 < number[depth] - before <= 2:
                return True
    return False


def _meta(doc) -> tuple[str | None, str | None]:
    try:
        meta = doc.get_metadata_dict()
    except Exception:
        return None, None
    title = (meta.get("Title") or "").strip()
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title)
    if not title or re.search(r"\.(?:docx?|pdf|tex|dvi|rtf|odt|indd|pptx?)$", title, re.I) or title.lower() in (
            "untitled", "title", "no title", "slide 1"):
        title = None
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})", meta.get("CreationDate") or "")
    date = None
    if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31 and int(m[1]) >= 1980:
        date = f"{m[1]}-{m[2]}-{m[3]}"
    return title, date


def extract(path: str, max_pages: int) -> dict:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg:
            return {"error": "encrypted PDF (password-protected)"}
        if "security" in msg:
            return {"error": "PDF uses an unsupported security handler"}
        return {"error": "damaged or not a PDF (PDFium cannot open it)"}
    n = len(doc)
    if n > max_pages:
        return {"error": f"PDF has {n} pages; the limit is {max_pages}"}
    if n == 0:
        return {"error": "PDF has no pages"}
    pages: list[list[_Line]] = []
    heights: list[float] = []
    rotated_ids: set[int] = set()
    visible = 0
    for i in range(n):
        try:
            page = doc[i]
            tp = page.get_textpage()
        except pdfium.PdfiumError:
            return {"error": f"damaged PDF: page {i + 1} of {n} cannot be read"}
        upright, rotated = _page_lines(raw, tp.raw, i)
        heights.append(page.get_height())
        tp.close()
        page.close()
        visible += sum(c.isalnum() for ln in upright + rotated for c in ln.text)
        region = [0]
        if len(upright) > 2000:  # a map or a chart, not prose: top to bottom
            ordered = _rows(_single(upright, region))
        else:
            ordered = _wrapped_cells(_rows(_order(upright, region))) if upright else []
        for ln in rotated:
            rotated_ids.add(id(ln))
            region[0] += 1
            ln.region = region[0]
        pages.append(ordered + rotated)
    if visible < 10 * n:
        return {"error": "no text layer (scanned images?); OCR is not supported"}
    toc = []
    try:
        for bm in doc.get_toc(max_depth=8):
            dest = bm.get_dest()
            idx = dest.get_index() if dest is not None else None
            if idx is not None:
                toc.append((bm.get_title() or "", bm.level, idx))
    except Exception:
        toc = []
    title, date = _meta(doc)
    doc.close()

    furnished = _remove_furniture(pages, rotated_ids, heights)
    contents = _remove_contents(pages, n)
    paras = _paragraphs(pages)
    texts, starts = _join(paras)
    heads = {i: level for i, level in _headings(paras, texts, toc).items() if not paras[i][0].row}
    text_parts, blocks, page_at = [], [], [None] * n
    pos = 0
    for i, (t, st) in enumerate(zip(texts, starts)):
        if not t:
            continue
        if text_parts:
            text_parts.append("\n\n")
            pos += 2
        for pg, off in st:
            if page_at[pg] is None:
                page_at[pg] = pos + off
        text_parts.append(t)
        kind = "heading" if i in heads else "lines" if paras[i][0].row else "prose"
        blocks.append((pos, pos + len(t), kind, heads.get(i, 0)))
        pos += len(t)
    for pg in range(n - 1, -1, -1):  # pages without kept text start where the next one does
        if page_at[pg] is None:
            page_at[pg] = page_at[pg + 1] if pg + 1 < n else pos
    left_out = [f"running headers/footers and page numbers on {furnished} pages"] if furnished else []
    left_out += [f"table of contents and index entries ({contents} lines)"] if contents else []
    return {"text": "".join(text_parts), "blocks": blocks, "pages": page_at, "visible_chars": visible,
            "left_out": left_out, "title": title, "date": date}


def _worker_main(argv: list[str]) -> int:
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    out = extract(argv[0], int(argv[1]))
    sys.stdout.write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
