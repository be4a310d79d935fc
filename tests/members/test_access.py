"""Roles and the second-factor rule."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import RequestFactory

from core.access import (
    CHAPTER_OFFICERS,
    IME_STAFF,
    PNCS_COORDINATORS,
    ROLE_GROUPS,
    second_factor_required,
    sees_others_personal_data,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_role_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS)


@pytest.mark.parametrize(
    ("groups", "superuser", "staff", "expected"),
    [
        ([], False, False, False),
        ([IME_STAFF], False, False, True),
        ([PNCS_COORDINATORS], False, False, True),
        ([CHAPTER_OFFICERS], False, False, True),
        (["Program staff"], False, False, True),
        ([], False, True, True),
        ([], True, False, True),
    ],
)
def test_who_sees_others_personal_data_follows_staff_superuser_and_any_group(
    groups, superuser, staff, expected
):
    user = UserFactory(is_superuser=superuser, is_staff=staff)
    user.groups.set(Group.objects.filter(name__in=groups))
    assert sees_others_personal_data(user) is expected


def _call(user):
    user.groups.add(Group.objects.get(name=PNCS_COORDINATORS))
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().get("/pncs/search/?sector=tic")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return second_factor_required(lambda r: HttpResponse("secret"))(request)


def test_second_factor_required_sends_a_privileged_user_without_totp_to_set_it_up():
    response = _call(UserFactory())
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response["Location"]
    assert "next=%2Fpncs%2Fsearch%2F%3Fsector%3Dtic" in response["Location"]


def test_second_factor_required_lets_a_privileged_user_with_totp_through():
    user = UserFactory()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = _call(user)
    assert response.status_code == 200
    assert response.content == b"secret"


def test_second_factor_required_lets_a_member_without_a_role_through():
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().get("/")
    request.user = UserFactory()
    request.session = {}
    request._messages = FallbackStorage(request)
    response = second_factor_required(lambda r: HttpResponse("own"))(request)
    assert response.status_code == 200
