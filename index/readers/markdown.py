"""Markdown, parsed with markdown-it-py (CommonMark plus tables), whose line maps give exact spans of the file.

Headings are headings; paragraphs and block quotes are prose (wrapped lines joined), a list item's paragraph an
item (one unit while short); a table row is one unit; fenced and indented code is kept whole; YAML front matter gives the title and date and is not text;
images are not text; HTML comments are left out; an HTML block is read as HTML (index.readers.html: a table's
rows, headings, paragraphs).
"""
from __future__ import annotations

import re

from ..markup import readable
from .base import Block, Extracted
from .decode import read_decoded
from .text import lines_of, without_metadata


_COMMENT = re.compile(r"<!--.*?-->|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.S | re.M)  # comments, link definitions


class MarkdownReader:
    name = "markdown"
    suffixes = (".md", ".markdown")
    stores_text = False

    def read(self, data: bytes) -> Extracted:
        return read_decoded(data, read_markdown)


def read_markdown(text: str) -> Extracted:
    from markdown_it import MarkdownIt  # lazily: only Markdown files need it

    view, fields, date = without_metadata(text)
    lines = lines_of(view)
    tokens = MarkdownIt("commonmark").enable("table").parse(view)
    blocks: list[Block] = []
    in_item = 0  # depth of list items around the token
    for i, t in enumerate(tokens):
        in_item += (t.type == "list_item_open") - (t.type == "list_item_close")
        if t.type == "inline" and t.map and i > 0:
            opener = tokens[i - 1].type
            if opener == "heading_open":
                b = _inline_span(lines, t.map, t.content, heading=True)
                if b:
                    blocks.append(Block(*b, "heading", int(tokens[i - 1].tag[1])))
            elif opener == "paragraph_open":
                b = _inline_span(lines, t.map, t.content)
                if b:
                    blocks.append(Block(*b, "item" if in_item else "prose"))
        elif t.type == "tr_open" and t.map:
            b = _lines_span(lines, t.map[0], t.map[1])
            if b:
                blocks.append(Block(*b, "lines"))
        elif t.type in ("fence", "code_block") and t.map:
            a, z = t.map
            if t.type == "fence":
                a += 1
                if z - 1 > a and lines[z - 1].text.strip().startswith(t.markup[:3]):
                    z -= 1
            b = _lines_span(lines, a, z)
            if b:
                blocks.append(Block(*b, "code"))
        elif t.type == "html_block" and t.map and not t.content.lstrip().startswith("<!--"):
            b = _lines_span(lines, *t.map)
            if b:  # read as HTML: a table's rows, a <details> body, an <h1 align="center"> title
                from .html import read_html
                blocks += [Block(b[0] + h.start, b[0] + h.end, h.kind, h.level)
                           for h in read_html(view[b[0]:b[1]], styled_headings=False).blocks]
    blocks = _sorted_disjoint(blocks)
    visible = sum(c.isalnum() for c in readable(_COMMENT.sub("", view), "markdown"))  # what a reader never sees
    return Extracted(text, tuple(blocks), title=fields.get("title"), date=date, visible_chars=visible)


def _lines_span(lines, a: int, z: int) -> tuple[int, int] | None:
    body = [ln for ln in lines[a:z] if not ln.blank]
    if not body:
        return None
    return body[0].start + body[0].width, body[-1].start + len(body[-1].text.rstrip())


def _inline_span(lines, line_map, content: str, heading: bool = False) -> tuple[int, int] | None:
    """The span of an inline token's text: from its first character on its first line to its last character."""
    parts = [p for p in content.split("\n")]
    if not content.strip():
        return None
    a, z = line_map
    first, last = lines[a], lines[min(z, len(lines)) - 1]
    at = first.text.find(parts[0].strip()) if parts[0].strip() else first.width
    start = first.start + max(at, 0)
    if heading and z - a == 1:  # ATX heading: the content, without closing #s
        tail = parts[0].strip()
        return start, start + len(tail)
    if heading:  # a setext heading's text is on the lines before its underline
        last = lines[z - 2]
    end = last.start + len(last.text.rstrip())
    return (start, end) if end > start else None


def _sorted_disjoint(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for b in sorted(blocks, key=lambda b: (b.start, -b.end)):
        if out and b.start < out[-1].end:
            continue  # nested (a paragraph inside an html block): the outer one holds its text
        out.append(b)
    return out
