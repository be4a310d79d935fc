"""The roles chapters fill by themselves (all but the presidency, which IME appoints), and
each chapter's areas of interest written out from the sectors it had as its areas (the
sectors stay, now as the PNCS sectors it works with)."""

from django.db import migrations

APPOINTABLE = ["vice-president", "secretary", "treasurer", "member"]


def forward(apps, schema_editor):
    AppointableRole = apps.get_model("chapters", "AppointableRole")
    Chapter = apps.get_model("chapters", "Chapter")
    for role in APPOINTABLE:
        AppointableRole.objects.get_or_create(role=role)
    for chapter in Chapter.objects.prefetch_related("sectors"):
        if chapter.interests_es or chapter.interests_en:
            continue
        sectors = sorted(chapter.sectors.all(), key=lambda s: (s.order, s.pk))
        if not sectors:
            continue
        chapter.interests_es = "\n".join(s.name_es for s in sectors)
        chapter.interests_en = "\n".join(s.name_en for s in sectors)
        chapter.save(update_fields=["interests_es", "interests_en"])


def backward(apps, schema_editor):
    apps.get_model("chapters", "AppointableRole").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("chapters", "0009_governance")]

    operations = [migrations.RunPython(forward, backward)]
