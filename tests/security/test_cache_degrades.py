"""Redis unreachable (SECURITY.md F4), with stock means: django-redis answers every
operation of the "answers" cache as a miss (DJANGO_REDIS_IGNORE_EXCEPTIONS) and logs it;
pages are computed from the database; logins and their rate limits use the database cache,
which Redis does not carry; /healthz still sees the outage."""

import logging
import time

import pytest
from django.core.cache import caches
from django.urls import reverse
from redis.exceptions import RedisError

from tests.factories import DEFAULT_PASSWORD, member

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def dead_redis(settings):
    """The "answers" cache pointed at a port where nothing listens."""
    settings.CACHES = {
        **settings.CACHES,
        "answers": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD,
            "KEY_PREFIX": "dead",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    return caches["answers"]


def test_every_operation_answers_as_a_miss_and_is_logged(dead_redis, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="talentnet.cache"):
        assert dead_redis.get("k") is None
        assert dead_redis.get("k", "fallback") == "fallback"
        assert dead_redis.get_many(["a", "b"]) == {}
        dead_redis.set("k", [1], 10)
        dead_redis.set_many({"a": 1})
        dead_redis.delete("k")
        dead_redis.delete_many(["a"])
    assert time.monotonic() - started < 30  # refused at once: never a hung request
    assert "Exception ignored" in caplog.text
    assert caplog.records[0].name == "talentnet.cache"


def test_the_project_uses_django_redis_with_its_documented_settings(settings):
    assert settings.CACHES["answers"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.DJANGO_REDIS_IGNORE_EXCEPTIONS is True
    assert settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS is True
    options = settings.CACHES["answers"]["OPTIONS"]
    assert options["SOCKET_CONNECT_TIMEOUT"] <= 2 and options["SOCKET_TIMEOUT"] <= 2


def test_a_live_redis_works_as_usual():
    from django_redis import get_redis_connection

    answers = caches["answers"]
    answers.set("degrading-check", {"x": 1}, 10)
    assert answers.get("degrading-check") == {"x": 1}
    assert answers.add("degrading-check", 2) is False
    assert get_redis_connection("answers").ping() is True


def test_healthz_sees_the_outage_through_django_redis_own_connection(dead_redis):
    from django_redis import get_redis_connection

    with pytest.raises(RedisError):
        get_redis_connection("answers").ping()


def test_pages_and_logins_work_and_rate_limits_still_count_with_redis_down(client, dead_redis):
    user = member()
    assert client.get(reverse("chapters:list")).status_code == 200
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("members:me")).status_code == 200
    # The rate limit of failed logins counts in the database cache meanwhile.
    client.logout()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "mala-123456789"})
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session
