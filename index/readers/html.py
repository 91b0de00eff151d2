"""HTML pages: text blocks as raw spans of the file (inline tags stay inside a span).

Navigation, headers, footers, asides, forms and scripts are not read, nor elements marked hidden or with the ARIA
role of page furniture (navigation, banner, contentinfo, search, complementary); a navigation-heavy page keeps a
smaller share of its visible text, and says so. Structure comes from the tags: ``<h1>``-``<h6>`` are headings,
``<pre>`` is code (kept whole), ``<li>`` a list item, a ``<dt>`` term with its ``<dd>`` definition one item, and so
is a table row ``<tr>`` (one unit however its source lines run; its cells read " | " apart, by
index.markup.plain). Only a page without any ``<h2>``-``<h6>`` tag gets headings from styling: a short paragraph
without end punctuation is one there, as scraped news pages mark their subheadings with styling rather than tags.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from ..dates import parse_date
from ..markup import plain
from ..types import stripped_span
from .base import Block, Extracted
from .decode import read_decoded

SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button",
        "svg", "figcaption", "template", "iframe", "select"}
BLOCK = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
         "h6", "tr", "td", "th", "table", "blockquote", "pre", "title", "dd", "dt", "hr", "body",
         "figure", "img"}
VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed"}
# <meta name|property|itemprop=...> naming the publication date (lower case); modified/updated dates are not read.
DATE_META = {"article:published_time", "og:published_time", "og:article:published_time", "published_time",
             "date", "pubdate", "publishdate", "publish-date", "publish_date", "published-date", "datepublished",
             "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created", "citation_date",
             "citation_publication_date", "sailthru.date", "parsely-pub-date", "article.published", "date.release"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# ARIA landmarks of page furniture (Sphinx's "related" bar and sidebar are <div role="navigation">), not read; nor
# elements whose class or id is one of these words (Sphinx's <div class="footer">, "sphinxsidebar")
SKIP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
SKIP_CLASSES = {"footer", "sidebar", "sphinxsidebar", "related", "navbar", "breadcrumbs", "breadcrumb", "skip-link"}
# elements whose end tag HTML requires: only these are left out for their role, class or "hidden" (a <p> or <li>
# may end without one, and skipping would run on to the end of the page)
CLOSED = {"div", "section", "nav", "aside", "header", "footer", "span", "ul", "ol", "table", "form", "details",
          "dialog", "article", "main", "a"}
PERMALINKS = {"¶", "#", "§", "🔗"}  # a heading's anchor link ("IDLE¶"): not part of its text
HIDDEN = {"script", "style", "noscript", "template", "svg"}  # never visible
HEADING_MAX_WORDS = 14  # a shorter block without end punctuation is a heading
TERMINAL = re.compile(r"[.!?…][\"”’')\]]*$")
AWAY = {"nav", "footer", "aside"}  # a <time> in these dates another page (related articles, comments)
JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')


def _furniture(attrs) -> bool:
    """Marked as page furniture by its ARIA role, class or id, or hidden."""
    return any(k == "role" and (v or "").lower() in SKIP_ROLES or k == "hidden"
               or k == "aria-hidden" and (v or "").lower() == "true"
               or k in ("class", "id") and not SKIP_CLASSES.isdisjoint((v or "").lower().split())
               for k, v in attrs)


# the kind of block each tag opens (other BLOCK tags open "prose")
KIND_OF = {"pre": "code", "li": "item", "dt": "dt", "tr": "item", **{h: "heading" for h in HEADINGS}}
CONTAINERS = {"pre", "tr"}  # block tags inside these stay inside their block (a <p> in a cell, a <br> in code)


class _Blocks(HTMLParser):
    def __init__(self, raw: str):
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.line_starts = [0]
        for i, c in enumerate(raw):
            if c == "\n":
                self.line_starts.append(i + 1)
        self.skip_depth = 0
        self.skipped: list[list] = []  # [tag, nesting] of the open elements left out (SKIP tags, furniture)
        self.current: list[int] | None = None
        self.blocks: list[tuple[int, int, int, str]] = []  # start, end, heading level (0: none), kind
        self.level = 0
        self.kind = "prose"
        self.inside: list[str] = []  # open containers (pre, tr): their block tags do not split the block
        self.lists = 0  # open <ul>/<ol>: a paragraph inside a list item is part of the item
        self.last_br: int | None = None  # where the last <br> ended
        self.term_open = False  # a <dd> just opened after a <dt> term: the definition's first block joins the term
        self.subheadings = False  # the page tags its section headings (<h2>-<h6>)
        self.visible = 0  # letters and digits outside scripts and styles
        self.hidden_depth = 0
        self.title: str | None = None
        self._in_title = False
        self._title_raw: list[str] = []  # the title's pieces so far (an entity splits it: "IDLE &#8212; Python")
        self.away_depth = 0
        self.dates: dict[str, str] = {}  # "meta", "time" (marked as the publication date), "first time" -> ISO

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _close(self) -> None:
        if self.current:
            if self.term_open and self.blocks and self.blocks[-1][3] == "dt" and self.kind != "code":
                a, _, _, _ = self.blocks.pop()  # a definition's first paragraph goes with its term: one item
                self.blocks.append((a, self.current[1], 0, "item"))
            else:
                self.blocks.append((*self.current, self.level, self.kind))
            self.term_open = False
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "time"):
            self._date(tag, dict(attrs))
        if tag in AWAY:
            self.away_depth += 1
        if self.skipped and tag == self.skipped[-1][0]:
            self.skipped[-1][1] += 1
        elif tag in SKIP or (tag in CLOSED and _furniture(attrs)):
            self.skipped.append([tag, 1])
            self.skip_depth += 1
        if tag == "br":  # a line break inside a paragraph is soft; two in a row end the paragraph
            at = self._offset()
            if self.last_br is not None and not self.raw[self.last_br:at].strip() and not self.inside:
                self._close()
            self.last_br = at + len(self.get_starttag_text() or "")
        if tag == "tr" and "tr" in self.inside:  # the last row's </tr> left out, as HTML allows
            while self.inside and self.inside.pop() != "tr":
                pass
        if tag in BLOCK and not self.inside:
            self._close()
            self.level = int(tag[1]) if tag in HEADINGS else 0
            self.kind = KIND_OF.get(tag, "prose")
            if self.kind == "prose" and self.lists and tag in ("p", "div"):
                self.kind = "item"
            if tag == "dd":
                self.term_open = bool(self.blocks) and self.blocks[-1][3] == "dt"
            if tag in HEADINGS and tag != "h1" and not self.skip_depth:
                self.subheadings = True
        if tag in CONTAINERS and tag not in VOID:
            self.inside.append(tag)
        self.lists += tag in ("ul", "ol")
        if tag in HIDDEN:
            self.hidden_depth += 1
        self._in_title = tag in ("title", "h1") and self.title is None
        self._title_raw = []

    def _date(self, tag: str, a: dict) -> None:
        if tag == "meta":
            name = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            kind = "meta" if name in DATE_META else None
        elif self.away_depth:
            kind = None
        else:
            published = "pubdate" in a or (a.get("itemprop") or "").lower() == "datepublished"
            kind = "time" if published else "first time"
        iso = parse_date(a.get("content" if tag == "meta" else "datetime") or "") if kind else None
        if iso:
            self.dates.setdefault(kind, iso)

    def handle_endtag(self, tag):
        if tag in AWAY and self.away_depth:
            self.away_depth -= 1
        if self.skipped and tag == self.skipped[-1][0]:
            self.skipped[-1][1] -= 1
            if not self.skipped[-1][1]:
                self.skipped.pop()
                self.skip_depth -= 1
        if tag in HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1
        if tag in ("ul", "ol") and self.lists:
            self.lists -= 1
        if tag in self.inside or (tag in ("table", "tbody", "thead", "tfoot") and "tr" in self.inside):
            while self.inside and self.inside.pop() not in (tag, "tr"):
                pass
        if tag in BLOCK and not self.inside:
            self._close()
            self.level = 0
            self.kind = "prose"
        self._in_title = False

    def _text(self, text: str) -> None:
        if not self.hidden_depth:
            self.visible += sum(c.isalnum() for c in html.unescape(text) if text[:1] != "<")
        if self.skip_depth or not text.strip():
            return
        start = self._offset()
        end = start + len(text)
        if self._in_title:
            self._title_raw.append(text)
            self.title = plain("".join(self._title_raw))
            return
        if self.current is None:
            self.current = [start, end]
        else:
            self.current[1] = end

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self._text(f"&{name};")

    def handle_charref(self, name):
        self._text(f"&#{name};")


class HtmlReader:
    name = "html"
    suffixes = (".html", ".htm")
    stores_text = False

    def read(self, data: bytes) -> Extracted:
        return read_decoded(data, read_html)


def read_html(raw: str, styled_headings: bool = True) -> Extracted:
    """``styled_headings``: a page without <h2>-<h6> tags takes short unpunctuated paragraphs for headings (not so
    for an HTML block inside a Markdown file)."""
    p = _Blocks(raw)
    p.feed(raw)
    p.close()
    p._close()
    blocks = []
    for a, b, level, kind in p.blocks:
        s = stripped_span(raw, a, b)
        if s is None:
            continue
        text = plain(raw[s.start:s.end])
        if level and text[-1:] in PERMALINKS and len(text) > 1:  # cut the heading's anchor link off its span
            cut = raw.rfind("<a", s.start, s.end)
            if cut > s.start and plain(raw[cut:s.end]) in PERMALINKS:
                s = stripped_span(raw, s.start, cut) or s
                text = plain(raw[s.start:s.end])
        styled = (styled_headings and not p.subheadings and kind == "prose" and text
                  and len(text.split()) <= HEADING_MAX_WORDS and not TERMINAL.search(text) and not text.endswith(":"))
        if level or styled:
            blocks.append(Block(s.start, s.end, "heading", level or 2))
        else:
            blocks.append(Block(s.start, s.end, {"heading": "prose", "dt": "item"}.get(kind, kind)))
    left = ("navigation, headers, footers, asides and forms",) if p.visible > 0 else ()
    return Extracted(raw, tuple(blocks), title=p.title, date=_page_date(raw, p.dates), visible_chars=p.visible,
                     left_out=left)


def _page_date(raw: str, dates: dict[str, str]) -> str | None:
    """The page's publication date from its metadata: meta tags, then JSON-LD, then a <time datetime>."""
    json_ld = next((iso for m in JSON_LD_DATE.finditer(raw) if (iso := parse_date(m.group(1)))), None)
    return dates.get("meta") or json_ld or dates.get("time") or dates.get("first time")
