"""Build or update an index folder atomically, embedding only text it has not embedded before.

Layout of ``index_dir``: ``CURRENT`` names the live generation folder ``gen-*``. A new
generation is written completely, then ``CURRENT`` is replaced in one ``os.replace``;
killing the process at any moment leaves the previous generation live and loadable.
A run that changes nothing writes nothing, and loads no model (see ``index.plan``).
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .bm25 import BM25
from .embed import Embedder, configured_weights_stamp, get_embedder
from .errors import CitebotError, IndexIncompatible, check_choice, check_range
from .files import absolute
from .generation import LiveGeneration, Segment, concatenate, fresh_segment, reusable_vectors, write_tables
from .ingest import Skipped
from .readers import supported
from .manifest import CLEANING_VERSION, CURRENT, current_generation, read_manifest, stored_name, write_manifest
from .markup import markup_of, readable
from .clean import SECTION_SEPARATOR
from .plan import PathReport, Plan, plan_run
from .types import Layout
from .store import STORES, build_store, drop_store, store_matches

DEFAULT_CHUNK_SIZE = 600
DEFAULT_OVERLAP = 1


@dataclass(frozen=True)
class IndexSettings:
    """How documents are chunked and stored; checked before any file is read."""

    chunk_size: int = DEFAULT_CHUNK_SIZE
    overlap: int = DEFAULT_OVERLAP
    store: str = "faiss"

    def __post_init__(self) -> None:
        for name in ("chunk_size", "overlap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise CitebotError(f"{name} must be a whole number (got {value!r})")
        check_range("chunk_size", self.chunk_size, lo=1)
        check_range("overlap", self.overlap, lo=0)
        check_choice("store", self.store, STORES)

    @property
    def chunking(self) -> dict:
        return {"size": self.chunk_size, "overlap": self.overlap, "cleaning_version": CLEANING_VERSION}


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    paths: list[PathReport] = field(default_factory=list)  # the same, per path named (or remembered)
    kept: int = 0              # documents under paths not indexed this time, kept as they were
    notices: list[str] = field(default_factory=list)
    documents_now: dict[str, dict] = field(default_factory=dict)  # doc id -> manifest entry, after the run
    read: list[str] = field(default_factory=list)  # doc ids read from their files this run
    written: bool = False      # a new generation was written
    embedded_texts: int = 0
    reused_vectors: int = 0
    stored_vectors: int = 0    # vectors written to the dense store (Chroma: only those it lacked)
    chunks: int = 0
    documents: int = 0
    seconds: float = 0.0


@contextmanager
def _lock(index_dir: Path):
    """Exclusive write access; a folder this run created is removed again when the run fails."""
    created = not index_dir.exists()
    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        with open(index_dir / ".lock", "a") as f:  # not "w": an unchanged re-index writes nothing
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise CitebotError(f"another citebot index is writing {index_dir}; wait for it to finish") from e
            yield
    except BaseException:
        if created:
            shutil.rmtree(index_dir, ignore_errors=True)
        raise


@dataclass
class _Live:
    """What the live generation offers this run."""

    folder: Path | None = None
    manifest: dict = field(default_factory=dict)
    reusable: bool = False     # same model: its vectors can be reused
    same_chunking: bool = False

    @property
    def docs(self) -> dict[str, dict]:
        return self.manifest.get("documents", {}) if self.reusable and self.same_chunking else {}


def _read_live(index_dir: Path, embedder: Embedder | None, chunking: dict, notices: list[str]) -> _Live:
    try:
        folder = current_generation(index_dir)
    except CitebotError:
        return _Live()
    try:
        m = read_manifest(folder)
    except IndexIncompatible as e:
        notices.append(f"rebuilding {index_dir}: {e}".split(": rebuild with")[0] + "; vectors of unchanged text "
                       "are reused where the model is the same")
        old_model = _raw_model(folder)  # earlier formats list their sentence vectors the same way
        return _Live(folder, {}, reusable=old_model is not None and _same_model(old_model, embedder))
    return _Live(folder, m, _same_model(m["model"], embedder), m.get("chunking") == chunking)


def _raw_model(folder: Path) -> dict | None:
    """The model entry of a manifest in any format, or None."""
    try:
        model = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("model")
    except (OSError, ValueError, AttributeError):
        return None
    return model if isinstance(model, dict) and "sha256" in model else None


def _same_model(built: dict, embedder: Embedder | None) -> bool:
    if embedder is None:
        stamp = configured_weights_stamp()
        if stamp is not None and stamp == built.get("weights"):
            return True  # the same file, untouched since the index was built: no need to hash it
        embedder = get_embedder()
    return built["sha256"] == embedder.weights_sha256


def build_index(paths: Iterable[str | os.PathLike], index_dir: str | os.PathLike, embedder: Embedder | None = None,
                chunk_size: int = DEFAULT_CHUNK_SIZE, overlap: int = DEFAULT_OVERLAP,
                store: str = "faiss", store_options: dict | None = None,
                progress: Callable[[str, int, int], None] | None = None,
                remove: Iterable[str | os.PathLike] = ()) -> IndexReport:
    """Add or update the files under ``paths`` in ``index_dir`` and drop those under ``remove``.

    Documents indexed earlier from other paths are kept. With no ``paths`` (and no ``remove``), every path the
    index remembers is refreshed: new, changed and deleted files. ``embedder``: default ``get_embedder()``,
    loaded only when there is text to embed.
    """
    t0 = time.perf_counter()
    settings = IndexSettings(chunk_size, overlap, store)
    named = [str(absolute(p)) for p in paths]
    removes = [str(absolute(p)) for p in remove]
    for p in named:
        if not os.path.exists(p):
            raise CitebotError(f"path not found: {p}")
    index_dir = Path(index_dir)
    report = IndexReport()
    if not named and not removes and not (index_dir / CURRENT).is_file():
        raise CitebotError(f"no index at {index_dir} yet; name the files or folders to index: citebot index PATH... "
                           f"--index-dir {index_dir}")
    with _lock(index_dir):
        live = _read_live(index_dir, embedder, settings.chunking, report.notices)
        roots = live.manifest.get("roots", [])
        if not named and not removes and not roots:
            raise CitebotError(f"{index_dir} does not record the paths it was built from; name them: "
                               f"citebot index PATH... --index-dir {index_dir}")
        known = live.manifest.get("documents", {})  # rechunk: every file is read again, ids and roots kept
        plan = plan_run(named, removes, roots, known, rechunk=bool(known) and not live.docs)
        _summarise(report, plan)
        for r in plan.missing_roots:
            report.notices.append(f"{r} no longer exists; its documents are kept (drop them with --remove {r})")
        bm25_moved = BM25.changed(live.manifest.get("bm25", {})) if live.docs else None
        if bm25_moved:
            report.notices.append(f"BM25 parameters changed ({bm25_moved}): the lexical index is rebuilt; "
                                  "vectors of unchanged text are reused")
        if live.docs and not plan.changes and plan.roots == roots and not bm25_moved and store_matches(
                live.folder, live.manifest["store"], store, store_options):
            _remove_stale(index_dir, keep=live.folder.name)  # only what a killed build left behind
            report.chunks, report.documents = live.manifest["counts"]["chunks"], len(live.docs)
            report.documents_now = dict(live.docs)
            report.seconds = time.perf_counter() - t0
            return report
        if not plan.carry and not plan.fresh:
            raise CitebotError(_nothing_to_index(plan, named, removes))
        _write_generation(index_dir, plan, live, settings, store_options, embedder, progress, report)
    report.seconds = time.perf_counter() - t0
    return report


def _summarise(report: IndexReport, plan: Plan) -> None:
    report.paths = plan.paths
    report.read = sorted(plan.fresh)
    for p in plan.paths:
        report.added += p.added
        report.changed += p.changed
        report.unchanged += p.unchanged
        report.skipped += p.skipped
    report.removed = list(plan.removed)
    seen = set(report.unchanged)
    report.kept = sum(d not in seen for d in plan.carry)


def _nothing_to_index(plan: Plan, named: list[str], removes: list[str]) -> str:
    if removes and not named:
        return "removing " + ", ".join(removes) + " would leave the index empty; delete the index folder instead"
    skipped = [s for p in plan.paths for s in p.skipped]
    why = f" ({len(skipped)} skipped, e.g. {skipped[0].path}: {skipped[0].reason})" if skipped else ""
    return "no documents to index under " + ", ".join(named or plan.roots) + why + \
        "; citebot reads " + supported() + " files"


def _write_generation(index_dir: Path, plan: Plan, live: _Live, settings: IndexSettings, store_options: dict | None,
                      embedder: Embedder | None, progress, report: IndexReport) -> None:
    segments = _segments(plan, live, settings)
    fresh = [s for s in segments if s.vectors is None]
    loaded = [embedder] if embedder is not None else []

    def model() -> Embedder:  # loaded (and its weights hashed) only when there is text to embed
        if not loaded:
            loaded.append(get_embedder())
        return loaded[0]

    dim = _embed(fresh, reusable_vectors(live.folder) if live.reusable else {}, model, progress, report)
    if loaded or not (live.reusable and live.manifest.get("model")):
        m = model()
        model_entry = {"name": m.name, "sha256": m.weights_sha256, "weights": m.weights_stamp()}
    else:  # nothing embedded: the live generation's model, checked to be the configured one
        model_entry = dict(live.manifest["model"])
    tables = concatenate(segments, dim or live.manifest["model"]["dim"])
    gen = index_dir / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    tmp = gen.with_name(gen.name + ".tmp")
    tmp.mkdir()
    try:
        write_tables(tmp, tables)
        _write_texts(tmp, tables.documents, plan, live.folder)
        dense = build_store(settings.store, tables.vectors, ids=tables.sentence_ids, **(store_options or {}))
        store_meta = dense.save(tmp, previous=live.folder if live.reusable else None)
        report.stored_vectors = dense.written
        report.notices.extend(dense.notices)
        bm25_meta = BM25().fit(lexical_texts(tables)).save(tmp)
        write_manifest(tmp, {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "model": {**model_entry, "dim": tables.vectors.shape[1]},
            "chunking": settings.chunking, "dense_unit": "sentence", "store": store_meta, "bm25": bm25_meta,
            "roots": plan.roots,
            "counts": {"documents": len(segments), "chunks": len(tables.chunks), "sentences": len(tables.hashes)},
            "documents": tables.documents,
        })
        _fsync_dir(tmp)
        os.rename(tmp, gen)
        pointer = index_dir / (CURRENT + ".tmp")
        pointer.write_text(gen.name, encoding="utf-8")
        os.replace(pointer, index_dir / CURRENT)
        _fsync_dir(index_dir)
    except BaseException:
        drop_store(tmp, keep=_live(index_dir))
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_stale(index_dir, keep=gen.name)
    report.written, report.chunks, report.documents = True, len(tables.chunks), len(segments)
    report.documents_now = tables.documents


ENTRY_FIELDS = ("source", "size", "mtime_ns", "content_hash", "title", "date", "format", "layout", "kept", "stored",
                "file_sha256", "left_out")


def _entry(doc_id: str, plan: Plan, old: dict, doc=None) -> dict:
    """The manifest entry of a document: its source, file stamp, content hash, title, date, format, layout (pages
    and sections), kept share ([letters kept, letters visible]) and, for extracted text, where the index stores it
    and the file's sha256."""
    e = {k: old[k] for k in ENTRY_FIELDS if k in old}
    if doc is not None:
        e.update(source=doc.source, content_hash=doc.content_hash, title=doc.title, date=doc.date, format=doc.fmt,
                 layout=doc.layout.to_json(), kept=[doc.kept_chars, doc.visible_chars], left_out=list(doc.left_out))
        if doc.stored:
            e.update(stored=stored_name(doc.content_hash), file_sha256=doc.file_hash)
    stamp = plan.stamps.get(doc_id)
    if stamp is not None:
        e.update(size=stamp.size, mtime_ns=stamp.mtime_ns)
    return e


def lexical_texts(tables) -> list[str]:
    """What BM25 indexes for each chunk: its readable text, after the heading of the section it opens in (a
    question asks for "the author" where the document says "AUTHOR" above a name)."""
    docs = list(tables.documents.values())  # in document row order
    markups = [markup_of(d["source"]) for d in docs]
    layouts = [Layout.from_json(d.get("layout")) for d in docs]
    out = []
    for c in tables.chunks:
        text = readable(c["text"], markups[c["doc"]])
        section = layouts[c["doc"]].section(c["start"])
        out.append(f"{section.rsplit(SECTION_SEPARATOR, 1)[-1]}: {text}" if section else text)
    return out


def _write_texts(gen: Path, documents: dict[str, dict], plan: Plan, live: Path | None) -> None:
    """The extracted text of every stored document (PDF, DOCX): new ones written, carried ones linked."""
    for doc_id, entry in documents.items():
        name = entry.get("stored")
        if not name:
            continue
        target = gen / name
        target.parent.mkdir(exist_ok=True)
        if doc_id in plan.fresh:
            target.write_text(plan.fresh[doc_id].raw, encoding="utf-8", newline="")
            continue
        previous = live / name if live is not None else None
        if previous is None or not previous.is_file():
            raise CitebotError(f"the stored text of {doc_id} is missing from {live}; rebuild: delete the index folder "
                               "and run citebot index again")
        try:
            os.link(previous, target)
        except OSError:
            shutil.copyfile(previous, target)


def _segments(plan: Plan, live: _Live, settings: IndexSettings) -> list[Segment]:
    carried = LiveGeneration(live.folder, live.manifest) if plan.carry else None
    out = []
    for doc_id in sorted(plan.carry + list(plan.fresh)):
        if doc_id in plan.fresh:
            doc = plan.fresh[doc_id]
            out.append(fresh_segment(doc, _entry(doc_id, plan, {}, doc), settings.chunk_size, settings.overlap))
        else:
            out.append(carried.segment(doc_id, _entry(doc_id, plan, live.docs[doc_id])))
    return out


def _embed(fresh: list[Segment], cache: dict[str, np.ndarray], model: Callable[[], Embedder], progress,
           report: IndexReport) -> int | None:
    """Give fresh segments their vectors: reused by text hash, the rest embedded once each. Returns the width."""
    todo = sorted({h: t for s in fresh for h, t in zip(s.hashes, s.texts) if h not in cache}.items())
    if todo:
        tick = _counter(progress, len(todo)) if progress else None
        vecs = model().embed([t for _, t in todo], progress=tick)
        cache = {**cache, **{h: vecs[i] for i, (h, _) in enumerate(todo)}}
    report.embedded_texts = len(todo)
    embedded = {h for h, _ in todo}
    dim = None
    for s in fresh:
        report.reused_vectors += sum(h not in embedded for h in s.hashes)
        s.vectors = np.array([cache[h] for h in s.hashes], dtype=np.float32).reshape(len(s.hashes), -1)
        dim = dim or (s.vectors.shape[1] if len(s.hashes) else None)
    return dim


def _counter(progress: Callable[[str, int, int], None], total: int) -> Callable[[int], None]:
    """Turns per-batch counts into running (done, total) progress reports."""
    done = 0
    progress("embed", 0, total)  # before the model loads: a log shows the run has begun

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress("embed", done, total)

    return tick


def _fsync_dir(path: Path) -> None:
    for f in path.iterdir():
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _live(index_dir: Path) -> Path | None:
    try:
        return current_generation(index_dir)
    except CitebotError:
        return None


def _remove_stale(index_dir: Path, keep: str) -> None:
    """Delete every generation folder but ``keep`` (old ones, and what killed builds left)."""
    for p in index_dir.glob("gen-*"):
        if p.name != keep:
            drop_store(p, keep=index_dir / keep)
            shutil.rmtree(p, ignore_errors=True)
