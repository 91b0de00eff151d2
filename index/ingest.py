"""Read files from disk into cleaned Documents; unreadable files are reported, never fatal."""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .clean import clean_text
from .files import FileEntry, absolute, assign_ids, scan
from .html import clean_html
from .types import Document

SUFFIXES = {".txt": clean_text, ".md": clean_text, ".markdown": clean_text,
            ".html": clean_html, ".htm": clean_html}


def scan_files(roots: Iterable[str]) -> dict[str, FileEntry]:
    """The supported files under absolute ``roots`` (see index.files.scan)."""
    return scan(roots, SUFFIXES)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def source_text(data: bytes) -> str:
    """A file's bytes as the text offsets point into; UnicodeDecodeError when not UTF-8.

    Offsets are into the text as Python reads it (universal newlines), so a
    reader doing open(path, encoding="utf-8").read()[start:end] sees the quote.
    """
    raw = data.decode("utf-8")
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return raw


def load_document(path: Path, doc_id: str | None = None) -> Document | Skipped:
    """One file as a cleaned Document with id ``doc_id`` (default: the file name), or why it is skipped."""
    cleaner = SUFFIXES.get(path.suffix.lower())
    if cleaner is None:
        return Skipped(str(path), f"unsupported file type {path.suffix!r}; supported: {', '.join(SUFFIXES)}")
    data = path.read_bytes()
    if not data.strip():
        return Skipped(str(path), "empty file")
    if b"\x00" in data[:8192]:
        return Skipped(str(path), "binary file")
    try:
        raw = source_text(data)
    except UnicodeDecodeError as e:
        return Skipped(str(path), f"not UTF-8 (byte {e.start})")
    c = cleaner(raw)
    if not c.blocks:
        return Skipped(str(path), "no article text after cleaning")
    return Document(doc_id=doc_id or path.name, source=str(path.resolve()), raw=raw,
                    title=c.title, date=c.date, blocks=c.blocks)


def load_documents(paths: Iterable[str | os.PathLike]) -> tuple[list[Document], list[Skipped]]:
    """Every supported file under ``paths``, ids as the index gives them (see index.files)."""
    found = scan_files(str(absolute(p)) for p in paths)
    ids = assign_ids(found.values(), {})
    docs, skipped = [], []
    for source in sorted(found, key=ids.get):
        r = load_document(Path(source), ids[source])
        (skipped if isinstance(r, Skipped) else docs).append(r)
    return docs, skipped
