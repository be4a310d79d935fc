"""The table of Django's database cache (settings.CACHES["default"] when Redis is configured:
allauth's rate limits and used second-factor codes), created with every `migrate` so no
deployment step can forget it. `createcachetable` is idempotent and does nothing when no
database cache is configured (make run's local memory)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("members", "0005_first_privacy_notice_and_role_permissions")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
