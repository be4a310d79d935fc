"""Shared fixtures of the pncs tests."""

import pytest
from django.contrib.auth.models import Group

from core.access import IME_STAFF
from members.models import Sector
from tests.factories import ProfileFactory, UserFactory, coordinator, with_totp


@pytest.fixture
def tic():
    return Sector.objects.get(slug="tic")


@pytest.fixture
def coord(db):
    """A coordinator of the TIC PNCS, with TOTP."""
    return coordinator("tic")


@pytest.fixture
def coord_client(client, coord):
    client.force_login(coord)
    return client


@pytest.fixture
def ime_staff(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    return user


def contactable(**fields):
    """A member who allowed PNCS contact; returns the Profile."""
    fields.setdefault("pncs_contact", True)
    return ProfileFactory(**fields)


@pytest.fixture(autouse=True)
def exports_root(tmp_path, settings, monkeypatch):
    """Large exports are written into this test's own directory: the "exports" storage of
    this process and, through the environment, of a worker process it starts."""
    root = tmp_path / "exports"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    monkeypatch.setenv("EXPORTS_ROOT", str(root))
    return root
