"""Steps shared by the HTTP end-to-end tests: ask the bot something, wait until it has answered."""
from __future__ import annotations

from bot_fakes import SECRET
from slack_requests import mention, send_event

from bot import format as fmt

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
