"""Find the article content of a scraped page: which spans to keep, its title and date.

Cleaning never rewrites text: it returns spans of the raw file, so every passage
built from them is an exact slice of the file (``raw[start:end] == text``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import date_line, date_prefix, dateline, parse_date
from .markup import front_matter, markdown_images, markdown_lines, plain
from .types import Span, stripped_span

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
    r"(©|\(c\)|copyright\b).{0,80}",
    r"(photo|image|picture|video)s?( credit)?\s*(:|by\b).{0,120}",
    r"\(?(ap|afp|reuters|getty images|epa|ansa)( photo)?(/[^)]{0,60})?\)?",
    r"credit:.{0,120}",
))

LIST_ITEM = re.compile(r"\s*(\d{1,2}[.)]|[-*•·])\s+")
TERMINAL = re.compile(r"[.!?…][\"”’')\]]*$")
HEADING_MAX_WORDS = 14
# A date with no label (a line holding only a date, a news dateline) is read only before this many paragraphs of
# content; a labelled line ("Published 12 April 2023") anywhere; a label opening a paragraph only up there too.
TOP_PARAGRAPHS = 2
FRONT_MATTER_DATES = ("date", "published", "pubdate", "publishdate", "publish_date", "date_published", "created")


@dataclass(frozen=True)
class Cleaned:
    blocks: tuple[Span, ...]
    title: str
    date: str | None


def _lines(raw: str, removed: list[tuple[int, int]]) -> list[Span]:
    """Line spans, cut around removed ranges, with surrounding whitespace trimmed."""
    pieces = []
    bounds = sorted(removed)
    pos = 0
    for a, b in bounds + [(len(raw), len(raw))]:
        if a > pos:
            pieces.append((pos, a))
        pos = max(pos, b)
    out = []
    for a, b in pieces:
        for m in re.finditer(r"[^\n]+", raw[a:b]):
            span = stripped_span(raw, a + m.start(), a + m.end())
            if span:
                out.append(span)
    return out


def _is_chrome(text: str) -> bool:
    return any(p.fullmatch(text) for p in CHROME) or any(p.fullmatch(text) for p in CREDIT)


def _is_heading(text: str) -> bool:
    if TERMINAL.search(text):
        return False
    return len(text.split()) <= HEADING_MAX_WORDS


def clean_units(raw: str, units: list[Span], title_hint: str | None = None, date_hint: str | None = None) -> Cleaned:
    """Classify candidate units (lines or HTML blocks) into content and boilerplate; find the title and date.

    ``date_hint`` (from metadata: front matter, HTML meta tags) wins over a date written in the text.
    """
    kept: list[Span] = []
    seen: set[str] = set()
    title, date = title_hint, date_hint
    in_breadcrumb = False
    for u in units:
        text = plain(raw[u.start:u.end])
        if not text:
            continue
        low = text.lower()
        if in_breadcrumb and LIST_ITEM.match(raw, u.start):
            continue
        in_breadcrumb = low.startswith("breadcrumb")
        top = len(kept) < TOP_PARAGRAPHS
        prefix = date_prefix(raw, u.start, u.end) if top else None
        if prefix:
            date = date or prefix.iso
            u = Span(prefix.end, u.end)
            text = plain(raw[u.start:u.end])
        line = date_line(text)
        if line:  # a line stating a date is metadata, never content or a title
            if line.published and (line.labelled or top):
                date = date or line.iso
            continue
        if _is_chrome(text) or text in seen:
            continue
        seen.add(text)
        if _is_heading(text) and not (kept and text.endswith(":")):  # a lead-in ("Commitments:") stays
            if title is None and not kept:
                title = text.rstrip(":")
            continue
        if not kept:
            date = date or dateline(text)
        kept.append(u)
    blocks = _merge(raw, kept)
    if title is None:
        title = _title_from_text(raw, blocks)
    return Cleaned(tuple(blocks), title, date)


def _merge(raw: str, spans: list[Span]) -> list[Span]:
    """Join neighbouring spans when only whitespace lies between them."""
    out: list[Span] = []
    for s in spans:
        if out and not raw[out[-1].end:s.start].strip():
            out[-1] = Span(out[-1].start, s.end)
        else:
            out.append(s)
    return out


# A news dateline opening the first sentence: an upper-case place, maybe ", STATE" and "(AP)", then a dash.
_DATELINE_LEAD = re.compile(r"^[A-Z][A-Z.'’ ]{1,40}(?:,\s*[A-Z][A-Za-z.]+)?(?:\s*\([A-Za-z. ]{1,20}\))?\s*[—–-]+\s+(?=\S)")


def _title_from_text(raw: str, blocks: list[Span], limit: int = 80) -> str:
    if not blocks:
        return ""
    first = plain(raw[blocks[0].start:blocks[0].end])
    first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    first = _DATELINE_LEAD.sub("", first, count=1) or first  # "GUATEMALA CITY (AP) — Vice President…" -> "Vice…"
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def clean_text(raw: str) -> Cleaned:
    """Clean a plain-text or markdown page: front matter gives the title and date, heading markers are not text."""
    removed = markdown_images(raw)
    meta = front_matter(raw)
    fields = meta.fields if meta else {}
    if meta:
        removed.append((0, meta.end))
    units, h1 = markdown_lines(raw, _lines(raw, removed))
    date = next((d for k in FRONT_MATTER_DATES if (d := parse_date(fields.get(k, "")))), None)
    return clean_units(raw, units, title_hint=fields.get("title") or h1, date_hint=date)
