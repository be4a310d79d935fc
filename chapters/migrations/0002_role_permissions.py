from django.db import migrations

from chapters.roles import ROLE_GRANTS
from members.access import grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions("chapters", ROLE_GRANTS, apps=apps)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    chapters_perms = Permission.objects.filter(content_type__app_label="chapters")
    for group in Group.objects.filter(name__in=["IME staff", "Chapter officers"]):
        group.permissions.remove(*chapters_perms)


class Migration(migrations.Migration):
    dependencies = [
        ("chapters", "0001_initial"),
        ("members", "0003_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
