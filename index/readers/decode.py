"""Bytes of a text file -> the text offsets point into.

UTF-8 files are read as they are: offsets point into the file itself. A text file in another encoding (UTF-16 with
its byte-order mark, as Windows Notepad writes "Unicode"; Windows-1252 or Latin-1, as older editors write; UTF-8
with a few broken bytes) is decoded once here, and the index stores that text as it does a PDF's: citations point
into the stored text, and the file is told changed by its bytes' hash.
"""
from __future__ import annotations

import codecs
import dataclasses
import re
from collections.abc import Callable
from typing import NamedTuple

from .base import Extracted, Unreadable

MAX_CONTROL_SHARE = 0.005  # a legacy-decoded text with more control characters than this is not text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


class Decoded(NamedTuple):
    text: str
    encoding: str              # "UTF-8", "UTF-16", "Windows-1252", "Latin-1"
    notes: tuple[str, ...] = ()  # what the reading changed, for the index report (bytes replaced)

    @property
    def stored(self) -> bool:
        """Whether the text differs from ``source_text`` of the file, so the index must keep a copy."""
        return self.encoding != "UTF-8" or bool(self.notes)


def source_text(data: bytes) -> str:
    """A file's bytes as the text offsets point into; UnicodeDecodeError when not UTF-8.

    Offsets are into the text as Python reads it (universal newlines), so a reader doing
    open(path, encoding="utf-8").read()[start:end] sees the quote.
    """
    return _newlines(data.decode("utf-8"))


def _newlines(raw: str) -> str:
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return raw


def decode(data: bytes) -> Decoded:
    """The file's text and how it was read; Unreadable when the bytes are not text in any encoding tried."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(_newlines(data.decode("utf-16")), "UTF-16")
        except UnicodeDecodeError as e:
            raise Unreadable(f"starts as UTF-16 but is not (byte {e.start})") from None
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file")
    try:
        return Decoded(source_text(data), "UTF-8")
    except UnicodeDecodeError as e:
        first_bad = e.start
    utf8 = data.decode("utf-8", errors="replace")
    bad = utf8.count("\ufffd")
    if sum(c > "\x7f" and c != "\ufffd" for c in utf8) >= 4 * bad:
        # mostly good UTF-8 ("café", "—") with a few broken bytes: a legacy decoding would garble the good ones
        return Decoded(_newlines(utf8), "UTF-8", (f"{bad} byte(s) that are not UTF-8 shown as \ufffd",))
    try:
        text, encoding = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "Latin-1"
    if len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise Unreadable(f"not text: not UTF-8 (byte {first_bad}) and control characters in any other encoding")
    return Decoded(_newlines(text), encoding)


def read_decoded(data: bytes, parse: Callable[[str], Extracted]) -> Extracted:
    """``parse`` the decoded text; a file not read as plain UTF-8 has its text stored by the index."""
    d = decode(data)
    e = parse(d.text)
    if not d.stored:
        return e
    return dataclasses.replace(e, stored=True, left_out=e.left_out + d.notes)
