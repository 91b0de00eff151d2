"""The slow half of a question, run after Slack was acknowledged: ask QA, render, post.

In a thread: 👀 on the question, a placeholder reply, then the placeholder is updated with the answer (extra
messages for very long answers) and the 👀 removed. Any failure ends in an apology, never in silence.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from qa.errors import CitebotError, IndexNotFound
from qa import Answer

from . import format as fmt
from .feedback import Asked, FeedbackStore
from .gate import Inbound
from .settings import BotSettings
from .text import ThreadMessage, earlier_questions, with_context

log = logging.getLogger(__name__)
AnswerFn = Callable[..., Answer]
APOLOGY = "Sorry, something went wrong while I was answering that. The error has been logged; please try again."
NO_INDEX = "Sorry, I can't answer yet: the document index isn't available. An admin needs to run `citebot index`."
EYES = "eyes"


@dataclass(frozen=True)
class Ids:
    """Who the bot is in this workspace (from auth.test)."""

    bot_user_id: str | None
    bot_id: str | None


class Responder:
    def __init__(self, settings: BotSettings, answer_fn: AnswerFn, store: FeedbackStore):
        self.settings = settings
        self.answer_fn = answer_fn
        self.store = store

    def answer(self, asked: Asked, header: str | None = None) -> list[fmt.SlackMessage]:
        """The messages to post for a question: the rendered answer, or an apology if answering failed."""
        try:
            answer = self.answer_fn(asked.asked, index_dir=self.settings.index_dir, k=self.settings.k)
        except IndexNotFound as e:
            log.error("cannot answer, no index: %s", e)
            return [fmt.status(NO_INDEX)]
        except CitebotError as e:
            log.warning("question refused: %s", e)
            return [fmt.status(f"Sorry, I couldn't answer that: {fmt.escape(str(e))}")]
        except Exception:
            log.exception("answering failed for a question in channel %s", asked.channel)
            return [fmt.status(APOLOGY)]
        try:
            answer_id: str | None = self.store.record_answer(answer, asked)
        except Exception:
            log.exception("could not store the answer; posting it without feedback buttons")
            answer_id = None
        return fmt.render_answer(answer, answer_id, header)

    def in_thread(self, client, inbound: Inbound, question: str, ids: Ids) -> None:
        """Answer a mention or DM in its thread."""
        channel, thread = inbound.channel, inbound.reply_thread
        reacted = safe_call(client.reactions_add, channel=channel, timestamp=inbound.ts, name=EYES) is not None
        placeholder = safe_call(client.chat_postMessage, channel=channel, thread_ts=thread, **fmt.status(
            fmt.WORKING_TEXT).kwargs())
        placeholder_ts = placeholder["ts"] if placeholder else None
        try:
            asked = Asked(question, self.contextual(client, inbound, question, ids), inbound.user, channel, thread,
                          inbound.team)
            messages = self.answer(asked)
        except Exception:
            log.exception("answering failed in channel %s", channel)
            messages = [fmt.status(APOLOGY)]
        try:
            self.deliver(client, channel, thread, placeholder_ts, messages)
        finally:
            if reacted:
                safe_call(client.reactions_remove, channel=channel, timestamp=inbound.ts, name=EYES)

    def deliver(self, client, channel: str, thread: str, placeholder_ts: str | None,
                messages: list[fmt.SlackMessage]) -> None:
        """The first message replaces the placeholder (chat.update); the rest follow in the thread."""
        first, rest = messages[0], messages[1:]
        updated = placeholder_ts is not None and safe_call(
            client.chat_update, channel=channel, ts=placeholder_ts, **first.kwargs()) is not None
        if not updated:
            rest = [first, *rest]
        for message in rest:
            if safe_call(client.chat_postMessage, channel=channel, thread_ts=thread, **message.kwargs()) is None:
                log.error("could not post an answer in channel %s thread %s", channel, thread)

    def contextual(self, client, inbound: Inbound, question: str, ids: Ids) -> str:
        """A follow-up in a thread where the bot answered carries the thread's earlier question."""
        if not inbound.is_followup:
            return question
        replies = safe_call(client.conversations_replies, channel=inbound.channel, ts=inbound.thread_ts, limit=100)
        if replies is None:
            return question
        messages = [ThreadMessage.from_api(m) for m in replies.get("messages") or []]
        return with_context(earlier_questions(messages, inbound.ts, ids.bot_user_id, ids.bot_id), question)

    def for_command(self, respond, question: str, user: str, channel: str, team: str | None) -> None:
        """Answer /ask through the command's response_url."""
        in_channel = self.settings.slash_response == "in_channel"
        header = f"<@{user}> asked: {fmt.escape(fmt.trim(question, 500))}" if in_channel else None
        try:
            messages = self.answer(Asked(question, question, user, channel, None, team), header)
        except Exception:
            log.exception("answering /ask failed in channel %s", channel)
            messages = [fmt.status(APOLOGY)]
        for message in messages:
            try:
                respond(response_type=self.settings.slash_response, replace_original=False, **message.kwargs())
            except Exception:
                log.exception("could not post the /ask answer to its response_url")
                return


def safe_call(method, **kwargs):
    """A Web API call whose failure is logged (method and Slack's error code only), returning None."""
    try:
        return method(**kwargs)
    except Exception as e:
        response = getattr(e, "response", None)
        error = (response.get("error") if hasattr(response, "get") else None) or type(e).__name__
        log.warning("Slack call %s failed: %s", getattr(method, "__name__", "?"), error)
        return None
