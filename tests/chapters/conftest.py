"""Fixtures of the chapters tests: two chapters, each with its officer, and IME staff."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from core.access import IME_STAFF
from tests.factories import ChapterFactory, OfficerFactory, UserFactory, member


@pytest.fixture
def chapter_a():
    return ChapterFactory(name="Capítulo Alfa", slug="alfa", city="Houston")


@pytest.fixture
def chapter_b():
    return ChapterFactory(name="Capítulo Beta", slug="beta", city="Detroit")


@pytest.fixture
def officer_a(chapter_a):
    """The current president of chapter A (staff, in "Chapter officers", no superuser)."""
    return OfficerFactory(chapter=chapter_a).user


@pytest.fixture
def officer_b(chapter_b):
    return OfficerFactory(chapter=chapter_b).user


@pytest.fixture
def ime_staff():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    # IME staff need a second factor (core.access.sees_others_personal_data); they have one.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def a_member():
    return member(preferred_name="Ana Demo")
