"""Text files not in UTF-8 are read, not skipped: each encoding decoded once, the text stored by the index."""
import codecs

import pytest

from index.readers.base import Unreadable
from index.readers.decode import decode, source_text
from index.readers.markdown import MarkdownReader
from index.readers.text import TextReader

SENTENCE = "The caf\u00e9 \u201cLe Port\u201d opens at 7 \u2014 every day.\nIts owner is Ren\u00e9e."


def test_utf8_is_the_file_itself():
    d = decode(SENTENCE.encode("utf-8"))
    assert (d.text, d.encoding, d.stored) == (SENTENCE, "UTF-8", False)
    assert TextReader().read(SENTENCE.encode("utf-8")).stored is False


def test_windows_1252_is_decoded_and_stored():
    data = SENTENCE.replace("\n", "\r\n").encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        source_text(data)
    d = decode(data)
    assert (d.text, d.encoding, d.notes) == (SENTENCE, "Windows-1252", ())
    e = TextReader().read(data)
    assert e.stored and e.text == SENTENCE


def test_latin_1_where_a_byte_is_undefined_in_windows_1252():
    text = "Die Stra\u00dfe am Caf\u00e9 ist ab Montag gesperrt. " * 8 + "\u0081"  # 0x81: not in cp1252
    d = decode(text.encode("latin-1"))
    assert (d.text, d.encoding) == (text, "Latin-1")


def test_utf16_with_byte_order_mark_as_notepad_writes_it():
    data = codecs.BOM_UTF16_LE + SENTENCE.replace("\n", "\r\n").encode("utf-16-le")
    d = decode(data)  # the NUL bytes of UTF-16 are not taken for a binary file
    assert (d.text, d.encoding) == (SENTENCE, "UTF-16")
    e = MarkdownReader().read(data)
    assert e.stored and e.text == SENTENCE


def test_utf8_with_a_broken_byte_keeps_its_good_characters():
    data = SENTENCE.encode("utf-8") + b" Broken \xff byte."
    d = decode(data)
    assert d.encoding == "UTF-8" and d.text.startswith(SENTENCE) and "\ufffd" in d.text
    assert d.stored and "1 byte(s) that are not UTF-8" in d.notes[0]
    assert TextReader().read(data).left_out == d.notes  # named in the index report


@pytest.mark.parametrize("data", [bytes(range(0x80, 0x100)) * 40, bytes(range(1, 0x100)) * 40])
def test_bytes_that_are_no_text_in_any_encoding_are_unreadable(data):
    with pytest.raises(Unreadable, match="not text"):
        decode(data)


def test_binary_is_still_binary():
    with pytest.raises(Unreadable, match="binary file"):
        decode(b"\x00\x01\x02abc")
