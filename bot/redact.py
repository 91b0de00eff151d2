"""A logging filter that masks Slack tokens and the configured secrets in every record it sees."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

TOKEN = re.compile(r"\bx(?:ox[abposer]|app)-[A-Za-z0-9-]+")
MASK = "[redacted]"


class Redactor(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s and len(s) >= 4)

    def redact(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, MASK)
        return TOKEN.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install(secrets: Iterable[str], handlers: Iterable[logging.Handler] | None = None) -> Redactor:
    """Add one Redactor to the given handlers (default: the root logger's); returns it."""
    redactor = Redactor(secrets)
    for h in handlers if handlers is not None else logging.getLogger().handlers:
        h.addFilter(redactor)
    return redactor
