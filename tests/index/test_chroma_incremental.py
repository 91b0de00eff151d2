"""Re-indexing into Chroma writes only what changed, and a killed build never disturbs the live generation.

Most tests use the hashed-words stand-in embedder and a real ``chroma run`` server on loopback (conftest.py);
the last one uses the real model and the gold questions.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from chromadb.api.models.Collection import Collection

from index import LoadedIndex, build_index
from index.chroma_store import connect
from index.chroma_sync import all_ids, read_ids
from index.manifest import current_generation
from index.store import build_store, load_store
from tests.fakes import HashEmbedder
from tests.index.test_chroma import SEEDS, _answers, _collections, _index, _unit

ROOT = Path(__file__).resolve().parents[2]
WORDS = ("harbor", "election", "storm", "vaccine", "railway", "festival", "drought", "museum", "court", "satellite",
         "glacier", "orchestra", "bridge", "wildfire", "senate", "telescope", "vineyard", "airport", "bakery", "reef")
QUESTIONS = ("harbor storm railway", "museum court senate", "wildfire drought glacier", "a wholly new sentence")
MODES = ("server", "local")


def write_docs(folder: Path, n: int = 8) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        w = [WORDS[(i * 3 + j) % len(WORDS)] for j in range(6)]
        (folder / f"doc{i}.txt").write_text(
            f"Report {i} on the {w[0]}\n\nThe {w[0]} and the {w[1]} were discussed on Monday. "
            f"Officials said the {w[2]} would reopen soon. Residents of {w[3]} town asked about the {w[4]}. "
            f"Nobody mentioned the {w[5]} at all.\n", encoding="utf-8")


def change_one(folder: Path) -> None:
    (folder / "doc2.txt").write_text("Changed headline\n\nA wholly new sentence arrived today. The bakery "
                                     "near the reef reopened. Nothing else changed.\n", encoding="utf-8")


def options(mode: str, url: str) -> dict:
    return {"url": url} if mode == "server" else {}


def dense(index_dir: Path) -> dict:
    """Every question's full dense ranking as {row: score}, rounded past float noise."""
    ix = LoadedIndex(index_dir, embedder=HashEmbedder())
    return {q: {r: round(s, 4) for r, s in ix.dense_search(q, len(ix))} for q in QUESTIONS}


def faiss_dense(docs: Path, tmp: Path) -> dict:
    build_index([docs], tmp / "faiss-ix", HashEmbedder())
    return dense(tmp / "faiss-ix")


def collection(index_dir: Path):
    meta = json.loads((current_generation(index_dir) / "manifest.json").read_text())["store"]
    return connect(meta["url"]).get_collection(meta["collection"]), meta


@pytest.fixture
def writes(monkeypatch):
    """The ids every add, upsert and delete sends to Chroma (server and local clients alike)."""
    calls: dict[str, list[str]] = {"add": [], "upsert": [], "delete": []}

    def spy(name: str):
        real = getattr(Collection, name)

        def method(self, *args, **kw):
            calls[name].extend(kw.get("ids") or [])
            return real(self, *args, **kw)
        return method

    for name in calls:
        monkeypatch.setattr(Collection, name, spy(name))
    return calls


@pytest.mark.parametrize("mode", MODES)
def test_unchanged_reindex_writes_nothing(mode, chroma_url, tmp_path, writes):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options=options(mode, chroma_url))
    before = sorted(p.name for p in ix.iterdir()), _collections(chroma_url), sum(map(len, writes.values()))
    r = build_index([docs], ix, HashEmbedder(), store="chroma", store_options=options(mode, chroma_url))
    assert r.embedded_texts == 0 and r.stored_vectors == 0 and len(r.unchanged) == 8
    assert (sorted(p.name for p in ix.iterdir()), _collections(chroma_url), sum(map(len, writes.values()))) == before


@pytest.mark.parametrize("mode", MODES)
def test_one_changed_file_writes_only_its_chunks(mode, chroma_url, tmp_path, writes):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options=options(mode, chroma_url))
    old_gen, collections = current_generation(ix), _collections(chroma_url)
    old = set(read_ids(old_gen))
    change_one(docs)
    for v in writes.values():
        v.clear()
    r = build_index([docs], ix, HashEmbedder(), store="chroma", store_options=options(mode, chroma_url))
    gen = current_generation(ix)
    new = set(read_ids(gen))
    assert r.changed == ["doc2.txt"] and 0 < r.embedded_texts <= 5
    assert writes["add"] == [] and set(writes["upsert"]) == new - old and r.stored_vectors == len(new - old) > 0
    assert set(writes["delete"]) == old - new != set()
    assert [p.name for p in ix.glob("gen-*")] == [gen.name]  # the old generation is gone
    if mode == "server":
        assert _collections(chroma_url) == collections  # no new collection ...
        assert all_ids(collection(ix)[0], 100) == new  # ... and the old generation's rows are deleted
    else:
        client = connect(None, gen / "chroma")
        assert all_ids(client.get_collection("citebot"), 100) == new
        client.close()
    assert dense(ix) == faiss_dense(docs, tmp_path)


def test_a_generation_ignores_rows_it_does_not_list(chroma_url, tmp_path):
    x, q = _unit(200), _unit(5, seed=1)
    folder = tmp_path / "gen-a"
    folder.mkdir()
    meta = build_store("chroma", x, ids=[f"c{i}" for i in range(200)], url=chroma_url).save(folder)
    store = load_store(folder, meta)
    scores, rows = store.search(q, 10)
    exact = np.argsort(-(q @ x.T), axis=1, kind="stable")[:, :10]
    assert (rows == exact).all()
    # Rows of a generation being built, each identical to a question, crowd every top 40: they are skipped.
    other = connect(chroma_url).get_collection(meta["collection"])
    other.add(ids=[f"new{i}-{j}" for i in range(5) for j in range(40)], embeddings=np.repeat(q, 40, axis=0))
    again, rows_again = store.search(q, 10)
    assert (rows_again == rows).all()
    np.testing.assert_allclose(again, scores, atol=1e-6)


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    sys.path[:0] = [{root!r}]
    from chromadb.api.models.Collection import Collection
    from index import build_index
    from index.chroma_store import ChromaStore
    from tests.fakes import HashEmbedder

    docs, index_dir, url, where = sys.argv[1:]

    def die(*args, **kw):
        os.kill(os.getpid(), signal.SIGKILL)

    if where == "upsert":  # killed right after the new rows went in, before CURRENT moves
        real = Collection.upsert
        Collection.upsert = lambda self, *a, **kw: (real(self, *a, **kw), die())
    else:  # killed after CURRENT moved, before the old generation's rows are deleted
        ChromaStore.drop = classmethod(die)
    build_index([docs], index_dir, HashEmbedder(), store="chroma", store_options={{"url": url or None}})
""")


def run_killed(tmp_path: Path, docs: Path, ix: Path, url: str, where: str) -> None:
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT.format(root=str(ROOT)))
    p = subprocess.run([sys.executable, str(script), str(docs), str(ix), url, where], check=False)
    assert p.returncode == -9, f"the build was not killed: exit {p.returncode}"


@pytest.mark.parametrize("mode", MODES)
def test_a_build_killed_while_writing_leaves_the_live_generation_intact(mode, chroma_url, tmp_path):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs)
    opts = options(mode, chroma_url)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options=opts)
    live, before = current_generation(ix), dense(ix)
    change_one(docs)
    write_docs(docs / "more", n=20)  # rows about the questions' words, written to the collection then killed
    run_killed(tmp_path, docs, ix, opts.get("url", ""), "upsert")
    assert current_generation(ix) == live and list(ix.glob("gen-*.tmp"))
    if mode == "server":
        assert collection(ix)[0].count() > len(read_ids(live))  # the stray rows are really there ...
    assert dense(ix) == before  # ... and the live generation does not see them
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options=opts)  # the next build cleans up
    assert [p.name for p in ix.glob("gen-*")] == [current_generation(ix).name]
    if mode == "server":
        assert all_ids(collection(ix)[0], 100) == set(read_ids(current_generation(ix)))
    assert dense(ix) == faiss_dense(docs, tmp_path)


def test_a_build_killed_after_the_swap_is_finished_by_the_next_run(chroma_url, tmp_path):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    old = current_generation(ix)
    change_one(docs)
    run_killed(tmp_path, docs, ix, chroma_url, "drop")
    gen = current_generation(ix)
    assert gen != old and old.is_dir()  # the new generation is live; the old one's rows were not deleted yet
    assert collection(ix)[0].count() > len(read_ids(gen))
    assert dense(ix) == faiss_dense(docs, tmp_path)
    r = build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    assert r.stored_vectors == r.embedded_texts == 0 and current_generation(ix) == gen
    assert [p.name for p in ix.glob("gen-*")] == [gen.name]
    assert all_ids(collection(ix)[0], 100) == set(read_ids(gen))


def test_leaving_the_server_deletes_the_collection(chroma_url, tmp_path):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    name = collection(ix)[1]["collection"]
    build_index([docs], ix, HashEmbedder())  # the same corpus, now into FAISS
    assert name not in _collections(chroma_url)
    assert dense(ix) == faiss_dense(docs, tmp_path)


def test_reindexing_a_copy_of_the_folder_leaves_the_original_intact(chroma_url, tmp_path):
    docs, ix, copy = tmp_path / "docs", tmp_path / "ix", tmp_path / "copy"
    write_docs(docs)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    before, shared = dense(ix), collection(ix)[1]["collection"]
    shutil.copytree(ix, copy)  # e.g. a copy made for another host, then re-indexed by mistake
    change_one(docs)
    r = build_index([docs], copy, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    assert dense(ix) == before  # the original still finds every row it lists
    assert all_ids(collection(ix)[0], 100) == set(read_ids(current_generation(ix)))
    mine = collection(copy)[1]["collection"]
    assert mine != shared and shared in _collections(chroma_url)
    assert any(str(ix.resolve()) in n and shared in n for n in r.notices), r.notices
    assert r.embedded_texts == 3 and r.stored_vectors == len(read_ids(current_generation(copy)))  # no re-embedding
    assert dense(copy) == faiss_dense(docs, tmp_path)
    # each folder now updates only its own collection
    r = build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    assert collection(ix)[1]["collection"] == shared and r.notices == []
    assert dense(ix) == dense(copy) == faiss_dense(docs, tmp_path)
    assert all_ids(collection(copy)[0], 100) == set(read_ids(current_generation(copy)))


def test_a_collection_from_before_owners_is_claimed_by_the_folder_that_updates_it(chroma_url, tmp_path):
    from index.chroma_store import OWNER_KEY, owner

    docs, ix = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    col, meta = collection(ix)
    assert col.metadata == {OWNER_KEY: owner(ix)}
    col.modify(metadata={"written by": "an older citebot"})  # no owner recorded
    change_one(docs)
    r = build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    col, now = collection(ix)
    assert now["collection"] == meta["collection"] and r.notices == [] and r.stored_vectors == 3
    assert col.metadata == {"written by": "an older citebot", OWNER_KEY: owner(ix)}
    assert dense(ix) == faiss_dense(docs, tmp_path)


def test_a_moved_folder_gets_its_own_collection_and_keeps_working(chroma_url, tmp_path):
    docs, ix, moved = tmp_path / "docs", tmp_path / "ix", tmp_path / "moved"
    write_docs(docs)
    build_index([docs], ix, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    old = collection(ix)[1]["collection"]
    ix.rename(moved)
    r = build_index([docs], moved, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    assert r.stored_vectors == 0 and r.notices == []  # nothing changed: nothing written, the old rows serve
    assert dense(moved) == faiss_dense(docs, tmp_path)
    change_one(docs)
    r = build_index([docs], moved, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    assert collection(moved)[1]["collection"] != old and old in _collections(chroma_url)  # left for its owner
    assert len(r.notices) == 1 and old in r.notices[0]
    assert dense(moved) == faiss_dense(docs, tmp_path)
    r = build_index([docs], moved, HashEmbedder(), store="chroma", store_options={"url": chroma_url})
    assert r.notices == [] and r.stored_vectors == 0


@pytest.mark.slow
def test_changed_seed_file_on_a_server_gives_the_answers_of_faiss(chroma_url, tmp_path, capsys):
    docs, ix = tmp_path / "docs", tmp_path / "ix"
    shutil.copytree(SEEDS, docs)
    _index(ix, "--store", "chroma", "--chroma-url", chroma_url, docs=docs)
    col, meta = collection(ix)
    victim = min(p for p in docs.iterdir() if p.suffix == ".txt")
    victim.write_text(victim.read_text(encoding="utf-8") + "\n\nA paragraph added by the test. It has two "
                      "sentences.\n", encoding="utf-8")
    capsys.readouterr()
    _index(ix, "--store", "chroma", "--chroma-url", chroma_url, docs=docs)
    out = capsys.readouterr().out
    # the two new sentences, each embedded once, are the only vectors sent to the server
    assert "1 changed" in out and "2 texts embedded" in out and " 2 vectors stored" in out, out
    assert collection(ix)[1]["collection"] == meta["collection"] and meta["collection"] in _collections(chroma_url)
    assert all_ids(col, 100) == set(read_ids(current_generation(ix)))
    _index(tmp_path / "faiss", docs=docs)
    assert _answers(ix) == _answers(tmp_path / "faiss")
