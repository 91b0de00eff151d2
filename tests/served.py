"""A server process for the tests: started on a free loopback port, waited for, stopped at the end."""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_ok(url: str) -> bool:
    """True when a GET of ``url`` answers 200 (a health check: anything else, or no answer, is not ready)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def served(cmd: Sequence[str], log_path: Path, ready: Callable[[], bool], what: str, timeout: float = 60.0,
           env: dict | None = None) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` with its output in ``log_path``; yield the process once ``ready()``; terminate (then kill) it on
    exit. A process that exits or is not ready within ``timeout`` raises with the end of its log."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
                    raise RuntimeError(f"{what} did not start ({log_path}):\n{tail}")
                time.sleep(0.2)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
