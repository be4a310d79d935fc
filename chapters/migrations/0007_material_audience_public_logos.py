"""Jornada materials get an audience (existing ones stay public, as they were; new ones are
for registrants unless staff choose otherwise) and chapter logos move to the public storage
(members.storage): their files are copied from the default storage under the same names."""

import chapters.models
import members.storage
from django.core.files.storage import storages
from django.db import migrations, models


def _move(apps, source, target):
    Chapter = apps.get_model("chapters", "Chapter")
    for name in Chapter.objects.exclude(logo="").values_list("logo", flat=True).iterator():
        if not source.exists(name) or target.exists(name):
            continue
        with source.open(name, "rb") as handle:
            target.save(name, handle)
        source.delete(name)


def logos_to_public(apps, schema_editor):
    _move(apps, storages["default"], storages["public"])


def logos_back(apps, schema_editor):
    _move(apps, storages["public"], storages["default"])


class Migration(migrations.Migration):
    dependencies = [
        ("chapters", "0006_announcement_recipients_ready"),
    ]

    operations = [
        # Existing materials were shown to everyone: they keep that audience.
        migrations.AddField(
            model_name="material",
            name="audience",
            field=models.CharField(
                choices=[("public", "Público"), ("registrants", "Solo personas registradas")],
                default="public",
                max_length=12,
                verbose_name="quién lo ve",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="material",
            name="audience",
            field=models.CharField(
                choices=[("public", "Público"), ("registrants", "Solo personas registradas")],
                default="registrants",
                help_text="Las personas registradas son las que tienen un lugar confirmado.",
                max_length=12,
                verbose_name="quién lo ve",
            ),
        ),
        migrations.AlterField(
            model_name="chapter",
            name="logo",
            field=models.ImageField(
                blank=True,
                storage=members.storage.public_storage,
                upload_to=chapters.models.logo_upload_to,
                validators=[chapters.models.validate_logo],
                verbose_name="logotipo",
            ),
        ),
        migrations.RunPython(logos_to_public, logos_back),
    ]
