"""Read files from disk into cleaned Documents; unreadable files are reported, never fatal."""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .clean import clean_text
from .errors import CitebotError
from .html import clean_html
from .types import Document

log = logging.getLogger(__name__)
SUFFIXES = {".txt": clean_text, ".md": clean_text, ".markdown": clean_text,
            ".html": clean_html, ".htm": clean_html}


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Supported files under the given paths, in a stable order."""
    for p in map(Path, paths):
        if not p.exists():
            raise CitebotError(f"path not found: {p}")
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*")
                              if f.is_file() and f.suffix.lower() in SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(p).parts))
        else:
            yield p


def source_text(data: bytes) -> str:
    """A file's bytes as the text offsets point into; UnicodeDecodeError when not UTF-8.

    Offsets are into the text as Python reads it (universal newlines), so a
    reader doing open(path, encoding="utf-8").read()[start:end] sees the quote.
    """
    raw = data.decode("utf-8")
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return raw


def load_document(path: Path) -> Document | Skipped:
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
    return Document(doc_id=path.stem, source=str(path.resolve()), raw=raw,
                    title=c.title, date=c.date, blocks=c.blocks)


def load_documents(paths: Iterable[str | os.PathLike]) -> tuple[list[Document], list[Skipped]]:
    docs, skipped, seen = [], [], {}
    for f in iter_files(paths):
        r = load_document(f)
        if isinstance(r, Skipped):
            log.warning("skipped %s: %s", r.path, r.reason)
            skipped.append(r)
        elif r.doc_id in seen:
            skipped.append(Skipped(str(f), f"duplicate doc_id {r.doc_id!r} (also {seen[r.doc_id]})"))
        else:
            seen[r.doc_id] = str(f)
            docs.append(r)
    return docs, skipped
