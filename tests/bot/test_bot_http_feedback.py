"""End to end over HTTP: 👍/👎 clicks are stored in the bot's SQLite file and acknowledged in Slack."""
from __future__ import annotations

import json
import sqlite3

import pytest
from bot_fakes import SECRET, FakeAnswerer
from bot_steps import CHANNEL, ask_in_channel, finished
from fake_slack import BOT_USER_ID
from slack_requests import button_click, send_action, send_command

from bot import format as fmt

pytestmark = pytest.mark.slow  # starts servers


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
