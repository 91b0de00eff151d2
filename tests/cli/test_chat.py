"""`citebot chat`: commands are not questions, Ctrl-D and /quit leave cleanly, an empty line re-prompts; on a
terminal (a real pty) lines are edited with readline and the history is kept in the cache folder."""
from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time

import pytest

from citebot.chat import PROMPT, chat, help_text
from citebot.cli import main
from index.errors import CitebotError
from tests.conftest import ROOT


class Recorder:
    def __init__(self, fail: str | None = None):
        self.questions: list[str] = []
        self.fail = fail

    def __call__(self, question: str) -> str:
        self.questions.append(question)
        if question == self.fail:
            raise CitebotError(f"cannot answer {question!r}")
        return f"answer to {question}"


def run(monkeypatch, capsys, text: str, answer=None) -> tuple[int, str, Recorder]:
    answer = answer or Recorder()
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = chat(answer)
    return code, capsys.readouterr().out, answer


@pytest.mark.parametrize("command", ["/help", "help", " HELP ", "/Help"])
def test_help_lists_the_commands_and_is_not_a_question(command, monkeypatch, capsys):
    code, out, answer = run(monkeypatch, capsys, f"{command}\nfirst\n")
    assert code == 0 and answer.questions == ["first"]
    assert help_text() in out
    for name in ("/help", "/quit", "/exit", "Ctrl-D"):
        assert name in help_text()


@pytest.mark.parametrize("command", ["/quit", "/exit", "/QUIT", "quit", "exit", " Exit ", ":q"])
def test_quit_and_exit_leave_without_reading_more(command, monkeypatch, capsys):
    code, out, answer = run(monkeypatch, capsys, f"first\n{command}\nsecond\n")
    assert code == 0 and answer.questions == ["first"] and "second" not in out


def test_piped_input_ends_at_eof_with_answers_only(monkeypatch, capsys):
    code, out, answer = run(monkeypatch, capsys, "first\nsecond\n")
    assert code == 0 and answer.questions == ["first", "second"]
    assert out.endswith("> first\nanswer to first\n\n> second\nanswer to second\n\n")  # each echoed, then a gap
    assert PROMPT not in out  # no prompt glued to the answers when stdin is not a terminal


def test_a_question_that_starts_with_quit_is_still_a_question(monkeypatch, capsys):
    code, out, answer = run(monkeypatch, capsys, "exit polls in May?\nquit smoking rates\n")
    assert answer.questions == ["exit polls in May?", "quit smoking rates"]


def test_an_empty_line_is_skipped(monkeypatch, capsys):
    code, out, answer = run(monkeypatch, capsys, "\n   \nfirst\n")
    assert code == 0 and answer.questions == ["first"]


def test_an_unknown_command_is_not_a_question(monkeypatch, capsys):
    code, out, answer = run(monkeypatch, capsys, "/quiet please\nfirst\n")
    assert answer.questions == ["first"] and "unknown command /quiet" in out and "/help" in out


def test_an_error_is_one_line_and_the_session_goes_on(monkeypatch, capsys):
    code, out, answer = run(monkeypatch, capsys, "bad\nfirst\n", Recorder(fail="bad"))
    assert code == 0 and answer.questions == ["bad", "first"]
    assert "error: cannot answer 'bad'\n" in out and "answer to first" in out


def test_citebot_chat_takes_commands_through_the_cli(news_index, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("help\n/exit\n"))
    assert main(["chat", "--index-dir", str(news_index[1])]) == 0
    out = capsys.readouterr().out
    assert help_text() in out and "error" not in out


@pytest.mark.parametrize("args, message", [
    (["--min-confidence", "3"], "--min-confidence must be between 0.0 and 1.0 (got 3.0)"),
    (["--answerer", "foo"], "invalid answerer 'foo'"),
    (["-k", "0"], "-k must be at least 1 (got 0)"),
    (["--answerer", "heuristic", "--min-confidence", "0.3"], "min_confidence is the reader's threshold"),
    (["--index-dir", "NOWHERE"], "no index at"),
])
def test_bad_options_and_a_missing_index_stop_chat_before_the_first_prompt(news_index, tmp_path, monkeypatch, capsys,
                                                                            args, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO("q1\nq2\n"))
    args = [str(tmp_path / "none") if a == "NOWHERE" else a for a in args]
    index = [] if "--index-dir" in args else ["--index-dir", str(news_index[1])]
    assert main(["chat", *index, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and captured.err.count("\n") == 1


def test_importing_the_chat_module_does_not_load_readline():
    code = "import sys, citebot.chat, citebot.commands; print('readline' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "False", r.stderr


# -- on a terminal -------------------------------------------------------------------------------------------

CHAT = "import sys; from citebot.chat import chat; sys.exit(chat(lambda q: 'answer to ' + q))"
CTRL_P = "\x10"  # readline: the previous line in the history (emacs mode)


class Terminal:
    """A chat process whose stdin, stdout and stderr are a pseudo-terminal."""

    def __init__(self, cache_dir):
        pytest.importorskip("readline")
        import pty

        self.fd, child = pty.openpty()
        env = {**os.environ, "CITEBOT_CACHE_DIR": str(cache_dir), "TERM": "dumb"}
        self.proc = subprocess.Popen([sys.executable, "-c", CHAT], cwd=ROOT, env=env, stdin=child, stdout=child,
                                     stderr=child, close_fds=True)
        os.close(child)
        self.seen = ""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r} in {self.seen!r}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    self.seen += os.read(self.fd, 4096).decode(errors="replace")
                except OSError:  # the process ended and closed the terminal
                    assert text in self.seen, f"never saw {text!r} in {self.seen!r}"

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def finish(self) -> int:
        try:
            code = self.proc.wait(timeout=30)
            try:  # what it printed last
                while select.select([self.fd], [], [], 0.2)[0]:
                    self.seen += os.read(self.fd, 4096).decode(errors="replace")
            except OSError:
                pass
            return code
        finally:
            os.close(self.fd)


def test_history_is_kept_in_the_cache_folder_and_recalled_with_readline(tmp_path):
    cache = tmp_path / "cache"
    first = Terminal(cache)
    first.wait_for(PROMPT)
    first.type("who reopened the bridge\r")
    first.wait_for("answer to who reopened the bridge")
    first.type("/quit\r")
    assert first.finish() == 0
    assert "who reopened the bridge" in (cache / "chat_history").read_text()

    second = Terminal(cache)
    second.wait_for(PROMPT)
    second.type(CTRL_P + "\r")  # the previous session's question, recalled and sent again
    second.wait_for(f"answer to who reopened the bridge\r\n{PROMPT}")  # the next prompt: readline reads keys
    second.type("\x04")  # Ctrl-D
    assert second.finish() == 0


def test_a_history_that_cannot_be_written_never_crashes_chat(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    term = Terminal(blocker)
    term.wait_for(PROMPT)
    term.type("first\r")
    term.wait_for(f"answer to first\r\n{PROMPT}")
    term.type("\x04")
    assert term.finish() == 0
    assert "history not saved" in term.seen and "Traceback" not in term.seen
