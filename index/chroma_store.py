"""A Chroma collection as the dense store: a local persistent folder or a Chroma server over HTTP.

The vectors are always ours: collections are created and opened with ``embedding_function=None``
and only ``query_embeddings`` are sent, so Chroma never loads (or downloads) a model of its own.
Ids are chunk row numbers as strings; Chroma's cosine distance ``1 - cos`` is turned back into the
inner product of our unit vectors (``score = 1 - distance``), the same scale FAISS reports.

Where the collection lives keeps index generations atomic:
- local: inside the generation folder (``<gen>/chroma``), so it is renamed, kept or removed with it;
- server: one collection per generation (``<prefix>-<generation>``); old generations' collections
  are dropped after the swap (``ChromaStore.drop``, called by the builder for stale folders).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .errors import CitebotError, IndexIncompatible, SettingError, check_choice

log = logging.getLogger(__name__)

LOCAL_FOLDER = "chroma"
LOCAL_COLLECTION = "citebot"
MARKER = "chroma.json"  # written into the generation folder before any upload, so a drop can find it
URL_SCHEMES = ("http", "https")
HNSW_PARAMS = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}


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


class ChromaStore:
    """VectorStore over a Chroma collection (see the module docstring for placement and scores)."""

    kind = "chroma"

    def __init__(self, target: ChromaTarget, pending: np.ndarray | None = None, client=None, collection=None,
                 count: int = 0):
        self.target, self.pending = target, pending
        self.client, self.collection, self.count = client, collection, count

    @classmethod
    def build(cls, vectors: np.ndarray, url: str | None = None, prefix: str = "citebot",
              hnsw: dict | None = None) -> "ChromaStore":
        """Hold the vectors; ``save`` writes them where the generation's collection belongs."""
        target = ChromaTarget(url, prefix, dict(HNSW_PARAMS, **(hnsw or {})))
        return cls(target, pending=np.ascontiguousarray(vectors, dtype=np.float32))

    def save(self, folder: Path) -> dict:
        if self.pending is None:
            raise CitebotError("this Chroma store was loaded, not built; build a new index to save one")
        t = self.target
        if t.url is None:
            meta = {"kind": self.kind, "mode": "local", "path": LOCAL_FOLDER, "collection": LOCAL_COLLECTION}
        else:
            generation = folder.name.removesuffix(".tmp")
            meta = {"kind": self.kind, "mode": "server", "url": t.url, "collection": f"{t.prefix}-{generation}"}
        meta.update(params=t.hnsw, count=len(self.pending))
        (folder / MARKER).write_text(json.dumps(meta), encoding="utf-8")
        client = connect(t.url, folder / LOCAL_FOLDER)
        try:
            collection = client.create_collection(meta["collection"], configuration={"hnsw": t.hnsw},
                                                  embedding_function=None)
            step = max(1, client.get_max_batch_size())
            for a in range(0, len(self.pending), step):
                block = self.pending[a:a + step]
                collection.add(ids=[str(i) for i in range(a, a + len(block))], embeddings=block)
        finally:
            if t.url is None:
                client.close()  # release the SQLite files before the folder is renamed
        return meta

    @classmethod
    def load(cls, folder: Path, meta: dict) -> "ChromaStore":
        check_choice("Chroma store mode", meta.get("mode"), ("local", "server"))
        url = meta.get("url") if meta["mode"] == "server" else None
        client = connect(url, folder / meta.get("path", LOCAL_FOLDER))
        try:
            collection = client.get_collection(meta["collection"], embedding_function=None)
        except Exception as e:
            where = url or str(folder / meta.get("path", LOCAL_FOLDER))
            raise IndexIncompatible(f"Chroma collection {meta['collection']!r} is missing at {where}; rebuild "
                                    f"with: citebot index PATH... --store chroma"
                                    f"{' --chroma-url ' + url if url else ''}") from e
        target = ChromaTarget(url, hnsw=dict(meta.get("params") or HNSW_PARAMS))
        return cls(target, client=client, collection=collection, count=int(meta.get("count", 0)))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = min(k, self.count)
        if k <= 0 or self.collection is None:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        res = self.collection.query(query_embeddings=queries, n_results=k, include=["distances"])
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        rows = np.full((len(queries), k), -1, dtype=np.int64)
        for i, (ids, dists) in enumerate(zip(res["ids"], res["distances"])):
            rows[i, :len(ids)] = [int(x) for x in ids]
            scores[i, :len(ids)] = 1.0 - np.asarray(dists, dtype=np.float32)
        return scores, rows

    @classmethod
    def drop(cls, folder: Path) -> None:
        """Delete the server collection a (stale or failed) generation folder created; local needs nothing."""
        marker = folder / MARKER
        if not marker.is_file():
            return
        try:
            meta = json.loads(marker.read_text(encoding="utf-8"))
            if meta.get("mode") == "server":
                connect(meta["url"]).delete_collection(meta["collection"])
        except Exception as e:  # a dead server must not fail the build that replaced the generation
            log.warning("could not drop Chroma collection of %s: %s", folder.name, e)
