"""reStructuredText, parsed with docutils (the reference parser); its node line numbers give spans of the file.

Section titles are headings (nesting gives the level); paragraphs are prose; a list item's paragraph is an item,
and so is a definition-list term with a one-paragraph definition (one unit while short); literal blocks
(``::``, ``code-block``) are code; a table row is one unit. Directive and comment lines are markup, not text.
Lines docutils reports no position for (the bibliographic fields at the top, ``:Author: ...``) are kept as
lines, so nothing a reader sees is lost.
"""
from __future__ import annotations

import re

from .base import Block, Extracted
from .decode import read_decoded
from .text import _UNDERLINE, lines_of

_MARKUP = re.compile(r"[ \t]*(?:\.\.(?:[ \t].*)?|[+|]?(?:[-=+]{3,}[ \t]*)+[+|]?|::|[=\s]+)[ \t]*")
SETTINGS = {"report_level": 5, "halt_level": 5, "file_insertion_enabled": False, "raw_enabled": False,
            "_disable_config": True, "warning_stream": False}


class RstReader:
    name = "rst"
    suffixes = (".rst", ".rest")
    stores_text = False

    def read(self, data: bytes) -> Extracted:
        return read_decoded(data, read_rst)


def read_rst(text: str) -> Extracted:
    from docutils import nodes  # lazily: only reStructuredText files need it
    from docutils.core import publish_doctree

    lines = lines_of(text)
    doc = publish_doctree(text, settings_overrides=SETTINGS)
    starts: dict[int, tuple[str, int]] = {}  # 0-based line -> (kind, heading level)
    for n in doc.findall(nodes.TextElement):
        if n.line is None:
            continue
        if isinstance(n, nodes.title) and isinstance(n.parent, (nodes.section, nodes.document)):
            level = sum(isinstance(a, nodes.section) for a in _ancestors(n)) + (isinstance(n.parent, nodes.document))
            starts[n.line - 2] = ("heading", max(level, 1))
        elif isinstance(n, nodes.literal_block):
            starts.setdefault(n.line - 1, ("code", 0))
        elif isinstance(n, nodes.paragraph):
            if _defines(n):
                continue  # read with its term, as one item
            kind = ("lines" if isinstance(n.parent, nodes.entry) else
                    "item" if isinstance(n.parent, (nodes.list_item, nodes.definition)) else "prose")
            starts.setdefault(n.line - 1, (kind, 0))
        elif isinstance(n, nodes.term):
            defined = any(_defines(p) for p in n.parent.findall(nodes.paragraph))
            starts.setdefault(n.line - 1, ("item" if defined else "prose", 0))
        elif isinstance(n, (nodes.field_name, nodes.rubric)):
            starts.setdefault(n.line - 1, ("prose", 0))
    for n in doc.findall(nodes.comment):
        if n.line is not None:
            starts.setdefault(n.line - 1, ("comment", 0))
    blocks: list[Block] = []
    covered: set[int] = set()
    for i in sorted(starts):
        if not 0 <= i < len(lines) or i in covered or lines[i].blank:
            continue
        kind, level = starts[i]
        z = _end(lines, i, kind, starts)
        covered.update(range(i, z))
        if kind == "comment":
            continue
        if kind == "lines":  # a table row: the whole line, borders and all
            blocks.append(Block(lines[i].start + lines[i].width, lines[i].start + len(lines[i].text.rstrip()),
                                "lines"))
            continue
        start = lines[i].start + _text_column(lines[i].text)
        end = lines[z - 1].start + len(lines[z - 1].text.rstrip())
        if end > start:
            blocks.append(Block(start, end, kind, level))
    blocks += _uncovered(lines, covered)
    blocks.sort(key=lambda b: b.start)
    title = _header_title(text) or next((text[b.start:b.end] for b in blocks if b.kind == "heading"), None)
    for message in list(doc.findall(nodes.system_message)):  # docutils' own notes (unknown Sphinx roles)
        message.parent.remove(message)
    visible = sum(c.isalnum() for c in doc.astext())
    return Extracted(text, tuple(blocks), title=title, visible_chars=visible)


# Header fields at the very top, as PEPs open ("PEP: 257", "Title: Docstring Conventions", continuation lines
# indented), or a docinfo field list (":title: AWS CLI S3 Configuration", as Sphinx sites open their pages)
_HEADER = re.compile(r"\A(?:[A-Za-z][\w-]*:[^\n]*\n(?:[ \t]+\S[^\n]*\n)*)+")
_FIELD_HEADER = re.compile(r"\A\s*(?::[^:\n]+:[^\n]*\n(?:[ \t]+\S[^\n]*\n)*)+")
_TITLE_FIELD = re.compile(r"^:?Title:[ \t]*(\S[^\n]*)$", re.M | re.I)


def _header_title(text: str) -> str | None:
    header = _HEADER.match(text) or _FIELD_HEADER.match(text)
    found = _TITLE_FIELD.search(header.group(0)) if header else None
    return found.group(1).strip() if found else None


def _defines(paragraph) -> bool:
    """A paragraph that is the whole definition of a definition-list term."""
    from docutils import nodes

    d = paragraph.parent
    return (isinstance(d, nodes.definition) and len(d.children) == 1
            and isinstance(d.parent, nodes.definition_list_item))


def _ancestors(n):
    p = n.parent
    while p is not None:
        yield p
        p = p.parent


def _text_column(line: str) -> int:
    """Where the words of a line start: after indentation and a list or field marker."""
    m = re.match(r"[ \t]*(?:(?:[-*+•]|#\.|\(?[0-9a-zA-Z]{1,3}[.)])[ \t]+)?", line)
    return m.end() if m else 0


def _end(lines, i: int, kind: str, starts: dict) -> int:
    """The line after the last line of the element starting at line i."""
    if kind == "heading":
        return i + 1
    if kind in ("code", "comment"):
        indent = lines[i].indent if kind == "code" else lines[i].indent + 1
        z = i + 1
        while z < len(lines) and (lines[z].blank or lines[z].indent >= indent):
            z += 1
        while z > i + 1 and lines[z - 1].blank:
            z -= 1
        return z
    z = i + 1
    while z < len(lines) and not lines[z].blank and z not in starts and not _UNDERLINE.fullmatch(lines[z].text):
        z += 1
    return z


def _uncovered(lines, covered: set[int]) -> list[Block]:
    """Runs of text lines no element claimed (bibliographic fields), as ``lines`` blocks."""
    out: list[Block] = []
    run: list = []
    for i, ln in enumerate(lines + [None]):
        keep = ln is not None and i not in covered and not ln.blank and not _MARKUP.fullmatch(ln.text) \
            and not _UNDERLINE.fullmatch(ln.text)
        if keep:
            run.append(ln)
        elif run:
            out.append(Block(run[0].start + run[0].width, run[-1].start + len(run[-1].text.rstrip()), "lines"))
            run = []
    return out
