"""citebot index never drops text silently: per-file kept share, low shares named, every extension counted."""
import json

from citebot.cli import main
from index import build_index
from tests.fakes import HashEmbedder

BODY = "The pump station opened in May. It serves four districts and was built by the city.\n"
NAV = "<nav>" + "".join(f"<a href='/{i}'>Section number {i} of the site</a>" for i in range(40)) + "</nav>"


def test_report_names_low_share_files_and_counts_unsupported_types(tmp_path, monkeypatch, capsys):
    from index import reader

    monkeypatch.setattr(reader, "get_embedder", HashEmbedder)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Pump station\n\n" + BODY, encoding="utf-8")
    (docs / "page.html").write_text(f"<html><body>{NAV}<p>{BODY}</p></body></html>", encoding="utf-8")
    (docs / "photo.png").write_bytes(b"\x89PNG")
    (docs / "b.png").write_bytes(b"\x89PNG")
    (docs / "notes.odt").write_bytes(b"PK")
    monkeypatch.setattr("index.build.get_embedder", HashEmbedder)
    assert main(["index", str(docs), "--index-dir", str(tmp_path / "ix"), "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    files = {f["doc_id"]: f for f in report["files"]}
    assert files["a.txt"]["kept_share"] >= 0.98 and files["a.txt"]["format"] == "text"
    assert files["page.html"]["kept_share"] < 0.5 and files["page.html"]["left_out"]
    assert report["unsupported"] == {".png": 2, ".odt": 1}
    assert "kept less than 90%" in err and "page.html" in err and "navigation" in err
    assert "2 .png, 1 .odt" in err and ".pdf" in err  # the supported list is named from the readers


def test_bad_files_cost_one_line_each_and_the_rest_is_indexed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(BODY, encoding="utf-8")
    (docs / "random.pdf").write_bytes(bytes(range(256)) * 40)
    (docs / "nozip.docx").write_bytes(b"this is not a zip file")
    (docs / "garbled.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)  # no text in any encoding read
    r = build_index([docs], tmp_path / "ix", HashEmbedder())
    assert r.added == ["good.txt"]
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in r.skipped}
    assert set(reasons) == {"random.pdf", "nozip.docx", "garbled.txt"}
    assert all("\n" not in why and why for why in reasons.values())
    assert "not a PDF" in reasons["random.pdf"] and "zip" in reasons["nozip.docx"] and "not text" in reasons["garbled.txt"]


def test_unchanged_pdf_is_not_read_again_and_its_stored_text_is_carried(tmp_path):
    import shutil
    from pathlib import Path

    from index.manifest import current_generation, read_manifest

    pdfs = sorted((Path(__file__).resolve().parents[2] / "eval" / "corpus" / "docs" / "pdf").glob("*.pdf"))
    if not pdfs:
        import pytest
        pytest.skip("no PDF in eval/corpus/docs/pdf")
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(pdfs[0], docs / "paper.pdf")
    build_index([docs], tmp_path / "ix", HashEmbedder())
    (docs / "more.txt").write_text(BODY, encoding="utf-8")
    r = build_index([docs], tmp_path / "ix", HashEmbedder())
    assert r.added == ["more.txt"] and r.unchanged == ["paper.pdf"]
    gen = current_generation(tmp_path / "ix")
    entry = read_manifest(gen)["documents"]["paper.pdf"]
    assert entry["format"] == "pdf" and (gen / entry["stored"]).is_file() and entry["layout"]["pages"]
