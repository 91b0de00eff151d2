"""What an index run does to each document: add, update, keep or remove it, decided from the files on disk.

Naming a path adds or updates what is under it; a document is removed only when its file was deleted from a path
being re-indexed, or when asked (``remove``). Documents under paths not named this time are kept as they are.
Files whose size and modification time match the index are not read at all.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CitebotError
from .files import FileEntry, assign_ids, is_under, minimal_roots
from .ingest import Skipped, load_document, scan_files
from .types import Document


@dataclass
class PathReport:
    """What happened under one path named (or remembered) by this run."""

    path: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unsupported: Counter = field(default_factory=Counter)  # files of other types found, by extension


@dataclass
class Plan:
    roots: list[str]                                   # what the new generation remembers
    fresh: dict[str, Document] = field(default_factory=dict)     # doc id -> document to chunk and embed
    carry: list[str] = field(default_factory=list)      # doc ids whose chunks and vectors are reused as they are
    stamps: dict[str, FileEntry] = field(default_factory=dict)   # doc id -> the file as it is now
    removed: list[str] = field(default_factory=list)
    paths: list[PathReport] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)  # remembered paths gone from disk: documents kept

    @property
    def changes(self) -> bool:
        return bool(self.fresh or self.removed)


def plan_run(named: list[str], remove: list[str], old_roots: list[str], old_docs: dict[str, dict],
             rechunk: bool) -> Plan:
    """The plan for indexing absolute paths ``named`` (none: every remembered root) and removing ``remove``.

    ``old_docs``: the live manifest's documents (id -> entry with source, size, mtime_ns, content_hash);
    ``rechunk``: their chunks cannot be reused (chunking settings changed), so every file is read again.
    """
    for r in remove:
        if not any(is_under(d["source"], r) for d in old_docs.values()) and r not in old_roots:
            raise CitebotError(f"--remove {r}: no indexed document is under it")
    kept_roots = [r for r in old_roots if not any(is_under(r, x) for x in remove)]
    roots = minimal_roots(kept_roots + named)
    if rechunk or not (named or remove):
        targets = roots  # everything is read again, or a plain refresh of every remembered path
    else:
        targets = named
    present = [r for r in targets if Path(r).exists() or r in named]
    plan = Plan(roots=roots, missing_roots=[r for r in targets if r not in present])
    others: dict[str, Counter] = {}
    found: dict = {}
    for r in present:
        found.update(scan_files([r], reports_others := Counter()))
        others[r] = reports_others
    by_source = {d["source"]: doc_id for doc_id, d in old_docs.items()}
    reports = {r: PathReport(r, unsupported=others[r]) for r in present}

    def report_of(source: str) -> PathReport | None:
        return next((reports[r] for r in present if is_under(source, r)), None)

    for doc_id, d in sorted(old_docs.items()):
        src = d["source"]
        if any(is_under(src, x) for x in remove):
            plan.removed.append(doc_id)
            continue
        rep = report_of(src)
        entry = found.get(src)
        if rep is None:  # not under a path indexed this time: kept as it is (or read again when re-chunking)
            plan.carry.append(doc_id)
        elif entry is None:
            plan.removed.append(doc_id)
            rep.removed.append(doc_id)
        elif not rechunk and (entry.size, entry.mtime_ns) == (d.get("size"), d.get("mtime_ns")):
            plan.carry.append(doc_id)
            rep.unchanged.append(doc_id)
        else:
            _read(plan, rep, doc_id, entry, d.get("content_hash"), rechunk)
    ids = assign_ids((e for s, e in found.items() if s not in by_source),
                     {doc_id: d["source"] for doc_id, d in old_docs.items() if doc_id not in plan.removed})
    for source, doc_id in sorted(ids.items(), key=lambda x: x[1]):
        _read(plan, report_of(source), doc_id, found[source], None, True)
    plan.paths = [reports[r] for r in present]
    if rechunk:  # a document that could not be read again cannot keep chunks made another way
        plan.removed += [d for d in plan.carry if d not in plan.stamps]
        plan.carry = [d for d in plan.carry if d in plan.stamps]
    return plan


def _read(plan: Plan, rep: PathReport, doc_id: str, entry: FileEntry, old_hash: str | None, rechunk: bool) -> None:
    """Read one new or touched file: fresh when new or its text changed, carried when only its stat did."""
    doc = load_document(Path(entry.source), doc_id)
    if isinstance(doc, Skipped):
        rep.skipped.append(doc)
        if old_hash is not None:  # indexed before, unreadable now: the index follows the file
            plan.removed.append(doc_id)
            rep.removed.append(doc_id)
        return
    plan.stamps[doc_id] = entry
    if old_hash is not None and doc.content_hash == old_hash and not rechunk:
        plan.carry.append(doc_id)
        rep.unchanged.append(doc_id)
        return
    plan.fresh[doc_id] = doc
    (rep.added if old_hash is None else rep.changed if doc.content_hash != old_hash else rep.unchanged).append(doc_id)
