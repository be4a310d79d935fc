"""Site-wide views of no app: the health checks (readiness /healthz, liveness /livez)."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from kombu.exceptions import OperationalError as KombuOperationalError
from psycopg import Error as PsycopgError
from redis.exceptions import RedisError

from talentnet.celery import app

logger = logging.getLogger(__name__)


# How long /healthz waits for a database connection: an outage is reported at once, while
# pages wait the pool's whole timeout (DB_POOL_TIMEOUT) for a restarting server.
HEALTHZ_DATABASE_WAIT = 1.0


def _check_database():
    pool = getattr(connection, "pool", None)  # PostgreSQL's connection pool (settings.py)
    if pool is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return
    pool.open()
    with pool.connection(timeout=HEALTHZ_DATABASE_WAIT) as conn:
        conn.execute("SELECT 1")


def _check_cache():
    """A round trip to Redis (django-redis answers every cache operation as a miss while
    Redis is away, so only its own connection shows the outage)."""
    from django_redis import get_redis_connection

    get_redis_connection("answers").ping()


def _check_broker():
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
def healthz(request):
    """200 when every configured backend answers; 503 naming the ones that failed."""
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["cache"] = _check_cache
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
        except (DatabaseError, PsycopgError, RedisError, KombuOperationalError, OSError) as exc:
            logger.warning("healthz: %s failed: %s", name, exc.__class__.__name__)
            results[name] = "error"
        else:
            results[name] = "ok"
    failed = sorted(name for name, state in results.items() if state != "ok")
    body = {"status": "error" if failed else "ok", "checks": results, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)


@never_cache
def livez(request):
    """200 while this process answers requests: no database, cache or broker is asked (the
    orchestrator's liveness probe; deploy/k8s). A dead database makes /healthz fail and the
    pod leave the Service, but restarting the pod would not bring the database back."""
    return JsonResponse({"status": "ok"})


# allauth's longest rate-limit window (failed logins: ACCOUNT_LOGIN_ATTEMPTS_TIMEOUT, 5 minutes).
RETRY_AFTER_SECONDS = 300


def too_many_requests(request, exception=None):
    """The 429 page (allauth's rate limits call the URLconf's `handler429`): a page of the site,
    in the visitor's language, saying when to try again (also as `Retry-After`)."""
    response = render(request, "429.html", {"retry_minutes": RETRY_AFTER_SECONDS // 60}, status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
