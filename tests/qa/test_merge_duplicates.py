"""The same statement reported by two articles becomes one sentence with two citations."""
import pytest

from index import build_index
from qa import ask

pytestmark = pytest.mark.slow


def test_near_duplicate_sentences_from_two_articles_merge(tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The harbour bridge reopened on Friday after two years of repairs. "
                                "Traffic was light in the morning.\n", encoding="utf-8")
    (docs / "b.txt").write_text("Officials said the harbour bridge reopened on Friday after two years of repairs. "
                                "Cyclists welcomed the new lanes.\n", encoding="utf-8")
    (docs / "c.txt").write_text("The city library extended its opening hours for the summer.\n", encoding="utf-8")
    build_index([docs], tmp_path / "ix", embedder)
    a = ask("When did the harbour bridge reopen?", index_dir=tmp_path / "ix")
    assert not a.abstained
    assert a.text.count("reopened on Friday") == 1
    sentence = next(s for s in a.text.split("] ") if "reopened on Friday" in s)
    cited = {c.doc_id for c in a.citations if f"[{c.n}]" in sentence + "]"}
    assert cited == {"a.txt", "b.txt"}
