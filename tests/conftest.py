import os
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("CITEBOT_CACHE_DIR", str(ROOT / ".citebot" / "test-cache"))  # the exported ONNX query encoder


@pytest.fixture(scope="session")
def embedder():
    from index import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, embedder):
    """The seed articles copied to a temp folder and indexed once per session with the real model."""
    from index import build_index

    root = tmp_path_factory.mktemp("seeds")
    docs = root / "docs"
    shutil.copytree(SEEDS, docs)
    build_index([docs], root / "index", embedder)
    return root / "index"


BRIDGE = "The harbour bridge reopened on Friday after two years of repairs."
NEWS = {"bridge.txt": f"Harbour news\n\n{BRIDGE} Traffic was light in the morning.\n",
        "ferry.txt": f"Ferry news\n\nOfficials said the {BRIDGE[4:]} Cyclists welcomed the new lanes.\n",
        "library.txt": "Library news\n\nThe city library extended its opening hours for the summer. Readers were "
                       "pleased.\n"}


def settle(path: Path, age_s: int = 60) -> None:
    """Back-date a file's mtime (a file modified within the last seconds is never cached as unchanged)."""
    t = time.time_ns() - age_s * 10**9
    os.utime(path, ns=(t, t))


@pytest.fixture()
def news_index(tmp_path, monkeypatch):
    """Three small articles indexed with the hash embedder, which ask() then loads too: (docs, index_dir)."""
    from index import build_index, reader
    from tests.fakes import HashEmbedder

    monkeypatch.setattr(reader, "get_embedder", HashEmbedder)
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in NEWS.items():
        (docs / name).write_text(text, encoding="utf-8")
    build_index([docs], tmp_path / "ix", HashEmbedder())
    for f in docs.iterdir():
        settle(f)
    return docs, tmp_path / "ix"


@pytest.fixture()
def one_document(tmp_path, monkeypatch):
    """``make(name, text)``: that one document indexed with the hash embedder (which the index then loads too):
    (LoadedIndex, every chunk as a passage)."""
    from index import build_index, open_index, reader
    from tests.fakes import HashEmbedder

    monkeypatch.setattr(reader, "get_embedder", HashEmbedder)

    def make(name: str, text: str):
        (tmp_path / "docs").mkdir()
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
        build_index([tmp_path / "docs"], tmp_path / "ix", HashEmbedder())
        ix = open_index(tmp_path / "ix")
        return ix, [ix.passage(i, 1.0) for i in range(len(ix))]

    return make
