"""The index manifest: a versioned, human-readable JSON description of one index generation."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import IndexIncompatible, IndexNotFound

FORMAT = "citebot-index"
FORMAT_VERSION = 3  # 2: sentence-level dense store, documents keyed by relative path, roots recorded;
                    # 3: documents carry their format, layout (pages, sections), kept share, stored text
CLEANING_VERSION = 28  # bump when cleaning, sentence rules or a reader's output change: documents are then read again
CURRENT = "CURRENT"
TEXTS = "texts"  # extracted text of PDF / DOCX documents, in each generation: texts/<content hash>.txt (UTF-8)


def stored_name(content_hash: str) -> str:
    """Where a generation keeps a document's extracted text, relative to the generation folder."""
    return f"{TEXTS}/{content_hash}.txt"


def read_stored(gen: Path, entry: dict) -> str:
    """The extracted text of a stored document, exactly as indexed."""
    with open(gen / entry["stored"], encoding="utf-8", newline="") as f:
        return f.read()


def current_generation(index_dir: Path) -> Path:
    """The folder CURRENT points at; a clear error when there is no index."""
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexNotFound(f"no index at {index_dir}; build one with: citebot index PATH... --index-dir {index_dir}")
    gen = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not (gen / "manifest.json").is_file():
        raise IndexNotFound(f"index at {index_dir} is incomplete; rebuild it with: citebot index PATH... "
                            f"--index-dir {index_dir}")
    return gen


def read_manifest(gen: Path) -> dict:
    try:
        m = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise IndexIncompatible(f"unreadable manifest {gen / 'manifest.json'}: {e}") from e
    if m.get("format") != FORMAT or m.get("format_version") != FORMAT_VERSION:
        raise IndexIncompatible(
            f"index at {gen.parent} has format {m.get('format')!r} version {m.get('format_version')!r}; this "
            f"citebot reads {FORMAT!r} version {FORMAT_VERSION}: rebuild with citebot index PATH... "
            f"--index-dir {gen.parent}")
    return m


def check_model(m: dict, name: str, sha256: str, index_dir: Path) -> None:
    built = m["model"]
    if built["sha256"] != sha256:
        raise IndexIncompatible(
            f"index at {index_dir} was built with model {built['name']} (sha256 {built['sha256'][:12]}…) but "
            f"the configured model is {name} (sha256 {sha256[:12]}…); rebuild with citebot index PATH... "
            f"--index-dir {index_dir}, or configure the original model")


def write_manifest(gen: Path, manifest: dict) -> None:
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, **manifest}
    (gen / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")


def load_array(path: Path) -> np.ndarray:
    """A generation's ``.npy`` array, memory-mapped read-only: opening is instant, pages load when first read.

    Generations are never written after ``CURRENT`` names them (a rebuild writes a new folder), so the mapping
    stays valid; the array is read-only and a write raises. A plain ndarray view skips np.memmap's per-slice
    overhead.
    """
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)
