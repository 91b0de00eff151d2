"""HTTP mode: a threaded WSGI server for the Events API at /slack/events (plus /healthz for load balancers).

bolt's own ``App.start()`` server handles one request at a time; this one gives each request a thread, so a
burst of events is acknowledged at once while the QA work runs on the listener executor.
"""
from __future__ import annotations

import logging
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1 << 20  # Slack payloads are far smaller


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _Handler(WSGIRequestHandler):
    def log_message(self, format, *args):  # access lines at debug level, not on stderr
        log.debug("%s %s", self.address_string(), format % args)


def wsgi_app(bolt_app, path: str = EVENTS_PATH):
    """The WSGI application: bolt's WSGI adapter at ``path``, a health check, a cap on body size."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    slack = SlackRequestHandler(bolt_app, path=path)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            start_response("413 Payload Too Large", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"payload too large\n"]
        return slack(environ, start_response)

    return application


class HttpServer:
    """``start()`` serves in a background thread (tests); ``serve_forever()`` in the caller's (the CLI)."""

    def __init__(self, bolt_app, host: str = "0.0.0.0", port: int = 3000, path: str = EVENTS_PATH):
        self._server = make_server(host, port, wsgi_app(bolt_app, path), server_class=_ThreadingWSGIServer,
                                   handler_class=_Handler)
        self._thread: threading.Thread | None = None
        self.path = path

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{self.port}{self.path}"

    def serve_forever(self) -> None:
        log.info("listening for Slack events on %s", self.url)
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name="citebot-slack-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a serve_forever() loop, so only when one runs
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
