"""Document identity and what naming, re-naming and removing paths does to an index (real files and folders)."""
import json
import os
import shutil

import pytest

from index import CitebotError, LoadedIndex, build_index
from index import build as build_module
from index.manifest import current_generation
from tests.fakes import HashEmbedder


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def dup(tmp_path):
    """Same file name in two folders, and the same stem with another suffix."""
    root = tmp_path / "dup"
    write(root / "a" / "notes.txt", "Bees keep honey in wax combs. The queen lays the eggs.\n")
    write(root / "b" / "notes.txt", "Ants dig nests under the ground. Soldier ants guard the colony.\n")
    write(root / "a" / "notes.md", "# Wasps\n\nWasps hunt caterpillars for their young. They can sting.\n")
    return root


def ids(ix):
    return {d.doc_id for d in LoadedIndex(ix, embedder=HashEmbedder()).docs}


def generation(ix):
    return current_generation(ix).name


def test_same_named_files_in_two_folders_are_all_indexed_under_their_relative_paths(dup, tmp_path):
    r = build_index([dup], tmp_path / "ix", HashEmbedder())
    assert sorted(r.added) == ["a/notes.md", "a/notes.txt", "b/notes.txt"] and not r.skipped
    assert ids(tmp_path / "ix") == {"a/notes.md", "a/notes.txt", "b/notes.txt"}
    index = LoadedIndex(tmp_path / "ix", embedder=HashEmbedder())
    texts = {index.docs[c.doc].doc_id: c.text for c in index.chunks}
    assert "Ants" in texts["b/notes.txt"] and "Bees" in texts["a/notes.txt"] and "Wasps" in texts["a/notes.md"]


def test_two_named_folders_with_the_same_relative_path_keep_both(tmp_path):
    one = write(tmp_path / "x" / "docs" / "notes.txt", "Owls hunt at night in the forest. They eat mice.\n")
    two = write(tmp_path / "y" / "docs" / "notes.txt", "Hawks hunt by day over the fields. They eat voles.\n")
    r = build_index([one.parent, two.parent], tmp_path / "ix", HashEmbedder())
    assert len(r.added) == 2 and "notes.txt" in r.added
    sources = {d.source for d in LoadedIndex(tmp_path / "ix", embedder=HashEmbedder()).docs}
    assert sources == {str(one.resolve()), str(two.resolve())}


def test_naming_one_more_file_adds_it_and_keeps_everything_else(dup, tmp_path):
    ix = tmp_path / "ix"
    build_index([dup], ix, HashEmbedder())
    bees = write(tmp_path / "mydocs" / "bees.md", "Honey bees swarm in spring. A swarm has one queen.\n")
    r = build_index([bees], ix, HashEmbedder())
    assert r.added == ["bees.md"] and not r.removed and r.kept == 3
    assert ids(ix) == {"a/notes.md", "a/notes.txt", "b/notes.txt", "bees.md"}
    manifest = json.loads((current_generation(ix) / "manifest.json").read_text())
    assert manifest["roots"] == sorted([str(dup.resolve()), str(bees.resolve())])


def test_refresh_with_no_path_finds_new_changed_and_deleted_files_under_every_remembered_path(dup, tmp_path):
    ix = tmp_path / "ix"
    extra = write(tmp_path / "extra" / "moths.txt", "Moths fly towards the light. Some moths eat wool.\n")
    build_index([dup, extra.parent], ix, HashEmbedder())
    (dup / "b" / "notes.txt").unlink()
    write(dup / "a" / "notes.txt", "Bees dance to show where flowers are. The dance points at the sun.\n")
    write(dup / "c" / "new.txt", "Termites build tall mounds. The mounds stay cool inside.\n")
    write(extra.parent / "butterflies.txt", "Butterflies taste with their feet. They drink nectar.\n")
    r = build_index([], ix, HashEmbedder())
    assert r.changed == ["a/notes.txt"] and r.removed == ["b/notes.txt"]
    assert sorted(r.added) == ["butterflies.txt", "c/new.txt"]
    assert ids(ix) == {"a/notes.md", "a/notes.txt", "c/new.txt", "moths.txt", "butterflies.txt"}
    per_path = {p.path: (len(p.added), len(p.changed), len(p.removed)) for p in r.paths}
    assert per_path == {str(dup.resolve()): (1, 1, 1), str(extra.parent.resolve()): (1, 0, 0)}


def test_a_file_deleted_under_a_path_not_named_this_time_is_kept(dup, tmp_path):
    ix = tmp_path / "ix"
    build_index([dup], ix, HashEmbedder())
    other = write(tmp_path / "other" / "frogs.txt", "Frogs lay eggs in ponds. Tadpoles grow legs.\n")
    (dup / "b" / "notes.txt").unlink()
    r = build_index([other], ix, HashEmbedder())
    assert r.added == ["frogs.txt"] and not r.removed
    assert "b/notes.txt" in ids(ix)


def test_remove_drops_only_what_is_under_the_path_and_forgets_it(dup, tmp_path):
    ix = tmp_path / "ix"
    other = write(tmp_path / "other" / "frogs.txt", "Frogs lay eggs in ponds. Tadpoles grow legs.\n")
    build_index([dup, other], ix, HashEmbedder())
    r = build_index([], ix, HashEmbedder(), remove=[dup / "a"])
    assert sorted(r.removed) == ["a/notes.md", "a/notes.txt"]
    assert ids(ix) == {"b/notes.txt", "frogs.txt"}
    with pytest.raises(CitebotError, match="no indexed document is under it"):
        build_index([], ix, HashEmbedder(), remove=[tmp_path / "nowhere"])
    r = build_index([], ix, HashEmbedder(), remove=[dup])
    manifest = json.loads((current_generation(ix) / "manifest.json").read_text())
    assert manifest["roots"] == [str(other.resolve())] and ids(ix) == {"frogs.txt"}


def test_a_run_that_finds_no_document_fails_and_leaves_no_folder(tmp_path):
    empty = tmp_path / "empty"
    write(empty / "notes.pdf", "not read")
    write(empty / "blank.txt", "   \n")
    with pytest.raises(CitebotError, match="no documents to index under .*2 skipped"):
        build_index([empty], tmp_path / "ix", HashEmbedder())
    assert not (tmp_path / "ix").exists()


def test_bad_settings_fail_before_anything_is_read_or_created(dup, tmp_path):
    for bad, message in (({"chunk_size": 0}, "chunk_size must be at least 1 \\(got 0\\)"),
                         ({"overlap": -1}, "overlap must be at least 0 \\(got -1\\)"),
                         ({"store": "redis"}, "invalid store 'redis'; valid values: 'faiss', 'chroma'")):
        with pytest.raises(CitebotError, match=message):
            build_index([dup], tmp_path / "ix", HashEmbedder(), **bad)
    assert not (tmp_path / "ix").exists()


def test_an_unchanged_folder_writes_nothing_and_loads_no_model(dup, tmp_path, monkeypatch):
    ix = tmp_path / "ix"
    build_index([dup], ix, HashEmbedder())
    before = generation(ix)
    os.utime(dup / "a" / "notes.txt")  # touched, same text: read and hashed again, still unchanged

    def no_model(*a, **k):
        raise AssertionError("a model was loaded for an unchanged folder")

    monkeypatch.setattr(build_module, "get_embedder", no_model)
    monkeypatch.setattr(build_module, "configured_weights_stamp", lambda: None)
    r = build_index([dup], ix, HashEmbedder())
    assert not r.written and len(r.unchanged) == 3 and generation(ix) == before
    assert sorted(p.name for p in ix.iterdir()) == sorted([".lock", "CURRENT", before])


def test_a_changed_file_re_embeds_only_its_new_sentences_and_keeps_other_vectors(dup, tmp_path):
    ix = tmp_path / "ix"
    build_index([dup], ix, HashEmbedder())
    old = LoadedIndex(ix, embedder=HashEmbedder())
    old_vectors = {old.docs[int(d)].doc_id + str((int(s), int(e))): v.copy()
                   for (d, s, e), v in zip(old.sentences, old.sentence_vectors)}
    write(dup / "b" / "notes.txt", "Ants dig nests under the ground. Queens can live for decades.\n")
    r = build_index([dup], ix, HashEmbedder())
    assert r.changed == ["b/notes.txt"] and r.embedded_texts == 1
    new = LoadedIndex(ix, embedder=HashEmbedder())
    for (d, s, e), v in zip(new.sentences, new.sentence_vectors):
        key = new.docs[int(d)].doc_id + str((int(s), int(e)))
        if key in old_vectors:
            assert (v == old_vectors[key]).all()


def test_an_index_of_the_previous_format_is_rebuilt_with_a_notice_reusing_its_vectors(dup, tmp_path):
    ix = tmp_path / "ix"
    build_index([dup], ix, HashEmbedder())
    gen = current_generation(ix)
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["format_version"] = 1
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CitebotError, match="does not record the paths"):
        build_index([], ix, HashEmbedder())
    r = build_index([dup], ix, HashEmbedder())
    assert r.written and r.embedded_texts == 0 and r.reused_vectors > 0
    assert any("rebuilding" in n and "version 1" in n for n in r.notices)
    assert ids(ix) == {"a/notes.md", "a/notes.txt", "b/notes.txt"}


def test_a_remembered_folder_that_disappeared_keeps_its_documents(dup, tmp_path):
    ix = tmp_path / "ix"
    other = write(tmp_path / "other" / "frogs.txt", "Frogs lay eggs in ponds. Tadpoles grow legs.\n")
    build_index([dup, other.parent], ix, HashEmbedder())
    shutil.rmtree(other.parent)
    r = build_index([], ix, HashEmbedder())
    assert "frogs.txt" in ids(ix) and any("no longer exists" in n for n in r.notices)


def test_an_index_of_the_previous_format_built_with_another_model_is_embedded_again(dup, tmp_path):
    ix = tmp_path / "ix"
    build_index([dup], ix, HashEmbedder())
    gen = current_generation(ix)
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest.update(format_version=1, model=dict(manifest["model"], sha256="f" * 64))
    (gen / "manifest.json").write_text(json.dumps(manifest))
    r = build_index([dup], ix, HashEmbedder())
    assert r.written and r.reused_vectors == 0 and r.embedded_texts > 0


def test_new_chunking_reads_every_remembered_path_again_and_keeps_the_ids(dup, tmp_path):
    ix = tmp_path / "ix"
    other = write(tmp_path / "other" / "frogs.txt", "Frogs lay eggs in ponds. Tadpoles grow legs.\n")
    build_index([dup, other], ix, HashEmbedder())
    r = build_index([other], ix, HashEmbedder(), chunk_size=40)
    assert r.written and r.embedded_texts == 0 and len(r.unchanged) == 4 and not r.removed
    assert ids(ix) == {"a/notes.md", "a/notes.txt", "b/notes.txt", "frogs.txt"}
    assert json.loads((current_generation(ix) / "manifest.json").read_text())["chunking"]["size"] == 40


class StampedEmbedder(HashEmbedder):
    """A hash embedder whose weights file 'exists', so an unchanged model is recognised by its stamp."""

    def weights_stamp(self):
        return {"path": "/models/hash.safetensors", "size": 1, "mtime_ns": 1}


def test_a_removal_writes_a_generation_without_loading_the_model(dup, tmp_path, monkeypatch):
    ix = tmp_path / "ix"
    build_index([dup], ix, StampedEmbedder())

    def no_model(*a, **k):
        raise AssertionError("the model was loaded though nothing needed embedding")

    monkeypatch.setattr(build_module, "get_embedder", no_model)
    monkeypatch.setattr(build_module, "configured_weights_stamp", StampedEmbedder().weights_stamp)
    r = build_index([], ix, remove=[dup / "b"])
    assert r.written and r.removed == ["b/notes.txt"] and r.embedded_texts == 0
    manifest = json.loads((current_generation(ix) / "manifest.json").read_text())
    assert manifest["model"]["sha256"] == HashEmbedder.weights_sha256 and manifest["model"]["dim"] == HashEmbedder.dim
