"""Site-wide pages served by the members app: home and the health check."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from talentnet.db import connect_without_retry

from ..models import Contribution, Sector

logger = logging.getLogger(__name__)


def home(request):
    """The network explained, with the ways in: sign-up, chapters, PNCS, programs."""
    return render(
        request,
        "members/home.html",
        {"sectors": Sector.objects.all(), "contributions": Contribution.objects.all()},
    )


def _check_database():
    # No waiting for a restarting database here (talentnet.db.postgresql does elsewhere):
    # the health check reports the outage at once.
    with connect_without_retry(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    # A round trip on a key of our own; only a connection error counts as a failure
    # (another process may evict or flush keys at any time without the cache being down).
    ping = getattr(cache, "ping", None)
    if ping is not None:  # talentnet.cache.DegradingRedisCache hides outages from callers
        ping()
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    cache.get(key)
    cache.delete(key)


def _check_broker():
    from talentnet.celery import app

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
        except (DatabaseError, RedisError, KombuOperationalError, OSError) as exc:
            logger.warning("healthz: %s failed: %s", name, exc.__class__.__name__)
            results[name] = "error"
        else:
            results[name] = "ok"
    failed = sorted(name for name, state in results.items() if state != "ok")
    body = {"status": "error" if failed else "ok", "checks": results, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)


def privacy_notice(request):
    """The privacy notice in force (public), with links to earlier published versions."""
    from ..models import PrivacyNotice

    notices = list(PrivacyNotice.objects.published().order_by("-version"))
    version = request.GET.get("version", "")
    notice = notices[0] if notices else None
    if version.isdigit():
        notice = next((n for n in notices if n.version == int(version)), None)
        if notice is None:
            from django.http import Http404

            raise Http404
    return render(
        request,
        "members/privacy_notice.html",
        {"notice": notice, "notices": notices, "current": notices[0] if notices else None},
    )
