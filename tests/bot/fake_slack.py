"""A local stand-in for Slack's Web API (and response_url webhooks) that records every call.

It keeps the messages posted per channel, so conversations.replies returns a real thread history: what the
test "users" wrote (``add_user_message``) plus what the bot posted and updated.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0TEST01"


@dataclass(frozen=True)
class Call:
    method: str  # Web API method, or "response_url"
    params: dict
    at: float  # time.monotonic() when received
    authorization: str | None = None


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    blocks: list = field(default_factory=list)

    def as_api(self) -> dict:
        out = {"type": "message", "ts": self.ts, "text": self.text, "blocks": self.blocks}
        out.update({k: v for k, v in (("user", self.user), ("bot_id", self.bot_id),
                                       ("thread_ts", self.thread_ts)) if v})
        return out


class FakeSlack:
    def __init__(self):
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], Message] = {}
        self.fail: dict[str, str] = {}  # method -> error code to answer with {"ok": false}
        self.socket_url: str | None = None  # what apps.connections.open hands out (Socket Mode)
        self._ts = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # -- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    # -- what tests use -------------------------------------------------------------------------------------

    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def add_user_message(self, channel: str, text: str, user: str = "UALICE01", thread_ts: str | None = None,
                         ts: str | None = None) -> Message:
        m = Message(channel, ts or self.next_ts(), text, user=user, thread_ts=thread_ts)
        with self._lock:
            self.messages[(channel, m.ts)] = m
        return m

    def of(self, *methods: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method in methods]

    def posts(self) -> list[Call]:
        """Everything that would show a user something."""
        return self.of("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        with self._lock:
            return sorted((m for m in self.messages.values()
                           if m.channel == channel and (m.ts == thread_ts or m.thread_ts == thread_ts)),
                          key=lambda m: float(m.ts))

    def bot_replies(self, channel: str, thread_ts: str) -> list[Message]:
        return [m for m in self.thread(channel, thread_ts) if m.bot_id and m.thread_ts == thread_ts]

    def wait_for(self, predicate, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout}s; calls: {[c.method for c in self.calls]}")
                self._lock.wait(min(left, 0.05))

    # -- the API --------------------------------------------------------------------------------------------

    def handle(self, path: str, params: dict, authorization: str | None) -> tuple[int, dict | str]:
        with self._lock:
            method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/")
            if method == "response_url":
                params = {**params, "_path": path}
            self.calls.append(Call(method, params, time.monotonic(), authorization))
            try:
                if method == "response_url":
                    return 200, "ok"
                if method == "apps.connections.open":  # takes the app-level token
                    if not (authorization or "").startswith("Bearer xapp-") or not self.socket_url:
                        return 200, {"ok": False, "error": "invalid_auth"}
                    return 200, {"ok": True, "url": self.socket_url}
                if not (authorization or "").startswith("Bearer xoxb-"):
                    return 200, {"ok": False, "error": "invalid_auth"}
                if method in self.fail:
                    return 200, {"ok": False, "error": self.fail[method]}
                return 200, self._api(method, params)
            finally:
                self._lock.notify_all()

    def _api(self, method: str, p: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "citebot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            m = Message(p["channel"], self.next_ts(), p.get("text", ""), bot_id=BOT_ID, user=BOT_USER_ID,
                        thread_ts=p.get("thread_ts"), blocks=p.get("blocks") or [])
            self.messages[(m.channel, m.ts)] = m
            return {"ok": True, "channel": m.channel, "ts": m.ts, "message": m.as_api()}
        if method == "chat.update":
            m = self.messages.get((p["channel"], p["ts"]))
            if m is None:
                return {"ok": False, "error": "message_not_found"}
            m.text, m.blocks = p.get("text", ""), p.get("blocks") or []
            return {"ok": True, "channel": m.channel, "ts": m.ts, "text": m.text}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method in ("reactions.add", "reactions.remove"):
            return {"ok": True}
        if method == "conversations.replies":
            return {"ok": True, "has_more": False,
                    "messages": [m.as_api() for m in self.thread(p["channel"], p["ts"])]}
        return {"ok": False, "error": "unknown_method"}


def _parse(body: bytes, content_type: str) -> dict:
    if not body:
        return {}
    if "json" in content_type:
        params = json.loads(body)
    else:
        params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    for key in ("blocks", "attachments"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _handler_for(fake: FakeSlack):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            url = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params = _parse(body, self.headers.get("Content-Type", ""))
            params.update({k: v[0] for k, v in parse_qs(url.query).items()})
            status, reply = fake.handle(url.path, params, self.headers.get("Authorization"))
            data = reply.encode() if isinstance(reply, str) else json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(reply, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST

        def log_message(self, format, *args):
            pass

    return Handler
