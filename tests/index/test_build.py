"""Manifest, incremental re-indexing, atomic generations and compatibility checks."""
import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from index import IndexIncompatible, IndexNotFound, LoadedIndex, build_index
from index.manifest import FORMAT_VERSION, current_generation
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]


def write_corpus(folder: Path, n: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"doc{i}.txt").write_text(
            f"Article {i} headline\n\nThe port number {i} opened on Monday. Workers cheered loudly. "
            f"Officials from town {i} attended the ceremony.\n", encoding="utf-8")


def test_manifest_records_model_chunking_and_hashes(tmp_path):
    write_corpus(tmp_path / "docs")
    emb = HashEmbedder()
    build_index([tmp_path / "docs"], tmp_path / "ix", emb, chunk_size=200, overlap=1)
    m = json.loads((current_generation(tmp_path / "ix") / "manifest.json").read_text())
    assert m["format"] == "citebot-index" and m["format_version"] == FORMAT_VERSION
    assert m["model"] == {"name": emb.name, "sha256": emb.weights_sha256, "dim": emb.dim, "weights": None}
    assert m["chunking"]["size"] == 200 and m["chunking"]["overlap"] == 1
    assert set(m["documents"]) == {"doc0.txt", "doc1.txt", "doc2.txt"}
    assert all(len(d["content_hash"]) == 64 for d in m["documents"].values())
    assert m["store"]["kind"] == "faiss" and m["store"]["index_type"] == "flat"


def test_reindex_embeds_only_new_or_changed_and_drops_deleted(tmp_path):
    docs = tmp_path / "docs"
    write_corpus(docs)
    emb = HashEmbedder()
    first = build_index([docs], tmp_path / "ix", emb)
    assert len(first.added) == 3 and first.embedded_texts > 0
    again = build_index([docs], tmp_path / "ix", emb)
    assert again.embedded_texts == 0 and len(again.unchanged) == 3
    (docs / "doc1.txt").write_text("Changed headline\n\nA wholly new sentence arrived today. It is brief.\n")
    (docs / "doc2.txt").unlink()
    (docs / "doc3.md").write_text("A brand new markdown article sentence. With a second one.\n")
    r = build_index([docs], tmp_path / "ix", emb)
    assert r.changed == ["doc1.txt"] and r.removed == ["doc2.txt"] and r.added == ["doc3.md"] and len(r.unchanged) == 1
    assert 0 < r.embedded_texts <= 6
    ix = LoadedIndex(tmp_path / "ix", embedder=emb)
    assert {d.doc_id for d in ix.docs} == {"doc0.txt", "doc1.txt", "doc3.md"}


def test_an_index_built_with_other_bm25_parameters_is_rebuilt_once_without_embedding(tmp_path, monkeypatch):
    from index import bm25

    docs = tmp_path / "docs"
    write_corpus(docs)
    emb = HashEmbedder()
    monkeypatch.setattr(bm25, "K1", bm25.K1 + 1.0)  # the index as a citebot with other defaults wrote it
    build_index([docs], tmp_path / "ix", emb)
    old = current_generation(tmp_path / "ix")
    monkeypatch.undo()
    r = build_index([docs], tmp_path / "ix", emb)
    assert r.written and r.embedded_texts == 0 and len(r.unchanged) == 3
    assert [n for n in r.notices if n.startswith("BM25 parameters changed (k1 ")] == r.notices != []
    m = json.loads((current_generation(tmp_path / "ix") / "manifest.json").read_text())
    assert current_generation(tmp_path / "ix") != old and (m["bm25"]["k1"], m["bm25"]["b"]) == (bm25.K1, bm25.B)
    again = build_index([docs], tmp_path / "ix", emb)
    assert not again.written and again.notices == []


def test_bm25_parameters_are_checked_when_built():
    from index.bm25 import BM25
    from index.errors import SettingError

    for bad, name in (({"k1": -0.1}, "BM25 k1"), ({"b": 1.5}, "BM25 b")):
        with pytest.raises(SettingError, match=name):
            BM25(**bad)


def test_missing_index_and_other_model_give_one_line_fixes(tmp_path):
    with pytest.raises(IndexNotFound, match="citebot index"):
        LoadedIndex(tmp_path / "nothing", embedder=HashEmbedder())
    write_corpus(tmp_path / "docs")
    build_index([tmp_path / "docs"], tmp_path / "ix", HashEmbedder())
    other = HashEmbedder()
    other.weights_sha256 = "f" * 64
    with pytest.raises(IndexIncompatible, match="rebuild with citebot index"):
        LoadedIndex(tmp_path / "ix", embedder=other)


def test_unknown_format_version_is_refused(tmp_path):
    write_corpus(tmp_path / "docs")
    build_index([tmp_path / "docs"], tmp_path / "ix", HashEmbedder())
    mf = current_generation(tmp_path / "ix") / "manifest.json"
    m = json.loads(mf.read_text())
    m["format_version"] = 99
    mf.write_text(json.dumps(m))
    with pytest.raises(IndexIncompatible, match="version 99"):
        LoadedIndex(tmp_path / "ix", embedder=HashEmbedder())


KILL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path[:0] = [{root!r}]
    from index import build_index
    from tests.fakes import HashEmbedder
    build_index([sys.argv[1]], sys.argv[2], HashEmbedder(delay=0.02))
""")


@pytest.mark.slow
def test_killing_a_build_at_any_moment_leaves_the_previous_index_loadable(tmp_path):
    docs = tmp_path / "docs"
    write_corpus(docs, n=4)
    ix = tmp_path / "ix"
    build_index([docs], ix, HashEmbedder())
    before = {d.doc_id for d in LoadedIndex(ix, embedder=HashEmbedder()).docs}
    write_corpus(tmp_path / "more", n=40)
    for i in range(40):
        (docs / f"new{i}.txt").write_text((tmp_path / "more" / f"doc{i}.txt").read_text() + f" Extra {i}.")
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT.format(root=str(ROOT)))
    for delay in (0.3, 0.8, 1.5, 2.5, 4.0):
        p = subprocess.Popen([sys.executable, str(script), str(docs), str(ix)])
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        loaded = LoadedIndex(ix, embedder=HashEmbedder())  # always loadable
        assert {d.doc_id for d in loaded.docs} in (before, before | {f"new{i}.txt" for i in range(40)})
    build_index([docs], ix, HashEmbedder())  # a later run completes and cleans up
    assert len(LoadedIndex(ix, embedder=HashEmbedder()).docs) == 44
    assert not [p for p in ix.iterdir() if p.name.endswith(".tmp")]
