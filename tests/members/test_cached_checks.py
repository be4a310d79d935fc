"""Answers members pages reuse instead of asking the database on every request: the privacy
notice in force and a member's acceptance (cached), a user's role names (once per request).
Each is forgotten as soon as what it depends on changes."""

import datetime
import importlib

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from core import access
from core.access import (
    IME_STAFF,
    PNCS_COORDINATORS,
    in_group,
    role_names,
    sees_others_personal_data,
)
from members.models import PrivacyAcceptance, PrivacyNotice
from members.privacy_defaults import ensure_first_notice
from members.services import accept_privacy_notice, needs_privacy_acceptance
from members.services.privacy import NOTICE_CACHE_SECONDS, _seconds_to_next_notice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notice(version, published_at):
    """A notice after the ones the migrations published (`version` counts from 2)."""
    newest = PrivacyNotice.objects.order_by("-version").first()
    return PrivacyNotice.objects.create(
        version=newest.version + version - 1,
        summary_es="Nuevo",
        summary_en="New",
        body_es="Texto",
        body_en="Text",
        published_at=published_at,
    )


def _asked_to_accept(client):
    response = client.get(reverse("members:directory"))
    return response.status_code == 302 and response["Location"].startswith(
        reverse("members:privacy_accept")
    )


def test_a_cached_acceptance_answers_without_a_query(me, django_assert_num_queries):
    assert needs_privacy_acceptance(user=me) is False  # fills the cache
    with django_assert_num_queries(0):
        assert needs_privacy_acceptance(user=me) is False


def test_a_new_notice_is_asked_on_the_next_request_despite_the_cache(client, me):
    assert not _asked_to_accept(client)  # the acceptance of version 1 is cached now
    new = _notice(2, timezone.now())
    assert _asked_to_accept(client)
    accept_privacy_notice(user=me, notice=new)
    assert not _asked_to_accept(client)


def test_a_withdrawn_acceptance_is_asked_again(client, me):
    assert not _asked_to_accept(client)
    PrivacyAcceptance.objects.filter(user=me).delete()
    assert _asked_to_accept(client)


def test_the_notice_in_force_is_cached_until_a_scheduled_one_is_due():
    assert _seconds_to_next_notice() == NOTICE_CACHE_SECONDS
    _notice(2, timezone.now() + datetime.timedelta(minutes=5))
    assert 290 <= _seconds_to_next_notice() <= 300


def test_a_scheduled_notice_is_not_asked_before_it_is_due(me):
    _notice(2, timezone.now() + datetime.timedelta(days=1))
    assert needs_privacy_acceptance(user=me) is False


def test_the_roles_of_a_request_cost_one_query(django_assert_num_queries):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PNCS_COORDINATORS))
    with django_assert_num_queries(1):
        assert sees_others_personal_data(user)
        assert in_group(user, PNCS_COORDINATORS)
        assert not access.is_ime_staff(user)
    assert role_names(user) == {PNCS_COORDINATORS}


def test_changing_groups_through_the_user_forgets_its_roles():
    user = UserFactory(is_staff=True)
    assert not access.is_ime_staff(user)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    assert access.is_ime_staff(user)
    user.groups.clear()
    assert not access.is_ime_staff(user)
    user.is_staff = False
    assert not sees_others_personal_data(user)


def test_a_role_revoked_elsewhere_counts_from_the_next_request(client, me):
    """The memo lives on the request's user object, loaded afresh on every request."""
    coordinators = Group.objects.get(name=PNCS_COORDINATORS)
    coordinators.user_set.add(me)
    assert client.get(reverse("members:directory")).status_code == 302  # second factor first
    coordinators.user_set.remove(me)
    assert client.get(reverse("members:directory")).status_code == 200


def test_the_request_user_comes_with_its_roles_and_second_factor(django_assert_num_queries):
    """members.auth_backends loads the roles and the TOTP state in the user's statement:
    the role questions and the second-factor rule then cost no query of their own."""
    from django.contrib.auth import get_user_model

    from members.auth_backends import RolesAllauthBackend, RolesModelBackend
    from tests.factories import with_totp

    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name=PNCS_COORDINATORS))
    with_totp(coordinator)
    plain = UserFactory()
    for backend in (RolesModelBackend(), RolesAllauthBackend()):
        with django_assert_num_queries(1):
            loaded = backend.get_user(coordinator.pk)
            assert role_names(loaded) == {PNCS_COORDINATORS}
            assert access.has_mfa(loaded)
            assert not access.lacks_second_factor(loaded)
        with django_assert_num_queries(1):
            other = backend.get_user(plain.pk)
            assert role_names(other) == frozenset() and not access.has_mfa(other)
    get_user_model().objects.filter(pk=plain.pk).update(is_active=False)
    assert RolesModelBackend().get_user(plain.pk) is None  # an inactive account signs out
    assert RolesModelBackend().get_user(10**9) is None


def test_a_second_factor_added_elsewhere_counts_from_the_next_request(client, me):
    from tests.factories import with_totp

    Group.objects.get(name=PNCS_COORDINATORS).user_set.add(me)
    response = client.get(reverse("members:directory"))
    assert response.status_code == 302 and "totp" in response["Location"]
    with_totp(me)
    assert client.get(reverse("members:directory")).status_code == 200


def test_a_flushed_database_gets_back_the_notice_the_migrations_put_in_force():
    """A transactional test's flush empties the table; post_migrate publishes the notice
    again, with the version and text migration 0016 gave it, so that no test depends on
    running before one that flushes."""
    migration = importlib.import_module(
        "members.migrations.0016_privacy_notice_v4_engagements_internships_surveys"
    )
    PrivacyAcceptance.objects.all().delete()
    PrivacyNotice.objects.all().delete()
    ensure_first_notice(PrivacyNotice)
    ensure_first_notice(PrivacyNotice)  # idempotent
    restored = PrivacyNotice.objects.get()
    assert restored == PrivacyNotice.objects.current()
    assert (restored.version, restored.body_es, restored.body_en) == (
        4,
        migration.BODY_ES,
        migration.BODY_EN,
    )


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["Jornadas con viaje", "Colaboraciones:", "Pasantías:", "censo anual de la diáspora",
              "Cuentas duplicadas", "coordinadoras de una región de capítulos",
              "webhooks", "solo con tu consentimiento expreso en cada postulación"]),
        ("/en", ["Jornadas with travel", "Engagements:", "Internships:", "yearly diaspora census",
                 "Duplicate accounts", "coordinators of a region of chapters", "webhooks",
                 "only with your express consent in each application"]),
    ],
)  # fmt: skip
def test_the_notice_in_force_states_the_purposes_of_issues_20_to_26(client, prefix, words):
    """Version 4 (members migration 0016): every new datum and purpose, in both languages."""
    assert PrivacyNotice.objects.current().version == 4
    html = client.get(prefix + "/privacy/").content.decode()
    for word in words:
        assert word in html, word
