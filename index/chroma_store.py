"""A Chroma collection as the dense store: a local persistent folder or a Chroma server over HTTP.

The vectors are always ours: collections are created and opened with ``embedding_function=None``
and only ``query_embeddings`` are sent, so Chroma never loads (or downloads) a model of its own.
Ids are sentence ids (content hashes, listed in row order in the generation folder); Chroma's cosine
distance ``1 - cos`` is turned back into the inner product of our unit vectors (``score = 1 - distance``),
the same scale FAISS reports.

Re-indexing writes only changed rows and keeps index generations atomic (docs/chroma.md):
- local: the collection lives inside the generation folder (``<gen>/chroma``); a new generation starts from a
  file copy of the previous one's and applies upserts and deletes to that private copy;
- server: one collection serves successive generations. A build upserts only the rows it lacks; a generation
  ignores rows not in its own id list, so the live one is unaffected; rows only the old generation used are
  deleted after the swap (``ChromaStore.drop``, called by the builder for stale folders). Only the index folder
  that created a collection (``owner``: host and absolute path, in the collection's metadata) changes it: a copy
  or a moved folder writes a collection of its own and leaves that one to its owner.
"""
from __future__ import annotations

import logging
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .chroma_sync import IDS_FILE, batched, read_ids, read_marker, update, write_description
from .errors import CitebotError, IndexIncompatible, SettingError, check_choice

log = logging.getLogger(__name__)

LOCAL_FOLDER = "chroma"
LOCAL_COLLECTION = "citebot"
URL_SCHEMES = ("http", "https")
HNSW_PARAMS = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}
OWNER_KEY = "citebot_index"  # collection metadata: the index folder that writes the collection (``owner``)


def owner(index_dir: Path) -> str:
    """The index folder as a server collection records it: host and absolute path. A copy of the folder, or the
    folder moved, is another owner, so the two never change each other's rows."""
    return f"{socket.gethostname()}:{index_dir.resolve()}"


@dataclass(frozen=True)
class ChromaTarget:
    """Where the collection goes: ``url`` (a Chroma server) or, when None, the generation folder."""

    url: str | None = None
    prefix: str = "citebot"
    hnsw: dict = field(default_factory=lambda: dict(HNSW_PARAMS))

    def __post_init__(self) -> None:
        if self.url is not None:
            parts = urlsplit(self.url)
            check_choice("Chroma URL scheme", parts.scheme, URL_SCHEMES)
            try:
                port = parts.port
            except ValueError as e:
                raise SettingError(f"invalid Chroma URL {self.url!r}: {e}") from e
            if not parts.hostname or port is None or parts.path not in ("", "/"):
                raise SettingError(f"invalid Chroma URL {self.url!r}; expected http://HOST:PORT")
        if not self.prefix.replace("-", "").replace("_", "").isalnum() or not self.prefix[:1].isalnum():
            raise SettingError(f"invalid Chroma collection prefix {self.prefix!r}; use letters, digits, - or _")
        unknown = set(self.hnsw) - set(HNSW_PARAMS)
        if unknown:
            raise SettingError(f"invalid Chroma HNSW parameter {sorted(unknown)[0]!r}; valid values: "
                               f"{', '.join(map(repr, HNSW_PARAMS))}")

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname

    @property
    def port(self) -> int:
        return urlsplit(self.url).port

    @property
    def ssl(self) -> bool:
        return urlsplit(self.url).scheme == "https"


def _settings():
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False)


def connect(url: str | None, folder: Path | None = None):
    """A Chroma client for a server URL, or for a local folder when ``url`` is None."""
    import chromadb

    if url is None:
        return chromadb.PersistentClient(path=str(folder), settings=_settings())
    t = ChromaTarget(url)
    try:
        client = chromadb.HttpClient(host=t.host, port=t.port, ssl=t.ssl, settings=_settings())
        client.heartbeat()
    except Exception as e:  # chromadb raises several types for a refused or failed connection
        raise CitebotError(f"cannot reach the Chroma server at {url} ({type(e).__name__}); start one with: "
                           f"chroma run --path DB_FOLDER --host {t.host} --port {t.port}") from e
    return client


def _collection(client, name: str):
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception:  # chromadb raises NotFoundError, or ValueError in older releases
        return None


def carried(previous: Path | None, target: ChromaTarget) -> dict | None:
    """The store of generation folder ``previous`` when a generation for ``target`` can start from it."""
    m = read_marker(previous)
    if not m or m.get("ids") != IDS_FILE or m.get("url") != target.url or m.get("params") != target.hnsw:
        return None
    if target.url is None:
        return m if (previous / m["path"]).is_dir() else None
    return m if _collection(connect(target.url), m["collection"]) is not None else None


class ChromaStore:
    """VectorStore over a Chroma collection (see the module docstring for placement and scores)."""

    kind = "chroma"
    written = 0  # vectors the last save sent to Chroma
    notices: tuple[str, ...] = ()

    def __init__(self, target: ChromaTarget, pending: np.ndarray | None = None, ids: list[str] | None = None,
                 collection=None, rows: dict[str, int] | None = None):
        self.target, self.pending, self.ids = target, pending, ids
        self.collection, self.rows = collection, rows or {}

    @staticmethod
    def make_target(url: str | None = None, prefix: str = "citebot", hnsw: dict | None = None) -> ChromaTarget:
        return ChromaTarget(url, prefix, dict(HNSW_PARAMS, **(hnsw or {})))

    @classmethod
    def build(cls, vectors: np.ndarray, ids: list[str] | None = None, **options) -> "ChromaStore":
        """Hold the vectors and their ids (default: row numbers); ``save`` writes them to the collection."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = [str(i) for i in range(len(vectors))] if ids is None else list(ids)
        if len(ids) != len(vectors) or len(set(ids)) != len(ids):
            raise ValueError(f"need {len(vectors)} distinct ids for {len(vectors)} vectors, got {len(set(ids))}")
        return cls(cls.make_target(**options), pending=vectors, ids=ids)

    @classmethod
    def matches(cls, folder: Path, meta: dict, **options) -> bool:
        """Whether generation ``folder``'s collection is what a build with ``options`` would produce."""
        return carried(folder, cls.make_target(**options)) is not None

    def save(self, folder: Path, previous: Path | None = None) -> dict:
        """Write the collection for generation ``folder``, starting from ``previous``'s when it can."""
        if self.pending is None:
            raise CitebotError("this Chroma store was loaded, not built; build a new index to save one")
        t = self.target
        base = carried(previous, t)
        me = owner(folder.parent)
        if base and t.url is not None:
            base = self._own(base, me)
        if t.url is None:
            meta = {"kind": self.kind, "mode": "local", "path": LOCAL_FOLDER, "collection": LOCAL_COLLECTION}
        else:
            name = base["collection"] if base else f"{t.prefix}-{folder.name.removesuffix('.tmp')}"
            meta = {"kind": self.kind, "mode": "server", "url": t.url, "collection": name}
        meta.update(params=t.hnsw, count=len(self.ids), ids=IDS_FILE)
        write_description(folder, self.ids, meta)
        if base and t.url is None:
            shutil.copytree(previous / base["path"], folder / LOCAL_FOLDER)  # a private copy to update
        client = connect(t.url, folder / LOCAL_FOLDER)
        try:
            step = max(1, client.get_max_batch_size())
            if base:
                self.written = update(_collection(client, meta["collection"]), self.ids, self.pending,
                                      read_ids(previous), step, delete_old=t.url is None)
            else:
                collection = client.create_collection(
                    meta["collection"], configuration={"hnsw": t.hnsw}, embedding_function=None,
                    metadata={OWNER_KEY: me} if t.url is not None else None)
                batched(collection.add, self.ids, self.pending, step)
                self.written = len(self.ids)
        finally:
            if t.url is None:
                client.close()  # release the SQLite files before the folder is renamed
        return meta

    def _own(self, base: dict, me: str) -> dict | None:
        """``base`` when this index folder may update its server collection: it is the owner, or the collection
        predates owners (it is claimed). Otherwise None, with a notice: a new collection is written instead."""
        collection = _collection(connect(self.target.url), base["collection"])
        if collection is None:  # deleted on the server since ``carried`` saw it: start a new one
            return None
        found = (collection.metadata or {}).get(OWNER_KEY)
        if found is None:
            collection.modify(metadata={**(collection.metadata or {}), OWNER_KEY: me})
        elif found != me:
            self.notices = (f"Chroma collection {base['collection']!r} belongs to the index folder {found}, not to "
                            f"this one ({me}): it is left to that index, and this one now has its own (if that "
                            f"folder is gone, delete the old collection on the server)",)
            return None
        return base

    @classmethod
    def load(cls, folder: Path, meta: dict) -> "ChromaStore":
        check_choice("Chroma store mode", meta.get("mode"), ("local", "server"))
        url = meta.get("url") if meta["mode"] == "server" else None
        collection = _collection(connect(url, folder / meta.get("path", LOCAL_FOLDER)), meta["collection"])
        if collection is None:
            where = url or str(folder / meta.get("path", LOCAL_FOLDER))
            raise IndexIncompatible(f"Chroma collection {meta['collection']!r} is missing at {where}; rebuild "
                                    f"with: citebot index PATH... --store chroma"
                                    f"{' --chroma-url ' + url if url else ''}")
        ids = read_ids(folder) if meta.get("ids") else [str(i) for i in range(int(meta.get("count", 0)))]
        if ids is None:
            raise IndexIncompatible(f"unreadable {folder / meta['ids']}; rebuild with: citebot index PATH... "
                                    f"--store chroma")
        return cls(ChromaTarget(url, hnsw=dict(meta.get("params") or HNSW_PARAMS)), collection=collection,
                   rows={x: i for i, x in enumerate(ids)})

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = min(k, len(self.rows))
        scores = np.full((len(queries), max(k, 0)), -np.inf, dtype=np.float32)
        rows = np.full((len(queries), max(k, 0)), -1, dtype=np.int64)
        if k <= 0 or self.collection is None:
            return scores, rows
        for i, hits in enumerate(self._own_hits(queries, k)):
            rows[i, :len(hits)] = [r for r, _ in hits]
            scores[i, :len(hits)] = [s for _, s in hits]
        return scores, rows

    def _own_hits(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """The k best (row, score) of this generation's own rows for each query.

        A server collection can also hold rows of the generation being built (or of a killed build); they are
        skipped, and when they crowd this generation's rows out of the top n, the query is repeated deeper.
        """
        n = k
        while True:
            res = self.collection.query(query_embeddings=queries, n_results=n, include=["distances"])
            hits = [[(self.rows[x], 1.0 - float(d)) for x, d in zip(ids, dists) if x in self.rows][:k]
                    for ids, dists in zip(res["ids"], res["distances"])]
            if all(len(h) == k or len(ids) < n for h, ids in zip(hits, res["ids"])):
                return hits
            n *= 4

    @classmethod
    def drop(cls, folder: Path, keep: Path | None = None) -> None:
        """Release what a stale or failed generation ``folder`` holds on a server, sparing what ``keep`` uses.

        Its own collection is deleted; in the collection the live generation ``keep`` shares, only the rows
        ``keep`` does not list are; a collection another index folder owns is left alone. Local collections live
        in the folder and need nothing.
        """
        m = read_marker(folder)
        if not m or m.get("mode") != "server":
            return
        live = read_marker(keep)
        try:
            client = connect(m["url"])
            collection, me = _collection(client, m["collection"]), owner(folder.parent)
            if collection is not None and (collection.metadata or {}).get(OWNER_KEY, me) != me:
                return  # a copy's (or a moved folder's) old generation: the collection is its owner's
            if not live or (live.get("url"), live.get("collection")) != (m["url"], m["collection"]):
                client.delete_collection(m["collection"])
                return
            keep_ids = read_ids(keep)
            if keep_ids is not None and collection is not None:
                gone = sorted(set(read_ids(folder) or ()) - set(keep_ids))
                batched(collection.delete, gone, step=max(1, client.get_max_batch_size()))
        except Exception as e:  # a dead server must not fail the build that replaced the generation
            log.warning("could not clean up the Chroma collection of %s: %s", folder.name, e)
