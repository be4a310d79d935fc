"""What the apps' migrations share."""

from django.db import migrations


def _statements(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def postgresql_only(forward, backward=()):
    """An operation running the SQL statements `forward` on PostgreSQL, and `backward` when
    the migration is unapplied; skipped on SQLite (`make run`), whose features fall back."""
    return migrations.RunPython(_statements(forward), _statements(backward), elidable=False)
