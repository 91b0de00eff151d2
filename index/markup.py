"""Markup helpers: find markdown images, headings and front matter; render passages as plain text."""
from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass

from .types import Span

_MD_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()\s]|\([^()]*\))*\)")
_TAG = re.compile(r"<[^>]{0,500}>")
_WS = re.compile(r"[ \t\r\f\v]+")
_ATX = re.compile(r"(#{1,6})(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")
_SETEXT_H1 = re.compile(r"=+")
_RULE = re.compile(r"(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}")  # a thematic break or a setext "---"
_FRONT = re.compile(r"---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)", re.S)
_FRONT_LINE = re.compile(r"[A-Za-z_][\w .-]*:(?:\s.*)?|\s.*|- .*|#.*|")


def _match_bracket(text: str, i: int, open_ch: str, close_ch: str) -> int:
    """Index just past the bracket matching text[i] (== open_ch), or -1."""
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def markdown_images(text: str) -> list[tuple[int, int]]:
    """Spans of ``![alt](url)`` images, with nested brackets in the alt text handled."""
    spans = []
    i = text.find("![")
    while i != -1:
        close = _match_bracket(text, i + 1, "[", "]")
        if close != -1 and close < len(text) and text[close] == "(":
            end = _match_bracket(text, close, "(", ")")
            if end != -1:
                spans.append((i, end))
                i = text.find("![", end)
                continue
        i = text.find("![", i + 2)
    return spans


_CELL_TAG = re.compile(r"(?:</t[dh]>\s*)?<t[dh](?:\s[^<>]{0,300})?>", re.I)  # a table cell starts: " | "
_TERM_END = re.compile(r"</dt>\s*(?:<dd(?:\s[^<>]{0,300})?>)?", re.I)         # a term, then its definition
_BLOCK_TAG = re.compile(r"</?(?:br|p|div|li|ul|ol|dl|dd|dt|tr|table|tbody|thead|pre|h[1-6]|blockquote|section)"
                        r"(?:\s[^<>]{0,300})?/?>", re.I)                     # apart from its neighbours


def _html_structure(text: str) -> str:
    """HTML's block structure as text: a table cell's start " | ", a definition's start " — ", other block tags a
    space (so neighbouring blocks' words stay apart)."""
    if "<t" in text or "<T" in text:
        text = _CELL_TAG.sub(" | ", text)
    if "</dt>" in text or "</DT>" in text:
        text = _TERM_END.sub(" — ", text)
    return _BLOCK_TAG.sub(" ", text)


def plain(text: str) -> str:
    """Readable text of a raw passage: links keep their text, tags and entities go (block structure as
    _html_structure gives it)."""
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _TAG.sub("", _html_structure(text))
    if "&" in text:
        text = html.unescape(text)
    return _WS.sub(" ", text).strip()


MARKUP = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".rst": "rst",
          ".rest": "rst"}  # other files: "text"
# Inline markup a reader does not see: Markdown emphasis and code spans; reStructuredText roles, literals,
# hyperlink references ("`text <url>`_" reads "text") and a paragraph's closing "::" (reads ":").
_MD_INLINE = ((re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"), (re.compile(r"`+([^`]+?)`+"), r"\1"),
              (re.compile(r"</?(?:a|abbr|b|br|code|del|details|div|em|i|img|ins|kbd|mark|p|pre|q|s|samp|small|span|"
                          r"strong|sub|summary|sup|u|var)(?:\s[^<>]*)?/?>", re.I), ""))  # inline HTML elements
_RST_INLINE = ((re.compile(r":(pep|rfc):`([^`<]*)`", re.I), lambda m: f"{m.group(1).upper()} {m.group(2)}"),
               (re.compile(r":[\w.+-]+:`([^`]*)`"), r"\1"), (re.compile(r"\s?\[(?:#[\w-]*|\d+|\*)\]_"), ""), (re.compile(r"`([^`<]*?)\s*<[^>`]*>`__?"), r"\1"),
               (re.compile(r"``([^`]+)``"), r"\1"), (re.compile(r"`([^`]+)`_{0,2}"), r"\1"),
               (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"), (re.compile(r"(?<=\S)::$"), ":"))


def markup_of(source: str) -> str:
    """How a source file's raw text is marked up, from its name: "html", "markdown" or "text"."""
    return MARKUP.get(os.path.splitext(source)[1].lower(), "text")


# a hyphen at a line break: kept, the break goes; before "and"/"or" it is suspended ("pre-\nand post-") and the
# space stays
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n[ \t]*(?=[a-z])(?!(?:and|or|nor)\b)")
_QUOTED_LINE = re.compile(r"\n[ \t]*>[ \t>]*")              # markdown block quote markers on continued lines


def readable(text: str, markup: str) -> str:
    """What a person reads of raw text: HTML loses tags and entities, Markdown and reStructuredText their inline
    markup (link targets, emphasis and code markers, roles) and Markdown its block quote markers; plain text keeps every character (``x < 5 and y > 3`` or ``<b>`` in a .txt file is content).
    Wrapped lines are joined (a hyphen at a line break is kept: people wrap at spaces, and PDF text arrives
    with its hyphenated words already joined by its reader); whitespace is collapsed."""
    if "\n" in text:
        if "-\n" in text:  # people wrap text at spaces, so the hyphen is the word's own ("most-significant")
            text = _HYPHEN_BREAK.sub("-", text)
        if markup == "markdown":
            text = _QUOTED_LINE.sub(" ", text)
        text = text.replace("\n", " ")
    if markup == "html":
        return plain(text)
    if markup == "markdown":
        if "](" in text:
            text = _MD_LINK.sub(r"\1", text)
        if "</" in text:  # an HTML block's structure: cells " | " apart, block tags a space ("<table>" alone may
            # be a placeholder: "DROP TABLE <table>")
            text = _html_structure(text)
        if "`" in text or "**" in text or "__" in text or "<" in text:
            for pattern, repl in _MD_INLINE:
                text = pattern.sub(repl, text)
    elif markup == "rst" and ("`" in text or "*" in text or "::" in text or "]_" in text):
        for pattern, repl in _RST_INLINE:
            text = pattern.sub(repl, text)
    return _WS.sub(" ", text).strip()


def markdown_lines(raw: str, lines: list[Span]) -> tuple[list[Span], str | None]:
    """Line spans with ATX heading markers ('# ', closing '#'s) cut off and rule lines dropped, and the text of
    the first level-1 heading ('# Title', or 'Title' underlined with '===') or None."""
    out: list[Span] = []
    title = None
    for s in lines:
        line = raw[s.start:s.end]
        if _SETEXT_H1.fullmatch(line) or _RULE.fullmatch(line):
            above = out[-1] if out else None
            if (title is None and line[0] == "=" and above is not None
                    and raw.count("\n", above.end, s.start) == 1):
                title = plain(raw[above.start:above.end])
            continue
        m = _ATX.match(line)
        if m:
            close = _ATX_CLOSE.search(line, m.end())
            end = s.start + (close.start() if close else len(line))
            if s.start + m.end() >= end:
                continue  # an empty heading
            if title is None and len(m.group(1)) == 1:
                title = plain(raw[s.start + m.end():end])
            s = Span(s.start + m.end(), end)
        out.append(s)
    return out, title


@dataclass(frozen=True)
class FrontMatter:
    """A YAML front matter block at the top of a markdown file: it ends at ``end``; ``fields`` are its top-level
    ``key: value`` lines (keys lower-cased, quotes around values removed)."""

    end: int
    fields: dict[str, str]


def front_matter(raw: str) -> FrontMatter | None:
    m = _FRONT.match(raw)
    body = (m.group(1) or "") if m else ""
    if not m or not all(_FRONT_LINE.fullmatch(line) for line in body.splitlines()):
        return None
    fields: dict[str, str] = {}
    for line in body.splitlines():
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace() and not line.startswith(("-", "#")):
            fields.setdefault(key.strip().lower(), value.strip().strip("'\""))
    return FrontMatter(m.end(), fields) if fields else None
