"""Publication dates as articles write them -> ISO ``YYYY-MM-DD``.

Only dates a page states as its own are read: a whole labelled line ("Published 12 April 2023", "Release Date:
July 11, 2018", "*Posted on June 8, 2021*"), a label and date opening the first paragraph ("date 2021-06-08
GUATEMALA CITY (AP) — ..."), a news dateline ("WASHINGTON, June 7, 2021 (Reuters) -"), a line holding nothing but a
date, or a metadata value (front matter, HTML meta tags, ``<time datetime>``). The caller decides where in the page
each kind may stand; nothing here searches body text for numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {m: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")), 1) for m in names}
YEARS = (1900, 2100)

_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = (r"(?:(?:T|\s+|,\s*|\s+at\s+|\s*\|\s*)\d{1,2}[:.]\d{2}(?::\d{2}(?:\.\d+)?)?"
         r"(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}|(?-i:[A-Z]{2,4})\b))?)?")
# Each form names its parts y, m (a number) or mon (a month name), d.
FORMS = tuple(re.compile(p + _TIME, re.I) for p in (
    r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)",            # 2021-06-08, 2021/06/08
    _WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+(?P<y>\d{4})(?!\d)",       # June 8, 2021; Tue. Jun 8th 2021
    _WEEKDAY + _DAY + r"(?:\s+of)?\s+" + _MONTH + r",?\s+(?P<y>\d{4})(?!\d)",  # 8 June 2021; 8th of June, 2021
    r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?!\d)",                  # 06/08/2021 (US order; 14/09/2021 too)
))

_EMPHASIS = "*_ \t"
PUBLISHED = (r"(?:release date|publication date|date published|published date|date of publication|"
             r"(?:first |originally )?published(?: on| at)?|posted(?: on| at)?|released(?: on)?|dated?|pub ?date)")
UPDATED = r"(?:(?:last )?(?:updated|modified|reviewed|revised)(?: on| at)?)"
_SEP = r"\s*(?:[:\-–—|]\s*)?"
LABELLED = re.compile(rf"(?P<label>{PUBLISHED}|{UPDATED}){_SEP}(?P<rest>.+)", re.I)
PREFIX = re.compile(rf"\s*(?:{PUBLISHED}){_SEP}", re.I)
DATELINE = re.compile(r"[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.]+)?,\s+")


@dataclass(frozen=True)
class Found:
    """A date and where its text ends in the string it was matched in."""

    iso: str
    end: int


def _iso(m: re.Match) -> str | None:
    g = m.groupdict()
    month = MONTHS[g["mon"].lower()] if g.get("mon") else int(g["m"])
    day, year = int(g["d"]), int(g["y"])
    if g.get("m") and month > 12 >= day:
        month, day = day, month  # 14/09/2021 can only be day/month
    if not YEARS[0] <= year <= YEARS[1]:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def match_date(text: str, pos: int = 0, endpos: int | None = None) -> Found | None:
    """The date written at ``text[pos:endpos]`` (with any time after it), or None."""
    endpos = len(text) if endpos is None else endpos
    for form in FORMS:
        m = form.match(text, pos, endpos)
        if m and (iso := _iso(m)):
            return Found(iso, m.end())
    return None


def parse_date(text: str) -> str | None:
    """ISO date when ``text`` is one date and nothing else ('2021-06-08T10:00Z', 'July 11, 2018'); else None."""
    text = text.strip().strip(_EMPHASIS + "'\"").rstrip(".").strip()
    found = match_date(text)
    return found.iso if found and found.end == len(text) else None


@dataclass(frozen=True)
class DateLine:
    """A line that only states a date: ``labelled`` when a label names it, ``published`` unless it is an update."""

    iso: str
    labelled: bool
    published: bool


def date_line(text: str) -> DateLine | None:
    """A whole line such as 'Release Date: July 11, 2018', '*Published 12 April 2023*', 'Updated June 8, 2021'."""
    text = text.strip().strip(_EMPHASIS)
    if len(text) > 80:
        return None
    iso = parse_date(text)
    if iso:
        return DateLine(iso, labelled=False, published=True)
    m = LABELLED.fullmatch(text)
    iso = parse_date(m.group("rest")) if m else None
    if not iso:
        return None
    return DateLine(iso, labelled=True, published=re.fullmatch(UPDATED, m.group("label"), re.I) is None)


def date_prefix(text: str, start: int = 0, end: int | None = None) -> Found | None:
    """A label and date opening a paragraph ('date 2021-06-08 GUATEMALA CITY ...'); ``end`` is where the rest begins."""
    end = len(text) if end is None else end
    m = PREFIX.match(text, start, end)
    found = match_date(text, m.end(), end) if m else None
    if not found or not text[found.end:end][:1].isspace():
        return None
    rest = re.match(r"\s*", text[found.end:end])
    return Found(found.iso, found.end + rest.end())


def dateline(text: str) -> str | None:
    """The date of a news dateline opening a paragraph: 'WASHINGTON, June 7, 2021 (Reuters) -'."""
    m = DATELINE.match(text)
    found = match_date(text, m.end()) if m else None
    return found.iso if found else None
