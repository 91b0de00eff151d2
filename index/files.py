"""Which files an index covers: the paths it was built from, the files under them, and each file's identity.

A document's id is its path relative to the indexed folder it was found under (``notes/a.md``), or the file name
for a file named on its own, so same-named files in different folders never collide. Should two named paths
still yield the same id, the later file (in path order) takes its absolute path as id. Ids, once given, are kept
by the index: re-indexing never renames a document.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import CitebotError

@dataclass(frozen=True)
class FileEntry:
    """A supported file under a root: where it is, the id it would get, and what ``stat`` said of it."""

    source: str      # absolute path, the document's key in the index
    root: str        # the absolute named path it was found under
    rel: str         # its path relative to that root (POSIX), or its name when the root is the file
    size: int
    mtime_ns: int


def absolute(path: str | os.PathLike) -> Path:
    """An absolute path with symlinks resolved where they exist (the path itself need not exist)."""
    return Path(path).expanduser().resolve()


def is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def minimal_roots(roots: Iterable[str]) -> list[str]:
    """The roots, sorted, without any that lies inside another."""
    out: list[str] = []
    for r in sorted(set(roots)):
        if not any(is_under(r, o) for o in out):
            out.append(r)
    return out


def _walk(root: Path, suffixes: Collection[str], others: Counter | None) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            ext = os.path.splitext(name)[1].lower()
            if ext in suffixes:
                yield Path(dirpath, name)
            elif others is not None:
                others[ext or "(no extension)"] += 1


def scan(roots: Iterable[str], suffixes: Collection[str], others: Counter | None = None) -> dict[str, FileEntry]:
    """Every file with one of ``suffixes`` under ``roots`` (absolute paths; a named file of any type is included,
    so that ingestion can say why it is skipped), keyed by absolute path. A root that does not exist is an
    error. Hidden files and folders are left out; ``others`` counts the files of other types by extension."""
    found: dict[str, FileEntry] = {}
    for root in roots:
        r = Path(root)
        if not r.exists():
            raise CitebotError(f"path not found: {root}")
        for f in _walk(r, suffixes, others):
            source = str(f)
            if source in found:
                continue
            st = f.stat()
            rel = f.name if r.is_file() else f.relative_to(r).as_posix()
            found[source] = FileEntry(source, root, rel, st.st_size, st.st_mtime_ns)
    return found


def assign_ids(entries: Iterable[FileEntry], taken: dict[str, str]) -> dict[str, str]:
    """source -> doc id for new files; ``taken`` maps the ids already in use to their sources."""
    used = dict(taken)
    out: dict[str, str] = {}
    for e in sorted(entries, key=lambda e: (e.root, e.rel)):
        doc_id = e.rel if used.get(e.rel, e.source) == e.source else e.source
        used[doc_id] = e.source
        out[e.source] = doc_id
    return out
