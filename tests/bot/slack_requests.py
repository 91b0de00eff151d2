"""What Slack sends an app over HTTP: Events API, slash-command and interactivity requests, signed with the
signing secret (v0 HMAC-SHA256 over "v0:<timestamp>:<body>"), posted over a real socket."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlparse

from fake_slack import TEAM_ID

_ids = itertools.count(1)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


def post(url: str, body: bytes, content_type: str, secret: str, *, timestamp: int | None = None,
         sign_with: str | None = None, retry_num: int | None = None, headers: dict | None = None) -> Reply:
    """POST a signed request; ``sign_with`` signs with another secret, ``timestamp`` may be stale."""
    ts = int(time.time()) if timestamp is None else timestamp
    all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                   "X-Slack-Signature": signature(sign_with or secret, ts, body)}
    if retry_num is not None:
        all_headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
    all_headers.update(headers or {})
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    start = time.monotonic()
    try:
        conn.request("POST", u.path, body=body, headers=all_headers)
        resp = conn.getresponse()
        return Reply(resp.status, resp.read().decode(), time.monotonic() - start)
    finally:
        conn.close()


def event_callback(event: dict, event_id: str | None = None) -> bytes:
    return json.dumps({
        "token": "legacy-verification-token", "team_id": TEAM_ID, "api_app_id": "A0CITEBOT",
        "type": "event_callback", "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
        "event": event,
    }).encode()


def mention(channel: str, ts: str, text: str, user: str = "UALICE01", thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "team": TEAM_ID,
             "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm(channel: str, ts: str, text: str, user: str = "UALICE01", **extra) -> dict:
    return {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts, "channel": channel,
            "team": TEAM_ID, "event_ts": ts, **extra}


def send_event(url: str, secret: str, event: dict, event_id: str | None = None, **kw) -> Reply:
    return post(url, event_callback(event, event_id), "application/json", secret, **kw)


def send_command(url: str, secret: str, text: str, response_url: str, user: str = "UALICE01",
                 channel: str = "C0GENERAL", **kw) -> Reply:
    body = urlencode({
        "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "test", "channel_id": channel,
        "channel_name": "general", "user_id": user, "user_name": "alice", "command": "/ask", "text": text,
        "api_app_id": "A0CITEBOT", "response_url": response_url, "trigger_id": f"{next(_ids)}.trigger",
    }).encode()
    return post(url, body, "application/x-www-form-urlencoded", secret, **kw)


def send_action(url: str, secret: str, payload: dict, **kw) -> Reply:
    body = ("payload=" + quote(json.dumps(payload))).encode()
    return post(url, body, "application/x-www-form-urlencoded", secret, **kw)


def button_click(message: dict, channel: str, action_id: str, value: str, response_url: str,
                 user: str = "UBOB0001", ephemeral: bool = False) -> dict:
    """The block_actions payload Slack sends when someone clicks a button on ``message``."""
    return {
        "type": "block_actions", "team": {"id": TEAM_ID, "domain": "test"}, "user": {"id": user, "name": "bob"},
        "api_app_id": "A0CITEBOT", "token": "legacy-verification-token", "trigger_id": f"{next(_ids)}.trigger",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                      "is_ephemeral": ephemeral},
        "channel": {"id": channel, "name": "general"}, "message": message, "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "citebot_feedback", "value": value,
                     "action_ts": str(time.time())}],
    }
