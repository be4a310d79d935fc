"""The index by sector (MemberSectorEntry) goes: `make bench` shows the search of one sector
(and a country) listed by name as fast from the covering indexes of the index rows (0004),
so the copy, its trigger and the second definition of that trigger's SQL are not worth
their upkeep. Backwards: the table, its trigger (0008's SQL) and its rows come back."""

from importlib import import_module

from django.db import migrations


# 0008's function and triggers, for the way back (its last statements fill the table).
TRIGGERS_0008 = import_module("pncs.migrations.0008_member_sector_entries").FORWARD[:-1]

FORWARD = [
    "DROP TRIGGER IF EXISTS pncs_msi_sector_entries_update ON pncs_membersearchindex",
    "DROP TRIGGER IF EXISTS pncs_msi_sector_entries_write ON pncs_membersearchindex",
    "DROP FUNCTION IF EXISTS pncs_member_sector_entries()",
]


class Migration(migrations.Migration):
    dependencies = [("pncs", "0009_strong_text_gin")]

    operations = [
        migrations.RunSQL(FORWARD, TRIGGERS_0008, elidable=False),
        migrations.DeleteModel(name="MemberSectorEntry"),
    ]
