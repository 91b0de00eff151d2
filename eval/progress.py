"""Progress of a long evaluation on stderr: rich bars on a terminal, a few plain lines when piped or logged.

A tracker is eval.suite's ``Tracker``: ``track(label, total or None)`` returns ``advance(n=1, total=None)``.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

STEP = 0.1        # without a terminal, a line once the work has moved on a tenth ...
INTERVAL = 10.0   # ... or once 10 s have passed since the last line, whichever comes first


@dataclass
class _Task:
    label: str
    total: int | None
    done: int = 0


class PlainProgress:
    """A Tracker that writes lines, not bars. The tasks added since the last "done" line are one stage
    (the systems of an eval are asked in turn, so their tasks move together): a line is written when the
    stage has moved on ``step`` of its work or ``interval`` seconds have passed (and something moved), and
    one "done" line when all its tasks with a known total are complete."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic,
                 step: float = STEP, interval: float = INTERVAL) -> None:
        self._stream, self._clock, self._step, self._interval = stream, clock, step, interval
        self._stage: list[_Task] = []
        self._started = self._at = clock()
        self._shown = (0.0, 0)  # (share done, items done) at the last line

    def __call__(self, label: str, total: int | None) -> Callable[..., None]:
        if self._stage and self._complete():
            self._stage, self._started, self._shown = [], self._clock(), (0.0, 0)
        task = _Task(label, total)
        self._stage.append(task)
        self._shown = (min(self._shown[0], self._share()), self._shown[1])

        def advance(n: int = 1, total: int | None = None) -> None:
            if self._complete():
                return
            task.done += n
            task.total = total or task.total
            self._update()
        return advance

    def _counted(self) -> list[_Task]:
        return [t for t in self._stage if t.total]

    def _share(self) -> float:
        counted = self._counted()
        total = sum(t.total or 0 for t in counted)
        return min(1.0, sum(t.done for t in counted) / total) if total else 0.0

    def _complete(self) -> bool:
        counted = self._counted()
        return bool(counted) and all(t.done >= (t.total or 0) for t in counted)

    def _update(self) -> None:
        now, share, done = self._clock(), self._share(), sum(t.done for t in self._stage)
        if self._complete():
            self._write(f"done in {now - self._started:.0f} s", self._counted())
        elif done > self._shown[1] and (share - self._shown[0] >= self._step - 1e-9
                                        or now - self._at >= self._interval):
            self._write(f"{share:.0%}", [t for t in self._counted() if t.done < (t.total or 0)])
        else:
            return
        self._at, self._shown = now, (share, done)

    def _write(self, head: str, tasks: list[_Task]) -> None:
        body = ", ".join(f"{t.label} {t.done}/{t.total or '?'}" for t in tasks)
        print(f"  {head}: {body}", file=self._stream or sys.stderr, flush=True)


@contextmanager
def rich_progress(stream: TextIO | None = None) -> Iterator[Callable[..., Callable[..., None]]]:
    """A Tracker drawing one rich progress bar per task on ``stream`` (stderr), cleared when it ends."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(file=stream or sys.stderr), transient=True) as bar:
        def track(label: str, total: int | None) -> Callable[..., None]:
            task = bar.add_task(label, total=total)
            return lambda n=1, total=None: bar.update(task, advance=n, **({"total": total} if total else {}))

        yield track


@contextmanager
def progress_tracker(stream: TextIO | None = None) -> Iterator[Callable[..., Callable[..., None]]]:
    """Rich bars when ``stream`` (default stderr) is a terminal, else a PlainProgress writing to it."""
    stream = stream or sys.stderr
    if stream.isatty():
        with rich_progress(stream) as track:
            yield track
    else:
        yield PlainProgress(stream)
