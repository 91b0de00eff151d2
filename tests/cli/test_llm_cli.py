"""A failing LLM on the command line: `citebot ask` exits non-zero with one line; `citebot chat` goes on with the
extractive answer and the line as a note; --llm-timeout / --llm-retries are checked (real sockets)."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from citebot.cli import main
from tests.conftest import ROOT
from tests.qa.llm_servers import HangingServer, closed_port_url
from tests.qa.test_llm_stub import StubOpenAI

QUESTION = "When did the harbour bridge reopen?"
LLM_ENV = ("CITEBOT_LLM_MODEL", "CITEBOT_LLM_BASE_URL", "CITEBOT_LLM_TIMEOUT", "CITEBOT_LLM_RETRIES",
           "CITEBOT_ANSWERER")


@pytest.fixture(autouse=True)
def no_llm_env(monkeypatch):
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


def llm_flags(url: str, *extra: str) -> list[str]:
    return ["--llm-model", "m", "--llm-base-url", url, "--llm-retries", "0", *extra]


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("citebot: error: "), err
    return err


def test_ask_with_a_closed_port_exits_non_zero_with_one_line(news_index, capsys):
    url = closed_port_url()
    assert main(["ask", QUESTION, "--index-dir", str(news_index[1]), *llm_flags(url)]) != 0
    out, err = capsys.readouterr()
    assert out == "" and f"LLM at {url} failed: connection refused" in one_line(err)


def test_ask_with_a_hanging_server_times_out_after_llm_timeout(news_index, capsys):
    server = HangingServer()
    try:
        code = main(["ask", QUESTION, "--index-dir", str(news_index[1]), *llm_flags(server.url, "--llm-timeout",
                                                                                      "0.3")])
    finally:
        server.close()
    err = capsys.readouterr().err
    assert code != 0 and f"LLM at {server.url} failed: timeout" in one_line(err) and "0.3 s" in err


@pytest.mark.parametrize("argv, env, words", [
    (["--llm-timeout", "-1"], {}, "--llm-timeout must be greater than 0 (got -1)"),
    (["--llm-timeout", "0"], {}, "--llm-timeout must be greater than 0 (got 0)"),
    (["--llm-retries", "-1"], {}, "--llm-retries must be a whole number from 0 to 10 (got -1)"),
    ([], {"CITEBOT_LLM_TIMEOUT": "later"}, "CITEBOT_LLM_TIMEOUT must be a number of seconds (got 'later')"),
    ([], {"CITEBOT_LLM_RETRIES": "2.5"}, "CITEBOT_LLM_RETRIES must be a whole number (got '2.5')"),
])
@pytest.mark.parametrize("command", ["ask", "chat"])
def test_bad_timeout_or_retries_is_one_line_before_anything_is_read(command, argv, env, words, tmp_path, capsys,
                                                                   monkeypatch):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a question that must not be read\n"))
    question = [QUESTION] if command == "ask" else []
    assert main([command, *question, "--index-dir", str(tmp_path / "none"), "--llm-model", "m", *argv]) == 2
    out, err = capsys.readouterr()
    assert one_line(err) == f"citebot: error: {words}\n" and out == ""


def chat(monkeypatch, capsys, ix, lines: list[str], *flags: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    code = main(["chat", "--index-dir", str(ix), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_chat_survives_a_closed_port_with_the_extractive_answer_and_a_note(news_index, monkeypatch, capsys):
    url = closed_port_url()
    main(["ask", QUESTION, "--index-dir", str(news_index[1])])
    extractive = capsys.readouterr().out.strip()
    main(["ask", QUESTION, "--index-dir", str(news_index[1]), *llm_flags(url)])
    error = capsys.readouterr().err.strip().removeprefix("citebot: error: ")
    code, out, err = chat(monkeypatch, capsys, news_index[1], [QUESTION, QUESTION, "/quit", "not asked"],
                          *llm_flags(url))
    assert code == 0 and err == ""
    assert out.count(f"note: showing the extractive answer: {error}\n{extractive}") == 2  # both questions
    assert "not asked" not in out


def test_chat_with_the_stub_llm_shows_its_answer_without_a_note(news_index, monkeypatch, capsys):
    stub = StubOpenAI()
    stub.replies.append("It reopened on Friday [1].")
    try:
        code, out, _ = chat(monkeypatch, capsys, news_index[1], [QUESTION], *llm_flags(stub.url))
    finally:
        stub.server.shutdown()
    assert code == 0 and "It reopened on Friday. [1]" in out and "note:" not in out and len(stub.requests) == 1


@pytest.mark.slow
def test_citebot_ask_and_chat_as_processes_against_a_closed_port(seeds_index):
    url = closed_port_url()
    flags = ["--index-dir", str(seeds_index), *llm_flags(url)]
    question = "Who is the president of the Migration Policy Institute?"
    r = subprocess.run([sys.executable, "-m", "citebot.cli", "ask", question, *flags], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode != 0 and r.stdout == "" and "Traceback" not in r.stderr
    assert f"LLM at {url} failed: connection refused" in one_line(r.stderr)
    c = subprocess.run([sys.executable, "-m", "citebot.cli", "chat", *flags], cwd=ROOT, input=f"{question}\n",
                       capture_output=True, text=True, timeout=300)
    assert c.returncode == 0 and "Traceback" not in c.stderr, c.stderr
    assert f"note: showing the extractive answer: LLM at {url} failed: connection refused" in c.stdout
    assert "Selee" in c.stdout and "Sources:" in c.stdout


def read_until(fd: int, want: bytes, timeout: float, proc=None) -> bytes:
    """What a pseudo-terminal shows until ``want`` appears (or the process ends, or the time is up)."""
    import os
    import select
    import time

    got, deadline = b"", time.monotonic() + timeout
    while want not in got and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the other side closed
                break
            got += chunk
        elif proc is not None and proc.poll() is not None:
            break
    return got


@pytest.mark.slow
def test_ask_on_a_terminal_shows_the_llms_words_as_they_arrive_then_the_checked_answer(seeds_index):
    """In a real pseudo-terminal: the first words show while the server is still generating; they give way to
    the checked answer and its sources."""
    import os
    import pty

    from qa import retrieve

    q = "Who did Harris meet in Guatemala?"
    met = next(i for i, p in enumerate(retrieve(q, index_dir=seeds_index), 1) if "Giammattei" in p.text)
    stub = StubOpenAI()
    stub.replies.append(f"Harris met Guatemalan President Alejandro Giammattei [{met}].")
    stub.pause()
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "citebot.cli", "ask", q, "--index-dir", str(seeds_index),
                             *llm_flags(stub.url)], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env=dict(os.environ, HF_HUB_OFFLINE="1", TERM="xterm", NO_COLOR="1"))
    os.close(slave)
    try:
        first = read_until(master, b"Harris met", timeout=240, proc=proc)
        assert b"Harris met" in first and not stub.finished.is_set(), first  # shown while still generating
        stub.hold.set()
        rest = read_until(master, b"characters", timeout=120, proc=proc)
        proc.wait(timeout=60)
    finally:
        stub.hold.set()
        proc.kill()
        os.close(master)
        stub.server.shutdown()
    shown = (first + rest).decode()
    assert proc.returncode == 0 and "\x1b[J" in shown  # the streamed words were taken off the screen
    final = shown.rsplit("\x1b[J", 1)[1]
    assert final.lstrip().startswith("Harris met Guatemalan President Alejandro Giammattei. [1]")
    assert "Sources:" in final and "Giammattei" in final.split("Sources:")[1]
