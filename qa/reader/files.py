"""Reading the reader's versioned JSON files with one-line errors."""
from __future__ import annotations

import json
from pathlib import Path

from index.errors import ModelError

RETRAIN = "retrain with citebot train-reader, or answer without the reader: --answerer heuristic"


def read_versioned_json(path: Path, what: str, version: int) -> dict:
    """The decoded file; a ModelError naming the file when it is missing, not JSON or of another format."""
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ModelError(f"{what} not found: {path} ({e.strerror}); {RETRAIN}") from None
    except ValueError as e:
        raise ModelError(f"{what} {path} is not valid JSON ({e})") from None
    if not isinstance(d, dict) or d.get("format_version") != version:
        found = d.get("format_version") if isinstance(d, dict) else None
        raise ModelError(f"{what} {path} has format {found!r}; this citebot reads {version}: {RETRAIN}")
    return d
