"""The Slack votes as a file to read or share: JSON Lines (every field) or CSV (one row per vote, for a spreadsheet).

Times are ISO 8601 in UTC. Each citation is written as ``source [start-end]``, the characters of the source file it
quotes; JSON Lines keeps every citation field as well.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # only for annotations: `citebot` lists this command's formats without loading qa
    from qa import Citation

    from .feedback import FeedbackRecord

# The columns of the CSV, in order: one per FeedbackRecord field, citations as their source passages.
CSV_COLUMNS = ("voted_at", "vote", "user_id", "question", "answer", "abstained", "sources", "closest",
               "answerer", "confidence", "low_confidence", "off_topic", "asked", "asker_id", "answered_at",
               "channel_id", "message_ts", "answer_id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def where(c: Citation) -> str:
    return f"{c.source} [{c.start}-{c.end}]"


def json_lines(records: Iterable[FeedbackRecord], out: TextIO) -> int:
    n = 0
    for r in records:
        row = asdict(r)
        row.update(voted_at=utc(r.voted_at), answered_at=utc(r.answered_at))
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def csv_rows(records: Iterable[FeedbackRecord], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for r in records:
        row = {**asdict(r), "voted_at": utc(r.voted_at), "answered_at": utc(r.answered_at),
               "sources": " | ".join(map(where, r.citations)), "closest": " | ".join(map(where, r.closest))}
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
        n += 1
    return n


def _cell(value) -> str:
    """A CSV cell: empty for None, ``'`` before text a spreadsheet would take for a formula (a question typed in
    Slack may start with "=")."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


FORMATS: dict[str, Callable[[Iterable[FeedbackRecord], TextIO], int]] = {"jsonl": json_lines, "csv": csv_rows}
