"""The content types of the moved models follow them from chapters to announcements, so
their permissions (and the role groups holding them, the admin's history) stay as they
were: the rows are renamed, never recreated."""

from django.db import migrations

MODELS = ("announcement", "delivery")


def _move(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model)
        if not old.exists():
            continue  # a new database: post_migrate creates them under their app
        # One already under the target (made by the post_migrate of an earlier migrate
        # back and forth) holds only fresh permissions, which post_migrate grants again:
        # the old row, with its groups and history, wins.
        ContentType.objects.filter(app_label=target, model=model).delete()
        old.update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, "chapters", "announcements")


def backwards(apps, schema_editor):
    _move(apps, "announcements", "chapters")


class Migration(migrations.Migration):
    dependencies = [
        ("announcements", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
