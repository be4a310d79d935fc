"""Django's PostgreSQL backend, waiting briefly for the server when a connection fails.

During a restart (a few seconds) PostgreSQL refuses connections or answers "the database
system is starting up". Django's backend fails at once: every request arriving then got
the error page. This one tries again for up to DB_CONNECT_RETRY_SECONDS (a few seconds,
far below gunicorn's timeout) before giving up, so a request arriving during a short
restart waits and succeeds; a longer outage still ends in the plain error page within the
bound. A persistent connection that the restart broke is replaced first
(CONN_HEALTH_CHECKS, settings.py). /healthz opts out (talentnet.db.connect_without_retry):
it reports an outage at once.

That health check asks the socket before the server (`is_usable`): Django sends `SELECT 1`
before the first query of every request, a round trip per page. A server that went away
(a restart, a terminated backend, a cut connection) closed the socket, usually with a last
message, so there is something to read; an idle connection with nothing to read is used
as it is, and any other asks the server as Django does.
"""

import logging
import select
import time

from django.conf import settings
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from psycopg import pq

logger = logging.getLogger("talentnet.db")

# Pause between attempts: short first (a restart is often under a second), then longer.
FIRST_PAUSE = 0.1
MAX_PAUSE = 1.0


class DatabaseWrapper(PostgresDatabaseWrapper):
    connect_retry_seconds = None  # None: settings.DB_CONNECT_RETRY_SECONDS; 0: one attempt

    def _retry_budget(self) -> float:
        if self.connect_retry_seconds is not None:
            return float(self.connect_retry_seconds)
        return float(getattr(settings, "DB_CONNECT_RETRY_SECONDS", 0))

    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + self._retry_budget()
        pause = FIRST_PAUSE
        attempts = 0
        while True:
            attempts += 1
            try:
                connection = super().get_new_connection(conn_params)
            except self.Database.OperationalError as exc:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise
                if attempts == 1:
                    logger.warning("database unreachable (%s); retrying for %.1f s", exc, left)
                time.sleep(min(pause, left))
                pause = min(pause * 2, MAX_PAUSE)
                continue
            if attempts > 1:
                logger.warning("database reachable again after %d attempts", attempts)
            return connection

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            # poll, not select: a worker may hold descriptors past select's limit (1024).
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
            waiting = poller.poll(0)
        except (OSError, ValueError):  # no descriptor any more: ask the server as Django does
            return super().is_usable()
        if not waiting and connection.info.transaction_status == pq.TransactionStatus.IDLE:
            return True
        return super().is_usable()
