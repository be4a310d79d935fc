"""Database helpers: a longer statement timeout for work that needs one, and a retry for
idempotent steps of long-running work that a database restart interrupts (the
announcement fan-out). Waiting for a restarting server is the connection pool's job
(settings.DATABASES: psycopg_pool's timeout)."""

import contextlib
import functools
import logging

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction

logger = logging.getLogger("talentnet.db")


@contextlib.contextmanager
def statement_timeout(milliseconds: int, using: str = DEFAULT_DB_ALIAS):
    """A transaction whose statements may each run up to `milliseconds` (0: no limit)
    instead of DB_STATEMENT_TIMEOUT: `SET LOCAL` ends with the transaction, so nothing
    outlives it on the connection (a transaction pooler may hand the connection to anyone
    next). For Celery tasks and exports that read far more than a page does."""
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(milliseconds)])
        yield


def retry_if_disconnected(func):
    """Run an IDEMPOTENT database step again once when its connection broke under it
    (the server restarted): the broken connection is dropped and the step runs on a new one,
    which waits for the server for up to the pool's timeout (DB_POOL_TIMEOUT).

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
