"""End to end with the real model over documents as teams keep them: wrapped text, and the real-document corpus
(eval/corpus: RFCs, Markdown, reStructuredText, PDF, DOCX). Citations stay exact slices of the text offsets point
into (the file, or for PDF and DOCX the text the index stores), with page and section where the format has them."""
import shutil
from pathlib import Path

import pytest

from qa import ask
from qa.sources import document_text
from tests.index.readers.test_text import WRAPPED

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "eval" / "corpus" / "docs"


def indexed(tmp_path_factory, embedder, name: str, text: str) -> Path:
    """A folder holding docs/<name> with ``text``, indexed into ix/ with the real model."""
    from index import build_index

    root = tmp_path_factory.mktemp(name.split(".")[0])
    (root / "docs").mkdir()
    (root / "docs" / name).write_text(text, encoding="utf-8")
    build_index([root / "docs"], root / "ix", embedder)
    return root


@pytest.fixture(scope="module")
def wrapped_index(tmp_path_factory, embedder):
    return indexed(tmp_path_factory, embedder, "locking.txt", WRAPPED)


@pytest.mark.parametrize("question, answer, sentence_start", [
    ("What environment variable tells the backend the frontend already holds the lock?", "DPKG_FRONTEND_LOCKED",
     "When a frontend"),
    ("How many retries before the daemon gives up?", "five times", "The daemon retries"),
])
def test_72_column_text_answers_with_exact_citations(wrapped_index, question, answer, sentence_start):
    a = ask(question, index_dir=wrapped_index / "ix")
    assert not a.abstained, a.text
    first = a.citations[0]
    assert first.quote.startswith(sentence_start) and answer in first.text
    assert "\n" in first.quote and "\n" not in first.text  # the quote spans line breaks; text shows it joined
    for c in a.citations:
        assert (wrapped_index / "docs" / "locking.txt").read_text(encoding="utf-8")[c.start:c.end] == c.quote
        assert c.section is None or isinstance(c.section, str)


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory, embedder):
    from index import build_index

    if not any(CORPUS.rglob("*.pdf")):
        pytest.skip(f"no real documents under {CORPUS}")
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, root / "docs")
    report = build_index([root / "docs"], root / "ix", embedder)
    return root, report


def test_every_corpus_file_is_read_and_keeps_its_text(corpus_index):
    from index.kept import kept_figures

    _, report = corpus_index
    assert not report.skipped
    figures = kept_figures(report.documents_now)
    assert {k.fmt for k in figures} == {"text", "markdown", "rst", "html", "pdf", "docx"}
    assert all(k.share >= 0.9 for k in figures), [(k.doc_id, round(k.share, 3)) for k in figures]


@pytest.mark.parametrize("question, fmt", [
    ("What F1 does ScienceParse reach when extracting paper titles?", ".pdf"),
    ("How many airplanes of U.S. registry does the proposed AD affect?", ".pdf"),
    ("Which strings does deflate insert in its hash table?", ".txt"),
])
def test_pdf_and_text_citations_are_exact_with_pages(corpus_index, question, fmt):
    from index import open_index

    root, _ = corpus_index
    a = ask(question, index_dir=root / "ix")
    assert a.citations
    index = open_index(root / "ix")
    for c in a.citations:
        assert document_text(c.source)[c.start:c.end] == c.quote
        stored = index.indexed_text(c.source)  # PDF, DOCX: the extracted text the index keeps; else None
        assert (stored is None) == (not c.source.endswith((".pdf", ".docx")))
        assert stored is None or stored[c.start:c.end] == c.quote
        if c.source.endswith(".pdf"):
            assert c.page is not None and c.page >= 1 and f"p. {c.page}" in c.where
    assert any(c.source.endswith(fmt) for c in a.citations)


GUIDE = """# Password checks

## Errors

If the server refuses a new password, the client prints this message:

```
Result: Constraint violation (19)
Additional info: Password fails quality checking policy
```

## Images

You can pass one of these keyword arguments when you render a page:

- `resolution`: The number of pixels per inch. Default: `72`. Type: `int`.
- `width`: The image width in pixels. Default: unset. Type: `int`.
- `antialias`: Whether to smooth edges. Default: `False`. Type: `bool`.
"""


@pytest.fixture(scope="module")
def guide_index(tmp_path_factory, embedder):
    return indexed(tmp_path_factory, embedder, "guide.md", GUIDE)


@pytest.mark.parametrize("question, answer", [
    # the lead-in matches the question; the code block it introduces holds the answer and is quoted after it
    ("What message does the client show when the server refuses a password?", "Constraint violation (19)"),
    # a list item is one unit: "Default: 72." is read with the option it belongs to
    ("What resolution is used by default when rendering a page?", "72"),
])
def test_what_a_lead_in_introduces_and_list_items_are_quoted_whole(guide_index, question, answer):
    a = ask(question, index_dir=guide_index / "ix")
    assert not a.abstained, a.text
    assert any(answer in c.text for c in a.citations[:2]) and answer in a.text
    text = (guide_index / "docs" / "guide.md").read_text(encoding="utf-8")
    for c in a.citations:
        assert text[c.start:c.end] == c.quote and f"[{c.n}]" in a.text
