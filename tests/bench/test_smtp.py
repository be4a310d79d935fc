"""The fan-out scenario's SMTP sink counts what it receives over real SMTP."""

import smtplib
import time
from email.message import EmailMessage

from tests.bench.smtp import SmtpSink


def test_the_sink_counts_messages_and_their_rate():
    with SmtpSink() as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
            for i in range(5):
                message = EmailMessage()
                message["From"] = "no-reply@example.org"
                message["To"] = f"persona{i}@example.org"
                message["Subject"] = "Aviso"
                message.set_content("Hola")
                client.send_message(message)
        assert sink.wait_for(5, timeout=10) == 5
        assert sink.recipients == 5
        assert sink.messages_per_second() > 0
    assert SmtpSink().messages_per_second() is None


def test_the_sink_counts_a_second_message_to_an_address_as_a_duplicate_and_rates_since_a_start():
    started = time.perf_counter()
    with SmtpSink() as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
            for address in ("ana@example.org", "luis@example.org", "ana@example.org"):
                client.sendmail(
                    "no-reply@example.org", [address], b"Subject: Aviso\r\n\r\nHola\r\n"
                )
        assert sink.wait_for(3, timeout=10) == 3
        assert sink.duplicates == 1
        since_start = sink.messages_per_second(since=started)
        assert 0 < since_start == round(3 / (sink.last_at - started), 1)
        assert sink.messages_per_second(since=sink.last_at) is None  # nothing after the last


def test_the_sink_answers_like_a_relay_after_20_ms_unless_told_otherwise(monkeypatch):
    assert SmtpSink().delay == 0.02
    monkeypatch.setenv("BENCH_SMTP_DELAY_MS", "5")
    assert SmtpSink().delay == 0.005
    with SmtpSink() as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
            for address in ("Ana@Example.org", "luis@example.org", "ana@example.org"):
                client.sendmail("no-reply@example.org", [address], b"Subject: A\r\n\r\nHola\r\n")
        assert sink.wait_for(3, timeout=10) == 3
    assert sink.received == {"ana@example.org": 2, "luis@example.org": 1}
    assert sink.duplicates == 1
