"""A loopback SMTP sink for the announcement fan-out scenario, answering like a real relay:
each message is accepted after `delay` seconds (default 20 ms, BENCH_SMTP_DELAY_MS), while
other connections are served meanwhile. It keeps only counts, how many messages each
address received (to count duplicates and check them against the delivery rows) and the
arrival times (never the bodies: 100,000 messages), and gives messages/s since a given
start (the send) or between the first and the last arrival.

    with SmtpSink(delay=0.02) as sink:
        env = {"SMTP_HOST": sink.host, "SMTP_PORT": str(sink.port), "SMTP_TLS": "false"}
        started = time.perf_counter()
        ...  # start the worker with env, send the announcement
        sink.wait_for(100_000, timeout=600)
        figures = {"msgs_per_s": sink.messages_per_second(since=started), "delivered": sink.count}
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections import Counter

DEFAULT_DELAY_MS = 20.0


def default_delay() -> float:
    """Seconds a message waits for its answer: BENCH_SMTP_DELAY_MS (20 ms by default)."""
    return float(os.environ.get("BENCH_SMTP_DELAY_MS", DEFAULT_DELAY_MS)) / 1000


class _CountingHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)  # the relay's work; other sessions go on
        self.sink.record(envelope.rcpt_tos)
        return "250 OK"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", delay: float | None = None):
        self.host = host
        self.port = None
        self.delay = default_delay() if delay is None else delay
        self.count = 0
        self.recipients = 0
        self.duplicates = 0  # messages to an address that already received one
        self.received = Counter()  # address (lower case) -> messages received
        self.first_at = None
        self.last_at = None
        self._lock = threading.Lock()
        self._controller = None

    def record(self, recipients: list[str]) -> None:
        now = time.perf_counter()
        with self._lock:
            self.count += 1
            self.recipients += len(recipients)
            for address in recipients:
                address = address.lower()
                if self.received[address]:
                    self.duplicates += 1
                self.received[address] += 1
            self.first_at = self.first_at or now
            self.last_at = now

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        with socket.socket() as sock:
            sock.bind((self.host, 0))
            self.port = sock.getsockname()[1]
        self._controller = Controller(_CountingHandler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, count: int, timeout: float = 120.0) -> int:
        """Wait until `count` messages arrived (or the timeout); returns how many did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.count >= count:
                    return self.count
            time.sleep(0.05)
        with self._lock:
            return self.count

    def messages_per_second(self, since: float | None = None) -> float | None:
        """Messages per second from `since` (a time.perf_counter() taken when the send
        started) to the last arrival; without it, between the first and the last arrival."""
        with self._lock:
            if since is not None:
                if not self.count or self.last_at <= since:
                    return None
                return round(self.count / (self.last_at - since), 1)
            if self.count < 2 or self.last_at == self.first_at:
                return None
            return round((self.count - 1) / (self.last_at - self.first_at), 1)
