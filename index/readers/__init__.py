"""Format readers: one module per format, each a ``FormatReader`` (see base.py) returning an ``Extracted``.

A new format is one module with a reader class, listed in READERS; nothing else changes.
"""
from __future__ import annotations

import os

from .base import BLOCK_KINDS, Block, Extracted, FormatReader, Unreadable
from .docx import DocxReader
from .html import HtmlReader
from .markdown import MarkdownReader
from .pdf import PdfReader
from .rst import RstReader
from .text import TextReader

READERS: tuple[FormatReader, ...] = (TextReader(), MarkdownReader(), RstReader(), HtmlReader(), PdfReader(),
                                     DocxReader())
BY_SUFFIX: dict[str, FormatReader] = {s: r for r in READERS for s in r.suffixes}
SUFFIXES: tuple[str, ...] = tuple(BY_SUFFIX)


def reader_for(path: str | os.PathLike) -> FormatReader | None:
    return BY_SUFFIX.get(os.path.splitext(str(path))[1].lower())


def supported() -> str:
    """The supported file endings, as every message lists them."""
    return ", ".join(SUFFIXES)


__all__ = ["BLOCK_KINDS", "BY_SUFFIX", "Block", "Extracted", "FormatReader", "READERS", "SUFFIXES", "Unreadable",
           "reader_for", "supported"]
