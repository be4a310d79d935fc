"""The "Program staff" group with every programs permission; IME staff get them too."""

from django.db import migrations

from members.access import grant_role_permissions

PROGRAM_STAFF = "Program staff"
IME_STAFF = "IME staff"


def grant(apps, schema_editor):
    grant_role_permissions("programs", {PROGRAM_STAFF: None, IME_STAFF: None}, apps=apps)


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
