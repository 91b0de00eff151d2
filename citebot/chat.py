"""`citebot chat`: one question per line until quit, exit, :q (or /quit, /exit) or Ctrl-D; line editing and history
on a terminal. Piped input echoes each question ("> question") before its answer.

An empty line re-prompts. A line starting with "/" is a command, never a question. On a terminal the line is
edited with readline and earlier questions (not commands) are recalled with the arrow keys; the history is kept in
the citebot cache folder (``$CITEBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/citebot``, else ``~/.cache/citebot``).
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROMPT = "? "
INTRO = "citebot chat: ask a question about the indexed documents; /help for commands, quit or Ctrl-D to leave."
QUIT = ("/quit", "/exit", "quit", "exit", ":q")  # the bare word only: "exit polls in May?" is a question
HELP = ("/help", "help")
HISTORY_FILE = "chat_history"
HISTORY_LENGTH = 1000


def chat(answer: Callable[[str], str]) -> int:
    """Read questions from stdin and print ``answer(question)`` for each; returns the exit status.

    A ``CitebotError`` from ``answer`` is printed as one line and the session goes on."""
    from index.errors import CitebotError

    history = History.start() if sys.stdin.isatty() else None
    prompt = PROMPT if sys.stdin.isatty() else ""  # piped input: answers only, not glued to a prompt
    print(INTRO)
    try:
        while True:
            try:
                line = input(prompt).strip()
            except EOFError:  # Ctrl-D: leave the shell's prompt on a line of its own
                if prompt:
                    print()
                return 0
            command = line.lower()
            if not line:
                continue
            if history is not None and (command in QUIT or command in HELP or line.startswith("/")):
                history.forget_last()  # the arrow keys recall questions, not /quit
            if command in QUIT:
                return 0
            if command in HELP:
                print(help_text(history))
            elif line.startswith("/"):
                print(f"unknown command {line.split()[0]}; /help lists the commands")
            else:
                if not prompt:
                    print(f"> {line}")  # piped: which question this answer is for
                try:
                    print(answer(line))
                except CitebotError as e:
                    print(f"error: {e}")
                if not prompt:
                    print()  # piped: a blank line between answers (a terminal has the prompt)
    finally:
        if history is not None:
            history.save()


def help_text(history: History | None = None) -> str:
    lines = ["Commands:",
             "  /help, help    this list",
             "  quit, exit, :q leave (also /quit, /exit, Ctrl-D)",
             "Tips:",
             "  Ask one question per line about the indexed documents.",
             "  Answers cite the passages they quote as [n], listed under Sources; when nothing answers the",
             "  question, citebot says so and lists related passages instead (and the closest passage, not",
             "  confirmed as an answer, where only the reader doubted it).",
             "  An empty line does nothing."]
    if history is not None:
        lines.append(f"  Up and down arrows recall earlier questions (kept in {history.path}).")
    return "\n".join(lines)


@dataclass(frozen=True)
class History:
    """readline's history, read from and written to the cache folder; a failure to write it is one line."""

    path: Path

    @classmethod
    def start(cls) -> History | None:
        try:
            import readline  # line editing for input(), on a terminal only
        except ImportError:  # a Python built without it
            return None
        from index.onnx_text import cache_dir

        history = cls(cache_dir() / HISTORY_FILE)
        readline.set_history_length(HISTORY_LENGTH)
        try:
            readline.read_history_file(history.path)
        except OSError:  # none yet, or unreadable: start empty
            pass
        return history

    def forget_last(self) -> None:
        import readline

        if readline.get_current_history_length():
            readline.remove_history_item(readline.get_current_history_length() - 1)

    def save(self) -> None:
        import readline

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(self.path)
        except OSError as e:
            print(f"citebot chat: history not saved to {self.path}: {e.strerror or e}", file=sys.stderr)
