"""The search index by sector (pncs.models.MemberSectorEntry): its table, and on PostgreSQL
the trigger that writes it from every change of pncs_membersearchindex and the rows of the
members the index already holds (frozen here: a migration does not follow later code)."""

import django.db.models.deletion
from django.db import migrations, models



# Every write of an index row rewrites that member's entries: none unless contactable, one
# per key of `sectors` otherwise. An UPDATE that leaves the copied columns as they were (the
# search document written after an upsert) does not fire.
FUNCTION = """
CREATE OR REPLACE FUNCTION pncs_member_sector_entries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM pncs_membersectorentry WHERE member_id = OLD.profile_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.contactable THEN
        INSERT INTO pncs_membersectorentry
            (sector, member_id, country, sort_name, education_level, sectors)
        SELECT key, NEW.profile_id, NEW.country, NEW.sort_name, NEW.education_level, NEW.sectors
        FROM jsonb_object_keys(NEW.sectors) AS key;
    END IF;
    RETURN NULL;
END
$$
"""
COLUMNS = "contactable, country, sort_name, education_level, sectors"
FORWARD = [
    FUNCTION,
    "CREATE TRIGGER pncs_msi_sector_entries_write AFTER INSERT OR DELETE"
    " ON pncs_membersearchindex FOR EACH ROW EXECUTE FUNCTION pncs_member_sector_entries()",
    f"CREATE TRIGGER pncs_msi_sector_entries_update AFTER UPDATE OF {COLUMNS}"
    " ON pncs_membersearchindex FOR EACH ROW"
    f" WHEN ((OLD.{COLUMNS.replace(', ', ', OLD.')})"
    f" IS DISTINCT FROM (NEW.{COLUMNS.replace(', ', ', NEW.')}))"
    " EXECUTE FUNCTION pncs_member_sector_entries()",
    "INSERT INTO pncs_membersectorentry"
    " (sector, member_id, country, sort_name, education_level, sectors)"
    " SELECT key, i.profile_id, i.country, i.sort_name, i.education_level, i.sectors"
    " FROM pncs_membersearchindex i, jsonb_object_keys(i.sectors) AS key WHERE i.contactable",
    "ANALYZE pncs_membersectorentry",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS pncs_msi_sector_entries_update ON pncs_membersearchindex",
    "DROP TRIGGER IF EXISTS pncs_msi_sector_entries_write ON pncs_membersearchindex",
    "DROP FUNCTION IF EXISTS pncs_member_sector_entries()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("pncs", "0007_text_and_filters_gin"),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberSectorEntry",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "sector",
                        "member",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("sector", models.CharField(max_length=50)),
                ("country", models.CharField(blank=True, max_length=2)),
                ("sort_name", models.CharField(blank=True, max_length=320)),
                ("education_level", models.CharField(blank=True, max_length=20)),
                ("sectors", models.JSONField(blank=True, default=dict)),
                (
                    "member",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pncs.membersearchindex",
                    ),
                ),
            ],
            options={
                "verbose_name": "miembro por sector (índice de búsqueda)",
                "verbose_name_plural": "miembros por sector (índice de búsqueda)",
                "indexes": [
                    models.Index(
                        fields=["sector", "sort_name", "member"],
                        include=("country", "education_level", "sectors"),
                        name="pncs_mse_sector_name",
                    ),
                    models.Index(
                        fields=["sector", "country", "sort_name", "member"],
                        include=("education_level", "sectors"),
                        name="pncs_mse_sector_country_name",
                    ),
                ],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD, elidable=False),
    ]
