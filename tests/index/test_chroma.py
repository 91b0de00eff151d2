"""The Chroma store: same answers, citations and offsets as FAISS, locally and against a real server."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.chroma_store import ChromaTarget
from index.errors import SettingError
from index.store import build_store, load_store
from tests.chroma_server import free_port

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "gold" / "seeds.jsonl"


def _unit(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_settings_name_the_bad_value():
    with pytest.raises(SettingError, match="'ftp'.*'http', 'https'"):
        ChromaTarget("ftp://127.0.0.1:8000")
    with pytest.raises(SettingError, match="http://HOST:PORT"):
        ChromaTarget("http://127.0.0.1")
    with pytest.raises(SettingError, match="'M'.*'max_neighbors'"):
        ChromaTarget(None, hnsw={"M": 16})
    with pytest.raises(SettingError, match="'pinecone'.*'faiss', 'chroma'"):
        build_store("pinecone", _unit(3))


def test_local_store_matches_exact_search(tmp_path):
    x, q = _unit(300), _unit(5, seed=1)
    meta = build_store("chroma", x).save(tmp_path)
    assert meta["kind"] == "chroma" and meta["mode"] == "local" and meta["count"] == 300
    gen = tmp_path.with_name(tmp_path.name + "-renamed")
    tmp_path.rename(gen)  # a generation folder is renamed after it is written
    store = load_store(gen, meta)
    scores, rows = store.search(q, 10)
    exact = np.argsort(-(q @ x.T), axis=1, kind="stable")[:, :10]
    assert (rows == exact).all()
    np.testing.assert_allclose(scores, np.take_along_axis(q @ x.T, exact, 1), atol=1e-5)
    scores, rows = store.search(q, 1000)  # k beyond the corpus: every row once
    assert rows.shape == (5, 300) and sorted(rows[0]) == list(range(300))


def _collections(url: str) -> list[str]:
    from index.chroma_store import connect

    return sorted(c.name for c in connect(url).list_collections())


def _index(index_dir: Path, *extra: str, docs: Path = SEEDS) -> None:
    from citebot.cli import main

    assert main(["index", str(docs), "--index-dir", str(index_dir), *extra]) == 0


def _answers(index_dir: Path) -> list[dict]:
    from qa import ask

    out = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        a = ask(json.loads(line)["question"], index_dir=index_dir)
        out.append({"text": a.text, "abstained": a.abstained,
                    "citations": [(c.n, c.doc_id, c.source, c.start, c.end, c.quote, round(c.score, 4))
                                  for c in a.citations]})
    return out


@pytest.fixture(scope="module")
def faiss_answers(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("faiss-index")
    _index(index_dir)
    return _answers(index_dir)


@pytest.mark.slow
def test_server_store_gives_the_same_answers_as_faiss(chroma_url, faiss_answers, tmp_path):
    index_dir = tmp_path / "index"
    _index(index_dir, "--store", "chroma", "--chroma-url", chroma_url)
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    meta = json.loads((gen / "manifest.json").read_text())["store"]
    assert meta["kind"] == "chroma" and meta["mode"] == "server" and meta["url"] == chroma_url
    assert meta["collection"] == f"citebot-{gen.name}" and meta["collection"] in _collections(chroma_url)
    assert not (gen / "dense.faiss").exists()
    answers = _answers(index_dir)
    assert answers == faiss_answers
    assert sum(not a["abstained"] for a in answers) > len(answers) // 2  # the comparison is not vacuous

    _index(index_dir, "--store", "chroma", "--chroma-url", chroma_url)  # unchanged: nothing is written
    assert (index_dir / "CURRENT").read_text().strip() == gen.name
    assert [n for n in _collections(chroma_url) if n.startswith("citebot-")] == [meta["collection"]]
    assert _answers(index_dir) == faiss_answers


@pytest.mark.slow
def test_persistent_store_gives_the_same_answers_as_faiss(faiss_answers, tmp_path):
    index_dir = tmp_path / "index"
    _index(index_dir, "--store", "chroma")
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    meta = json.loads((gen / "manifest.json").read_text())["store"]
    assert meta == {**meta, "kind": "chroma", "mode": "local", "path": "chroma"}
    assert (gen / "chroma" / "chroma.sqlite3").is_file()  # the collection lives inside the generation
    assert _answers(index_dir) == faiss_answers
    copy = tmp_path / "moved"
    shutil.copytree(index_dir, copy)  # an index folder can be moved: nothing refers to an absolute path
    assert _answers(copy) == faiss_answers


@pytest.mark.slow
def test_unreachable_server_is_one_clear_error(tmp_path, capsys):
    from citebot.cli import main

    url = f"http://127.0.0.1:{free_port()}"
    assert main(["index", str(SEEDS), "--index-dir", str(tmp_path / "i"), "--store", "chroma",
                 "--chroma-url", url]) == 2
    err = capsys.readouterr().err
    assert f"cannot reach the Chroma server at {url}" in err and "chroma run" in err
    assert not (tmp_path / "i" / "CURRENT").exists()
