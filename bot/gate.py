"""Which incoming messages and commands get an answer: fast checks that run before Slack is acknowledged.

A Decision is made synchronously (dedupe, allowlist, empty question, rate limit); the slow work that follows
reads it. Nothing here calls Slack or the QA engine.
"""
from __future__ import annotations

from dataclasses import dataclass

from .dedupe import EventDeduper
from .ratelimit import RateLimiter
from .settings import BotSettings
from .text import clean_question

ANSWER, IGNORE, EMPTY, NOT_ALLOWED, RATE_LIMITED = "answer", "ignore", "empty", "not_allowed", "rate_limited"


@dataclass(frozen=True)
class Inbound:
    """A person's message the bot may answer."""

    user: str
    text: str
    channel: str
    ts: str
    thread_ts: str | None = None
    channel_type: str | None = None
    team: str | None = None

    @property
    def reply_thread(self) -> str:
        return self.thread_ts or self.ts

    @property
    def is_followup(self) -> bool:
        return bool(self.thread_ts) and self.thread_ts != self.ts

    @property
    def is_dm(self) -> bool:
        return self.channel_type == "im" or (self.channel_type is None and self.channel.startswith("D"))


def parse_event(event: dict) -> Inbound | None:
    """The message a person wrote, or None for bot posts, edits, deletions and other subtypes."""
    if event.get("bot_id") or event.get("bot_profile") or event.get("subtype"):
        return None
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not (user and channel and ts):
        return None
    return Inbound(user, event.get("text") or "", channel, ts, event.get("thread_ts"), event.get("channel_type"),
                   event.get("team"))


@dataclass(frozen=True)
class Decision:
    action: str
    question: str = ""
    retry_after: float = 0.0


class Gate:
    def __init__(self, settings: BotSettings, limiter: RateLimiter, deduper: EventDeduper):
        self.settings = settings
        self.limiter = limiter
        self.deduper = deduper

    def allowed_in(self, channel: str, is_dm: bool) -> bool:
        return is_dm or not self.settings.allowed_channels or channel in self.settings.allowed_channels

    def message(self, inbound: Inbound | None, bot_user_id: str | None, mentioned: bool) -> Decision:
        """``mentioned``: the event is an app_mention (channels); otherwise a message event (DMs only)."""
        if inbound is None or inbound.user == bot_user_id:
            return Decision(IGNORE)
        if inbound.is_dm == mentioned:  # DMs come as `message`; channel mentions as `app_mention`
            return Decision(IGNORE)
        if not self.deduper.first_time(f"msg:{inbound.channel}:{inbound.ts}"):
            return Decision(IGNORE)
        return self._question(inbound.text, inbound.user, inbound.channel, inbound.is_dm, bot_user_id)

    def command(self, text: str, user: str, channel: str) -> Decision:
        return self._question(text, user, channel, channel.startswith("D"), None)

    def _question(self, text: str, user: str, channel: str, is_dm: bool, bot_user_id: str | None) -> Decision:
        if not self.allowed_in(channel, is_dm):
            return Decision(NOT_ALLOWED)
        question = clean_question(text, bot_user_id)
        if not question:
            return Decision(EMPTY)
        rate = self.limiter.check(user)
        if not rate.allowed:
            return Decision(RATE_LIMITED, question, rate.retry_after)
        return Decision(ANSWER, question)

    def not_allowed_text(self) -> str:
        channels = ", ".join(f"<#{c}>" for c in sorted(self.settings.allowed_channels))
        return f"I'm not enabled in this channel. Ask me in {channels} or in a direct message."
