"""Is the page a PDF citation names the page its quote is printed on?

    .venv/bin/python benchmarks/pdf_pages.py eval-out/documents.json [more reports...]

For every citation of a PDF in citebot's runs of ``citebot eval`` JSON reports (answers and closest passages),
the quote's first words are looked up in each page's text as pypdfium2 gives it page by page, with none of
citebot's layout work (columns, furniture, hyphen joining): the page is right when the quote's first eight words
(letters and digits only, accents dropped) occur on the page it names, in order, allowing anything between
them. Target: right for at least 0.95 of cited PDF quotes. Not part of the test run.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _WORD.findall(text.lower().replace("-\n", "").replace("\u00ad", ""))


def in_order(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(w == h or h.startswith(w) or w.startswith(h) for h in it) for w in needle)


def page_words(path: str, cache: dict) -> list[list[str]]:
    if path not in cache:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        cache[path] = [words(pdf[i].get_textpage().get_text_bounded()) for i in range(len(pdf))]
    return cache[path]


def main(reports: list[str]) -> int:
    cache: dict = {}
    right = total = 0
    wrong = []
    for report in reports:
        data = json.load(open(report, encoding="utf-8"))
        for run in data["runs"]:
            if not run["name"].startswith("citebot"):
                continue
            for r in run["results"]:
                for c in r["citations"] + r.get("closest", []):
                    if not c["source"].lower().endswith(".pdf") or c.get("page") is None:
                        continue
                    pages = page_words(c["source"], cache)
                    head = words(c["quote"])[:8]
                    total += 1
                    if in_order(head, pages[c["page"] - 1]):
                        right += 1
                    else:
                        wrong.append(f"{run['name']} {r['id']}: p. {c['page']} '{c['quote'][:80]}'")
    print(f"cited PDF quotes: {total}; page right: {right} ({right / max(total, 1):.3f})")
    for w in wrong[:20]:
        print("  wrong:", w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
