import pytest
from django.utils import translation

from members.models import PrivacyNotice, Profile
from members.services import accept_privacy_notice
from tests.factories import member


@pytest.fixture(autouse=True)
def _default_language():
    """A request under /en/ leaves English active in the test thread; `reverse()` in the
    next test would then build /en/ paths. Start and end every test in Spanish."""
    translation.activate("es-mx")
    yield
    translation.activate("es-mx")


@pytest.fixture
def onboarded():
    """A factory of verified members who accepted the notice and finished onboarding."""

    def make(**profile_fields):
        user = member(**profile_fields)
        accept_privacy_notice(user=user, notice=PrivacyNotice.objects.current())
        Profile.objects.filter(user=user).update(onboarded_at="2026-01-01T00:00Z")
        return user

    return make


@pytest.fixture
def me(onboarded, client):
    user = onboarded()
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """A cache prefix of this test alone: concurrent test runs share the Redis database
    (and its key prefix), and their cleanup must neither widen nor tighten our rate limits.

    Returns a function that empties the namespace (e.g. to let a cooldown pass)."""
    import uuid

    from django.core.cache import cache

    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    prefix = f"members-test-{uuid.uuid4().hex}"
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches

    def wipe():
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)

    yield wipe
    wipe()
