from django.db import migrations

from members.privacy_defaults import ensure_first_notice
from members.roles import grant_role_permissions


def create_first_notice(apps, schema_editor):
    ensure_first_notice(apps.get_model("members", "PrivacyNotice"))


def grant_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; create members' now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("members")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    grant_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def revoke_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.all():
        group.permissions.remove(*group.permissions.filter(content_type__app_label="members"))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_privacy_consent_arco_history"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_first_notice, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, revoke_permissions),
    ]
