"""The stored export lists go: the CSV export aggregates each list for the exported
members when it is written (pncs.exports.copy_sql), at the rate `make bench` asks for,
without a second copy of every member's lists to keep in step.

Reversible: unapplied, the table comes back and is filled again as 0006 filled it."""

from django.db import migrations

from talentnet.db.migrations import postgresql_only


def _names(through, column, table, name, order=()):
    by = ", ".join([*order, f'r."{name}"'])
    return (
        f'(SELECT string_agg(r."{name}", \'; \' ORDER BY {by}) FROM "{through}" m'
        f' JOIN "{table}" r ON r.id = m."{column}" WHERE m."profile_id" = p."user_id")'
    )


def _cells(language):
    name = f"name_{language}"
    return (
        f"'{language}', jsonb_build_array("
        + ", ".join(
            [
                _names(
                    "members_profilesector",
                    "sector_id",
                    "members_sector",
                    name,
                    ("NOT m.is_primary", 'r."order"'),
                ),
                _names(
                    "members_profile_expertise", "expertisetag_id", "members_expertisetag", "name"
                ),
                _names(
                    "members_profile_contributions", "contribution_id", "members_contribution", name
                ),
                _names("members_profile_languages", "language_id", "members_language", name),
            ]
        )
        + ")"
    )


# As migration 0006 wrote them (frozen: a migration does not follow later code).
REFILL = (
    'INSERT INTO "pncs_memberexportlists" (profile_id, cells)'
    f' SELECT p."user_id", jsonb_build_object({_cells("es")}, {_cells("en")})'
    ' FROM "members_profile" p'
    ' WHERE p."user_id" IN (SELECT profile_id FROM "pncs_membersearchindex")'
    " ON CONFLICT (profile_id) DO NOTHING"
)


class Migration(migrations.Migration):
    dependencies = [("pncs", "0008_member_sector_entries")]

    operations = [
        # Unapplied in reverse order: the table is created again, then filled.
        postgresql_only(forward=[], backward=[REFILL]),
        migrations.DeleteModel(name="MemberExportLists"),
    ]
