"""Compare PDF text extraction libraries on real PDFs: speed, reading order, hyphenation, page furniture.

    python benchmarks/pdf_extract.py eval/corpus/docs/pdf/*.pdf [more.pdf ...]

The candidates citebot does not ship are needed for this comparison only: .venv/bin/pip install pdfminer.six
(pypdf is in the test extra).

Per library (each one's plain text API, plus citebot's reader built on pypdfium2):
  pages/s   pages of all given files / seconds (best of 2 runs)
  order     on files with check sentences below (read off the rendered page images): sentences found whole
            and in reading order / sentences checked (letters and digits compared, so spacing and hyphens are free)
  hyph      line-end hyphens left in the text ("exam- ple", "exam-\\nple"); "marked": how many carry a
            soft-hyphen mark (U+FFFE/U+00AD) that tells a line-end hyphen from a real one
  header    pages whose running header ("Federal Register / Vol.") is in the page's first or last 3 lines (so it
            can be recognised) / pages whose text holds it at all (citebot removes it: 0/0)
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Sentences in reading order: page 2 of N18-3011.pdf (two columns) typed from the page image; three from the
# Federal Register rule (eval/gold/documents.jsonl evidence, checked on the page image).
CHECKS = {"N18-3011.pdf": [
    "These assumptions, while useful for developing and benchmarking new methods, are unrealistic for many "
    "domains and applications.",
    "In the next section, we start by describing our symbolic representation of the literature.",
    "The literature graph is a property graph with directed edges.",
    "Unlike Resource Description Framework (RDF) graphs, nodes and edges in property graphs have an internal "
    "structure which is more suitable for representing complex data types such as papers and entities.",
    "Paper nodes are associated with a set of attributes such as 'title', 'abstract', 'full text', 'venues' and "
    "'publication year'.",
    "We deterministically remove duplicate papers based on string similarity of their metadata, resulting in 37M "
    "unique paper nodes.",
    "Each node of this type represents a unique author, with attributes such as 'first name' and 'last name'.",
    "Our literature graph has 0.4M nodes of this type.",
    "We describe how we populate the 237M mentions in the literature graph in §4.1.",
    "We instantiate a directed edge from an extracted entity mention node to the entity it refers to.",
    "These relations may be imported from an existing knowledge base (KB) or inferred from other edges in the graph.",
    "Next, we discuss how we populate paper nodes, author nodes, authorship edges, and citation edges.",
], "federal-register-2020-17221.pdf": [  # three columns; the first sentence crosses a page break
    "On October 29, 2018, a Boeing Model 737-8 airplane operated by Lion Air (Lion Air Flight 610) was involved in "
    "an accident after takeoff from Soekarno-Hatta International Airport in Jakarta, Indonesia, resulting in 189 "
    "fatalities.",
    "The FAA estimates that this proposed AD affects 73 airplanes of U.S. registry.",
    "Therefore, the FAA estimates the average total cost per operator to be $7,650 (90 work-hours × $85 per "
    "work-hour).",
]}
HEADER = "Federal Register / Vol."


def pdfium_pages(path):
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(path)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def pdfminer_pages(path):
    from pdfminer.high_level import extract_text
    return extract_text(path).split("\f")[:-1]


def pypdf_pages(path):
    import pypdf
    return [p.extract_text() for p in pypdf.PdfReader(path).pages]


def citebot_pages(path):
    from index.readers.pdf import PdfReader
    ex = PdfReader().read(Path(path).read_bytes())
    ends = list(ex.pages[1:]) + [len(ex.text)]
    return [ex.text[a:b] for a, b in zip(ex.pages, ends)]


LIBS = {"pypdfium2": pdfium_pages, "pdfminer.six": pdfminer_pages, "pypdf": pypdf_pages,
        "citebot (pypdfium2)": citebot_pages}


def alnum(s: str) -> str:
    s = s.lower().replace("\ufb01", "fi").replace("\ufb02", "fl").replace("\u2013", "-")
    return "".join(c for c in s if c.isalnum())


def in_order(text: str, sentences: list[str]) -> int:
    flat, pos, ok = alnum(text), -1, 0
    for s in sentences:
        i = flat.find(alnum(s))
        if i > pos:
            ok, pos = ok + 1, i
    return ok


def main(paths: list[str]) -> None:
    print(f"{'library':<20} {'pages/s':>8} {'order':>7} {'hyph':>6} {'marked':>7} {'header':>7}")
    for name, fn in LIBS.items():
        pages_n, best, order, checked, hyph, marked, head, head_pages = 0, 0.0, 0, 0, 0, 0, 0, 0
        for path in paths:
            times = []
            for _ in range(2):
                t = time.perf_counter()
                pages = fn(path)
                times.append(time.perf_counter() - t)
            best += min(times)
            pages_n += len(pages)
            text = "\n".join(pages)
            if Path(path).name in CHECKS:
                checked += len(CHECKS[Path(path).name])
                order += in_order(text, CHECKS[Path(path).name])
            hyph += len(re.findall(r"[a-z][-\u00ad\ufffe]\s+[a-z]|[a-z][\u00ad\ufffe][a-z]", text))
            marked += len(re.findall(r"[a-z][\u00ad\ufffe]\s*[a-z]", text))
            for p in pages:
                if alnum(HEADER) in alnum(p):
                    lines = [ln for ln in p.splitlines() if ln.strip()]
                    head_pages += 1
                    head += any(alnum(HEADER) in alnum(ln) for ln in lines[:3] + lines[-3:])
        rate = pages_n / best if best else 0
        print(f"{name:<20} {rate:>8.0f} {f'{order}/{checked}':>7} {hyph:>6} {marked:>7} {f'{head}/{head_pages}':>7}")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in (ROOT / "eval" / "corpus" / "docs" / "pdf").glob("*.pdf")))
