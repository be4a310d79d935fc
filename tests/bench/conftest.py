"""Fixtures of the benchmark's own tests: the test database's URL for the generator and
gunicorn (both use their own connections, so these tests need committed data:
`django_db(transaction=True)`)."""

import pytest

from tests.conftest import _database_url


@pytest.fixture
def bench_database_url(transactional_db):
    """postgres://... of pytest-django's test database (its name starts with "test")."""
    return _database_url()
