"""Inline markup helpers: find markdown images, render passages as plain text."""
from __future__ import annotations

import html
import re

_MD_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()\s]|\([^()]*\))*\)")
_TAG = re.compile(r"<[^>]{0,500}>")
_WS = re.compile(r"[ \t\r\f\v]+")


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


def plain(text: str) -> str:
    """Readable text of a raw passage: links keep their text, tags and entities go."""
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return _WS.sub(" ", text).strip()
