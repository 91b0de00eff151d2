"""Audit: how much of each document's body text does the index hold? Per format, per file.

    .venv/bin/python benchmarks/kept_audit.py [FOLDER] [--json PATH]     (default FOLDER: eval/corpus/docs)

Reference sentences are taken from each file WITHOUT citebot's readers (index/readers/*), with the usual
independent tool per format; "body" means running prose, and:
  .txt   blank-line-separated blocks, lines joined with spaces; dropped: page furniture (lines holding a form
         feed, lines ending "[Page N]", the running header line right after a form-feed line) and preformatted
         blocks (any line with a run of 3+ spaces between non-space characters: ASCII figures, tables, title
         blocks).
  .md    markdown-it-py ("commonmark" + tables) rendered to HTML; text of <p>, <li>, <td>/<th>, <blockquote>
         (innermost element owns the text); code blocks (<pre>) are left out and only counted.
  .rst   docutils publish_doctree; astext() of every paragraph not inside a system message, footnote and
         citation references removed (docutils numbers them: "[#distutils]_" reads "1").
  .pdf   poppler's pdftotext (no -layout); per page, lines joined into blank-line-separated paragraphs, a word
         hyphenated across lines joined when both halves are lowercase; dropped: running headers / footers (a
         line among the first or last three of 3+ pages, or on half the pages or more: margin stamps) and bare
         page numbers (a body line that recurs, "www.regulations.gov by searching for", is body text); a
         paragraph's first line of <= 5 words without end punctuation, followed by a line starting with a
         capital, is a heading and stands alone.
  .docx  python-docx body paragraphs and table cell paragraphs.
  .html  Python's html.parser over the page's <main> (the whole body where there is none); navigation, headers,
         footers, asides, forms, buttons and scripts left out; text of <p>, <li>, <td>/<th>, <dd>/<dt>,
         <blockquote> (innermost element owns the text); <pre> code blocks are left out and only counted.
Then split into sentences (end punctuation, whitespace, a capital) and kept when they have >= 5 words and are
running prose: at least 60% of their words are words of letters (table rows of figures and equations are
counted apart, as "not prose"); a PDF footnote's leading number is dropped (it is a mark, placed apart).

Indexed text of a document: its title, then its chunk texts (overlaps read once, by offsets) with the last part of
each section heading path where the section starts, each through index.markup.readable(). Both sides are normalised
(NFKD with accents dropped, lowercase, a hyphen between two letters dropped, as pdftotext drops real hyphens at line
ends too: "citation-based" == "citationbased"; runs of letters/digits are the words); a sentence is KEPT when its
word sequence occurs contiguously in the document's indexed text (for a PDF, its letters and digits with the spaces
between words left out: a PDF stores no spaces, each reader guesses them from glyph gaps, and pdftotext and pdfium
guess differently inside formulas, "ŒckI wk" / "Œck I wk", and at a hyphen before a column break, "Soekarno-" /
"Soekarno-Hatta"). A missed sentence is also tested for being held INTERLEAVED: all its words in order within a
window of 1.5 x its length + 5 words (held, but with other words between: footnote labels, link targets, another
column's footnote); and each missed sentence is printed with its break point (the longest prefix found contiguously,
"||", the words that follow).

For PDFs a second, independent reading (pypdf, from the test extra) says which reference sentences both tools read
word for word; the report adds citebot's share of those. A sentence only pdftotext reads so is often its artifact
(columns interleaved, a footnote or heading glued on); the share over both is the cleaner measure of real losses,
the pdftotext share (the acceptance figure) the stricter one.

Needs poppler's pdftotext for the PDF reference (Debian: apt-get install poppler-utils) and pypdf.
Acceptance: kept share >= 0.98 for every format. Builds a fresh index in a temp dir (real embedder, ~30 s).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACCEPT = 0.98
MIN_WORDS = 5
FORMATS = (".txt", ".md", ".rst", ".pdf", ".docx", ".html")
_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z])")
_WORD = re.compile(r"[^\W_]+")
_INNER_GAP = re.compile(r"\S {3,}\S")
_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011](?=[^\W\d_])")  # "citation-based" == "citationbased"
_PAGE_FOOT = re.compile(r"\[Page \d+\]\s*$")


def words(text: str) -> list[str]:
    # accents dropped on both sides: a PDF may draw "ő" as "o" plus a spacing accent
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _WORD.findall(_HYPHEN.sub("", text.lower()))


# ---- reference paragraphs, one reader per format (independent of index/readers) ----

def txt_paragraphs(path: Path) -> list[str]:
    lines, after_ff = [], False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if "\f" in line or _PAGE_FOOT.search(line) or after_ff:
            after_ff = "\f" in line
            continue
        lines.append(line)
    blocks = re.split(r"\n\s*\n", "\n".join(lines))
    return [" ".join(b.split()) for b in blocks if not any(_INNER_GAP.search(l) for l in b.splitlines())]


class _MdText(HTMLParser):
    BLOCKS = {"p", "li", "td", "th", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[list[str]] = []
        self.out: list[str] = []
        self.pre = 0
        self.code_blocks = 0

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self.pre += 1
            self.code_blocks += 1
        elif tag in self.BLOCKS:
            self.stack.append([])

    def handle_endtag(self, tag):
        if tag == "pre":
            self.pre -= 1
        elif tag in self.BLOCKS and self.stack:
            self.out.append(" ".join("".join(self.stack.pop()).split()))

    def handle_data(self, data):
        if self.stack and not self.pre:
            self.stack[-1].append(data)


class _HtmlText(_MdText):
    """A page's main content: inside <main> when the page has one; navigation, headers, footers, asides, forms,
    buttons and scripts left out; text of <p>, <li>, <td>/<th>, <dd>/<dt>, <blockquote>."""
    BLOCKS = _MdText.BLOCKS | {"dd", "dt"}
    AWAY = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button"}

    def __init__(self, has_main: bool):
        super().__init__()
        self.main = 0 if has_main else 1
        self.away = 0

    def handle_starttag(self, tag, attrs):
        self.main += tag == "main"
        self.away += tag in self.AWAY
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.main -= tag == "main" and self.main > 0
        self.away -= tag in self.AWAY and self.away > 0
        super().handle_endtag(tag)

    def handle_data(self, data):
        if self.main and not self.away:
            super().handle_data(data)


def html_paragraphs(path: Path) -> tuple[list[str], int]:
    raw = path.read_text(encoding="utf-8", errors="replace")
    p = _HtmlText(has_main=re.search(r"<main[\s>]", raw, re.I) is not None)
    p.feed(raw)
    return p.out, p.code_blocks


def md_paragraphs(path: Path) -> tuple[list[str], int]:
    from markdown_it import MarkdownIt
    p = _MdText()
    p.feed(MarkdownIt("commonmark").enable("table").render(path.read_text(encoding="utf-8")))
    return p.out, p.code_blocks


def rst_paragraphs(path: Path) -> list[str]:
    from docutils import nodes
    from docutils.core import publish_doctree
    tree = publish_doctree(path.read_text(encoding="utf-8"), source_path=str(path), settings_overrides={
        "report_level": 5, "halt_level": 5, "file_insertion_enabled": False, "raw_enabled": False})
    for n in list(tree.findall((nodes.footnote_reference, nodes.citation_reference))):
        n.parent.remove(n)  # docutils' generated numbers ("[1]"), not words of the source
    out = []
    for n in tree.findall(nodes.paragraph):
        a = n.parent
        while a is not None and not isinstance(a, nodes.system_message):
            a = a.parent
        if a is None:
            out.append(" ".join(n.astext().split()))
    return out


def pdf_paragraphs(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p.splitlines() for p in text.split("\f")]
    edges = [{x.strip() for x in lines[:EDGE_LINES] + lines[-EDGE_LINES:]} for lines in
             ([x for x in page if x.strip()] for page in pages)]
    on_edges = Counter(l for edge in edges for l in edge)
    on_pages = Counter(l for page in pages for l in {x.strip() for x in page if x.strip()})
    everywhere = {l for l, n in on_pages.items() if n >= max(3, len(pages) / 2)}  # margin stamps too
    out = []
    for page, edge in zip(pages, edges):
        para, lines = "", 0
        for line in page + [""]:
            s = line.strip()
            if not s or (s in edge and on_edges[s] >= 3) or s in everywhere or s.isdigit():
                if not s and para:
                    out.append(para)
                    para, lines = "", 0
                continue
            if para and lines == 1 and len(para.split()) <= 5 and para[-1] not in ".:;,!?" \
                    and s[0].isupper():  # a short first line then a capital: a heading, on its own
                out.append(para)
                para = ""
            m = re.search(r"([A-Za-z]+)-$", para)
            if m and m.group(1).islower() and s[0].islower():
                para = para[:-1] + s
            else:
                para = f"{para} {s}" if para else s
            lines += 1
    return out


def pdf_second_reading(path: Path) -> str:
    """pypdf's text of the PDF, normalised as the sentences are (" w1 w2 ... "): a second, independent reference.
    A pdftotext sentence pypdf does not hold word for word either is one the references disagree on (columns
    interleaved, a footnote or heading glued in by one of them), not a body sentence both read the same."""
    from pypdf import PdfReader
    text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    text = re.sub(r"([a-z])-\n([a-z])", r"\1\2", text)  # a word hyphenated across lines, joined as pdftotext's is
    return " " + " ".join(words(text)) + " "


def docx_paragraphs(path: Path) -> list[str]:
    import docx
    d = docx.Document(str(path))
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                out += [p.text for p in cell.paragraphs]
    return [" ".join(p.split()) for p in out]


def reference(path: Path) -> tuple[list[str], dict]:
    """Unique reference sentences of >= MIN_WORDS words, and extra counts."""
    ext, extra = path.suffix.lower(), {}
    if ext == ".md":
        paras, extra["code_blocks"] = md_paragraphs(path)
    elif ext == ".html":
        paras, extra["code_blocks"] = html_paragraphs(path)
    else:
        paras = {".txt": txt_paragraphs, ".rst": rst_paragraphs, ".pdf": pdf_paragraphs,
                 ".docx": docx_paragraphs}[ext](path)
    seen, out = set(), []
    extra["not_prose"] = 0
    for para in paras:
        for s in _SENT.split(para):
            if ext == ".pdf":
                s = _FOOTNOTE_MARK.sub("", s)  # a footnote's number is a mark, set apart from its text
            key = tuple(words(s))
            if len(key) < MIN_WORDS or key in seen:
                continue
            seen.add(key)
            if sum(len(w) > 1 and w.isalpha() for w in key) < PROSE_SHARE * len(key):
                extra["not_prose"] += 1  # a table row of figures or an equation: not running prose
                continue
            out.append(s.strip())
    return out, extra


EDGE_LINES = 3  # running headers and footers: among a page's first or last lines on 3+ pages, or on half the pages
PROSE_SHARE = 0.6  # running prose: at least this share of its words are words of letters (not figures, symbols)
_FOOTNOTE_MARK = re.compile(r"^\s*\d{1,2}\s+(?=[A-Z])")


# ---- what the index holds ----

def indexed_texts(folder: Path, index_dir: Path) -> dict[str, str]:
    """Normalised indexed text (" w1 w2 ... ") per resolved source path. Chunks overlap (a sentence or so): each
    is cut to the part past the previous chunk's end offset, so overlaps are not read twice."""
    from index.build import build_index
    from index.markup import markup_of, readable
    from index.reader import LoadedIndex
    build_index([folder], index_dir)
    ix = LoadedIndex(index_dir)
    parts = {i: [d.title or ""] for i, d in enumerate(ix.docs)}
    heads = {i: sorted(d.layout.sections, key=lambda s: s[0]) for i, d in enumerate(ix.docs)}
    ends: dict[int, int] = {}
    for c in sorted(ix.chunks, key=lambda c: (c.doc, c.start)):
        while heads[c.doc] and heads[c.doc][0][0] <= max(c.start, ends.get(c.doc, 0)):
            parts[c.doc].append(heads[c.doc].pop(0)[1].split(" › ")[-1])  # a heading, where it stands
        parts[c.doc].append(c.text[max(0, ends.get(c.doc, 0) - c.start):])
        ends[c.doc] = max(ends.get(c.doc, 0), c.end)
    for i, rest in heads.items():
        parts[i] += [h.split(" › ")[-1] for _, h in rest]
    return {str(Path(d.source).resolve()): " " + " ".join(
        " ".join(words(readable(t, markup_of(d.source)))) for t in parts[i]) + " " for i, d in enumerate(ix.docs)}


def interleaved(w: list[str], text: list[str], starts: dict[str, list[int]]) -> bool:
    """Are the words w in order within a window of 1.5 len(w) + 5 words of text?"""
    for i in starts.get(w[0], ()):
        j, end = i + 1, i + int(1.5 * len(w)) + 5
        for x in w[1:]:
            while j < min(end, len(text)) and text[j] != x:
                j += 1
            if j >= min(end, len(text)):
                break
            j += 1
        else:
            return True
    return False


def break_point(w: list[str], text: str) -> str:
    k = 0
    while k < len(w) and f" {' '.join(w[:k + 1])} " in text:
        k += 1
    return f"{' '.join(w[max(0, k - 4):k])} || {' '.join(w[k:k + 5])}"


def audit(folder: Path) -> dict:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in FORMATS and p.is_file())
    with tempfile.TemporaryDirectory() as tmp:
        held = indexed_texts(folder, Path(tmp) / "index")
    per_file, per_fmt = {}, defaultdict(lambda: {"sentences": 0, "kept": 0, "interleaved": 0})
    for p in files:
        sents, extra = reference(p)
        text = held.get(str(p.resolve()))
        fmt = p.suffix.lower()
        if fmt == ".pdf":  # a PDF has no spaces to compare: each reader guesses them from glyph gaps
            joined = "".join((text or "").split())
            missed = [s for s in sents if text is None or "".join(words(s)) not in joined]
        else:
            missed = [s for s in sents if text is None or " " + " ".join(words(s)) + " " not in text]
        kept, toks, starts = len(sents) - len(missed), (text or "").split(), defaultdict(list)
        for i, t in enumerate(toks):
            starts[t].append(i)
        gapped = [s for s in missed if interleaved(words(s), toks, starts)]
        if fmt == ".pdf":  # the sentences both references read the same, and how many of those the index holds
            second = pdf_second_reading(p)
            agreed = [s for s in sents if " " + " ".join(words(s)) + " " in second]
            extra["agreed"] = len(agreed)
            extra["agreed_kept"] = sum(s not in missed for s in agreed)
            per_fmt[fmt]["agreed"] = per_fmt[fmt].get("agreed", 0) + extra["agreed"]
            per_fmt[fmt]["agreed_kept"] = per_fmt[fmt].get("agreed_kept", 0) + extra["agreed_kept"]
        per_file[str(p.relative_to(folder))] = {"format": fmt, "indexed": text is not None, "sentences": len(sents),
                                                "kept": kept, "share": kept / len(sents) if sents else None,
                                                "interleaved": len(gapped), **extra,
                                                "missed": [{"sentence": s, "interleaved": s in gapped,
                                                            "break": break_point(words(s), text or "")}
                                                           for s in missed]}
        per_fmt[fmt]["sentences"] += len(sents)
        per_fmt[fmt]["kept"] += kept
        per_fmt[fmt]["interleaved"] += len(gapped)
    for f in per_fmt.values():
        f["share"] = f["kept"] / f["sentences"] if f["sentences"] else None
        if f.get("agreed"):
            f["agreed_share"] = f["agreed_kept"] / f["agreed"]
        f["pass"] = f["share"] is None or f["share"] >= ACCEPT
    return {"folder": str(folder), "accept": ACCEPT, "formats": dict(per_fmt), "files": per_file}


def show(r: dict) -> None:
    share = lambda x: "  -  " if x is None else f"{x:.3f}"
    print(f"{'format':8} {'sentences':>9} {'kept':>6} {'share':>6} {'+interl.':>8}  (accept: share >= {r['accept']})")
    for fmt, f in sorted(r["formats"].items()):
        print(f"{fmt:8} {f['sentences']:9d} {f['kept']:6d} {share(f['share']):>6} {f['interleaved']:8d}  "
              f"{'ok' if f['pass'] else 'FAIL'}")
        if "agreed" in f:
            print(f"{'':8} of the {f['agreed']} sentences pypdf reads word for word as well: {f['agreed_kept']} kept "
                  f"({share(f['agreed_share'])})")
    print(f"\n{'file':52} {'sentences':>9} {'kept':>6} {'share':>6} {'+interl.':>8}")
    for name, f in r["files"].items():
        note = "" if f["indexed"] else "  NOT IN INDEX"
        note += f"  ({f['code_blocks']} code blocks not audited)" if "code_blocks" in f else ""
        note += f"  ({f['not_prose']} not prose: figures, equations)" if f.get("not_prose") else ""
        note += f"  (pypdf agrees on {f['agreed']}: {f['agreed_kept']} kept)" if "agreed" in f else ""
        print(f"{name:52} {f['sentences']:9d} {f['kept']:6d} {share(f['share']):>6} {f['interleaved']:8d}{note}")
    for name, f in r["files"].items():
        if f["missed"]:
            print(f"\nmissed in {name} ({len(f['missed'])}):")
            for m in f["missed"][:5]:
                s = m["sentence"]
                print("   ", "(interleaved) " * m["interleaved"] + (s if len(s) <= 120 else s[:117] + "..."))
                print("        break:", m["break"][:110])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT / "eval" / "corpus" / "docs"))
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    r = audit(Path(a.folder).resolve())
    show(r)
    if a.json:
        Path(a.json).write_text(json.dumps(r, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
