"""Real sockets that fail the way an LLM endpoint does: a closed port, a server that accepts and never answers, and
one that answers every request with an HTTP error status and an OpenAI-style error body."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def reply_json(handler: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def closed_port_url() -> str:
    """The base URL of a loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class HangingServer:
    """Accepts connections and never sends a byte back."""

    def __init__(self):
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.accepted.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in [*self.accepted, self._sock]:
            conn.close()


class StatusServer:
    """Answers every request with ``status`` and ``{"error": {"message": message, ...}}``; counts the requests."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append(self.path)
                reply_json(self, status, {"error": {"message": message, "type": "test_error", "param": None,
                                                    "code": None}})

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# status -> (the server's error message, words the one-line error must contain besides the endpoint)
FAILURES = {
    401: ("Incorrect API key provided", ("HTTP 401", "API key was rejected", "CITEBOT_LLM_API_KEY")),
    404: ("The model `m` does not exist", ("HTTP 404", "model 'm' not found", "The model `m` does not exist")),
    500: ("upstream crashed", ("HTTP 500", "server error", "upstream crashed")),
}
