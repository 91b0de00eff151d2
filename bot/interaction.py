"""A 👍/👎 click (a block_actions payload) and how the bot acknowledges it in Slack."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from . import format as fmt
from .answering import safe_call
from .feedback import VoteCounts

log = logging.getLogger(__name__)
THANKS = {"up": "Thanks for the feedback! :+1: recorded.", "down": "Thanks for the feedback! :-1: recorded — "
          "it helps improve the answers."}
NOT_RECORDED = "Sorry, I couldn't record that feedback (the answer is no longer known). Please try again later."


@dataclass(frozen=True)
class FeedbackClick:
    answer_id: str
    vote: str  # "up" | "down"
    user: str
    channel: str | None
    message_ts: str | None
    thread_ts: str | None
    ephemeral: bool
    message_blocks: tuple[dict, ...]
    message_text: str

    @classmethod
    def from_body(cls, body: dict, action: dict) -> FeedbackClick | None:
        vote = {fmt.VOTE_UP: "up", fmt.VOTE_DOWN: "down"}.get(action.get("action_id", ""))
        user = (body.get("user") or {}).get("id")
        answer_id = action.get("value")
        if not (vote and user and answer_id):
            return None
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        return cls(answer_id, vote, user, channel, message.get("ts") or container.get("message_ts"),
                   message.get("thread_ts") or container.get("thread_ts"), bool(container.get("is_ephemeral")),
                   tuple(message.get("blocks") or ()), message.get("text") or "")

    def acknowledge(self, client, respond, counts: VoteCounts | None) -> None:
        """Show the counts on the message's buttons and thank the clicker privately."""
        text = THANKS[self.vote] if counts is not None else NOT_RECORDED
        if self.ephemeral or not self.channel:
            _respond(respond, text=text, response_type="ephemeral", replace_original=False)
            return
        if counts is not None and self.message_blocks and self.message_ts:
            blocks = fmt.with_feedback_counts(self.message_blocks, self.answer_id, counts.up, counts.down)
            if safe_call(client.chat_update, channel=self.channel, ts=self.message_ts, text=self.message_text,
                     blocks=blocks) is None:
                _respond(respond, text=self.message_text, blocks=blocks, replace_original=True)
        thread = {"thread_ts": self.thread_ts} if self.thread_ts else {}
        safe_call(client.chat_postEphemeral, channel=self.channel, user=self.user, text=text, **thread)


def _respond(respond, **kwargs) -> None:
    try:
        respond(**kwargs)
    except Exception as e:
        log.warning("could not acknowledge feedback through response_url: %s", type(e).__name__)
