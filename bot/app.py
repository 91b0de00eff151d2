"""The slack-bolt App: listeners for mentions, DMs, /ask and the feedback buttons.

Each listener is split bolt's way: a fast ``ack`` half that decides (and, for /ask, replies) within Slack's
3 seconds, and a lazy half, run on the listener executor, that does the QA work. ``process_before_response``
is on so the ack half has finished (its Decision stored in the context) before the lazy half starts, and so
the same App also works where the process may stop after the response (FaaS).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import format as fmt
from .answering import AnswerFn, Ids, Responder, safe_call
from .dedupe import EventDeduper
from .feedback import FeedbackStore
from .gate import ANSWER, EMPTY, NOT_ALLOWED, RATE_LIMITED, Decision, Gate, parse_event
from .ratelimit import RateDecision, RateLimiter
from .settings import BotSettings

log = logging.getLogger(__name__)
DECISION = "citebot_decision"
USAGE = "Ask me a question about the indexed documents, e.g. `/ask Who did Harris meet in Guatemala?`"
MENTION_USAGE = "Ask me a question about the indexed documents, e.g. `@citebot Who did Harris meet in Guatemala?`"
FEEDBACK_ACTION = re.compile(f"^({fmt.VOTE_UP}|{fmt.VOTE_DOWN})$")


@dataclass(frozen=True)
class BotApp:
    """The bolt App and what it owns (closed together)."""

    app: object  # slack_bolt.App
    store: FeedbackStore
    deduper: EventDeduper
    executor: ThreadPoolExecutor

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=False)


def make_client(settings: BotSettings):
    """A WebClient on SLACK_API_URL that also waits and retries when Slack rate-limits (HTTP 429)."""
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=30)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


class _SameTokenNotice(logging.Filter):
    """Drops bolt's "`token` will be unused" warning: bolt reads SLACK_BOT_TOKEN itself even though the client
    it is given carries that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.bolt")
    if not any(isinstance(f, _SameTokenNotice) for f in logger.filters):
        logger.addFilter(_SameTokenNotice())
    return logger


def _default_answer_fn(settings: BotSettings) -> AnswerFn:
    """``qa.stream`` with the configured answerer (an LLM's words are shown as they arrive); an LLM failure gives
    the extractive answer with a notice."""
    from functools import partial

    from qa import stream

    return partial(stream, answerer=settings.answerer, on_llm_error="fallback")


def create_app(settings: BotSettings, answer_fn: AnswerFn | None = None, client=None, *,
               store: FeedbackStore | None = None, deduper: EventDeduper | None = None,
               limiter: RateLimiter | None = None, logger: logging.Logger | None = None) -> BotApp:
    """Build the App. ``answer_fn`` defaults to ``qa.ask``; ``client`` to a WebClient on SLACK_API_URL.

    Constructing it calls auth.test (bolt's token verification), so a wrong token fails here.
    """
    from slack_bolt import App

    store = store or FeedbackStore(settings.feedback_db)
    deduper = deduper or EventDeduper(settings.feedback_db)
    gate = Gate(settings, limiter or RateLimiter(settings.rate_limit), deduper)
    handlers = Handlers(settings, gate, Responder(settings, answer_fn or _default_answer_fn(settings), store), store)
    executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="citebot-slack")
    try:
        app = App(client=client or make_client(settings), signing_secret=settings.signing_secret,
                  process_before_response=True, listener_executor=executor, logger=logger or _bolt_logger())
    except BaseException:
        executor.shutdown(wait=False)
        raise
    app.use(handlers.skip_seen_events)
    app.event("app_mention")(ack=handlers.mention_ack, lazy=[handlers.mention_work])
    app.event("message")(ack=handlers.dm_ack, lazy=[handlers.dm_work])
    app.command("/ask")(ack=handlers.command_ack, lazy=[handlers.command_work])
    app.action(FEEDBACK_ACTION)(ack=handlers.feedback_ack, lazy=[handlers.feedback_work])
    app.error(handlers.on_error)
    return BotApp(app, store, deduper, executor)


class Handlers:
    def __init__(self, settings: BotSettings, gate: Gate, responder: Responder, store: FeedbackStore):
        self.settings = settings
        self.gate = gate
        self.responder = responder
        self.store = store

    # -- middleware: Slack retries --------------------------------------------------------------------------

    def skip_seen_events(self, body: dict, request, next: Callable):
        """Answer 200 to an event already received (a retry), without running any listener again."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not request.lazy_only and not self.gate.deduper.first_time(f"event:{event_id}"):
            from slack_bolt import BoltResponse

            retry = (request.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("skipping event %s already handled (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    # -- mentions and DMs -----------------------------------------------------------------------------------

    def mention_ack(self, event: dict, context) -> None:
        context[DECISION] = self.gate.message(parse_event(event), context.bot_user_id, mentioned=True)

    def dm_ack(self, event: dict, context) -> None:
        context[DECISION] = self.gate.message(parse_event(event), context.bot_user_id, mentioned=False)

    def mention_work(self, event: dict, context, client) -> None:
        self._work(event, context, client)

    def dm_work(self, event: dict, context, client) -> None:
        self._work(event, context, client)

    def _work(self, event: dict, context, client) -> None:
        decision: Decision | None = context.get(DECISION)
        inbound = parse_event(event)
        if decision is None or inbound is None:
            return
        where = {"channel": inbound.channel, "thread_ts": inbound.reply_thread}
        if decision.action == ANSWER:
            self.responder.in_thread(client, inbound, decision.question, Ids(context.bot_user_id, context.bot_id))
        elif decision.action == RATE_LIMITED:
            safe_call(client.chat_postEphemeral, user=inbound.user, text=RateDecision(False, decision.retry_after)
                  .message(), **where)
        elif decision.action == NOT_ALLOWED:
            safe_call(client.chat_postEphemeral, user=inbound.user, text=self.gate.not_allowed_text(), **where)
        elif decision.action == EMPTY:
            safe_call(client.chat_postEphemeral, user=inbound.user, text=MENTION_USAGE, **where)

    # -- /ask -----------------------------------------------------------------------------------------------

    def command_ack(self, ack, command: dict, context) -> None:
        decision = self.gate.command(command.get("text") or "", command.get("user_id") or "",
                                     command.get("channel_id") or "")
        context[DECISION] = decision
        if decision.action == ANSWER:
            ack(text=f":mag: Looking that up: _{fmt.escape(fmt.trim(decision.question, 300))}_",
                response_type="ephemeral")
        elif decision.action == RATE_LIMITED:
            ack(text=RateDecision(False, decision.retry_after).message(), response_type="ephemeral")
        elif decision.action == NOT_ALLOWED:
            ack(text=self.gate.not_allowed_text(), response_type="ephemeral")
        else:
            ack(text=USAGE, response_type="ephemeral")

    def command_work(self, command: dict, context, respond) -> None:
        decision: Decision | None = context.get(DECISION)
        if decision is not None and decision.action == ANSWER:
            self.responder.for_command(respond, decision.question, command.get("user_id") or "",
                                       command.get("channel_id") or "", command.get("team_id"))

    # -- feedback buttons -----------------------------------------------------------------------------------

    def feedback_ack(self, ack) -> None:
        ack()

    def feedback_work(self, body: dict, action: dict, client, respond) -> None:
        from .interaction import FeedbackClick

        click = FeedbackClick.from_body(body, action)
        if click is None:
            return
        try:
            counts = self.store.record_vote(click.answer_id, click.user, click.vote, click.channel, click.message_ts)
        except Exception:
            log.exception("could not store feedback")
            counts = None
        click.acknowledge(client, respond, counts)

    def on_error(self, error: Exception, body: dict) -> None:
        kind = body.get("type") if isinstance(body, dict) else None
        log.error("unhandled error in a %s listener: %s", kind, error, exc_info=error)
