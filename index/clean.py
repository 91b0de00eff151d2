"""Find the article content of a scraped page: which spans to keep, its title and date.

Cleaning never rewrites text: it returns spans of the raw file, so every passage
built from them is an exact slice of the file (``raw[start:end] == text``).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .dates import date_line, date_prefix, dateline, parse_date  # noqa: F401 (parse_date: re-exported)
from .markup import plain
from .readers.base import Block

# Lines of site chrome, matched on the whole line (case-insensitive): the US web
# design system banner, page footers, sharing widgets, archive notices.
CHROME = tuple(re.compile(p, re.I) for p in (
    r"an official website of the .{0,60}government\.?",
    r"official websites use \.\w+",
    r"an? \.\w+ website belongs to an official .*",
    r"secure \.\w+ websites use https",
    r"a lock \(.*\) or https:// means .*",
    r"share sensitive information only on official.*",
    r"safely connect using https",
    r"(government|official) website",
    r"u\.s\. flag",
    r"here[’']?s how you know",
    r"breadcrumbs?",
    r"skip to (main )?content",
    r"was this page helpful\??",
    r"this page was not helpful because.*",
    r"(yes|no|share|print|email|tweet|close|menu|search|advertisement)",
    r"(share|print|email) this (page|article|story)",
    r"archived content",
    r".{0,80}\barchive contains outdated information\b.*",
    r"last (updated|modified|reviewed)\b.*",
    r"(read more|related (articles|stories|content)|sign up for .*|subscribe( now| to .*)?)",
    r"(we use cookies|this (web)?site uses cookies)\b.*",
    r"all rights reserved\.?.*",
))

# Photo and image credits.
CREDIT = tuple(re.compile(p, re.I) for p in (
    r"(©|\(c\)(?=\s*\d{4})|copyright\b).{0,80}",  # "(c)" alone is a list label: "(c) Applicability"
    r"(photo|image|picture|video)s?( credit)?\s*(:|by\b).{0,120}",
    r"\(?(ap|afp|reuters|getty images|epa|ansa)( photo)?(/[^)]{0,60})?\)?",
    r"credit:.{0,120}",
))

LIST_ITEM = re.compile(r"\s*(\d{1,2}[.)]|[-*•·])\s+")
# A date with no label (a line holding only a date, a news dateline) is read only before this many paragraphs of
# content; a labelled line ("Published 12 April 2023") anywhere; a label opening a paragraph only up there too.
TOP_PARAGRAPHS = 2


@dataclass(frozen=True)
class Cleaned:
    blocks: tuple[Block, ...]                # content only, in reading order
    title: str
    date: str | None
    sections: tuple[tuple[int, str], ...] = ()  # (offset, heading path): the path that holds from offset on
    dropped: tuple[str, ...] = ()            # what was left out and how much ("site chrome and credits (9 blocks)")


SECTION_SEPARATOR = " › "


def _is_chrome(text: str) -> bool:
    return any(p.fullmatch(text) for p in CHROME) or any(p.fullmatch(text) for p in CREDIT)


def clean_blocks(raw: str, blocks: Iterable[Block], title_hint: str | None = None,
                 date_hint: str | None = None) -> Cleaned:
    """Drop site chrome, credits, date lines and repeats from a reader's blocks; find the title, the date and the
    heading path of every section. Headings are never passages: the first one before any content is the title,
    the others name their sections.

    ``date_hint`` (from metadata: front matter, HTML meta tags) wins over a date written in the text.
    """
    kept: list[Block] = []
    seen: set[str] = set()
    title, date = title_hint, date_hint
    in_breadcrumb = False
    stack: list[tuple[int, str]] = []  # (level, heading text)
    sections: list[tuple[int, str]] = []
    dropped: Counter = Counter()
    for u in blocks:
        text = plain(raw[u.start:u.end])
        if not text:
            if u.kind != "heading" and any(c.isalnum() for c in raw[u.start:u.end]):
                kept.append(u)  # all markup to an HTML eye (<target name="x">), but text in its own format
            continue
        low = text.lower()
        if in_breadcrumb and LIST_ITEM.match(raw, u.start):
            dropped["breadcrumb links"] += 1
            continue
        in_breadcrumb = low.startswith("breadcrumb")
        if u.kind != "code":
            top = len(kept) < TOP_PARAGRAPHS
            prefix = date_prefix(raw, u.start, u.end) if top and u.kind != "heading" else None
            if prefix:
                date = date or prefix.iso
                u = replace(u, start=prefix.end)
                text = plain(raw[u.start:u.end])
            line = date_line(text)
            if line:  # a line stating a date is metadata, never content or a title
                if line.published and (line.labelled or top):
                    date = date or line.iso
                dropped["date lines"] += 1
                continue
            # text repeated above the content (a headline twice) is page furniture; further down, repeated text is
            # the document's own (the same step in two procedures, a "Compiler" section in every release)
            if _is_chrome(text):
                dropped["site chrome and credits"] += 1
                continue
            if not kept and text in seen:
                dropped["repeated headlines"] += 1
                continue
            seen.add(text)
        if u.kind == "heading":
            if not kept and ((title is None and not stack) or text.rstrip(":") == title):
                title = text.rstrip(":")
                stack, sections = [], []  # what stood above the title is page furniture, not a section
                continue
            while stack and stack[-1][0] >= u.level:
                stack.pop()
            stack.append((u.level, text.rstrip(":")))
            path = SECTION_SEPARATOR.join(t for _, t in stack)
            if sections and sections[-1][0] == u.end:
                sections[-1] = (u.end, path)
            else:
                sections.append((u.end, path))
            continue
        if not kept:
            date = date or dateline(text)
        kept.append(u)
    if title is None:
        title = _title_from_text(raw, kept)
    return Cleaned(tuple(kept), title, date, tuple(sections),
                   tuple(f"{what} ({n} block{'s' if n > 1 else ''})" for what, n in dropped.items()))


# A news dateline opening the first sentence: an upper-case place, maybe ", STATE" and "(AP)", then a dash.
_DATELINE_LEAD = re.compile(r"^[A-Z][A-Z.'’ ]{1,40}(?:,\s*[A-Z][A-Za-z.]+)?(?:\s*\([A-Za-z. ]{1,20}\))?\s*[—–-]+\s+(?=\S)")


def _title_from_text(raw: str, blocks: list[Block], limit: int = 80) -> str:
    if not blocks:
        return ""
    first = plain(raw[blocks[0].start:blocks[0].end])
    first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    first = _DATELINE_LEAD.sub("", first, count=1) or first  # "GUATEMALA CITY (AP) — Vice President…" -> "Vice…"
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def clean_text(raw: str) -> Cleaned:
    """A plain-text page read and cleaned (index.readers.text, then clean_blocks)."""
    from .readers.text import read_text
    e = read_text(raw)
    return clean_blocks(raw, e.blocks, title_hint=e.title, date_hint=e.date)


def clean_html(raw: str) -> Cleaned:
    """An HTML page read and cleaned (index.readers.html, then clean_blocks)."""
    from .readers.html import read_html
    e = read_html(raw)
    return clean_blocks(raw, e.blocks, title_hint=e.title, date_hint=e.date)
