"""The outside world of the outbox tests: a real HTTP receiver on 127.0.0.1, and a
payment provider that counts its calls."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from oms.payments import ProviderResult


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status of `answers` (the last one repeats)."""

    url: str
    answers: list[int]
    requests: list[Received] = field(default_factory=list)
    location: str = ""  # sent with each answer when set (a redirect's target)
    delay: float = 0.0  # seconds to wait before answering

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@contextlib.contextmanager
def running_receiver(answers: list[int], *, delay: float = 0.0):
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {name.lower(): value for name, value in self.headers.items()}  # case-insensitive
            receiver.requests.append(Received(self.path, headers, body))
            if receiver.delay:  # a slow or hanging receiver
                time.sleep(receiver.delay)
            answer = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the sender gave up
                self.send_response(answer)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(
        url=f"http://127.0.0.1:{server.server_port}/hooks/oms", answers=list(answers), delay=delay
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class CountingProvider:
    """The payment provider (the outside world): remembers each call, accepts all."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    def capture(self, authorisation, amount, currency, *, key):
        self.calls.append(("capture", key))
        return ProviderResult(True, provider_reference=f"cap-{key}")

    def refund(self, authorisation, amount, currency, *, key):
        self.calls.append(("refund", key))
        return ProviderResult(True, provider_reference=f"ref-{key}")

    def void(self, authorisation, *, key):
        self.calls.append(("void", key))
        return ProviderResult(True, provider_reference=f"void-{key}")
