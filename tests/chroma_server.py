"""A real Chroma server on loopback (``chroma run``), for the tests and benchmarks/chroma_bench.py."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.served import answers_ok, free_port, served

CHROMA = Path(sys.executable).with_name("chroma")


@contextmanager
def chroma_server(db: Path, timeout: float = 60.0) -> Iterator[str]:
    """Start ``chroma run --path db`` on a free loopback port, yield its URL, stop it on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(CHROMA), "run", "--path", str(db), "--host", "127.0.0.1", "--port", str(port)]
    with served(cmd, db.parent / f"{db.name}-server.log", lambda: answers_ok(f"{url}/api/v2/heartbeat"), "chroma server", timeout,
                env=dict(os.environ, ANONYMIZED_TELEMETRY="False")):
        yield url
