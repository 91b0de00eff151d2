"""Eval progress: a few plain lines when stderr is not a terminal (fake clock), rich bars when it is."""
import io

from eval.progress import PlainProgress, progress_tracker


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Lines(io.StringIO):
    """A non-terminal stream that also notes the clock at each line written."""

    def __init__(self, clock):
        super().__init__()
        self.clock, self.times = clock, []

    def write(self, text):
        self.times += [self.clock()] * text.count("\n")
        return super().write(text)

    def lines(self):
        return self.getvalue().splitlines()


def feed(tracker, clock, labels, total, seconds_each):
    advances = [tracker(label, total) for label in labels]
    for _ in range(total):
        for advance in advances:  # interleaved, as eval.runner asks every system in turn
            clock.now += seconds_each
            advance()


def test_63_questions_give_about_ten_lines_and_end_with_done():
    clock = Clock()
    out = Lines(clock)
    feed(PlainProgress(out, clock), clock, ["citebot"], 63, 0.2)
    lines = out.lines()
    assert 2 <= len(lines) <= 11
    assert lines[-1].split(":")[0].strip().startswith("done") and "citebot 63/63" in lines[-1]
    assert not any(line.strip().startswith("done") for line in lines[:-1])


def test_systems_asked_in_turn_share_the_lines():
    clock = Clock()
    out = Lines(clock)
    systems = ["citebot", "heuristic", "baseline", "reader (never abstains)", "heuristic (never abstains)"]
    feed(PlainProgress(out, clock), clock, systems, 63, 0.05)
    lines = out.lines()
    assert len(lines) <= 11
    assert all(f"{name} 63/63" in lines[-1] for name in systems) and lines[-1].strip().startswith("done")


def test_slow_work_gets_a_line_every_ten_seconds_and_no_more_often():
    clock = Clock()
    out = Lines(clock)
    feed(PlainProgress(out, clock), clock, ["citebot"], 200, 1.5)  # 10 % = 30 s of work
    lines, times = out.lines(), out.times
    done = [int(line.split("citebot ")[1].split("/")[0]) for line in lines]
    assert len(lines) > 11                                    # more than one line per tenth: the 10 s rule
    for (t0, d0), (t1, d1) in zip(zip(times, done), zip(times[1:-1], done[1:-1])):
        assert t1 - t0 >= 10 or d1 - d0 >= 20                 # never more often than 10 s or 10 %
        assert t1 - t0 <= 10 + 1.5                            # and no longer silent than 10 s (plus one item)


def test_a_stage_of_unknown_size_then_the_next_stage():
    clock = Clock()
    out = Lines(clock)
    track = PlainProgress(out, clock)
    index = track("indexing", None)
    for done in range(1, 41):
        clock.now += 0.1
        index(1, total=40)
    feed(track, clock, ["citebot", "baseline"], 10, 0.1)
    lines = out.lines()
    finished = [line for line in lines if line.strip().startswith("done")]
    assert len(finished) == 2 and "indexing 40/40" in finished[0] and "citebot 10/10" in finished[1]
    assert "indexing" not in " ".join(lines[lines.index(finished[0]) + 1:])
    assert len(lines) <= 2 * 11


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_rich_bars_and_a_pipe_gets_lines():
    term = Terminal()
    with progress_tracker(term) as track:
        assert not isinstance(track, PlainProgress)
        advance = track("citebot", 3)
        for _ in range(3):
            advance()
    assert "citebot" in term.getvalue() and "\x1b[" in term.getvalue()  # drawn with terminal control codes
    pipe = io.StringIO()
    with progress_tracker(pipe) as track:
        assert isinstance(track, PlainProgress)
        track("citebot", 1)()
    assert pipe.getvalue().strip().startswith("done")


def test_the_cli_uses_the_progress_helper():
    import eval.cli
    import eval.progress

    assert eval.cli.progress_tracker is eval.progress.progress_tracker
