"""The GIN indexes cover only the rows a search can return (`contactable`): a text match
is then read from the GIN index alone, never intersected with a b-tree over 70% of the
table. PostgreSQL only, like 0002."""

from django.db import migrations


FORWARD = [
    "DROP INDEX IF EXISTS pncs_msi_document_gin",
    "DROP INDEX IF EXISTS pncs_msi_names_trgm",
    "CREATE INDEX IF NOT EXISTS pncs_msi_document_gin "
    "ON pncs_membersearchindex USING gin (document) WHERE contactable",
    "CREATE INDEX IF NOT EXISTS pncs_msi_names_trgm "
    "ON pncs_membersearchindex USING gin (names gin_trgm_ops) WHERE contactable",
]
BACKWARD = [
    "DROP INDEX IF EXISTS pncs_msi_document_gin",
    "DROP INDEX IF EXISTS pncs_msi_names_trgm",
    "CREATE INDEX IF NOT EXISTS pncs_msi_document_gin "
    "ON pncs_membersearchindex USING gin (document)",
    "CREATE INDEX IF NOT EXISTS pncs_msi_names_trgm "
    "ON pncs_membersearchindex USING gin (names gin_trgm_ops)",
]


class Migration(migrations.Migration):
    dependencies = [("pncs", "0004_search_window_covering_indexes")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD, elidable=False)]
