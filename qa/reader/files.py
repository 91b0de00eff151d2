"""Reading the reader's versioned JSON files with one-line errors."""
from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from index.errors import ModelError

RETRAIN = "retrain with citebot train-reader, or answer without the reader: --answerer heuristic"


def read_versioned_json(path: Path, what: str, version: int, fix: str = RETRAIN) -> dict:
    """The decoded file; a ModelError naming the file when it is missing, not JSON or of another format."""
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ModelError(f"{what} not found: {path} ({e.strerror}); {fix}") from None
    except ValueError as e:
        raise ModelError(f"{what} {path} is not valid JSON ({e})") from None
    if not isinstance(d, dict) or d.get("format_version") != version:
        found = d.get("format_version") if isinstance(d, dict) else None
        raise ModelError(f"{what} {path} has format {found!r}; this citebot reads {version}: {fix}")
    return d


def checked_bytes(folder: Path, name: str, meta: dict, what: str = "reader model") -> bytes:
    """The file's bytes once its sha256 matches the one ``meta['files']`` vouches for; a ModelError otherwise."""
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"{what} file missing: {path} ({e.strerror})") from None
    expected = meta.get("files", {}).get(name)
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelError(f"{what} file {path} has sha256 {actual[:12]}…, expected {str(expected)[:12]}…; "
                         "the file is damaged or was replaced")
    return data


class PerFolder:
    """``get(folder=None)``: one model per folder per process, loaded on first use; no folder means ``$env`` or
    the shipped ``default``."""

    def __init__(self, load: Callable[[Path], object], env: str, default: Path):
        self.load, self.env, self.default = load, env, default
        self._models: dict[Path, object] = {}
        self._lock = threading.Lock()

    def __call__(self, folder: str | os.PathLike | None = None):
        path = Path(folder or os.environ.get(self.env) or self.default).resolve()
        with self._lock:
            if path not in self._models:
                self._models[path] = self.load(path)
            return self._models[path]
