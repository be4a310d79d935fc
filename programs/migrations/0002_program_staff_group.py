"""The "Program staff" group with every programs permission; IME staff get them too."""

from django.db import migrations

PROGRAM_STAFF = "Program staff"
IME_STAFF = "IME staff"


def _grant(apps, app_label, grants):
    """Give role groups the model permissions of one app (idempotent): `grants` maps a
    group name to permission codenames, or to None for all of the app's. Permissions are
    normally created after all migrations; the app's are created now."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    for name, codenames in grants.items():
        group, _created = Group.objects.get_or_create(name=name)
        chosen = permissions if codenames is None else permissions.filter(codename__in=codenames)
        group.permissions.add(*chosen)


def grant(apps, schema_editor):
    _grant(apps, "programs", {PROGRAM_STAFF: None, IME_STAFF: None})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="programs")
    for group in Group.objects.filter(name=IME_STAFF):
        group.permissions.remove(*permissions)
    Group.objects.filter(name=PROGRAM_STAFF).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_initial"),
        ("members", "0003_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
