from django.contrib.auth.management import create_permissions
from django.db import migrations

from chapters.roles import OFFICER_PERMISSIONS


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; create them now to grant them.
    app_config = apps.get_app_config("chapters")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    chapters_perms = Permission.objects.filter(content_type__app_label="chapters")
    ime, _ = Group.objects.get_or_create(name="IME staff")
    ime.permissions.add(*chapters_perms)
    officers, _ = Group.objects.get_or_create(name="Chapter officers")
    officers.permissions.add(*chapters_perms.filter(codename__in=OFFICER_PERMISSIONS))


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
