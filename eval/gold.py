"""Gold questions: the record, loading a JSON-lines file, and validation with one-line errors."""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from qa.errors import CitebotError

# absent: on topic, but the passage that answers it is not among the documents (citebot eval squad --absent)
KINDS = ("single", "multi", "unanswerable", "noise", "absent")
ANSWERABLE = ("single", "multi")
FIELDS = ("id", "question", "answers", "docs", "evidence", "kind")
DEFAULT_GOLD = Path(__file__).resolve().parent / "gold" / "seeds.jsonl"


class GoldError(CitebotError):
    """A gold file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class GoldItem:
    """One question with what counts as a right answer (see eval/README.md for the format)."""

    id: str
    question: str
    answers: tuple[str, ...]   # acceptable answer strings (empty when there is no answer)
    docs: tuple[str, ...]      # doc_ids (paths relative to the indexed folder; the file stem is enough when unique)
    evidence: str              # a supporting quote from one of the docs ("" when none)
    kind: str                  # single / multi / unanswerable / noise / absent (see KINDS)

    @property
    def answerable(self) -> bool:
        return self.kind in ANSWERABLE


def _strings(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{name}' must be a list of strings")
    return tuple(value)


def parse_item(obj: object) -> GoldItem:
    """A GoldItem from one decoded JSON object; ValueError says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    missing = [f for f in FIELDS if f not in obj]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)}")
    for name in ("id", "question", "evidence", "kind"):
        if not isinstance(obj[name], str):
            raise ValueError(f"'{name}' must be a string")
    item = GoldItem(obj["id"].strip(), " ".join(obj["question"].split()), _strings(obj["answers"], "answers"),
                    _strings(obj["docs"], "docs"), obj["evidence"], obj["kind"])
    check_item(item)
    return item


def check_item(item: GoldItem) -> None:
    if not item.id:
        raise ValueError("'id' is empty")
    if not item.question:
        raise ValueError("'question' is empty")
    if item.kind not in KINDS:
        raise ValueError(f"invalid kind {item.kind!r}; valid values: {', '.join(KINDS)}")
    if item.answerable and not any(a.strip() for a in item.answers):
        raise ValueError(f"kind {item.kind!r} needs at least one non-empty answer")
    if item.answerable and not item.docs:
        raise ValueError(f"kind {item.kind!r} needs at least one doc_id in 'docs'")
    if not item.answerable and (item.answers or item.docs):
        raise ValueError(f"kind {item.kind!r} must have empty 'answers' and 'docs'")


def parse_lines(lines: Iterable[str], where: str) -> list[GoldItem]:
    """GoldItems from JSON lines; blank lines are skipped; errors name ``where:line``."""
    items, seen = [], {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = parse_item(json.loads(line))
        except json.JSONDecodeError as e:
            raise GoldError(f"{where}:{n}: invalid JSON ({e.msg} at column {e.colno})") from e
        except ValueError as e:
            raise GoldError(f"{where}:{n}: {e}") from e
        if item.id in seen:
            raise GoldError(f"{where}:{n}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = n
        items.append(item)
    if not items:
        raise GoldError(f"{where}: no gold questions in the file")
    return items


def load_gold(path: str | os.PathLike = DEFAULT_GOLD) -> list[GoldItem]:
    """Read and validate a gold JSON-lines file."""
    path = Path(path)
    if not path.is_file():
        raise GoldError(f"gold file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise GoldError(f"{path}: not UTF-8 (byte {e.start})") from e
    return parse_lines(text.splitlines(), str(path))


def spread(items: list, limit: int | None) -> list:
    """``limit`` items evenly spaced through the file (all articles represented), or all of them."""
    if limit is None or limit >= len(items):
        return items
    if limit < 1:
        raise GoldError(f"invalid --limit {limit}; must be at least 1")
    return [items[i * len(items) // limit] for i in range(limit)]


def check_docs(items: Iterable[GoldItem], known: Iterable[str], where: str) -> list[GoldItem]:
    """The items with each doc they name as the index's doc_id. A gold doc is an index doc_id (a path relative to
    the indexed folder) or, as gold files written for older citebots say, its name without the suffix when only
    one document has it. A doc in no way in the corpus is an error, else retrieval scores would silently be 0."""
    known = list(dict.fromkeys(known))
    ids = {d: d for d in known}
    stems: dict[str, list[str]] = {}
    for d in known:
        stems.setdefault(os.path.splitext(d)[0], []).append(d)
    ids.update({s: found[0] for s, found in stems.items() if len(found) == 1 and s not in ids})
    items = list(items)
    unknown = sorted({d for it in items for d in it.docs if d not in ids})
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise GoldError(f"{where}: gold docs not in the index: {shown}; index the folder holding them "
                        f"(--docs DIR) or fix the gold file")
    return [replace(it, docs=tuple(ids[d] for d in it.docs)) for it in items]
