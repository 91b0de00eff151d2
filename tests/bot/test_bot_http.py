"""End to end through bolt's real request handling: signed requests over a socket to the bot's HTTP mode, the
bot's Web API calls landing on a fake Slack. The answerer is a deterministic fake here (test_bot_real_qa.py
uses the real qa.ask)."""
from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from bot_fakes import BOT_TOKEN, SECRET, FakeAnswerer
from fake_slack import BOT_ID, BOT_USER_ID
from slack_requests import button_click, dm, mention, post, send_action, send_command, send_event, signature

from bot import format as fmt
from bot.answering import APOLOGY, NO_INDEX
from index.errors import IndexNotFound
from qa import QuestionError

pytestmark = pytest.mark.slow  # starts servers

CHANNEL = "C0GENERAL"
WORKING = fmt.status(fmt.WORKING_TEXT).text


def finished(fake, channel, ts):
    """Wait until the bot has finished with the message at ``ts`` (its 👀 removed); its replies in the thread."""
    fake.wait_for(lambda: any(c.params.get("timestamp") == ts for c in fake.of("reactions.remove")))
    replies = fake.bot_replies(channel, ts)
    assert replies and all(m.text != WORKING for m in replies)
    return replies


def ask_in_channel(bot, text, channel=CHANNEL, user="UALICE01", thread_ts=None, event_id=None):
    msg = bot.fake.add_user_message(channel, text, user=user, thread_ts=thread_ts)
    reply = send_event(bot.url, SECRET, mention(channel, msg.ts, text, user=user, thread_ts=thread_ts), event_id)
    assert reply.status == 200, reply
    return msg


def section_texts(blocks):
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_mention_is_answered_in_its_thread_with_sources(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> Who will Harris meet?")
    [reply] = finished(bot.fake, CHANNEL, msg.ts)

    assert answerer.questions == ["Who will Harris meet?"]
    assert reply.thread_ts == msg.ts
    texts = section_texts(reply.blocks)
    assert texts[0] == "She will meet community leaders, workers &amp; entrepreneurs [1]. Critics call it " \
                       "&lt;a border job&gt; [2]."
    sources = texts[-1].splitlines()
    assert sources[0] == "*Sources*"
    assert sources[1] == "[1] *Harris visits Guatemala* — “Harris’s advisers said she will meet community leaders, " \
                         "workers &amp; entrepreneurs.”"
    assert sources[2].startswith("[2] *001.txt* — “Republican critics &lt;and&gt; the media")
    actions = [b for b in reply.blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [fmt.VOTE_UP, fmt.VOTE_DOWN]
    assert reply.text.startswith("She will meet community leaders")  # the plain-text fallback
    # 👀 on the question, a placeholder in the thread, then chat.update with the answer
    [react] = bot.fake.of("reactions.add")
    assert (react.params["name"], react.params["timestamp"]) == ("eyes", msg.ts)
    [placeholder] = bot.fake.of("chat.postMessage")
    assert placeholder.params["thread_ts"] == msg.ts and placeholder.params["text"] == WORKING
    [update] = bot.fake.of("chat.update")
    assert update.params["ts"] == reply.ts and update.params["blocks"] == reply.blocks
    assert all(c.authorization == f"Bearer {BOT_TOKEN}" for c in bot.fake.calls)


def test_acknowledgement_does_not_wait_for_the_answer(make_bot):
    answerer = FakeAnswerer(release=threading.Event())
    bot = make_bot(answerer)
    msg = bot.fake.add_user_message(CHANNEL, "hi")
    reply = send_event(bot.url, SECRET, mention(CHANNEL, msg.ts, f"<@{BOT_USER_ID}> slow question?"))
    assert reply.status == 200 and reply.seconds < 3  # acknowledged while the QA work is still blocked
    bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))  # the placeholder shows meanwhile
    answerer.release.set()
    assert section_texts(finished(bot.fake, CHANNEL, msg.ts)[0].blocks)[0].startswith("She will meet")


def test_direct_message_is_answered_in_the_dm(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    msg = bot.fake.add_user_message("D0ALICE01", "Who will Harris meet?")
    assert send_event(bot.url, SECRET, dm("D0ALICE01", msg.ts, "Who will Harris meet?")).status == 200
    [reply] = finished(bot.fake, "D0ALICE01", msg.ts)
    assert reply.channel == "D0ALICE01" and "Sources" in section_texts(reply.blocks)[-1]
    assert answerer.questions == ["Who will Harris meet?"]


def test_channel_messages_without_a_mention_are_ignored(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    msg = bot.fake.add_user_message(CHANNEL, "just chatting")
    event = {**dm(CHANNEL, msg.ts, "just chatting"), "channel_type": "channel"}
    assert send_event(bot.url, SECRET, event).status == 200
    bot.drain()
    assert bot.fake.posts() == [] and answerer.questions == []


@pytest.mark.parametrize("visibility", ["ephemeral", "in_channel"])
def test_slash_command_is_acknowledged_at_once_then_answered(make_bot, visibility):
    answerer = FakeAnswerer(release=threading.Event())
    bot = make_bot(answerer, slash_response=visibility)
    reply = send_command(bot.url, SECRET, "Who will Harris meet?", bot.fake.response_url("cmd1"))
    assert reply.status == 200 and reply.seconds < 3  # while the answerer is still blocked
    assert reply.json()["response_type"] == "ephemeral" and "Looking that up" in reply.json()["text"]
    answerer.release.set()
    [answer] = bot.fake.wait_for(lambda: bot.fake.of("response_url"))
    assert answer.params["response_type"] == visibility
    texts = section_texts(answer.params["blocks"])
    assert texts[0].startswith("She will meet") and texts[-1].startswith("*Sources*")
    assert answer.params["text"]
    header = [b for b in answer.params["blocks"] if b["type"] == "context"]
    assert bool(header) == (visibility == "in_channel")
    assert answerer.questions == ["Who will Harris meet?"]


def test_empty_slash_command_gets_usage(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    reply = send_command(bot.url, SECRET, "   ", bot.fake.response_url("cmd"))
    assert "Ask me a question" in reply.json()["text"]
    bot.drain()
    assert answerer.questions == [] and bot.fake.of("response_url") == []


def test_follow_up_in_thread_uses_the_earlier_question(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    first = ask_in_channel(bot, f"<@{BOT_USER_ID}> What did Harris announce in Guatemala?")
    finished(bot.fake, CHANNEL, first.ts)
    follow = ask_in_channel(bot, f"<@{BOT_USER_ID}> and who criticized it?", thread_ts=first.ts)
    finished(bot.fake, CHANNEL, first.ts)
    bot.fake.wait_for(lambda: any(c.params.get("timestamp") == follow.ts for c in bot.fake.of("reactions.remove")))

    assert answerer.questions[1] == "What did Harris announce in Guatemala? and who criticized it?"
    [replies] = bot.fake.of("conversations.replies")
    assert (replies.params["channel"], replies.params["ts"]) == (CHANNEL, first.ts)
    assert len(bot.fake.bot_replies(CHANNEL, first.ts)) == 2  # both answers in the same thread


def test_mention_in_a_thread_the_bot_never_answered_is_taken_alone(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    root = bot.fake.add_user_message(CHANNEL, "Lunch anyone?", user="UCAROL01")
    ask_in_channel(bot, f"<@{BOT_USER_ID}> who criticized Harris?", thread_ts=root.ts)
    bot.fake.wait_for(lambda: bot.fake.of("reactions.remove"))
    assert answerer.questions == ["who criticized Harris?"]


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


def test_feedback_click_is_stored_in_sqlite_and_acknowledged(make_bot):
    bot = make_bot(FakeAnswerer())
    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> Who will Harris meet?")
    [reply] = finished(bot.fake, CHANNEL, msg.ts)
    answer_id = [b for b in reply.blocks if b["type"] == "actions"][0]["elements"][0]["value"]

    click = button_click(reply.as_api(), CHANNEL, fmt.VOTE_UP, answer_id, bot.fake.response_url("act1"))
    assert send_action(bot.url, SECRET, click).status == 200
    [thanks] = bot.fake.wait_for(lambda: bot.fake.of("chat.postEphemeral"))
    assert thanks.params["user"] == "UBOB0001" and "Thanks for the feedback" in thanks.params["text"]
    assert thanks.params["thread_ts"] == msg.ts
    counted = bot.fake.wait_for(lambda: [c for c in bot.fake.of("chat.update") if c.params["ts"] == reply.ts][1:])
    buttons = [b for b in counted[-1].params["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [e["text"]["text"] for e in buttons] == [":+1: Helpful 1", ":-1: Not helpful 0"]

    with sqlite3.connect(bot.db_path) as conn:
        rows = conn.execute(
            "SELECT f.vote, f.user_id, f.channel_id, f.message_ts, f.created_at, a.question, a.answer, a.citations,"
            " a.asker_id, a.created_at FROM feedback f JOIN answers a ON a.id = f.answer_id").fetchall()
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    [(vote, user, channel, message_ts, voted_at, question, answer, citations, asker, answered_at)] = rows
    assert (vote, user, channel, message_ts, asker) == ("up", "UBOB0001", CHANNEL, reply.ts, "UALICE01")
    assert question == "Who will Harris meet?" and answer.startswith("She will meet")
    assert [c["n"] for c in json.loads(citations)] == [1, 2] and voted_at >= answered_at > 0

    # the same person changing their mind updates their vote
    click = button_click(reply.as_api(), CHANNEL, fmt.VOTE_DOWN, answer_id, bot.fake.response_url("act2"))
    assert send_action(bot.url, SECRET, click).status == 200
    bot.fake.wait_for(lambda: len(bot.fake.of("chat.postEphemeral")) == 2)
    bot.drain()
    with sqlite3.connect(bot.db_path) as conn:
        assert conn.execute("SELECT vote, user_id FROM feedback").fetchall() == [("down", "UBOB0001")]


def test_feedback_on_an_ephemeral_answer_is_acknowledged_through_response_url(make_bot):
    bot = make_bot(FakeAnswerer())
    send_command(bot.url, SECRET, "Who will Harris meet?", bot.fake.response_url("cmd"))
    [answer] = bot.fake.wait_for(lambda: bot.fake.of("response_url"))
    answer_id = [b for b in answer.params["blocks"] if b["type"] == "actions"][0]["elements"][1]["value"]
    click = button_click({"ts": "1700000999.000100"}, CHANNEL, fmt.VOTE_DOWN, answer_id,
                         bot.fake.response_url("act"), ephemeral=True)
    assert send_action(bot.url, SECRET, click).status == 200
    thanks = bot.fake.wait_for(lambda: bot.fake.of("response_url")[1:])
    assert "Thanks for the feedback" in thanks[0].params["text"]
    assert thanks[0].params["response_type"] == "ephemeral"
    assert [r.vote for r in bot.bot.store.feedback()] == ["down"]


@pytest.mark.parametrize("error, expected", [
    (RuntimeError("kaboom"), APOLOGY),
    (QuestionError("the question is too odd"), "Sorry, I couldn't answer that: the question is too odd"),
    (IndexNotFound("no index at /x"), NO_INDEX),
])
def test_answering_error_posts_an_apology_in_the_thread(make_bot, caplog, error, expected):
    bot = make_bot(FakeAnswerer(error=error))
    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> Who will Harris meet?")
    [reply] = finished(bot.fake, CHANNEL, msg.ts)
    assert reply.text == expected and reply.thread_ts == msg.ts
    assert not [b for b in reply.blocks if b["type"] == "actions"]
    assert str(error) in caplog.text  # logged, not silent


def test_abstention_is_friendly_and_has_no_sources(make_bot):
    bot = make_bot(FakeAnswerer(abstain=True))
    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> What is the capital of Mars?")
    [reply] = finished(bot.fake, CHANNEL, msg.ts)
    texts = section_texts(reply.blocks)
    assert texts == [f":mag: {fmt.ABSTAIN_TEXT}"]
    assert "couldn't find that in the indexed documents" in reply.text


def test_long_answer_is_split_across_messages_and_nothing_dropped(make_bot):
    text = " ".join(f"Sentence {i} says something about Harris & <Guatemala> [1]." for i in range(4000))
    bot = make_bot(FakeAnswerer(text=text))
    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> Tell me everything")
    replies = finished(bot.fake, CHANNEL, msg.ts)
    assert len(replies) >= 2 and all(len(m.blocks) <= 50 for m in replies)
    sections = [t for m in replies for t in section_texts(m.blocks)]
    assert all(len(t) <= 3000 for t in sections)
    assert "".join(sections[:-1]) == fmt.escape(text)  # the last section is the sources
    assert all(m.text for m in replies)
    assert [b for b in replies[-1].blocks if b["type"] == "actions"]


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


def test_failed_update_falls_back_to_a_new_message(make_bot):
    bot = make_bot(FakeAnswerer())
    bot.fake.fail["chat.update"] = "cant_update_message"
    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> Who will Harris meet?")
    bot.fake.wait_for(lambda: bot.fake.of("reactions.remove"))
    posted = [c.params for c in bot.fake.of("chat.postMessage")]
    assert len(posted) == 2 and posted[1]["thread_ts"] == msg.ts
    assert section_texts(posted[1]["blocks"])[0].startswith("She will meet")


def test_url_verification_and_health_check(make_bot):
    import urllib.request

    bot = make_bot()
    body = json.dumps({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    reply = post(bot.url, body, "application/json", SECRET)
    assert reply.status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in reply.body
    health = bot.url.replace("/slack/events", "/healthz")
    with urllib.request.urlopen(health, timeout=5) as r:
        assert r.status == 200


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
