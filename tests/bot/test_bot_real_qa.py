"""The bot over the real qa.ask and a real index of the seed articles: answers, a follow-up, a 50-mention load
test, and the `citebot slack --http` command run as a process."""
from __future__ import annotations

import math
import os
import signal
import socket
import statistics
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from bot_fakes import BOT_TOKEN, REPO, SECRET, FakeAnswerer
from fake_slack import BOT_USER_ID
from slack_requests import mention, send_event

import qa
from bot import format as fmt

pytestmark = pytest.mark.slow
CHANNEL = "C0GENERAL"


class RecordingAsk:
    """The real qa.ask, remembering the questions it was given."""

    def __init__(self):
        self.questions: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, question, index_dir=None, k=5):
        with self._lock:
            self.questions.append(question)
        return qa.ask(question, index_dir=index_dir, k=k)


def done(fake, channel, ts, timeout=60):
    fake.wait_for(lambda: any(c.params.get("timestamp") == ts for c in fake.of("reactions.remove")), timeout)
    return fake.bot_replies(channel, ts)


def ask(bot, text, thread_ts=None, user="UALICE01"):
    msg = bot.fake.add_user_message(CHANNEL, text, user=user, thread_ts=thread_ts)
    assert send_event(bot.url, SECRET, mention(CHANNEL, msg.ts, text, user=user, thread_ts=thread_ts)).status == 200
    return msg


def test_mention_answered_from_the_seed_articles(make_bot, seed_index):
    bot = make_bot(RecordingAsk(), index_dir=str(seed_index))
    msg = ask(bot, f"<@{BOT_USER_ID}> Who will Harris meet in Guatemala?")
    [reply] = done(bot.fake, CHANNEL, msg.ts)
    expected = qa.ask("Who will Harris meet in Guatemala?", index_dir=seed_index)
    assert not expected.abstained and expected.citations
    [rendered] = fmt.render_answer(expected, "x")
    assert reply.blocks[:-1] == list(rendered.blocks[:-1])  # same answer and sources; buttons carry another id
    sources = [b["text"]["text"] for b in reply.blocks if b["type"] == "section"][-1]
    assert sources.startswith("*Sources*\n[1] ")
    for c in expected.citations:  # every quote is an exact slice of its seed file
        assert open(c.source, encoding="utf-8").read()[c.start:c.end] == c.quote
    with sqlite3.connect(bot.bot.store.path) as conn:  # the stored answer says who answered and how sure it was
        assert conn.execute("SELECT answerer, confidence, low_confidence, off_topic FROM answers").fetchall() == [
            (expected.answerer, expected.confidence, int(expected.low_confidence), 0)]


def test_follow_up_with_the_real_engine(make_bot, seed_index):
    recorder = RecordingAsk()
    bot = make_bot(recorder, index_dir=str(seed_index))
    first = ask(bot, f"<@{BOT_USER_ID}> What will the United States announce in Guatemala?")
    done(bot.fake, CHANNEL, first.ts)
    follow = ask(bot, f"<@{BOT_USER_ID}> and who criticized it?", thread_ts=first.ts)
    done(bot.fake, CHANNEL, follow.ts)
    assert recorder.questions[1] == "What will the United States announce in Guatemala? and who criticized it?"
    replies = bot.fake.bot_replies(CHANNEL, first.ts)
    assert len(replies) == 2 and "Sources" in str(replies[1].blocks)


@pytest.mark.parametrize("engine", ["real qa.ask", "fake answerer"])
def test_fifty_concurrent_mentions_get_exactly_fifty_threaded_answers(make_bot, seed_index, engine):
    answerer = RecordingAsk() if engine == "real qa.ask" else FakeAnswerer()
    bot = make_bot(answerer, index_dir=str(seed_index))
    questions = ["Who will Harris meet?", "What did Giammattei say?", "Why is Harris visiting Mexico?",
                 "Who criticized Harris?", "What is the capital of Mars?"]
    msgs = [bot.fake.add_user_message(CHANNEL, "q", user=f"UUSER{i:04d}") for i in range(50)]
    sent: dict[str, float] = {}
    statuses: list[int] = []
    acks: list[float] = []
    barrier = threading.Barrier(50)

    def send(i, m):
        barrier.wait()
        sent[m.ts] = time.monotonic()
        text = f"<@{BOT_USER_ID}> {questions[i % len(questions)]}"
        reply = send_event(bot.url, SECRET, mention(CHANNEL, m.ts, text, user=m.user))
        statuses.append(reply.status)
        acks.append(reply.seconds)

    threads = [threading.Thread(target=send, args=(i, m)) for i, m in enumerate(msgs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bot.fake.wait_for(lambda: len(bot.fake.of("reactions.remove")) >= 50, timeout=120)
    bot.drain()

    assert statuses == [200] * 50
    assert len(answerer.questions) == 50
    replies = {m.ts: bot.fake.bot_replies(CHANNEL, m.ts) for m in msgs}
    assert all(len(r) == 1 for r in replies.values()), "every mention has exactly one answer in its thread"
    assert all(r[0].text != fmt.status(fmt.WORKING_TEXT).text for r in replies.values())
    assert len(bot.fake.of("chat.update")) == 50 and len(bot.fake.of("chat.postMessage")) == 50
    answered_at = {c.params["ts"]: c.at for c in bot.fake.of("chat.update")}
    latency = sorted(answered_at[r[0].ts] - sent[ts] for ts, r in replies.items())
    p50, p95 = statistics.median(latency), latency[math.ceil(0.95 * len(latency)) - 1]  # nearest rank
    print(f"\n[load: 50 concurrent mentions, {engine}] time to answer p50={p50 * 1000:.0f} ms "
          f"p95={p95 * 1000:.0f} ms max={latency[-1] * 1000:.0f} ms; acknowledged p50="
          f"{statistics.median(acks) * 1000:.0f} ms max={max(acks) * 1000:.0f} ms")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_citebot_slack_http_command_end_to_end(fake_slack, seed_index, tmp_path):
    port = _free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": fake_slack.api_url, "CITEBOT_INDEX_DIR": str(seed_index)}
    env.pop("SLACK_APP_TOKEN", None)
    cmd = [sys.executable, "-m", "citebot.cli", "-v", "slack", "--http", "--host", "127.0.0.1", "--port", str(port),
           "--feedback-db", str(tmp_path / "bot.sqlite3")]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read():
        for line in proc.stderr:
            lines.append(line)
            if "listening for Slack events" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(180), "".join(lines)
        url = f"http://127.0.0.1:{port}/slack/events"
        msg = fake_slack.add_user_message(CHANNEL, "q")
        assert send_event(url, SECRET, mention(CHANNEL, msg.ts, f"<@{BOT_USER_ID}> Who will Harris meet?")).status \
            == 200
        [reply] = done(fake_slack, CHANNEL, msg.ts)
        assert "Sources" in str(reply.blocks)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        reader.join(timeout=10)
    log = "".join(lines)
    assert code == 0, log
    assert "Sending a request" in log  # debug logging was on (-v) ...
    assert BOT_TOKEN not in log and SECRET not in log  # ... and still no secret reached it
