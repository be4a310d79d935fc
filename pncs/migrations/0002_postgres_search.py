"""PostgreSQL-only search machinery: unaccent and pg_trgm, GIN indexes on the full-text
document and on the names (trigram). Skipped on SQLite (`make run`), whose search falls
back to a plain substring match."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS pncs_msi_document_gin "
    "ON pncs_membersearchindex USING gin (document)",
    "CREATE INDEX IF NOT EXISTS pncs_msi_names_trgm "
    "ON pncs_membersearchindex USING gin (names gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS pncs_msi_names_trgm",
    "DROP INDEX IF EXISTS pncs_msi_document_gin",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("pncs", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
