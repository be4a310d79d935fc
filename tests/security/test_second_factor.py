"""Issue 17 item 2 (SECURITY.md A5): every account that can see other people's personal data
uses a second factor, by one rule (members.access.sees_others_personal_data) with no
exception by role name. The groups and permissions are read from the database, so a group
or a model added later is covered without touching this file."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from core.access import sees_others_personal_data
from demo.management.commands.seed_demo import Command as SeedDemo
from tests.factories import UserFactory, member, with_totp

from .world import build_world

pytestmark = pytest.mark.django_db

TOTP_SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def demo_roles(settings):
    """The groups after migrations and the demo data's roles (officers, a coordinator)."""
    settings.DEBUG = True
    call_command(SeedDemo(), members=12, stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


def _sent_to_set_up_a_second_factor(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(TOTP_SETUP)


def _admin_models():
    from django.apps import apps

    return [model for model in apps.get_models() if admin.site.is_registered(model)]


def test_every_group_that_exists_needs_a_second_factor_before_the_admin_and_others_data(
    client, demo_roles
):
    groups = list(Group.objects.order_by("name"))
    assert {"IME staff", "PNCS coordinators", "Chapter officers", "Program staff"} <= {
        g.name for g in groups
    }
    other = member(given_names="Otra")
    wrong = []
    for group in groups:
        for staff in (True, False):
            user = UserFactory(is_staff=staff)
            user.groups.add(group)
            if not sees_others_personal_data(user):
                wrong.append((group.name, staff, "predicate says no"))
            client.force_login(user)
            pages = [reverse("members:directory"), reverse("members:profile", args=[other.pk])]
            if staff:
                pages.append(reverse("admin:index"))
            for url in pages:
                if not _sent_to_set_up_a_second_factor(client.get(url)):
                    wrong.append((group.name, staff, url))
    assert not wrong, wrong


def test_a_group_added_later_needs_a_second_factor_from_its_first_member(client):
    auditors = Group.objects.create(name="Auditores externos")
    auditors.permissions.add(Permission.objects.get(codename="view_profile"))
    user = UserFactory(is_staff=True)
    user.groups.add(auditors)
    client.force_login(user)
    changelist = reverse("admin:members_profile_changelist")
    assert _sent_to_set_up_a_second_factor(client.get(changelist))
    with_totp(user)
    assert client.get(changelist).status_code == 200


def test_every_admin_model_is_behind_the_second_factor_whatever_permission_opens_it(client):
    """Each view permission of each model in the admin, given alone to a staff account
    (directly, no group): without TOTP the model's list sends it to set one up; with TOTP
    it is not sent there (the rule is the second factor, not a plain refusal)."""
    without, with_ = UserFactory(is_staff=True), UserFactory(is_staff=True)
    with_totp(with_)
    wrong = []
    for model in _admin_models():
        opts = model._meta
        permission = Permission.objects.get(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            codename=f"view_{opts.model_name}",
        )
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for user in (without, with_):
            user.user_permissions.set([permission])
            user = type(user).objects.get(pk=user.pk)  # a fresh permission cache
            client.force_login(user)
            response = client.get(url)
            if _sent_to_set_up_a_second_factor(response) != (user.pk == without.pk):
                wrong.append((opts.label, user.pk == with_.pk, response.status_code))
    assert not wrong, wrong


def test_staff_without_a_second_factor_cannot_download_another_members_certificate(client):
    world = build_world()
    staff = world.user("staff_no_mfa")
    client.force_login(staff)
    response = client.get(world.urls["programs:certificate_pdf"])
    assert _sent_to_set_up_a_second_factor(response)
    assert b"%PDF" not in response.content
    with_totp(staff)
    assert client.get(world.urls["programs:certificate_pdf"]).status_code == 200


def test_program_staff_without_a_second_factor_read_no_application_in_the_admin(client):
    world = build_world()
    program_staff = world.user("program_staff")
    Authenticator.objects.filter(user=program_staff).delete()
    client.force_login(program_staff)
    for name in ("admin:programs_application_changelist", "figures_program_staff"):
        assert _sent_to_set_up_a_second_factor(client.get(world.urls[name])), name


def test_an_officer_without_a_second_factor_neither_decides_nor_exports(client):
    world = build_world()
    client.force_login(world.user("officer_no_mfa"))
    for name in (
        "admin:index",
        "admin:chapters_membership_changelist",
        "chapters:jornada_participants_csv",
    ):
        assert _sent_to_set_up_a_second_factor(client.get(world.urls[name])), name
