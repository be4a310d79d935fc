import pytest

from members.models import PrivacyNotice, Profile
from members.services import accept_privacy_notice
from tests.factories import member


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
