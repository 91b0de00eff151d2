"""Answer-time check that cited files still hold the text they were indexed with.

A file edited or deleted after ``citebot index`` can leave offsets pointing at other text. Each retrieved source
is checked against its indexed content hash (cached per path, mtime, size: a warm ask only stats the files); in a
changed file a passage is re-pointed to its occurrence nearest the old offset, or dropped when its text is gone.
The answerer then answers from the passages that are left, exactly as it answers any question: what is left is
scored against the answerer's own threshold, and a weak remainder abstains like any other weak answer.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from index import open_index
from index.ingest import source_text
from index.readers.decode import decode
from index.readers import reader_for
from index.types import content_hash

from .types import Answer, Passage

log = logging.getLogger(__name__)

MAX_CACHED = 4096
# A file modified this recently can change again within one mtime tick without changing size: not cached.
RACY_NS = 2_000_000_000
_MISS = object()
_STATE: dict[tuple[str, int, int, str], str | None] = {}
_LOCK = threading.Lock()


def current_text(source: str, indexed_hash: str, file_sha256: str | None = None) -> str | None:
    """None while ``source`` holds the text it was indexed with; else its text now ("" when gone or unreadable).

    ``file_sha256``: for a document whose text was extracted (PDF, DOCX), the sha256 of the file as indexed; the
    file's bytes are compared with it, and only a changed file is read again (by its format's reader)."""
    try:
        st = os.stat(source)
    except OSError:
        return ""
    key = (source, st.st_mtime_ns, st.st_size, indexed_hash)
    cached = _STATE.get(key, _MISS)
    if cached is not _MISS:
        return cached  # type: ignore[return-value]
    try:
        with open(source, "rb") as f:
            data = f.read()
        if file_sha256:
            value = None if hashlib.sha256(data).hexdigest() == file_sha256 else _extracted(source, data)
        else:
            text = source_text(data)  # the same reading as indexing: UTF-8, universal newlines
            value = None if content_hash(text) == indexed_hash else text
    except (OSError, UnicodeDecodeError):
        value = ""
    if time.time_ns() - st.st_mtime_ns > RACY_NS:
        with _LOCK:
            while len(_STATE) >= MAX_CACHED:
                _STATE.pop(next(iter(_STATE)))
            _STATE[key] = value
    return value


def document_text(source: str, index_dir: str | os.PathLike | None = None) -> str:
    """The text a document's citation offsets point into: a text file's own text (UTF-8, universal newlines; a
    file in another encoding decoded as indexing decodes it), or what its reader extracts from a PDF or DOCX file
    (the same text the index stores, while the file is unchanged). With ``index_dir``, a document whose text the
    index stores is read from there while the file's bytes are those indexed: the very text the offsets were taken
    from, even after an upgrade of citebot changed how its reader extracts. OSError or Unreadable when the file
    cannot be read."""
    with open(source, "rb") as f:
        data = f.read()
    stored = open_index(index_dir).indexed_text(source, data) if index_dir is not None else None
    if stored is not None:
        return stored
    reader = reader_for(source)
    if reader is not None and reader.stores_text:
        return reader.read(data).text
    try:
        return source_text(data)
    except UnicodeDecodeError:
        return decode(data).text


def _extracted(source: str, data: bytes) -> str:
    """A changed PDF or DOCX file's text now, as its reader extracts it ("" when it cannot be read)."""
    reader = reader_for(source)
    try:
        return reader.read(data).text if reader is not None else ""
    except Exception:  # unreadable now: its quotes cannot be found
        return ""


def relocate(quote: str, start: int, text: str) -> int | None:
    """Where ``quote`` starts in ``text``: ``start`` if it is still there, else its nearest occurrence, else None."""
    if text[start:start + len(quote)] == quote:
        return start
    hits = [i for i in (text.rfind(quote, 0, start + len(quote) - 1), text.find(quote, start)) if i >= 0]
    return min(hits, key=lambda i: (abs(i - start), i)) if hits else None


def _repoint(p: Passage, stale: Mapping[str, str]) -> Passage | None:
    """The passage where its text is now in its changed file (nearest the old offset), or None when it is gone."""
    if p.source not in stale:
        return p
    at = relocate(p.text, p.start, stale[p.source])
    if at is None:
        return None
    return p if at == p.start else dataclasses.replace(p, start=at, end=at + len(p.text))


@dataclasses.dataclass(frozen=True)
class SourceCheck:
    """Checks answers and passages against one index generation's documents (doc_id -> manifest entry)."""

    documents: Mapping[str, Mapping]

    def stale(self, items: Iterable[Passage]) -> dict[str, str]:
        """source -> current text of each indexed source among ``items`` that changed; one warning line each."""
        out: dict[str, str] = {}
        for doc_id, source in {(i.doc_id, i.source) for i in items}:
            entry = self.documents.get(doc_id)
            if entry is None or entry.get("source") != source:
                continue  # not from this index: nothing to compare with
            text = current_text(source, entry["content_hash"], entry.get("file_sha256"))
            if text is not None:
                out[source] = text
        for source in sorted(out):
            what = "changed" if os.path.exists(source) else "was deleted"
            log.warning("%s %s since it was indexed; answered from what the file holds now; "
                        "run citebot index again", source, what)
        return out

    def passages(self, passages: Sequence[Passage]) -> list[Passage]:
        return self.current(passages)[0]

    def answered(self, question: str, passages: Sequence[Passage],
                 answer: Callable[[str, Sequence[Passage]], Answer]) -> Answer:
        """``answer(question, passages)`` made from the passages as their files are now.

        Unchanged files: the answer as the answerer gives it. Changed or deleted ones: each passage re-pointed to
        where its text is now, or dropped where it is gone; the answerer then answers from what is left (its
        citations are true to the files, and it abstains when what is left scores under its own threshold), with
        ``stale_sources`` and one notice."""
        now, stale = self.current(passages)
        return self.flag(answer(question, now), stale)

    def current(self, passages: Sequence[Passage]) -> tuple[list[Passage], dict[str, str]]:
        """The passages as their files are now (see ``answered``), and source -> text now of each changed one."""
        stale = self.stale(passages)
        return [q for p in passages if (q := _repoint(p, stale)) is not None], stale

    @staticmethod
    def flag(answer: Answer, stale: Mapping[str, str]) -> Answer:
        """``answer`` with the changed sources named, and the notice to re-index (as it is when none changed)."""
        if not stale:
            return answer
        n = len(stale)
        return dataclasses.replace(answer, stale_sources=tuple(sorted(stale))).with_notice(
            f"{n} source{'s' if n > 1 else ''} changed since indexing; run citebot index")
