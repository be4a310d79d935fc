"""Database helpers for outages (SECURITY.md F3): a PostgreSQL backend that waits briefly
for the server instead of failing at once (`talentnet.db.postgresql`), a way to opt out of
that wait where an outage must be reported at once (/healthz), and a retry for idempotent
steps of long-running work that a restart interrupts (the announcement fan-out).
"""

import contextlib
import functools
import logging

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger("talentnet.db")


@contextlib.contextmanager
def connect_without_retry(using=DEFAULT_DB_ALIAS):
    """Inside: a new connection is tried once, so an outage is reported at once."""
    conn = connections[using]
    previous = getattr(conn, "connect_retry_seconds", None)
    conn.connect_retry_seconds = 0
    try:
        yield
    finally:
        conn.connect_retry_seconds = previous


def retry_if_disconnected(func):
    """Run an IDEMPOTENT database step again once when its connection broke under it
    (the server restarted): the broken connection is dropped and the step runs on a new one,
    which waits for the server for up to DB_CONNECT_RETRY_SECONDS.

    Only outside a transaction (inside one, the work before the break is gone and only the
    caller can redo it) and only when the connection is really unusable (an error the
    server answered, such as a lock timeout, is raised as it is).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            conn = connections[DEFAULT_DB_ALIAS]
            if conn.in_atomic_block or (conn.connection is not None and conn.is_usable()):
                raise
            logger.warning("database connection lost (%s): %s runs again", exc, func.__name__)
            conn.close()
        return func(*args, **kwargs)

    return wrapper
