"""Fixtures: a fake Slack Web API, the bot's HTTP mode on a loopback port, a seed index."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bot_fakes import BOT_TOKEN, REPO, SECRET, FakeAnswerer  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402


@dataclass
class RunningBot:
    url: str
    fake: FakeSlack
    bot: object  # bot.app.BotApp
    server: object  # bot.server.HttpServer
    settings: object
    db_path: Path

    def drain(self) -> None:
        """Wait until every lazy (answering) job has finished."""
        self.bot.executor.shutdown(wait=True)


@pytest.fixture
def fake_slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def make_bot(tmp_path, fake_slack, monkeypatch):
    """make_bot(answer_fn, **settings) -> RunningBot serving HTTP on a free loopback port."""
    from bot.app import create_app
    from bot.server import HttpServer
    from bot.settings import BotSettings

    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    running: list[RunningBot] = []

    def make(answer_fn=None, **overrides) -> RunningBot:
        db_path = tmp_path / f"slack-{len(running)}.sqlite3"
        values = dict(bot_token=BOT_TOKEN, signing_secret=SECRET, http=True, host="127.0.0.1",
                      api_url=fake_slack.api_url, feedback_db=str(db_path), rate_limit=0, workers=8)
        values.update(overrides)
        settings = BotSettings(**values)
        bot = create_app(settings, answer_fn=answer_fn or FakeAnswerer())
        server = HttpServer(bot.app, "127.0.0.1", 0).start()
        r = RunningBot(server.url, fake_slack, bot, server, settings, db_path)
        running.append(r)
        return r

    yield make
    for r in running:
        r.server.stop()
        r.bot.close()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """A real index of the seed articles (loads the embedding model; slow)."""
    from index import build_index, get_embedder

    out = tmp_path_factory.mktemp("seed-index") / "index"
    build_index([str(REPO / "seeds")], out, get_embedder())
    return out
