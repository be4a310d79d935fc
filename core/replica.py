"""The read replica (DATABASE_REPLICA_URL, optional): heavy reads go to it, the rest to the
primary.

- What is heavy is named where it happens: views decorated `@replica_reads` (coordinator
  search and exports, the directory, figures, feeds, public lists) and work wrapped in
  `heavy_reads()`. Everything else (every write, every read inside a transaction, every
  other page) uses the primary.
- Read-your-writes: a request that could write (any method but GET/HEAD/OPTIONS) leaves a
  cookie for REPLICA_READ_YOUR_WRITES_SECONDS; while it is there the visitor's requests
  read from the primary (`ReadYourWritesMiddleware`). The cookie only ever moves reads to
  the primary, so a forged one costs nothing but the primary's time.
- A replica that does not answer, or replays more than DATABASE_REPLICA_MAX_LAG seconds
  behind, is skipped for DATABASE_REPLICA_RETRY_AFTER seconds; a healthy one is asked again
  every DATABASE_REPLICA_CHECK_EVERY seconds (per process; the probe waits at most 2 s).
- A replica that fails under a request (stopped between two probes) does not fail it: a
  `@replica_reads` view of a safe method is run again on the primary, and the replica is
  skipped from then on for DATABASE_REPLICA_RETRY_AFTER seconds.

No session state: the probe is one SELECT in autocommit, so a transaction-mode pooler
(PgBouncer) in front of either server is fine.
"""

import contextlib
import contextvars
import functools
import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger("talentnet.db")

REPLICA = "replica"
COOKIE = "tn_primary"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_heavy = contextvars.ContextVar("talentnet_heavy_reads", default=False)
_pinned = contextvars.ContextVar("talentnet_read_your_writes", default=False)

# Seconds behind: 0 when everything received is replayed; else the age of the last
# transaction replayed or, when none was replayed since the standby started (a paused or
# stuck standby holding WAL it never applied), the time since it started: it is at least
# that far behind as far as it can tell.
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - "
    "COALESCE(pg_last_xact_replay_timestamp(), pg_postmaster_start_time())) END"
)


@contextlib.contextmanager
def heavy_reads():
    """Reads in this block may go to the replica (when there is one and it is healthy)."""
    token = _heavy.set(True)
    try:
        yield
    finally:
        _heavy.reset(token)


def replica_reads(view):
    """A view whose reads may go to the replica."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with heavy_reads():
            on_replica = replica_in_use()
            try:
                return view(request, *args, **kwargs)
            except DatabaseError:
                if not on_replica or request.method not in SAFE_METHODS:
                    raise
                logger.warning(
                    "read replica failed under %s; read again on the primary", request.path
                )
                health.failed()
        return view(request, *args, **kwargs)  # outside heavy_reads: the primary

    return wrapper


class ReplicaHealth:
    """Whether the replica may be used now: asked again after CHECK_EVERY seconds when it
    was fine, after RETRY_AFTER seconds when it was not (one slow probe per window)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.usable_until = 0.0
        self.skipped_until = 0.0

    def forget(self) -> None:
        with self.lock:
            self.usable_until = self.skipped_until = 0.0

    def failed(self) -> None:
        """The replica failed a query: skip it for RETRY_AFTER seconds, its connection closed."""
        with self.lock:
            self.usable_until = 0.0
            self.skipped_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_AFTER
        connections[REPLICA].close()

    def usable(self) -> bool:
        now = time.monotonic()
        if now < self.usable_until:
            return True
        if now < self.skipped_until:
            return False
        with self.lock:
            ok = self.probe()
            if ok:
                self.usable_until = now + settings.DATABASE_REPLICA_CHECK_EVERY
                self.skipped_until = 0.0
            else:
                self.usable_until = 0.0
                self.skipped_until = now + settings.DATABASE_REPLICA_RETRY_AFTER
        return ok

    def probe(self) -> bool:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(LAG_SQL)
                lag = float(cursor.fetchone()[0])
        except DatabaseError as exc:
            logger.warning("read replica skipped: %s", exc)
            connections[REPLICA].close()
            return False
        if lag > settings.DATABASE_REPLICA_MAX_LAG:
            logger.warning("read replica skipped: %.1f s behind", lag)
            return False
        return True


health = ReplicaHealth()


def replica_in_use() -> bool:
    """Whether a read here would go to the replica."""
    return (
        REPLICA in settings.DATABASES
        and _heavy.get()
        and not _pinned.get()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and health.usable()
    )


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        return REPLICA if replica_in_use() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both servers

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Reads from the primary for a few seconds after a request that could write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if REPLICA not in settings.DATABASES:
            return self.get_response(request)
        token = _pinned.set(COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                COOKIE,
                "1",
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
