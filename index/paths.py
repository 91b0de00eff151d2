"""Where an index lives: the one place that resolves the index folder (CLI flag, environment, default)."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INDEX_DIR = ".citebot/index"


def resolve_index_dir(index_dir: str | os.PathLike | None) -> Path:
    return Path(index_dir or os.environ.get("CITEBOT_INDEX_DIR") or DEFAULT_INDEX_DIR)
