import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


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
