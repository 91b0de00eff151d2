"""The bot's configuration: environment + command-line options, validated once at construction.

Every error is one line naming the environment variable or option to fix; secret values are never echoed.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DB = ".citebot/slack.sqlite3"
SLASH_RESPONSES = ("ephemeral", "in_channel")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")

# field -> the name a user sets it by (shown in errors)
NAMES = {
    "bot_token": "SLACK_BOT_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "app_token": "SLACK_APP_TOKEN",
    "api_url": "SLACK_API_URL",
    "index_dir": "CITEBOT_INDEX_DIR (--index-dir)",
    "feedback_db": "CITEBOT_SLACK_DB (--feedback-db)",
    "slash_response": "CITEBOT_SLACK_SLASH_RESPONSE (--slash-response)",
    "allowed_channels": "CITEBOT_SLACK_CHANNELS (--allow-channel)",
    "rate_limit": "CITEBOT_SLACK_RATE_LIMIT (--rate-limit)",
    "port": "--port",
    "host": "--host",
    "k": "-k",
    "workers": "CITEBOT_SLACK_WORKERS",
    "answerer": "CITEBOT_ANSWERER (--answerer)",
}


class ConfigError(ValueError):
    """A missing or invalid setting; the message is one line naming the variable."""


@dataclass(frozen=True)
class BotSettings:
    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str | None = field(default=None, repr=False)
    http: bool = False
    host: str = "0.0.0.0"
    port: int = 3000
    api_url: str = DEFAULT_API_URL
    index_dir: str | None = None
    feedback_db: str = DEFAULT_DB
    slash_response: str = "ephemeral"
    allowed_channels: frozenset[str] = frozenset()
    rate_limit: int = 10  # questions per user per minute; 0 turns the limit off
    k: int = 5
    workers: int = 8  # threads answering questions in parallel
    answerer: str = ""  # qa.ANSWERERS ("": qa's default, guarded); guarded and reader add "low confidence" notes

    def __post_init__(self) -> None:
        _require(self.bot_token, "bot_token", "a bot token, xoxb-…")
        _prefix(self.bot_token, "bot_token", "xoxb-")
        if self.http:
            _require(self.signing_secret, "signing_secret", "needed to verify requests in HTTP mode")
        else:
            _require(self.app_token, "app_token", "Socket Mode needs an app-level token, xapp-…; or use --http")
            _prefix(self.app_token or "", "app_token", "xapp-")
        if not self.api_url.startswith(("http://", "https://")):
            raise ConfigError(f"{NAMES['api_url']} must be an http(s) URL, got {self.api_url!r}")
        if not self.api_url.endswith("/"):
            object.__setattr__(self, "api_url", self.api_url + "/")
        if self.slash_response not in SLASH_RESPONSES:
            raise ConfigError(f"{NAMES['slash_response']} must be one of {', '.join(SLASH_RESPONSES)}, "
                              f"got {self.slash_response!r}")
        for channel in self.allowed_channels:
            if not _CHANNEL_ID.match(channel):
                raise ConfigError(f"{NAMES['allowed_channels']}: {channel!r} is not a channel ID "
                                  "(use IDs like C0123ABCD, shown in the channel's About tab)")
        _range(self.port, "port", 1, 65535)
        _range(self.rate_limit, "rate_limit", 0, 10_000)
        _range(self.k, "k", 1, 50)
        _range(self.workers, "workers", 1, 256)
        from qa.types import ANSWERERS, DEFAULT_ANSWERER

        if not self.answerer:
            object.__setattr__(self, "answerer", DEFAULT_ANSWERER)  # qa is imported here, never with bot.cli
        if self.answerer not in ANSWERERS:
            raise ConfigError(f"{NAMES['answerer']} must be one of {', '.join(ANSWERERS)}, got {self.answerer!r}")
        if not self.host:
            raise ConfigError(f"{NAMES['host']} is empty")
        if not self.feedback_db:
            raise ConfigError(f"{NAMES['feedback_db']} is empty")

    @property
    def socket_mode(self) -> bool:
        return not self.http

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line."""
        return tuple(s for s in (self.bot_token, self.signing_secret, self.app_token) if s)

    @classmethod
    def from_env(cls, env: Mapping[str, str], **options) -> BotSettings:
        """Settings from environment variables; non-None keyword options (the CLI's) take precedence."""
        values: dict = {
            "bot_token": env.get("SLACK_BOT_TOKEN", ""),
            "signing_secret": env.get("SLACK_SIGNING_SECRET", ""),
            "app_token": env.get("SLACK_APP_TOKEN") or None,
            "api_url": env.get("SLACK_API_URL") or DEFAULT_API_URL,
            "index_dir": env.get("CITEBOT_INDEX_DIR") or None,
            "feedback_db": env.get("CITEBOT_SLACK_DB") or DEFAULT_DB,
            "slash_response": env.get("CITEBOT_SLACK_SLASH_RESPONSE") or "ephemeral",
            "allowed_channels": parse_channels(env.get("CITEBOT_SLACK_CHANNELS", "")),
            "answerer": env.get("CITEBOT_ANSWERER") or "",
        }
        for name in ("rate_limit", "workers"):
            raw = env.get(_env_name(name))
            if raw:
                values[name] = _int(raw, name)
        for name, value in options.items():
            if name not in cls.__dataclass_fields__:
                raise TypeError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = frozenset(value) if name == "allowed_channels" else value
        return cls(**values)


def parse_channels(raw: str | Iterable[str]) -> frozenset[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    return frozenset(c.strip() for c in items if c.strip())


def _env_name(name: str) -> str:
    return NAMES[name].split(" ")[0]


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{NAMES[name]} must be an integer, got {raw!r}") from None


def _require(value: str | None, name: str, hint: str) -> None:
    if not value or not value.strip():
        raise ConfigError(f"{NAMES[name]} is not set ({hint})")


def _prefix(value: str, name: str, prefix: str) -> None:
    if not value.startswith(prefix):
        raise ConfigError(f"{NAMES[name]} does not look right: it should start with {prefix!r}")


def _range(value: int, name: str, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{NAMES[name]} must be an integer in {lo}..{hi}, got {value!r}")
