"""How much of each file's visible text the index holds: the check that no text is dropped silently."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

KEPT_WARN = 0.90  # a file that kept a smaller share of its visible text is named, with the reason


@dataclass(frozen=True)
class Kept:
    """One indexed document's figures: letters and digits kept (content and headings) of those visible."""

    doc_id: str
    source: str
    fmt: str
    kept_chars: int
    visible_chars: int
    left_out: tuple[str, ...]

    @property
    def share(self) -> float:
        return min(1.0, self.kept_chars / self.visible_chars) if self.visible_chars else 1.0

    @classmethod
    def of(cls, doc_id: str, entry: dict) -> "Kept":
        kept, visible = entry.get("kept") or (0, 0)
        return cls(doc_id, entry.get("source", ""), entry.get("format", "text"), int(kept), int(visible),
                   tuple(entry.get("left_out") or ()))

    def to_json(self) -> dict:
        return {"doc_id": self.doc_id, "source": self.source, "format": self.fmt, "kept_share": round(self.share, 4),
                "kept_chars": self.kept_chars, "visible_chars": self.visible_chars, "left_out": list(self.left_out)}

    def warning(self) -> str:
        why = "; left out: " + ", ".join(self.left_out) if self.left_out else \
            "; the rest was taken for page chrome, repeats or metadata"
        return f"{self.source}: kept {self.share:.0%} of its visible text{why}"


def kept_figures(documents: dict[str, dict]) -> list[Kept]:
    """The figures of every document of an index (doc id -> manifest entry)."""
    return [Kept.of(d, e) for d, e in sorted(documents.items())]


def kept_warnings(documents: dict[str, dict], read: list[str]) -> list[str]:
    """One line for each document read this run that kept less than KEPT_WARN of its visible text."""
    figures = (Kept.of(d, documents[d]) for d in read if d in documents)
    return [k.warning() for k in figures if k.share < KEPT_WARN]


def unsupported_line(counts: Counter, supported: str) -> str | None:
    """One line counting the files of types citebot does not read, by extension."""
    if not counts:
        return None
    parts = ", ".join(f"{n} {ext}" for ext, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])))
    return f"not indexed, type not supported: {parts} (citebot reads {supported})"
