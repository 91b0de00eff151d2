"""The LangChain tutorial baseline with a fake embedder: exact chunk offsets, top chunk as the answer."""
from collections.abc import Sequence

import numpy as np

from eval.baseline import CHUNK_SIZE, Baseline, split_document
from eval.metrics import offset_ok
from index.embed import Embedder

WORDS = ["harris", "guatemala", "mexico", "sand", "quartz", "normans", "france", "rollo"]


class BagOfWords(Embedder):
    """Counts of a few words: texts about the same words point the same way."""

    name, dim, weights_sha256 = "bag-of-words", len(WORDS) + 1, "0" * 64

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([[t.lower().count(w) for w in WORDS] + [0.01] for t in texts], np.float32)


def paragraph(topic: str, n: int) -> str:
    return " ".join(f"Sentence {i} is about {topic} and more words to fill the line." for i in range(n))


def test_chunks_are_exact_slices_of_the_file_text():
    text = paragraph("harris", 20) + "\n\n" + paragraph("sand", 30) + "\n" + "x" * 2500
    chunks = split_document("d", "d.txt", text)
    assert len(chunks) > 4
    assert all(text[c.start:c.end] == c.text and len(c.text) <= CHUNK_SIZE for c in chunks)
    assert any(b.start < a.end for a, b in zip(chunks, chunks[1:]))  # 200-character overlap


def test_top_chunk_is_the_answer_and_never_abstains(tmp_path):
    docs = {"a": paragraph("harris in guatemala", 25), "b": paragraph("sand and quartz", 25),
            "c": paragraph("normans in france", 25)}
    for doc_id, text in docs.items():
        (tmp_path / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    base = Baseline.build([(d, str(tmp_path / f"{d}.txt")) for d in docs], BagOfWords())
    assert base.index_seconds is not None and len(base.chunks) >= 6
    a = base.answer("What is sand made of? quartz")
    assert not a.abstained and a.text == a.citations[0].quote and a.citations[0].doc_id == "b"
    c = a.citations[0]
    assert offset_ok(open(c.source, encoding="utf-8").read(), c.start, c.end, c.quote)
    assert not base.answer("Something unrelated entirely?").abstained
    ranked = base.ranked_docs("Who were the Normans of France?", 10)
    assert ranked[0] == "c" and set(ranked) == {"a", "b", "c"}
