"""End to end over HTTP: what the bot must not answer, or answer only once: bad signatures, Slack retries, bots,
un-mentioned channel messages, channels outside the allowlist, users over the rate limit; and no token in logs."""
from __future__ import annotations

import json
import threading
import time

import pytest
from bot_fakes import BOT_TOKEN, SECRET, FakeAnswerer
from bot_steps import CHANNEL, ask_in_channel, finished
from fake_slack import BOT_ID, BOT_USER_ID
from slack_requests import dm, mention, post, send_command, send_event, signature

pytestmark = pytest.mark.slow  # starts servers


@pytest.mark.parametrize("how", ["wrong secret", "stale timestamp", "no signature", "tampered body"])
def test_bad_or_stale_signature_is_rejected_and_nothing_posted(make_bot, how):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    msg = bot.fake.add_user_message(CHANNEL, "q")
    event = mention(CHANNEL, msg.ts, f"<@{BOT_USER_ID}> Who will Harris meet?")
    if how == "wrong secret":
        reply = send_event(bot.url, SECRET, event, sign_with="not-the-secret")
    elif how == "stale timestamp":
        reply = send_event(bot.url, SECRET, event, timestamp=int(time.time()) - 10 * 60)
    elif how == "no signature":
        reply = send_event(bot.url, SECRET, event, headers={"X-Slack-Signature": ""})
    else:
        body = json.dumps({"type": "event_callback", "event_id": "Ev1", "event": event}).encode()
        reply = post(bot.url, body + b" ", "application/json", SECRET,
                     headers={"X-Slack-Signature": signature(SECRET, int(time.time()), body)})
    assert reply.status == 401
    bot.drain()
    assert bot.fake.posts() == [] and bot.fake.of("reactions.add") == [] and answerer.questions == []


def test_retried_event_gets_exactly_one_answer(make_bot):
    answerer = FakeAnswerer(release=threading.Event())
    bot = make_bot(answerer)
    msg = bot.fake.add_user_message(CHANNEL, "q")
    event = mention(CHANNEL, msg.ts, f"<@{BOT_USER_ID}> Who will Harris meet?")
    first = send_event(bot.url, SECRET, event, "Ev0RETRY1")
    retries = [send_event(bot.url, SECRET, event, "Ev0RETRY1", retry_num=n) for n in (1, 2, 3)]
    answerer.release.set()
    assert first.status == 200 and [r.status for r in retries] == [200, 200, 200]
    bot.drain()
    assert answerer.questions == ["Who will Harris meet?"]
    assert len(bot.fake.bot_replies(CHANNEL, msg.ts)) == 1
    assert len(bot.fake.of("chat.postMessage")) == 1 and len(bot.fake.of("chat.update")) == 1


def test_concurrent_retries_and_a_second_event_for_the_same_message_answer_once(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    msg = bot.fake.add_user_message("D0ALICE01", "q")
    events = [(dm("D0ALICE01", msg.ts, "Who will Harris meet?"), "Ev0DUP"),
              ({**mention("D0ALICE01", msg.ts, "Who will Harris meet?")}, "Ev0DUPMENTION")]
    threads = [threading.Thread(target=send_event, args=(bot.url, SECRET, e, i), kwargs={"retry_num": n})
               for n in range(4) for e, i in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bot.drain()
    assert answerer.questions == ["Who will Harris meet?"]
    assert len(bot.fake.bot_replies("D0ALICE01", msg.ts)) == 1


def test_bot_and_own_messages_are_ignored(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    events = [
        dm("D0ALICE01", "1700000001.000001", "I am a bot", user="UOTHERBOT", bot_id="B0OTHER"),
        dm("D0ALICE01", "1700000001.000002", "my own answer", user=BOT_USER_ID, bot_id=BOT_ID),
        dm("D0ALICE01", "1700000001.000003", "", subtype="message_changed"),
        {**mention(CHANNEL, "1700000001.000004", f"<@{BOT_USER_ID}> hi"), "bot_id": "B0OTHER"},
        dm("D0ALICE01", "1700000001.000005", "workflow", subtype="bot_message", bot_id="B0WF"),
    ]
    for e in events:
        assert send_event(bot.url, SECRET, e).status == 200
    bot.drain()
    assert bot.fake.posts() == [] and bot.fake.of("reactions.add") == [] and answerer.questions == []


def test_channel_messages_without_a_mention_are_ignored(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    msg = bot.fake.add_user_message(CHANNEL, "just chatting")
    event = {**dm(CHANNEL, msg.ts, "just chatting"), "channel_type": "channel"}
    assert send_event(bot.url, SECRET, event).status == 200
    bot.drain()
    assert bot.fake.posts() == [] and answerer.questions == []


def test_channel_allowlist(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer, allowed_channels=frozenset({"C0ALLOWED"}))
    other = ask_in_channel(bot, f"<@{BOT_USER_ID}> Who will Harris meet?", channel="C0ELSEWHERE")
    [notice] = bot.fake.wait_for(lambda: bot.fake.of("chat.postEphemeral"))
    assert notice.params["channel"] == "C0ELSEWHERE" and "<#C0ALLOWED>" in notice.params["text"]
    reply = send_command(bot.url, SECRET, "Who?", bot.fake.response_url("c"), channel="C0ELSEWHERE")
    assert "not enabled in this channel" in reply.json()["text"]
    allowed = ask_in_channel(bot, f"<@{BOT_USER_ID}> Who will Harris meet?", channel="C0ALLOWED")
    finished(bot.fake, "C0ALLOWED", allowed.ts)
    dm_msg = bot.fake.add_user_message("D0ALICE01", "Who?")
    send_event(bot.url, SECRET, dm("D0ALICE01", dm_msg.ts, "Who?"))
    finished(bot.fake, "D0ALICE01", dm_msg.ts)
    assert bot.fake.bot_replies("C0ELSEWHERE", other.ts) == []
    assert answerer.questions == ["Who will Harris meet?", "Who?"]


def test_rate_limit_answers_politely(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer, rate_limit=2)
    asked = [ask_in_channel(bot, f"<@{BOT_USER_ID}> question {i}?") for i in range(3)]
    [limited] = bot.fake.wait_for(lambda: bot.fake.of("chat.postEphemeral"))
    assert limited.params["user"] == "UALICE01" and "please wait" in limited.params["text"]
    assert limited.params["thread_ts"] == asked[2].ts
    reply = send_command(bot.url, SECRET, "one more?", bot.fake.response_url("c"))
    assert "please wait" in reply.json()["text"]
    bob = ask_in_channel(bot, f"<@{BOT_USER_ID}> Bob's question?", user="UBOB0001")
    finished(bot.fake, CHANNEL, bob.ts)
    bot.drain()
    assert sorted(answerer.questions) == ["Bob's question?", "question 0?", "question 1?"]


def test_empty_mention_gets_a_hint(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    ask_in_channel(bot, f"<@{BOT_USER_ID}>")
    [hint] = bot.fake.wait_for(lambda: bot.fake.of("chat.postEphemeral"))
    assert "Ask me a question" in hint.params["text"] and answerer.questions == []


def test_empty_slash_command_gets_usage(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    reply = send_command(bot.url, SECRET, "   ", bot.fake.response_url("cmd"))
    assert "Ask me a question" in reply.json()["text"]
    bot.drain()
    assert answerer.questions == [] and bot.fake.of("response_url") == []


def test_tokens_never_reach_the_logs(make_bot, caplog):
    import logging

    from bot import redact

    caplog.set_level(logging.DEBUG)
    redact.install([BOT_TOKEN, SECRET], [caplog.handler])
    bot = make_bot(FakeAnswerer(error=RuntimeError(f"failed with {BOT_TOKEN}")))
    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> Who will Harris meet?")
    finished(bot.fake, CHANNEL, msg.ts)
    assert "Sending a request" in caplog.text  # slack_sdk's debug lines were captured
    assert BOT_TOKEN not in caplog.text and SECRET not in caplog.text
    assert "[redacted]" in caplog.text
