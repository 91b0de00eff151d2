"""Slack message text -> a plain question, and a thread's earlier questions -> context for a follow-up."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# <@U123>, <@U123|name>, <#C123|general>, <!here>, <https://x|label>, <https://x>, <mailto:a@b|a@b>
_ANGLE = re.compile(r"<([^<>]*)>")
CONTEXT_CHARS = 400  # how much of the earlier questions a follow-up carries


def clean_question(text: str, bot_user_id: str | None = None) -> str:
    """The question a user typed: the bot's mention removed, Slack markup made plain, entities decoded."""

    def plain(m: re.Match) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "" if target[1:] == bot_user_id else f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return label or (f"@{target[1:]}" if target[1:] in ("here", "channel", "everyone") else "")
        return label or target

    out = _ANGLE.sub(plain, text or "")
    out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(out.split())


@dataclass(frozen=True)
class ThreadMessage:
    ts: str
    text: str
    user: str | None = None
    bot_id: str | None = None
    subtype: str | None = None

    @classmethod
    def from_api(cls, m: dict) -> ThreadMessage:
        return cls(str(m.get("ts", "")), m.get("text") or "", m.get("user"), m.get("bot_id"), m.get("subtype"))

    def is_from_bot(self, bot_user_id: str | None, bot_id: str | None) -> bool:
        return bool(self.bot_id) or self.subtype == "bot_message" or (
            self.user is not None and self.user == bot_user_id) or (bot_id is not None and self.bot_id == bot_id)


def earlier_questions(messages: Sequence[ThreadMessage], before_ts: str, bot_user_id: str | None,
                      bot_id: str | None) -> list[str]:
    """Questions people asked earlier in the thread that the bot answered (a bot reply follows them), oldest first.

    Empty when the bot never answered in this thread: then a follow-up is taken on its own.
    """
    ordered = sorted((m for m in messages if _ts(m.ts) < _ts(before_ts)), key=lambda m: _ts(m.ts))
    questions: list[str] = []
    pending: str | None = None
    for m in ordered:
        if m.is_from_bot(bot_user_id, bot_id):
            if pending:
                questions.append(pending)
            pending = None
        else:
            pending = clean_question(m.text, bot_user_id) or pending
    return questions


def with_context(earlier: Sequence[str], followup: str, limit: int = CONTEXT_CHARS) -> str:
    """The follow-up prefixed by the thread's first question and its latest one (trimmed to ``limit``).

    The context goes first and is short, so the follow-up is never cut by the QA question-length limit.
    """
    if not earlier:
        return followup
    picked = [earlier[0]] if len(earlier) == 1 or earlier[0] == earlier[-1] else [earlier[0], earlier[-1]]
    context = " ".join(picked)
    if len(context) > limit:
        context = context[:limit].rsplit(" ", 1)[0]
    return f"{context} {followup}"


def _ts(ts: str) -> float:
    try:
        return float(ts)
    except (TypeError, ValueError):
        return 0.0
