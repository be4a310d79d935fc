"""talentnet.cache.DegradingRedisCache (SECURITY.md F4): with Redis unreachable every
operation answers as an empty cache would, quickly, and ping() still reports the outage."""

import time

import pytest
from redis.exceptions import RedisError

from talentnet.cache import DegradingRedisCache


@pytest.fixture
def dead_cache():
    return DegradingRedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_every_operation_answers_as_a_miss(dead_cache, caplog):
    started = time.monotonic()
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.add("lock", True, 10) is True  # allauth's lock: fail open
    assert dead_cache.set("k", [1], 10) is None
    assert dead_cache.has_key("k") is False
    assert dead_cache.delete("k") is False
    assert dead_cache.touch("k") is False
    dead_cache.set_many({"a": 1})
    dead_cache.delete_many(["a"])
    assert time.monotonic() - started < 10
    assert "cache unreachable" in caplog.text


def test_after_a_failure_redis_is_left_alone_for_a_moment(dead_cache, monkeypatch):
    """A Redis that hangs would cost every operation its socket timeout: after a failure the
    operations answer at once without trying, for RETRY_AFTER_SECONDS; then Redis is tried."""
    from types import SimpleNamespace

    from redis.exceptions import ConnectionError as RedisConnectionError

    from talentnet import cache as degrading

    assert dead_cache.get("k") is None  # a real failure: the window opens
    tried = []

    def refuse(self, *args, **kwargs):
        tried.append(1)
        raise RedisConnectionError("refused")

    monkeypatch.setattr(degrading.DegradingRedisCacheClient, "get_client", refuse)
    assert dead_cache.get_many(["a"]) == {} and dead_cache.add("x", 1) is True
    assert tried == []
    later = time.monotonic() + degrading.RETRY_AFTER_SECONDS + 1
    monkeypatch.setattr(degrading, "time", SimpleNamespace(monotonic=lambda: later))
    assert dead_cache.get("k", "fallback") == "fallback"
    assert tried == [1]


def test_ping_raises_so_healthz_sees_the_outage(dead_cache):
    with pytest.raises(RedisError):
        dead_cache.ping()


def test_the_project_uses_it(settings):
    assert settings.CACHES["default"]["BACKEND"] == "talentnet.cache.DegradingRedisCache"


def test_a_live_redis_works_as_usual(settings):
    from django.core.cache import cache

    cache.set("degrading-check", {"x": 1}, 10)
    assert cache.get("degrading-check") == {"x": 1}
    assert cache.add("degrading-check", 2) is False
    cache.ping()
