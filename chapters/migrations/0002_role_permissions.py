"""What each role group may do with chapters' models, as granted when this migration was
written (chapters.roles keeps the grants current after every migrate)."""

from django.db import migrations

ROLE_GRANTS = {'IME staff': None,
 'Chapter officers': ['view_chapter',
                      'change_chapter',
                      'view_officer',
                      'view_membership',
                      'change_membership',
                      'add_jornada',
                      'change_jornada',
                      'delete_jornada',
                      'view_jornada',
                      'add_agendaitem',
                      'change_agendaitem',
                      'delete_agendaitem',
                      'view_agendaitem',
                      'add_speaker',
                      'change_speaker',
                      'delete_speaker',
                      'view_speaker',
                      'add_material',
                      'change_material',
                      'delete_material',
                      'view_material',
                      'view_registration',
                      'change_registration',
                      'add_announcement',
                      'change_announcement',
                      'delete_announcement',
                      'view_announcement']}


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
    _grant(apps, "chapters", ROLE_GRANTS)


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
