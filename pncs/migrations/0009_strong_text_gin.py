"""A broad text search ranks the matches in the names, headline and expertise first
(pncs.search.StrongTerms): a GIN index over those lexemes of the document alone
(`ts_filter` keeps weights A and B), so the window takes them before any bio-only match
whatever the ids. Partial on `contactable`, like 0005. PostgreSQL only, like 0002."""

from django.db import migrations


FORWARD = [
    "CREATE INDEX IF NOT EXISTS pncs_msi_strong_text_gin ON pncs_membersearchindex"
    " USING gin (ts_filter(document, '{a,b}'::\"char\"[])) WHERE contactable",
]
BACKWARD = ["DROP INDEX IF EXISTS pncs_msi_strong_text_gin"]


class Migration(migrations.Migration):
    dependencies = [("pncs", "0008_member_sector_entries")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD, elidable=False)]
