"""Program staff and IME staff also hold the permissions of modules, sessions, module
grades and attendance (issue 23): 0002's grant, run again (it is idempotent)."""

import importlib

from django.db import migrations

_initial_grant = importlib.import_module("programs.migrations.0002_program_staff_group")

NEW_MODELS = ["module", "session", "modulegrade", "attendance"]


def grant(apps, schema_editor):
    codenames = [f"{action}_{model}" for model in NEW_MODELS for action in ("add", "change", "delete", "view")]
    _initial_grant._grant(
        apps,
        "programs",
        {_initial_grant.PROGRAM_STAFF: codenames, _initial_grant.IME_STAFF: codenames},
    )


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_modules_sessions_eligibility")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
