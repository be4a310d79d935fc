"""The Redis cache, degrading instead of failing when Redis is unreachable (SECURITY.md F4).

Django's RedisCache raises on a connection error, and allauth keeps its rate limits (and
the used-TOTP-code markers) in the cache: with Redis down every login answered 500. Here a
connection or timeout error makes the operation answer as an empty cache would (get ->
default, add -> True, set -> nothing) and logs a warning; `/healthz` still reports the
cache as failed through `ping()`.

Deliberate choice: while Redis is down, rate limiting FAILS OPEN (no limit is counted) and
a TOTP code is not remembered as used, so members and staff can still sign in; the outage
is visible (healthz 503, a warning per operation) and passwords, verification codes and the
second factor are still checked. Failing closed would lock everyone out during an outage.

After a failure, operations answer as misses without trying for RETRY_AFTER_SECONDS: a
Redis that stops answering (rather than refusing) would otherwise cost each operation its
socket timeout, several times per page now that the busiest pages read the cache.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("talentnet.cache")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER_SECONDS = 1.0


def _arg(args, kwargs, index, name, default=None):
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


# What each operation answers while Redis is unreachable: what an empty cache would.
_FALLBACKS = {
    "get": lambda args, kwargs: _arg(args, kwargs, 1, "default"),
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "add": lambda args, kwargs: True,
    "set": lambda args, kwargs: None,
    "set_many": lambda args, kwargs: [],
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "delete_many": lambda args, kwargs: None,
    "incr": lambda args, kwargs: _arg(args, kwargs, 1, "delta", 1),
    "clear": lambda args, kwargs: False,
}


def _degrading(name, method, fallback):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if time.monotonic() < self._unreachable_until:
            return fallback(args, kwargs)
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning(
                "cache unreachable (%s): %s answered as a miss", type(exc).__name__, name
            )
            return fallback(args, kwargs)

    return wrapper


class DegradingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._unreachable_until = 0.0  # time.monotonic() before which Redis is not tried

    def get_client(self, key=None, *, write=False):
        """One redis.Redis per connection pool, made once. Django builds a new one for every
        operation, which costs more CPU than the GET itself on loopback (a page reading the
        cache pays it on every request). A redis.Redis over a pool is safe to share."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


for _name, _fallback in _FALLBACKS.items():
    setattr(
        DegradingRedisCacheClient,
        _name,
        _degrading(_name, getattr(RedisCacheClient, _name), _fallback),
    )


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient

    def ping(self):
        """Raise when Redis is unreachable (for /healthz, which must see the outage)."""
        self._cache.get_client(write=True).ping()
