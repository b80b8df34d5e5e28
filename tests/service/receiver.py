"""A webhook receiver on loopback for the tests: records every POST (headers and raw body) and
answers with the status the test sets (503 while it should be "down")."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


class Receiver:
    def __init__(self) -> None:
        self.status = 200
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.status
                with receiver._lock:
                    receiver.received.append(Received(dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def accepted(self, event: str | None = None) -> list[Received]:
        with self._lock:
            return [
                r
                for r in self.received
                if 200 <= r.answered < 300 and (event is None or r.headers.get("X-Support-Crew-Event") == event)
            ]

    def wait_for(self, predicate, timeout_s: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                found = [r for r in self.received if predicate(r)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no matching webhook delivery within {timeout_s} s; received {len(self.received)}")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
