"""`citebot slack` in Socket Mode, run as a process: apps.connections.open on the fake Web API hands out a local
WebSocket where this test plays Slack, sending event and slash-command envelopes and reading the acks."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading

import pytest
from bot_fakes import BOT_TOKEN, REPO
from fake_slack import BOT_USER_ID
from slack_requests import event_callback, mention

ws_server = pytest.importorskip("websockets.sync.server")
pytestmark = pytest.mark.slow
APP_TOKEN = "xapp-1-A0CITEBOT-1234567890-0123456789abcdef"
CHANNEL = "C0GENERAL"


class FakeSocketMode:
    """One WebSocket peer: says hello, sends queued envelopes, collects what the bot sends back."""

    def __init__(self):
        self.outbox: queue.Queue = queue.Queue()
        self.inbox: queue.Queue = queue.Queue()
        self.connected = threading.Event()
        self.server = ws_server.serve(self._session, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"

    def _session(self, ws):
        from websockets.exceptions import ConnectionClosed

        ws.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0CITEBOT"}}))
        self.connected.set()
        while True:
            try:
                ws.send(json.dumps(self.outbox.get_nowait()))
            except queue.Empty:
                pass
            try:
                self.inbox.put(json.loads(ws.recv(timeout=0.05)))
            except TimeoutError:
                continue
            except ConnectionClosed:
                return

    def ack_for(self, envelope_id: str, timeout: float = 10) -> dict:
        while True:
            message = self.inbox.get(timeout=timeout)
            if message.get("envelope_id") == envelope_id:
                return message


def test_citebot_slack_socket_mode_end_to_end(fake_slack, seed_index, tmp_path):
    socket = FakeSocketMode()
    socket.thread.start()
    fake_slack.socket_url = socket.url
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
           "SLACK_API_URL": fake_slack.api_url, "CITEBOT_INDEX_DIR": str(seed_index)}
    env.pop("SLACK_SIGNING_SECRET", None)
    cmd = [sys.executable, "-m", "citebot.cli", "-v", "slack", "--feedback-db", str(tmp_path / "bot.sqlite3")]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        assert socket.connected.wait(180), "".join(log)
        msg = fake_slack.add_user_message(CHANNEL, "q")
        payload = json.loads(event_callback(mention(CHANNEL, msg.ts, f"<@{BOT_USER_ID}> Who will Harris meet?"),
                                            "Ev0SOCKET1"))
        for attempt in range(2):  # the original and a retry of the same event
            socket.outbox.put({"envelope_id": f"env-{attempt}", "type": "events_api", "payload": payload,
                               "accepts_response_payload": False, "retry_attempt": attempt,
                               "retry_reason": "timeout" if attempt else ""})
            assert socket.ack_for(f"env-{attempt}")["envelope_id"] == f"env-{attempt}"
        socket.outbox.put({"envelope_id": "env-cmd", "type": "slash_commands", "accepts_response_payload": True,
                           "payload": {"command": "/ask", "text": "Who will Harris meet?", "user_id": "UALICE01",
                                       "channel_id": CHANNEL, "team_id": "T0TEST01",
                                       "response_url": fake_slack.response_url("cmd")}})
        ack = socket.ack_for("env-cmd")
        assert "Looking that up" in ack["payload"]["text"]
        fake_slack.wait_for(lambda: fake_slack.of("reactions.remove") and fake_slack.of("response_url"), 60)
        [reply] = fake_slack.bot_replies(CHANNEL, msg.ts)
        assert "Sources" in str(reply.blocks)
        [answer] = fake_slack.of("response_url")
        assert "Sources" in str(answer.params["blocks"])
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        reader.join(timeout=10)
        socket.server.shutdown()
    assert code == 0, "".join(log)
    assert len(fake_slack.bot_replies(CHANNEL, msg.ts)) == 1  # the retry was not answered again
    text = "".join(log)
    assert APP_TOKEN not in text and BOT_TOKEN not in text
