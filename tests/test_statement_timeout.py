"""A per-request statement timeout (DB_STATEMENT_TIMEOUT): one slow page cannot hold the
database and the workers; the visitor gets the 503 "try again" page, not a traceback."""

import psycopg
import pytest
from django.db import connection

from core.db import statement_timeout
from tests.factories import coordinator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def index_locked():
    """Another session holds the search index locked (a long migration, a stuck job): a
    search reading it waits until its statement is cancelled."""
    params = connection.get_connection_params()
    holder = psycopg.connect(
        **{k: v for k, v in params.items() if k not in ("context", "cursor_factory")}
    )
    holder.execute("BEGIN")
    holder.execute("LOCK TABLE pncs_membersearchindex IN ACCESS EXCLUSIVE MODE")
    yield
    holder.rollback()
    holder.close()


def test_a_statement_cancelled_by_the_timeout_answers_the_503_page(client, index_locked, caplog):
    client.force_login(coordinator())
    with connection.cursor() as cursor:  # this connection serves the test client's requests
        cursor.execute("SET statement_timeout = 300")
    try:
        response = client.get("/pncs/search/", {"q": "datos"})
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Esta página tardó demasiado" in html
    assert "Traceback" not in html and "QueryCanceled" not in html
    assert "statement timeout on GET /pncs/search/" in caplog.text


def test_english_visitors_get_the_page_in_english(client, index_locked):
    client.force_login(coordinator())
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 300")
    try:
        response = client.get("/en/pncs/search/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert response.status_code == 503
    assert "This page took too long" in response.content.decode()


def test_longer_work_raises_the_timeout_for_its_own_transaction_only():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    with statement_timeout(120_000), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "2min"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
