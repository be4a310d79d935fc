"""Who runs programs: the "Program staff" group and IME staff hold every programs
permission; the admin is closed to members without it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from programs.access import PROGRAM_STAFF, is_program_staff
from tests.factories import ProgramFactory, member, program_staff_user

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:programs_application_changelist",
    "admin:programs_enrolment_changelist",
    "admin:programs_certificate_changelist",
    "admin:programs_enrolment_import",
]


@pytest.mark.parametrize("name", [PROGRAM_STAFF, "IME staff"])
def test_the_group_holds_every_programs_permission(name):
    expected = set(Permission.objects.filter(content_type__app_label="programs"))
    assert len(expected) == 48  # 12 models x add/change/delete/view
    assert expected <= set(Group.objects.get(name=name).permissions.all())


def test_program_staff_reach_the_programs_admin(client):
    user = program_staff_user()
    assert is_program_staff(user)
    client.force_login(user)
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_a_member_is_not_program_staff_and_cannot_reach_the_admin(client):
    user = member()
    assert not is_program_staff(user)
    client.force_login(user)
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 302, name


def test_unpublished_program_figures_are_hidden_from_the_public(client):
    program = ProgramFactory(is_published=False)
    assert client.get(reverse("figures_program", kwargs={"slug": program.slug})).status_code == 404
    client.force_login(program_staff_user())
    assert client.get(reverse("figures_program", kwargs={"slug": program.slug})).status_code == 200
