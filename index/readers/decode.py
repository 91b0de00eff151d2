"""Bytes of a text file -> the text offsets point into."""
from __future__ import annotations

from .base import Unreadable


def source_text(data: bytes) -> str:
    """A file's bytes as the text offsets point into; UnicodeDecodeError when not UTF-8.

    Offsets are into the text as Python reads it (universal newlines), so a reader doing
    open(path, encoding="utf-8").read()[start:end] sees the quote.
    """
    raw = data.decode("utf-8")
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return raw


def decode_text(data: bytes) -> str:
    """``source_text``, or Unreadable naming why the bytes are not UTF-8 text."""
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file")
    try:
        return source_text(data)
    except UnicodeDecodeError as e:
        raise Unreadable(f"not UTF-8 (byte {e.start})") from None
