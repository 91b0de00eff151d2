"""The slow half of a question, run after Slack was acknowledged: ask QA, render, post.

In a thread: 👀 on the question, a placeholder reply, then the placeholder is updated with the answer (extra
messages for very long answers) and the 👀 removed. Where the answer function streams (``qa.stream``: an LLM's
words as it writes them), the placeholder shows the words so far, updated at most once every
``PARTIAL_EVERY_S`` seconds (Slack allows about one chat.update a second per channel), until the checked answer
with its sources replaces it. Any failure ends in an apology, never in silence.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from qa.errors import CitebotError, IndexNotFound
from qa import Answer

from . import format as fmt
from .feedback import Asked, FeedbackStore
from .gate import Inbound
from .settings import BotSettings
from .text import ThreadMessage, earlier_questions, with_context

log = logging.getLogger(__name__)
AnswerFn = Callable[..., "Answer | Iterable[str | Answer]"]  # qa.ask, or qa.stream: text pieces, then the Answer
PARTIAL_EVERY_S = 1.0
WRITING = "_…still writing; the checked answer and its sources follow_"
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

    def answer(self, asked: Asked, header: str | None = None,
               on_text: Callable[[str], None] | None = None) -> list[fmt.SlackMessage]:
        """The messages to post for a question: the rendered answer, or an apology if answering failed.
        ``on_text``: told the words so far while a streaming answer function writes them."""
        try:
            answer = self.answer_fn(asked.asked, index_dir=self.settings.index_dir, k=self.settings.k)
            if not isinstance(answer, Answer):
                answer = _followed(answer, on_text or (lambda text: None))
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
        partial = Partial(client, channel, placeholder_ts)
        try:
            asked = Asked(question, self.contextual(client, inbound, question, ids), inbound.user, channel, thread,
                          inbound.team)
            messages = self.answer(asked, on_text=partial.show)
        except Exception:
            log.exception("answering failed in channel %s", channel)
            messages = [fmt.status(APOLOGY)]
        finally:
            partial.stop()  # before the answer replaces the placeholder: no late partial update after it
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


def _followed(pieces: Iterable, on_text: Callable[[str], None]) -> Answer:
    """The Answer a stream ends with, telling ``on_text`` the text so far after each piece."""
    shown = ""
    for piece in pieces:
        if isinstance(piece, Answer):
            return piece
        shown += piece
        on_text(shown)
    raise RuntimeError("the answer stream ended without an Answer")


class Partial:
    """Shows a streaming answer's words so far in the placeholder, at most once every PARTIAL_EVERY_S seconds
    (a thread of its own: the words can stop arriving for a while, the screen still catches up)."""

    def __init__(self, client, channel: str, placeholder_ts: str | None):
        self.client, self.channel, self.ts = client, channel, placeholder_ts
        self._text, self._shown = "", ""
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def show(self, text: str) -> None:
        if self.ts is None:
            return
        with self._lock:
            self._text = text
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="citebot-slack-partial", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(PARTIAL_EVERY_S):
            with self._lock:
                text = self._text
            if text != self._shown and not self._done.is_set():
                self._shown = text
                safe_call(self.client.chat_update, channel=self.channel, ts=self.ts,
                          **fmt.status(f"{fmt.escape(text)}\n{WRITING}").kwargs())

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()


def safe_call(method, **kwargs):
    """A Web API call whose failure is logged (method and Slack's error code only), returning None."""
    try:
        return method(**kwargs)
    except Exception as e:
        response = getattr(e, "response", None)
        error = (response.get("error") if hasattr(response, "get") else None) or type(e).__name__
        log.warning("Slack call %s failed: %s", getattr(method, "__name__", "?"), error)
        return None
