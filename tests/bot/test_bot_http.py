"""End to end through bolt's real request handling: signed requests over a socket to the bot's HTTP mode, the
bot's Web API calls landing on a fake Slack. Here: what gets answered, and how. The answerer is a deterministic
fake (test_bot_real_qa.py uses the real qa.ask)."""
from __future__ import annotations

import json
import threading

import pytest
from bot_fakes import BOT_TOKEN, SECRET, FakeAnswerer
from bot_steps import CHANNEL, WORKING, ask_in_channel, finished, section_texts
from fake_slack import BOT_USER_ID
from slack_requests import dm, mention, post, send_command, send_event

from bot import format as fmt
from bot.answering import APOLOGY, NO_INDEX
from index.errors import IndexNotFound
from qa import QuestionError

pytestmark = pytest.mark.slow  # starts servers


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


def test_follow_up_in_thread_uses_the_earlier_question(make_bot):
    answerer = FakeAnswerer()
    bot = make_bot(answerer)
    first = ask_in_channel(bot, f"<@{BOT_USER_ID}> What did Harris announce in Guatemala?")
    finished(bot.fake, CHANNEL, first.ts)
    follow = ask_in_channel(bot, f"<@{BOT_USER_ID}> and who criticized it?", thread_ts=first.ts)
    # wait for the follow-up's own 👀 to go (the first question's went long ago), then check the thread
    bot.fake.wait_for(lambda: any(c.params.get("timestamp") == follow.ts for c in bot.fake.of("reactions.remove")))
    finished(bot.fake, CHANNEL, first.ts)

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
