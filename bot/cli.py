"""`citebot slack`: run the Slack bot in Socket Mode (SLACK_APP_TOKEN) or, with --http, as an Events API server.

Importing this module is cheap: slack_bolt and the QA engine load only when the command runs.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from contextlib import contextmanager

from .settings import SLASH_RESPONSES, BotSettings, ConfigError

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1
SLACK_SDK_LOGGER = "slack_sdk.web.base_client"  # where WebClient logs "Failed to send a request to Slack API server"
log = logging.getLogger(__name__)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "slack", help="run the Slack bot (Socket Mode, or --http for the Events API)",
        description="Answer questions in Slack: @mentions (in threads), direct messages and /ask. Needs "
                    "SLACK_BOT_TOKEN and either SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET with --http. "
                    "See bot/README.md.")
    p.add_argument("--http", action="store_true", help="serve the Events API at /slack/events instead of Socket Mode")
    p.add_argument("--port", type=int, default=None, help="HTTP port (default 3000)")
    p.add_argument("--host", default=None, help="HTTP address to bind (default 0.0.0.0)")
    p.add_argument("--index-dir", default=None, help="index folder (default: $CITEBOT_INDEX_DIR or .citebot/index)")
    p.add_argument("--feedback-db", default=None,
                   help="SQLite file for answers, feedback and seen events (default: $CITEBOT_SLACK_DB or "
                        ".citebot/slack.sqlite3)")
    p.add_argument("--slash-response", choices=SLASH_RESPONSES, default=None,
                   help="who sees /ask answers (default: $CITEBOT_SLACK_SLASH_RESPONSE or ephemeral)")
    p.add_argument("--allow-channel", action="append", default=None, metavar="CHANNEL_ID",
                   help="answer only in this channel (repeatable; default: $CITEBOT_SLACK_CHANNELS or any)")
    p.add_argument("--rate-limit", type=int, default=None, metavar="N",
                   help="questions per user per minute, 0 for no limit (default: $CITEBOT_SLACK_RATE_LIMIT or 10)")
    p.add_argument("--answerer", default=None, metavar="NAME",
                   help="guarded, heuristic or reader (default: $CITEBOT_ANSWERER or guarded)")
    p.set_defaults(func=run)


def settings_from_args(args: argparse.Namespace, env=None) -> BotSettings:
    return BotSettings.from_env(
        os.environ if env is None else env, http=bool(getattr(args, "http", False)), host=args.host,
        port=args.port, index_dir=args.index_dir, feedback_db=args.feedback_db, slash_response=args.slash_response,
        allowed_channels=args.allow_channel, rate_limit=args.rate_limit, answerer=getattr(args, "answerer", None))


def run(args: argparse.Namespace) -> int:
    """The `citebot slack` command; returns the exit code (2 with one line on stderr for bad configuration)."""
    try:
        settings = settings_from_args(args)
    except ConfigError as e:
        return _fail(str(e), EXIT_CONFIG)
    from . import redact

    redact.install(settings.secrets)
    with _sigterm_as_interrupt():
        code = _preflight(settings)
        if code:
            return code
        from .app import create_app

        try:
            with _quiet_slack_sdk():
                bot = create_app(settings)
        except ConfigError as e:
            return _fail(str(e), EXIT_CONFIG)
        except Exception as e:  # e.g. auth.test failing between the pre-flight check and now
            log.debug("could not start the Slack app", exc_info=True)
            return _fail(f"could not start the Slack app ({type(e).__name__}); run with -v for details",
                         EXIT_UNAVAILABLE)
        try:
            return _serve(settings, bot)
        finally:
            bot.close()


def _preflight(settings: BotSettings) -> int:
    """Check the token with auth.test and load the index and model once, so problems show before serving."""
    from slack_sdk.errors import SlackApiError

    from qa.errors import CitebotError

    from .app import make_client

    try:
        from qa import LLMSettings

        LLMSettings.from_env()  # a bad CITEBOT_LLM_* value: one line now, not an apology for every question
    except CitebotError as e:
        return _fail(str(e), EXIT_CONFIG)
    try:
        with _quiet_slack_sdk():
            make_client(settings).auth_test()
    except SlackApiError as e:
        return _fail(f"SLACK_BOT_TOKEN was rejected by Slack's auth.test ({e.response.get('error')})", EXIT_CONFIG)
    except OSError as e:
        return _fail(f"cannot reach the Slack API at {settings.api_url} (SLACK_API_URL): {e}", EXIT_UNAVAILABLE)
    try:
        from qa import retrieve

        retrieve("warm up", k=1, index_dir=settings.index_dir)
    except CitebotError as e:
        return _fail(f"{e} (CITEBOT_INDEX_DIR / --index-dir)", EXIT_CONFIG)
    return 0


def _serve(settings: BotSettings, bot) -> int:
    if settings.http:
        from .server import HttpServer

        try:
            server = HttpServer(bot.app, settings.host, settings.port)
        except OSError as e:
            return _fail(f"cannot listen on {settings.host}:{settings.port} (--host/--port): {e}", EXIT_UNAVAILABLE)
        try:
            print(f"citebot slack: listening for Slack events on {server.url} (Ctrl-C to stop)", file=sys.stderr)
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        return 0
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(bot.app, settings.app_token)
    try:
        print("citebot slack: connecting to Slack in Socket Mode (Ctrl-C to stop)", file=sys.stderr)
        handler.start()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
    return 0


@contextmanager
def _quiet_slack_sdk():
    """While the token is checked, drop slack_sdk's own ERROR line per failed attempt: the caller reports the
    failure in one line. Kept with -v (debug logging); the filter is removed afterwards."""
    logger = logging.getLogger(SLACK_SDK_LOGGER)
    verbose = log.isEnabledFor(logging.DEBUG)

    def quiet(record: logging.LogRecord) -> bool:
        return verbose

    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM stops like Ctrl-C, so answers in progress are finished before exit; restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fail(message: str, code: int) -> int:
    print(f"citebot slack: error: {message}", file=sys.stderr)
    return code
