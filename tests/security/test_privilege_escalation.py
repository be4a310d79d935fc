"""Issue 17 item 3 (SECURITY.md B4): only superusers change roles and permissions. Every
non-superuser role posts every privileged field through the admin's own forms (its own
account, a plain member, a superuser's password, the groups, the permissions) and nothing
changes; a superuser posting the same forms does change them, so the forms are valid."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from members.models import User

from .world import ROLES, build_world

pytestmark = pytest.mark.django_db

NOT_SUPERUSER = [role for role in ROLES if role not in ("anonymous", "superuser")]
NEW_PASSWORD = "una clave nueva bastante larga 2026"


def _privileges():
    """Everything that makes an account powerful, for every account and group."""
    users = {
        u.pk: (
            u.is_superuser,
            u.is_staff,
            u.email,
            u.password,
            tuple(sorted(u.groups.values_list("pk", flat=True))),
            tuple(sorted(u.user_permissions.values_list("pk", flat=True))),
        )
        for u in User.objects.all()
    }
    groups = {
        g.name: tuple(sorted(g.permissions.values_list("pk", flat=True)))
        for g in Group.objects.all()
    }
    return users, groups, Permission.objects.count()


def _raise(user):
    """The admin's user form, with every privileged field set as high as it goes."""
    return {
        "email": user.email,
        "is_active": "on",
        "preferred_language": user.preferred_language or "es-mx",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": list(Group.objects.values_list("pk", flat=True)),
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)),
    }


def _posts(world, attacker):
    """(what, URL, data, a superuser may) for every way into more power through the admin."""
    victim = world.user("other_member")
    superuser = world.user("superuser")
    staff_group = Group.objects.get(name="IME staff")
    every_permission = list(Permission.objects.values_list("pk", flat=True))
    change = "admin:members_user_change"
    return [
        ("own account raised", reverse(change, args=[attacker.pk]), _raise(attacker), True),
        ("a member raised", reverse(change, args=[victim.pk]), _raise(victim), True),
        (
            "a superuser's address taken",
            reverse(change, args=[superuser.pk]),
            {**_raise(superuser), "email": "atacante@example.org"},
            True,
        ),
        (
            "a superuser's password set",
            reverse("admin:auth_user_password_change", args=[superuser.pk]),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
            True,
        ),
        (
            "a new group with every permission",
            reverse("admin:auth_group_add"),
            {"name": "Superpoderes", "permissions": every_permission},
            True,
        ),
        (
            "every permission added to IME staff",
            reverse("admin:auth_group_change", args=[staff_group.pk]),
            {"name": staff_group.name, "permissions": every_permission},
            True,
        ),
        (
            "a new permission",
            "/admin/auth/permission/add/",
            {"name": "x", "content_type": "1", "codename": "x"},
            False,
        ),
    ]


@pytest.mark.parametrize("role", NOT_SUPERUSER)
def test_no_role_but_superuser_changes_roles_or_permissions_through_the_admin(client, role):
    world = build_world()
    attacker = world.user(role)
    client.force_login(attacker)
    before = _privileges()
    answers = {}
    for what, url, data, _superuser_may in _posts(world, attacker):
        answers[what] = client.post(url, data).status_code
        assert answers[what] < 500, (what, answers[what])
    assert _privileges() == before, f"{role} changed privileges; answers: {answers}"


def test_a_superuser_changes_them_with_the_very_same_forms(client):
    """The control: the forms above are valid, so the refusals are real."""
    world = build_world()
    client.force_login(world.user("superuser"))
    target = world.user("member")
    for what, url, data, superuser_may in _posts(world, target):
        response = client.post(url, data)
        assert response.status_code == (302 if superuser_may else 404), (what, response)
    target.refresh_from_db()
    victim = User.objects.get(pk=world.user("other_member").pk)
    assert target.is_superuser and victim.is_superuser and victim.groups.count() >= 4
    assert User.objects.get(pk=world.user("superuser").pk).check_password(NEW_PASSWORD)
    assert Group.objects.get(name="Superpoderes").permissions.count() == Permission.objects.count()


def test_staff_see_but_cannot_change_a_staff_account(client):
    world = build_world()
    client.force_login(world.user("ime_staff"))
    other_staff = world.user("program_staff")
    page = client.get(reverse("admin:members_user_change", args=[other_staff.pk]))
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content
    assert b'name="email"' not in page.content
    member_page = client.get(reverse("admin:members_user_change", args=[world.user("member").pk]))
    assert b'name="email"' in member_page.content
    assert b'name="is_superuser"' not in member_page.content
    assert b'name="groups"' not in member_page.content
