"""Read files from disk into cleaned Documents; unreadable files are reported, never fatal."""
from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .clean import clean_blocks
from .files import FileEntry, absolute, assign_ids, scan
from .markup import markup_of, readable
from .readers import SUFFIXES, Unreadable, reader_for, supported
from .readers.base import MAX_FILE_BYTES, MAX_TEXT_CHARS, Extracted
from .readers.decode import source_text  # noqa: F401 (re-exported: the reading every text offset assumes)
from .types import Document, Layout


def scan_files(roots: Iterable[str], others: Counter | None = None) -> dict[str, FileEntry]:
    """The supported files under absolute ``roots`` (see index.files.scan); ``others`` counts the rest."""
    return scan(roots, SUFFIXES, others)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def letters(text: str) -> int:
    """Letters and digits in ``text``: what the kept share counts."""
    return sum(c.isalnum() for c in text)


def to_document(e: Extracted, source: str, doc_id: str, fmt: str) -> Document | Skipped:
    """A reader's output cleaned into a Document, or why nothing was left."""
    c = clean_blocks(e.text, e.blocks, title_hint=e.title, date_hint=e.date)
    if not c.blocks:
        return Skipped(source, "no text after cleaning")
    markup = markup_of(source)
    kept = sum(letters(readable(e.text[b.start:b.end], markup)) for b in c.blocks)
    kept += sum(letters(p.rsplit(" › ", 1)[-1]) for _, p in c.sections) + letters(c.title or "")
    visible = e.visible_chars or letters(e.text)
    return Document(doc_id=doc_id, source=source, raw=e.text, title=c.title, date=c.date, blocks=c.blocks,
                    layout=Layout(e.pages, c.sections), fmt=fmt, stored=e.stored, visible_chars=visible,
                    kept_chars=min(kept, visible), left_out=e.left_out + c.dropped)


def load_document(path: Path, doc_id: str | None = None) -> Document | Skipped:
    """One file as a cleaned Document with id ``doc_id`` (default: the file name), or why it is skipped."""
    reader = reader_for(path)
    if reader is None:
        return Skipped(str(path), f"unsupported file type {path.suffix or '(none)'!r}; supported: {supported()}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Skipped(str(path), f"file of {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB")
        data = path.read_bytes()
    except OSError as e:
        return Skipped(str(path), f"cannot read: {e.strerror or e}")
    if not data.strip():
        return Skipped(str(path), "empty file")
    try:
        e = reader.read(data)
    except Unreadable as err:
        return Skipped(str(path), str(err))
    except Exception as err:  # a parser's own failure on a malformed file: one line, never the run
        return Skipped(str(path), f"cannot be read as {reader.name}: {type(err).__name__}: {str(err)[:120]}")
    if len(e.text) > MAX_TEXT_CHARS:
        return Skipped(str(path), f"{len(e.text)} characters of text; the limit is {MAX_TEXT_CHARS}")
    doc = to_document(e, str(path.resolve()), doc_id or path.name, reader.name)
    if isinstance(doc, Document) and doc.stored:
        doc = replace(doc, file_hash=hashlib.sha256(data).hexdigest())
    return doc


def load_documents(paths: Iterable[str | os.PathLike]) -> tuple[list[Document], list[Skipped]]:
    """Every supported file under ``paths``, ids as the index gives them (see index.files)."""
    found = scan_files(str(absolute(p)) for p in paths)
    ids = assign_ids(found.values(), {})
    docs, skipped = [], []
    for source in sorted(found, key=ids.get):
        r = load_document(Path(source), ids[source])
        (skipped if isinstance(r, Skipped) else docs).append(r)
    return docs, skipped
