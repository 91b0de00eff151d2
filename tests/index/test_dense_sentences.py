"""Dense search ranks passages by their best sentence plus their derived vector: checked against brute force."""
import numpy as np
import pytest

from index import LoadedIndex, build_index
from index.reader import MEAN_WEIGHT
from tests.fakes import HashEmbedder

WORDS = ("harbour ferry bridge council budget library museum storm river school market tram station park "
         "festival hospital police mayor tax water road train airport farm").split()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    rng = np.random.default_rng(3)
    docs = tmp_path_factory.mktemp("docs")
    for i in range(12):
        sentences = [" ".join(rng.choice(WORDS, size=6)).capitalize() + f" number {i}{j}." for j in range(9)]
        (docs / f"d{i}.txt").write_text(f"Title {i}\n\n" + " ".join(sentences) + "\n", encoding="utf-8")
    ix = docs.parent / "ix"
    build_index([docs], ix, HashEmbedder(), chunk_size=160)
    return LoadedIndex(ix, embedder=HashEmbedder())


def reference(index, question, k):
    """Every chunk scored by the formula, from the raw sentence vectors (no store, no derived-vector file)."""
    q = index.embedder.embed_query(question)
    scores = index.sentence_vectors @ q
    best = []
    for a, b in (c.sentences for c in index.chunks):
        mean = index.sentence_vectors[a:b].sum(axis=0)
        best.append(max(scores[a:b]) + MEAN_WEIGHT * float(mean @ q) / np.linalg.norm(mean))
    order = sorted(range(len(best)), key=lambda r: (-best[r], r))[:k]
    return [(r, best[r]) for r in order], best


@pytest.mark.parametrize("question", ["harbour ferry bridge", "mayor tax budget council", "train", "museum park"])
@pytest.mark.parametrize("k", [1, 5, 30])
def test_dense_search_scores_chunks_as_the_formula_says_and_finds_the_best(index, question, k):
    got = index.dense_search(question, k)
    want, every = reference(index, question, k)
    assert len(got) == min(k, len(index.chunks))
    assert all(abs(s - every[r]) < 1e-5 for r, s in got)  # each score is the formula's
    assert got[0][0] == want[0][0]
    assert len({r for r, _ in got} & {r for r, _ in want}) >= 0.8 * len(want)  # candidates come from sentence hits
