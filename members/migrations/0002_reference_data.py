from django.db import migrations

from members.reference_data import sync_reference_data


def create_reference_data(apps, schema_editor):
    sync_reference_data(
        apps.get_model("members", "Sector"),
        apps.get_model("members", "Contribution"),
        apps.get_model("members", "Language"),
    )


def name_the_site(apps, schema_editor):
    from urllib.parse import urlsplit

    from django.conf import settings

    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Red de Talentos Mexicanos"}
    )


def remove_reference_data(apps, schema_editor):
    apps.get_model("members", "Sector").objects.all().delete()
    apps.get_model("members", "Contribution").objects.all().delete()
    apps.get_model("members", "Language").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("sites", "0002_alter_domain_unique")]

    operations = [
        migrations.RunPython(create_reference_data, remove_reference_data),
        migrations.RunPython(name_the_site, migrations.RunPython.noop),
    ]
