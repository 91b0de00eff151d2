"""Sentence boundaries and sentence-aligned chunks, all as exact spans of the raw text."""
from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import check_range
from .types import Chunk, Span, stripped_span

ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st rep reps sen sens gov gen lt col capt cpt sgt maj adm cmdr pres supt
vs etc al approx est fig no nos vol inc corp co ltd llc dept univ ave blvd rd mt ft
jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e a.m p.m op opp
""".split())
SENTENCE_STARTERS = frozenset(
    "the a an he she it they we i in on at but and this that these those his her their its "
    "there after before when while as if so yet for".split())
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s)")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){1,}[A-Za-z]?$")
OPEN_QUOTES, CLOSE_QUOTES, STRAIGHT_QUOTE = "“„«", "”»", '"'
# A quotation is one unit ("She warned: “Do not come. Do not come.”" is one sentence) when it closes on its line
# within this many characters; a longer or unclosed one (a quote running on into the next paragraph, a stray ")
# is split as usual.
QUOTE_MAX_CHARS = 1000
CODE_UNIT_CHARS = 300  # code is cut into runs of whole lines about this long
ITEM_UNIT_CHARS = 300  # a list item or definition up to this long is one unit; a longer one is split as prose


def quotations(text: str) -> list[tuple[int, int]]:
    """[open, close) ranges of the double-quoted passages in one line that close on it (curly or straight)."""
    out = []
    opened = None
    for i, c in enumerate(text):
        if opened is None and (c in OPEN_QUOTES or c == STRAIGHT_QUOTE):
            opened = i
        elif opened is not None and (c in CLOSE_QUOTES or c == STRAIGHT_QUOTE):
            if i + 1 - opened <= QUOTE_MAX_CHARS:
                out.append((opened, i + 1))
            opened = None
    return out


def _is_boundary(text: str, end_punct: int, next_word: str) -> bool:
    """Decide whether the punctuation ending at ``end_punct`` ends a sentence."""
    if not next_word:
        return True
    first = next_word[0]
    if not (first.isupper() or first.isdigit() or first in "\"“‘'(["):
        return False
    token = text[:end_punct].rsplit(None, 1)[-1] if text[:end_punct].strip() else ""
    token = token.lstrip("\"“‘'([")
    if token.endswith("...."):
        return False  # leader dots to the next cell of a table row: "AFM revisions ........ 1 work-hour"
    if not token.endswith("."):
        return True  # ! ? … and closing quotes after them
    word = token[:-1]
    if word.lower() in ABBREVIATIONS or word.lower().rstrip(".") in ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        return False  # an initial: "Kirstjen M. Nielsen"
    if _ACRONYM.fullmatch(word + "."):
        return next_word.strip("\"“‘'(").lower() in SENTENCE_STARTERS
    return True


def split_sentences(raw: str, block: Span) -> list[Span]:
    """Sentence spans inside one block (an index.readers Block, or a Span read as kind "lines").

    prose: line breaks are soft, sentences end at punctuation; lines: a line break also ends a sentence, unless the
    line ends with a colon; code: runs of whole lines up to CODE_UNIT_CHARS, never cut inside a line; item: one
    unit up to ITEM_UNIT_CHARS, else prose.
    """
    kind = getattr(block, "kind", "lines")
    if kind == "code":
        return _code_units(raw, block)
    if kind == "item":
        span = stripped_span(raw, block.start, block.end)
        if span is None:
            return []
        if span.end - span.start <= ITEM_UNIT_CHARS:
            return [span]
        kind = "prose"
    pattern = r"[\s\S]+" if kind == "prose" else r"[^\n]+"
    out: list[Span] = []
    for line in re.finditer(pattern, raw[block.start:block.end]):
        base = block.start + line.start()
        text = line.group(0)
        start = 0
        quoted = quotations(text) if any(q in text for q in OPEN_QUOTES + STRAIGHT_QUOTE) else []
        for m in _END.finditer(text):
            if any(a < m.end() < b for a, b in quoted):
                continue  # inside a quotation
            nxt = re.match(r"\s+(\S*)", text[m.end():])
            next_word = nxt.group(1) if nxt else ""
            if _is_boundary(text, m.end(), next_word):
                _emit(out, raw, base + start, base + m.end())
                start = m.end()
        _emit(out, raw, base + start, base + len(text))
    return out


def _emit(out: list[Span], raw: str, a: int, b: int) -> None:
    span = stripped_span(raw, a, b)
    if not span:
        return
    if out and raw[out[-1].end - 1] == ":":  # a lead-in line ("Commitments:") belongs to what it introduces
        out[-1] = Span(out[-1].start, span.end)
    else:
        out.append(span)


_COMMENT = re.compile(r"(?:#|//|--|;|%|/\*|\*)(?:\s|$)")


def _code_units(raw: str, block: Span) -> list[Span]:
    """Runs of whole lines up to CODE_UNIT_CHARS; comment lines at the end of a run go with the lines after them
    (a comment explains what follows it: "# Tree Delete Control …" stays with "control: 1.2.840…")."""
    lines = [s for s in (stripped_span(raw, block.start + m.start(), block.start + m.end())
                         for m in re.finditer(r"[^\n]+", raw[block.start:block.end])) if s is not None]
    units: list[list[Span]] = []
    for span in lines:
        if units and span.end - units[-1][0].start <= CODE_UNIT_CHARS:
            units[-1].append(span)
            continue
        carried: list[Span] = []
        if units:
            last = units[-1]
            k = len(last)
            while k > 1 and _COMMENT.match(raw, last[k - 1].start):
                k -= 1
            if k < len(last) and span.end - last[k].start <= CODE_UNIT_CHARS:
                carried, units[-1] = last[k:], last[:k]
        units.append(carried + [span])
    return [Span(u[0].start, u[-1].end) for u in units]


# Blocks separated only by whitespace and markup (list markers, table borders, quote marks, HTML tags and
# comments) are chunked together.
_MARKUP_GAP = re.compile(r"(?:\s|[-*+>|•·:=_.)(]|\d{1,3}[.)]|<[^<>]{0,300}>|&nbsp;)*")


def regions(raw: str, blocks: Sequence[Span]) -> list[list[Span]]:
    """Runs of neighbouring blocks with only whitespace or markup between them: each run is chunked as one."""
    out: list[list[Span]] = []
    for b in blocks:
        if out and _MARKUP_GAP.fullmatch(raw, out[-1][-1].end, b.start):
            out[-1].append(b)
        else:
            out.append([b])
    return out


def region_sentences(raw: str, region: Sequence[Span]) -> list[Span]:
    """The sentences of a run of blocks; a lead-in ending with a colon joins what follows it in the next block."""
    out: list[Span] = []
    for b in region:
        ss = split_sentences(raw, b)
        if ss and out and raw[out[-1].end - 1] == ":" and getattr(b, "kind", "lines") != "code":
            ss[0] = Span(out.pop().start, ss[0].end)
        out += ss
    return out


def chunk_block(doc_id: str, raw: str, block: Span, size: int, overlap: int) -> list[Chunk]:
    """Greedy chunks of whole sentences up to ``size`` characters, ``overlap`` sentences shared."""
    return chunk_sentences(doc_id, raw, split_sentences(raw, block), size, overlap)


def chunk_sentences(doc_id: str, raw: str, sents: list[Span], size: int, overlap: int) -> list[Chunk]:
    """Greedy chunks of whole sentences up to ``size`` characters, ``overlap`` sentences shared."""
    check_range("chunk size", size, lo=1)
    check_range("chunk overlap", overlap, lo=0)
    chunks: list[Chunk] = []
    i = 0
    while i < len(sents):
        j = i + 1
        while j < len(sents) and sents[j].end - sents[i].start <= size:
            j += 1
        span = sents[i:j]
        chunks.append(Chunk(doc_id, span[0].start, span[-1].end,
                            raw[span[0].start:span[-1].end], tuple(span)))
        if j >= len(sents):
            break
        i = max(j - overlap, i + 1)
    return chunks
