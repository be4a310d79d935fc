"""The search machinery of PostgreSQL is there: its extensions and GIN indexes."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgres_has_the_extensions_and_gin_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pncs_membersearchindex'"
        )
        indexes = dict(cursor.fetchall())
    assert {"unaccent", "pg_trgm"} <= extensions
    assert "USING gin (document)" in indexes["pncs_msi_document_gin"]
    assert "gin_trgm_ops" in indexes["pncs_msi_names_trgm"]
