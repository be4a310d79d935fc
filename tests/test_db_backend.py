"""talentnet.db.postgresql: the health check of a persistent connection asks the socket
before the server."""

import os
import resource
import select
import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_connection():
    """A second connection to the test database, idle in autocommit like a gunicorn
    worker's between requests (the test's own connection is inside its transaction)."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _statements_sent(wrapper, monkeypatch):
    sent = []
    raw = wrapper.connection
    original = raw.cursor

    def counting_cursor(*args, **kwargs):
        sent.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(raw, "cursor", counting_cursor)
    return sent


def test_an_idle_healthy_connection_is_usable_without_a_round_trip(own_connection, monkeypatch):
    sent = _statements_sent(own_connection, monkeypatch)
    assert own_connection.is_usable() is True
    assert sent == []


def test_a_connection_whose_server_went_away_is_not_usable(own_connection):
    pid = own_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    socket = select.poll()
    socket.register(own_connection.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not socket.poll(50) and time.monotonic() < deadline:
        pass
    assert own_connection.is_usable() is False


def test_a_connection_inside_a_transaction_asks_the_server(own_connection, monkeypatch):
    own_connection.connection.execute("BEGIN")
    sent = _statements_sent(own_connection, monkeypatch)
    assert own_connection.is_usable() is True
    assert sent == [1]
    own_connection.connection.execute("ROLLBACK")


def test_a_connection_past_selects_descriptor_limit_is_checked_the_same_way(monkeypatch):
    """A worker may hold more than 1,024 descriptors (select's limit): still no round trip."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200 <= hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if max(soft, hard) < 1200:
        pytest.skip("this process may not open 1,200 descriptors")
    held = []
    try:
        while not held or held[-1] <= 1030:
            held.append(os.open(os.devnull, os.O_RDONLY))
        wrapper = connections.create_connection("default")
        wrapper.ensure_connection()
        try:
            assert wrapper.connection.fileno() > 1024
            sent = _statements_sent(wrapper, monkeypatch)
            assert wrapper.is_usable() is True
            assert sent == []
        finally:
            wrapper.close()
    finally:
        for descriptor in held:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
