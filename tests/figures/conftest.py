import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation

from core.access import IME_STAFF
from tests.factories import member, with_totp


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """A request to /en/ leaves English active in the thread; each test starts in Spanish."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def ime_staff():
    """An IME staff account (is_staff + group); `ime_staff(totp=False)` has no second factor."""

    def make(*, totp=True):
        user = member(country="MX", state_of_origin="CMX")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=IME_STAFF))
        if totp:
            with_totp(user)
        return user

    return make


@pytest.fixture
def bench_database_url(transactional_db):
    """postgres://... of the test database, for the bench generator (its own connection)."""
    from tests.conftest import _database_url

    return _database_url()
