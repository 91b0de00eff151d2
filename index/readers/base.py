"""The one interface every format reader implements, and the record it returns.

A reader turns a file's bytes into an ``Extracted``: the text that citation offsets point into, and the blocks of
that text in reading order (content and headings). For text formats (plain text, Markdown, reStructuredText, HTML)
``text`` is the file itself, decoded, so ``open(path).read()[start:end] == quote``. For formats whose bytes are
not text (PDF, DOCX) ``text`` is what the reader extracted; the index stores it (``stored=True``) and every
offset points into that stored text.

Readers import their parsing library lazily (inside ``read``), so a missing optional parser costs only its own
format. A file a reader cannot read raises ``Unreadable`` with a one-line reason; a reader never returns half a
file silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..errors import CitebotError

# What a block of text is; how sentences are found inside it depends on this.
#   prose:   a paragraph; line breaks inside it are soft (wrapped text), sentences end at punctuation
#   lines:   each line is its own unit (a table row, a run of short list lines, one-paragraph-per-line text)
#   code:    preformatted text (fenced code, literal blocks, ASCII figures): kept whole, cut only at line breaks
#   item:    a list item, or a definition with its term: one unit while it is short (its sentences share one
#            subject: "`resolution`: pixels per inch. Default: 72."), read as prose when longer
#   heading: a section title; ``level`` 1 is the top. Headings are not passages: they name the section
#            of the blocks that follow them (Citation.section)
BLOCK_KINDS = ("prose", "lines", "code", "item", "heading")

# Bounds every reader respects, checked before parsing.
MAX_FILE_BYTES = 200 * 1024 * 1024       # a larger file is skipped, never read
MAX_UNPACKED_BYTES = 300 * 1024 * 1024   # DOCX (a zip): total declared size of the parts read
MAX_TEXT_CHARS = 20_000_000              # extracted text of one file
MAX_PAGES = 2_000                        # PDF pages read; a longer PDF is skipped with that reason
READ_SECONDS = 120                       # wall-clock bound for reading one binary-format file


class Unreadable(CitebotError):
    """A file this reader cannot read; the message is the one-line reason (no path: the caller adds it)."""


@dataclass(frozen=True)
class Block:
    """``text[start:end]`` is one block of content or a heading (see BLOCK_KINDS)."""

    start: int
    end: int
    kind: str = "prose"
    level: int = 0  # headings only: 1 for the top level

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid block [{self.start}, {self.end})")
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"invalid block kind {self.kind!r}; valid kinds: {', '.join(BLOCK_KINDS)}")


@dataclass(frozen=True)
class Extracted:
    """What a reader found in one file."""

    text: str                          # the text offsets point into (the file's own text, or extracted text)
    blocks: tuple[Block, ...]          # content and headings in reading order, not overlapping, sorted by start
    title: str | None = None           # from metadata (front matter, <title>, PDF/DOCX properties) when present
    date: str | None = None            # ISO YYYY-MM-DD publication date from metadata, when present
    pages: tuple[int, ...] = ()        # paginated formats: the offset in ``text`` where each page starts (1-based
                                       # page n starts at pages[n-1]); () where the format has no pages
    visible_chars: int = 0             # letters and digits a person sees in the file (the kept share's base);
                                       # 0: count them in ``text``
    left_out: tuple[str, ...] = ()     # what the reader removed and why ("running headers and page numbers")
    stored: bool = False               # True when ``text`` is not the file's own text: the index keeps a copy


@runtime_checkable
class FormatReader(Protocol):
    """One file format. ``suffixes``: the lower-case file name endings it reads (".pdf")."""

    name: str
    suffixes: tuple[str, ...]
    stores_text: bool  # True when ``read`` returns extracted text (Extracted.stored) rather than the file's own

    def read(self, data: bytes) -> Extracted:
        """The file's text and blocks; raises Unreadable with the reason when it cannot be read."""
        ...
