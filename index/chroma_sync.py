"""Carrying a Chroma collection from one index generation to the next, writing only what changed.

Rows are keyed by chunk id, a content hash of (document, offset, text): the same id always carries the same
vector, so a row can be kept from one generation to the next. Each generation folder lists its ids in row order
(``IDS_FILE``) and describes its collection in ``MARKER``; both are written before anything is sent to Chroma,
so a killed build always leaves enough behind for the next one to clean up after it.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

IDS_FILE = "chroma_ids.json"
MARKER = "chroma.json"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def read_marker(folder: Path | None) -> dict | None:
    """The Chroma store description a generation folder holds, or None (no folder, other store, unreadable)."""
    return _read_json(folder / MARKER) if folder is not None else None


def read_ids(folder: Path | None) -> list[str] | None:
    return _read_json(folder / IDS_FILE) if folder is not None else None


def write_description(folder: Path, ids: list[str], meta: dict) -> None:
    (folder / IDS_FILE).write_text(json.dumps(ids), encoding="utf-8")
    (folder / MARKER).write_text(json.dumps(meta), encoding="utf-8")  # last: a marker implies its ids file


def batched(method, ids: list[str], vectors: np.ndarray | None = None, step: int = 1000) -> None:
    """Call a collection method (add, upsert, delete) on at most ``step`` ids at a time."""
    for a in range(0, len(ids), step):
        extra = {} if vectors is None else {"embeddings": vectors[a:a + step]}
        method(ids=ids[a:a + step], **extra)


def all_ids(collection, step: int) -> set[str]:
    found: set[str] = set()
    while True:
        page = collection.get(include=[], limit=step, offset=len(found))["ids"]
        found.update(page)
        if len(page) < step:
            return found


def update(collection, ids: list[str], vectors: np.ndarray, old_ids: list[str], step: int,
           delete_old: bool) -> int:
    """Turn a collection holding ``old_ids`` into one holding ``ids``; return how many vectors were written.

    Only ids it lacks are written. Rows of neither generation (left by a killed build) are deleted. Rows only the
    old generation has are deleted when ``delete_old`` (a private copy); in a collection the live generation still
    reads they must stay until the new generation is live (``ChromaStore.drop`` deletes them then).
    """
    new, old = set(ids), set(old_ids)
    present = old
    if collection.count() != len(old):  # a killed build left rows behind (or rows went missing): look
        present = all_ids(collection, step)
        batched(collection.delete, sorted(present - old - new), step=step)
    rows = [i for i, x in enumerate(ids) if x not in present]
    batched(collection.upsert, [ids[i] for i in rows], vectors[rows], step)
    if delete_old:
        batched(collection.delete, sorted(old - new), step=step)
    return len(rows)
