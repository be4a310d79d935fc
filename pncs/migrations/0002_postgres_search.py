"""The search machinery: unaccent and pg_trgm, GIN indexes on the full-text document and
on the names (trigram)."""

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


class Migration(migrations.Migration):
    dependencies = [("pncs", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD, elidable=False)]
