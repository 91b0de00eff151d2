"""Plain text: paragraphs from blank lines, wrapped lines joined, headings only where the text shows one.

The file's own text is what offsets point into. How it is read:
- Lines are grouped into blank-line-separated groups. A document is *hard-wrapped* when almost all of its lines
  are at most ``MAX_WRAP`` characters; then a group is one paragraph whose line breaks are soft (a wrapped
  sentence stays one sentence). Otherwise every line is a paragraph of its own (one paragraph per line, as
  scraped pages and SQuAD paragraphs are written): the same rule with a group of one line.
- Inside a group, a line opening with a list marker starts a new item (an ``item`` block); a group whose lines are laid out as a
  figure or table (runs of spaces inside lines, box drawing) or indented deeper than the body is preformatted
  (``code``: kept whole, cut only at line breaks).
- Headings: an underlined line (``===``, ``---``, ``~~~``), a numbered section line (``3.2.  Locking``), or in a
  wrapped document a short line standing alone between blank lines, not indented past the body. In a document
  of one paragraph per line, a line of at most ``HEADING_MAX_WORDS`` words without end punctuation.
- Paginated text (form feeds, RFC-style ``[Page 5]`` footers and running headers) loses its page furniture:
  lines next to a page break that repeat from page to page (numbers aside) and bare page numbers.
- Markdown images (``![alt](url)``) and YAML front matter, which scraped ``.txt`` pages carry, are not text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..dates import parse_date
from ..markup import front_matter, markdown_images, plain
from .base import Block, Extracted
from .decode import read_decoded

MAX_WRAP = 100          # a document whose lines are (almost) all this short is hard-wrapped
WRAPPED_SHARE = 0.95    # the share of non-blank lines that must be that short
HEADING_MAX_WORDS = 14  # one paragraph per line: a shorter line without end punctuation is a heading
SHORT_HEADING_CHARS = 70
WRAP_SLACK = 10         # a filled line ends within this many characters of the wrap width
FRONT_MATTER_DATES = ("date", "published", "pubdate", "publishdate", "publish_date", "date_published", "created")

_BULLET = re.compile(r"[ \t]*(?:[-*+•·o]|\d{1,3}[.)]|\(?[a-zA-Z0-9]{1,3}\)|[a-z][.)])[ \t]+(?=\S)")
_UNDERLINE = re.compile(r"[ \t]*([=\-~^*#+`'\".:_])\1{2,}[ \t]*")
_NUMBERED = re.compile(r"[ \t]{0,3}((?:\d{1,2}\.)*\d{1,2}\.?|[A-Z]\.(?:\d{1,2}\.?)*|Appendix [A-Z]\.?)[ \t]+\S.{0,90}")
_TERMINAL = re.compile(r"[.!?…;,][\"”’')\]]*$")
_INNER_GAP = re.compile(r"\S {3,}\S|\t\S")
_BOX = re.compile(r"[+|][-=+]{2,}|[-=]{2,}[+|]|^[ \t]*\|.*\|[ \t]*$")
_PAGE_NUMBER = re.compile(r"[ \t]*(?:(?:page|p\.)[ \t]*)?[-–—]?[ \t]*\d{1,4}[ \t]*[-–—]?[ \t]*(?:of[ \t]+\d{1,4})?[ \t]*",
                          re.I)
_RFC_FOOTER = re.compile(r".*\[Page \d{1,4}\][ \t]*$")


@dataclass(frozen=True)
class Line:
    start: int
    end: int          # without the newline
    text: str

    @property
    def indent(self) -> int:
        """Leading whitespace, a tab counting as four spaces; the block starts after it (``width``)."""
        lead = self.text[:self.width]
        return len(lead) + 3 * lead.count("\t")

    @property
    def width(self) -> int:
        return len(self.text) - len(self.text.lstrip(" \t"))

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def lines_of(text: str) -> list[Line]:
    out = []
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        if m.start() == len(text) and out:
            break
        body = m.group(0).rstrip("\n")
        out.append(Line(m.start(), m.start() + len(body), body))
    return out


def blank_out(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with each range replaced by spaces (line breaks kept): offsets stay the same."""
    if not ranges:
        return text
    chars = list(text)
    for a, b in ranges:
        for i in range(a, b):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def page_furniture(lines: list[Line]) -> tuple[set[int], int]:
    """Indexes of lines that are page headers, footers or page numbers, and the number of page breaks seen."""
    breaks = [i for i, ln in enumerate(lines) if "\f" in ln.text]
    footers = [i for i, ln in enumerate(lines) if _RFC_FOOTER.fullmatch(ln.text.replace("\f", ""))]
    if not breaks and len(footers) < 2:
        return set(), 0
    near: list[int] = []
    for b in sorted(set(breaks + footers)):
        for step in (-1, 1):  # the first non-blank line on each side of the break
            i = b + (step if "\f" in lines[b].text and not lines[b].text.replace("\f", "").strip() else 0)
            while 0 <= i < len(lines) and lines[i].blank and "\f" not in lines[i].text:
                i += step
            if 0 <= i < len(lines):
                near.append(i)
            if step == -1 and b in footers:
                near.append(b)
    shape = Counter(_shape(lines[i].text) for i in set(near))
    pages = max(len(breaks), len(footers), 1)
    out = {i for i in set(near)
           if shape[_shape(lines[i].text)] >= max(2, pages // 3)
           or _PAGE_NUMBER.fullmatch(lines[i].text.replace("\f", ""))
           or _RFC_FOOTER.fullmatch(lines[i].text.replace("\f", ""))}
    return out, pages


def _shape(s: str) -> str:
    return re.sub(r"\d+", "#", " ".join(s.replace("\f", "").split())).lower()


def is_wrapped(lines: list[Line]) -> bool:
    body = [len(ln.text.rstrip()) for ln in lines if not ln.blank]
    if len(body) < 2:
        return False
    short = sum(n <= MAX_WRAP for n in body)
    # wrapped text has groups of several lines; one paragraph per line has none or few
    return short >= WRAPPED_SHARE * len(body)


def _groups(lines: list[Line], skip: set[int]) -> list[list[Line]]:
    out: list[list[Line]] = []
    cur: list[Line] = []
    for i, ln in enumerate(lines):
        if ln.blank or i in skip:
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(ln)
    if cur:
        out.append(cur)
    return out


def _span(lines: list[Line]) -> tuple[int, int]:
    first, last = lines[0], lines[-1]
    start = first.start + first.width
    return start, last.start + len(last.text.rstrip())


# A line of structured data: "key: value", "key = value" (a key without spaces) or a comment line.
_FIELD = re.compile(r"^\s*(?:[A-Za-z_][\w.-]{0,40}\s*[:=](?:\s+\S|\S)|(?:#|//|;)(?:\s|$))")
STRUCTURED_SHARE = 0.7  # a block with at least this share of such lines (and three lines or more) is kept as code


def _preformatted(group: list[Line], body_indent: int) -> bool:
    laid_out = sum(bool(_INNER_GAP.search(ln.text.strip()) or _BOX.search(ln.text)) for ln in group)
    if laid_out * 2 >= len(group) and (len(group) > 1 or laid_out):
        return True
    if len(group) >= 3 and sum(bool(_FIELD.match(ln.text)) for ln in group) >= STRUCTURED_SHARE * len(group):
        return True  # an LDIF record, a config or header block: "dn: …", "changetype: modrdn", "# a comment"
    return min(ln.indent for ln in group) >= body_indent + 4 and len(group) > 1


def _heading_level(line: Line, underline: Line | None, underline_levels: list[str]) -> int | None:
    text = line.text.strip()
    if underline is not None:
        ch = underline.text.strip()[0]
        if ch not in underline_levels:
            underline_levels.append(ch)
        return underline_levels.index(ch) + 1
    m = _NUMBERED.fullmatch(line.text)
    if m and not _TERMINAL.search(text) and len(text) <= 100 and any(c.isalpha() for c in text[len(m.group(1)):]):
        return m.group(1).rstrip(".").count(".") + 1
    return None


class TextReader:
    """Plain ``.txt`` files (any other format's reader may reuse ``read_text``)."""

    name = "text"
    suffixes = (".txt", ".text")
    stores_text = False

    def read(self, data: bytes) -> Extracted:
        return read_decoded(data, read_text)


def without_metadata(text: str) -> tuple[str, dict[str, str], str | None]:
    """``text`` with its YAML front matter and Markdown images blanked out (offsets unchanged), the front matter's
    fields, and the publication date they give."""
    meta = front_matter(text)
    removed = markdown_images(text)
    if meta:
        removed.append((0, meta.end))
    fields = meta.fields if meta else {}
    date = next((d for k in FRONT_MATTER_DATES if (d := parse_date(fields.get(k, "")))), None)
    return blank_out(text, removed), fields, date


def read_text(text: str) -> Extracted:
    view, fields, date = without_metadata(text)
    lines = lines_of(view)
    furniture, pages = page_furniture(lines)
    wrapped = is_wrapped([ln for i, ln in enumerate(lines) if i not in furniture])
    blocks = (wrapped_blocks if wrapped else line_blocks)(lines, furniture)
    left = (f"page headers, footers and page numbers ({len(furniture)} lines)",) if furniture else ()
    h1 = next((b for b in blocks if b.kind == "heading" and b.level == 1), None)
    title = (fields.get("title") or (_centred_title(text, lines, blocks) if wrapped else None)
             or (plain(text[h1.start:h1.end]) if h1 else None))
    return Extracted(text, tuple(blocks), title=title, date=date,
                     visible_chars=_visible(view, furniture, lines), left_out=left)


def _visible(view: str, furniture: set[int], lines: list[Line]) -> int:
    n = sum(c.isalnum() for c in view)
    return n - sum(sum(c.isalnum() for c in lines[i].text) for i in furniture)


def line_blocks(lines: list[Line], skip: set[int]) -> list[Block]:
    """One paragraph per line; a short line without end punctuation is a heading (not a list item or lead-in)."""
    out: list[Block] = []
    for i, ln in enumerate(lines):
        if ln.blank or i in skip:
            continue
        if _UNDERLINE.fullmatch(ln.text):
            continue  # a rule, or the underline of the heading above
        start, end = _span([ln])
        text = ln.text.strip()
        atx = re.match(r"(#{1,6})[ \t]+", text)
        if atx:
            body = text[atx.end():].rstrip("#").rstrip()
            if body:
                out.append(Block(start + atx.end(), start + atx.end() + len(body), "heading", len(atx.group(1))))
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and not nxt.blank and _UNDERLINE.fullmatch(nxt.text) and len(text) <= 120:
            out.append(Block(start, end, "heading", 1 if nxt.text.strip()[0] == "=" else 2))
            continue
        words = plain(text).split()
        if (words and len(words) <= HEADING_MAX_WORDS and not _TERMINAL.search(text.rstrip(":"))
                and not text.endswith(":") and not _BULLET.match(ln.text)):
            out.append(Block(start, end, "heading", 2))
            continue
        out.append(Block(start, end, "item" if _BULLET.match(ln.text) else "prose"))
    return out


def wrap_width(lines: list[Line]) -> int:
    """The width a hard-wrapped document was filled to: the longest of its (at most MAX_WRAP long) lines."""
    lengths = sorted(len(ln.text.rstrip()) for ln in lines if not ln.blank and len(ln.text.rstrip()) <= MAX_WRAP)
    return lengths[-1] if lengths else MAX_WRAP


def soft_break(line: Line, nxt: Line, width: int) -> bool:
    """A line break made by filling: the next line's first word would not have fit on this line, or the sentence
    plainly runs on (the line ends without closing punctuation and the next starts in lower case: an author who
    wrapped narrower than the document's widest line)."""
    first = nxt.text.split(None, 1)[0] if nxt.text.strip() else ""
    if re.search(r"[a-z]-$", line.text.rstrip()) and first[:1].islower():
        return True  # a word hyphenated across the break
    if first[:1].islower() and not re.search(r"[.!?:;][\"')\]’”]*$", line.text.rstrip()):
        return True  # "… only when no match was found, or" / "when the match is not too long."
    return len(line.text.rstrip()) + 1 + len(first) > width - WRAP_SLACK


def _atx(line: Line) -> Block | None:
    m = re.match(r"([ \t]{0,3})(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$", line.text)
    if not m or not m.group(3).strip():
        return None
    start = line.start + m.start(3)
    return Block(start, start + len(m.group(3).rstrip()), "heading", len(m.group(2)))


def wrapped_blocks(lines: list[Line], skip: set[int]) -> list[Block]:
    """Blocks of a hard-wrapped document: paragraphs, list items, preformatted groups and headings."""
    width = wrap_width([ln for i, ln in enumerate(lines) if i not in skip])
    groups = _groups(lines, skip)
    indents = Counter(g[0].indent for g in groups if len(g) > 1 and not _BULLET.match(g[0].text))
    body_indent = indents.most_common(1)[0][0] if indents else 0
    levels: list[str] = []
    out: list[Block] = []
    for gi, g in enumerate(groups):
        # an underlined title (possibly overlined, as reStructuredText allows)
        if len(g) >= 2 and _UNDERLINE.fullmatch(g[1].text) and not _UNDERLINE.fullmatch(g[0].text):
            level = _heading_level(g[0], g[1], levels)
            out.append(Block(*_span(g[:1]), "heading", level or 1))
            g = g[2:]
        elif len(g) >= 3 and _UNDERLINE.fullmatch(g[0].text) and _UNDERLINE.fullmatch(g[2].text):
            level = _heading_level(g[1], g[2], levels)
            out.append(Block(*_span(g[1:2]), "heading", level or 1))
            g = g[3:]
        g = [ln for ln in g if not _UNDERLINE.fullmatch(ln.text)]  # rules
        if not g:
            continue
        atx = _atx(g[0]) if len(g) == 1 and g[0].indent == 0 else None  # "# Title" standing alone
        if atx is not None:
            out.append(atx)
            continue
        if len(g) == 1:
            level = _heading_level(g[0], None, levels)
            text = g[0].text.strip()
            standalone = (level is None and len(text) <= SHORT_HEADING_CHARS and not _TERMINAL.search(text)
                          and not text.endswith(":") and not _BULLET.match(g[0].text)
                          and g[0].indent <= body_indent and gi + 1 < len(groups))
            if level is not None or standalone:
                out.append(Block(*_span(g), "heading", level or 2))
                continue
        if _preformatted(g, body_indent):
            out.append(Block(*_span(g), "code"))
            continue
        out.extend(_items(g, width))
    return out


def _centred_title(text: str, lines: list[Line], blocks: list[Block]) -> str | None:
    """The first one-line block, before any other heading, that is centred in the wrap width (an RFC's title under
    its header block): the document's title."""
    width = wrap_width(lines)
    starts = {ln.start + ln.width: ln for ln in lines}
    for b in blocks:
        line = starts.get(b.start)
        if line is not None and "\n" not in text[b.start:b.end] and _centred(line, width):
            return plain(text[b.start:b.end])
        if b.kind == "heading":
            return None
    return None


def _centred(line: Line, width: int) -> bool:
    """A short line set in the middle of the wrap width (its left and right margins within 3 of each other, both
    at least 3): how plain-text documents set their title."""
    text = line.text.strip()
    right = width - line.indent - len(text)
    return (line.indent >= 3 and right >= 3 and abs(line.indent - right) <= 3 and len(text.split()) <= 15
            and not _TERMINAL.search(text))


def _items(g: list[Line], width: int) -> list[Block]:
    """A group cut at list markers and at hard line breaks: each piece is one block, an item where it opens with a
    list marker, else prose."""
    out: list[Block] = []
    cur: list[Line] = []

    def close() -> None:
        out.append(Block(*_span(cur), "item" if _BULLET.match(cur[0].text) else "prose"))

    for ln in g:
        if cur and ((_BULLET.match(ln.text) and ln.indent <= cur[0].indent + 2)
                    or not soft_break(cur[-1], ln, width)):
            close()
            cur = []
        cur.append(ln)
    if cur:
        close()
    return out
