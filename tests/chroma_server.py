"""A real Chroma server on loopback (``chroma run``), for the tests and benchmarks/chroma_bench.py."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chroma_server(db: Path, timeout: float = 60.0) -> Iterator[str]:
    """Start ``chroma run --path db`` on a free loopback port, yield its URL, stop it on exit."""
    port = free_port()
    log_path = db.parent / f"{db.name}-server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(CHROMA), "run", "--path", str(db), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT,
                                env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while not _alive(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma server did not start: {log_path.read_text()}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _alive(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False
