"""A loopback HTTP server that records webhook deliveries (major-incident and delivery tests).

`stalling_webhook_receiver` can also hold its answer to one request after recording it, the
way a receiver looks to a sender that dies (or times out) before the answer arrives."""

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(
            {
                "at": time.time(),
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
                "json": json.loads(body or b"{}"),
            }
        )
        if getattr(self.server, "stall_next", False):
            self.server.stall_next = False
            self.server.stalled.set()
            self.server.release.wait(120)
        try:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass  # the sender is gone (killed while this answer was held)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def stalling_webhook_receiver():
    """Yields the server: `url`, `received`, and `stall_next` (set it to True to hold the
    answer to the next request, after recording it, until `release` is set; `stalled` is set
    once a request is being held)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.received = []
    server.stall_next = False
    server.stalled = threading.Event()
    server.release = threading.Event()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


@contextmanager
def webhook_receiver():
    """Yields (base_url, received): every POST is appended to `received`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.received
    finally:
        server.shutdown()
        server.server_close()
