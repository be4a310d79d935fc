"""The fan-out scenario's SMTP sink counts what it receives over real SMTP."""

import smtplib
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
