"""Roles and the second-factor rule."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import RequestFactory

from members.access import IME_STAFF, PNCS_COORDINATORS, ROLE_GROUPS, mfa_required, needs_mfa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_role_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS)


@pytest.mark.parametrize(
    ("groups", "superuser", "expected"),
    [
        ([], False, False),
        ([IME_STAFF], False, True),
        ([PNCS_COORDINATORS], False, True),
        (["Chapter officers"], False, False),
        ([], True, True),
    ],
)
def test_needs_mfa_follows_the_role(groups, superuser, expected):
    user = UserFactory(is_superuser=superuser)
    user.groups.set(Group.objects.filter(name__in=groups))
    assert needs_mfa(user) is expected


def _call(user):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().get("/pncs/search/?sector=tic")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return mfa_required(lambda r: HttpResponse("secret"))(request)


def test_mfa_required_sends_a_user_without_totp_to_set_it_up():
    response = _call(UserFactory())
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response["Location"]
    assert "next=%2Fpncs%2Fsearch%2F%3Fsector%3Dtic" in response["Location"]


def test_mfa_required_lets_a_user_with_totp_through():
    user = UserFactory()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = _call(user)
    assert response.status_code == 200
    assert response.content == b"secret"
