"""The stored export lists go: the CSV export aggregates each list for the exported
members when it is written (pncs.exports.copy_sql), and a large export is written by a
worker, not inside a request; a second copy of every member's lists, kept in step by
signals and generated SQL, is not worth its upkeep (figures: tests/bench/README.md).

Backwards: the table comes back and is filled again as 0006 filled it."""

from importlib import import_module

from django.db import migrations


# 0006's statement filling the table, for the way back.
FILL_0006 = import_module("pncs.migrations.0006_member_export_lists").FILL


class Migration(migrations.Migration):
    dependencies = [("pncs", "0010_drop_member_sector_entries")]

    operations = [
        # Unapplied in reverse order: the table is created again, then filled.
        migrations.RunSQL(migrations.RunSQL.noop, [FILL_0006], elidable=False),
        migrations.DeleteModel(name="MemberExportLists"),
    ]
