"""The directory and the admin read derived columns of the profile (members.listing), and
the log of profile views becomes the log of every read of members' data (daily caps, audit).

In SQL:
- IMMUTABLE functions that fold accents and build the sort key and the words of a card;
- `expertise_text`, the names of a profile's expertise tags, filled once here and then kept
  by triggers on the profile's tags and on a renamed tag. They are statement-level (one
  UPDATE per statement, set-based) and ENABLE ALWAYS: bulk loads that switch per-row
  triggers off (`session_replication_role = replica`, as the benchmark's generator does)
  still keep the column right. A plain UPDATE of the profile (a save) never changes it;
- the GIN indexes of the directory's text (partial on the listed rows, with the country
  through btree_gin), of the admin's search and of e-mail addresses (trigrams).
Adding the generated columns rewrites members_profile (about a minute at a million rows).
"""

import django.contrib.postgres.search
import django.db.models.deletion
import members.listing
from django.conf import settings
from django.db import migrations, models


FUNCTIONS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    """
    CREATE OR REPLACE FUNCTION members_unaccent(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, value) $$
    """,
    # The name as a card shows it (the preferred name, else surname and given names),
    # folded, then the id: unique, in the order of the directory.
    """
    CREATE OR REPLACE FUNCTION members_listing_key(
        preferred text, given text, paternal text, id bigint
    ) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(public.members_unaccent(
        CASE WHEN preferred <> '' THEN preferred
        ELSE concat_ws(' ', nullif(paternal, ''), nullif(given, '')) END
    )) || chr(1) || lpad(id::text, 19, '0') $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_card_words(
        preferred text, given text, paternal text, headline text, city text, expertise text
    ) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_tsvector('pg_catalog.simple'::regconfig, public.members_unaccent(concat_ws(
        ' ',
        CASE WHEN preferred <> '' THEN preferred ELSE concat_ws(' ', given, paternal) END,
        headline, city, expertise
    ))) $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_search_words(
        given text, paternal text, maternal text, preferred text, headline text, expertise text
    ) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_tsvector('pg_catalog.simple'::regconfig, public.members_unaccent(
        concat_ws(' ', given, paternal, maternal, preferred, headline, expertise)
    )) $$
    """,
]
FUNCTIONS_BACKWARD = [
    "DROP FUNCTION IF EXISTS members_search_words(text, text, text, text, text, text)",
    "DROP FUNCTION IF EXISTS members_card_words(text, text, text, text, text, text)",
    "DROP FUNCTION IF EXISTS members_listing_key(text, text, text, bigint)",
    "DROP FUNCTION IF EXISTS members_unaccent(text)",
]

EXPERTISE_TEXT = """
    SELECT coalesce(string_agg(t.name, ' ' ORDER BY t.name), '')
    FROM members_profile_expertise pe JOIN members_expertisetag t ON t.id = pe.expertisetag_id
    WHERE pe.profile_id = p.user_id
"""
BACKFILL = [
    "UPDATE members_profile p SET expertise_text = ("  # noqa: S608 - constant SQL
    + EXPERTISE_TEXT
    + ") WHERE EXISTS (SELECT 1 FROM members_profile_expertise pe"
    " WHERE pe.profile_id = p.user_id)"
]

TRIGGERS = [
    f"""
    CREATE OR REPLACE FUNCTION members_refresh_expertise_text() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        ids bigint[];
    BEGIN
        IF TG_TABLE_NAME = 'members_expertisetag' THEN
            ids := ARRAY(
                SELECT DISTINCT pe.profile_id FROM members_profile_expertise pe
                JOIN new_rows n ON n.id = pe.expertisetag_id
                JOIN old_rows o ON o.id = n.id
                WHERE n.name IS DISTINCT FROM o.name
            );
        ELSIF TG_OP = 'INSERT' THEN
            ids := ARRAY(SELECT DISTINCT profile_id FROM new_rows);
        ELSIF TG_OP = 'DELETE' THEN
            ids := ARRAY(SELECT DISTINCT profile_id FROM old_rows);
        ELSE
            ids := ARRAY(SELECT profile_id FROM old_rows UNION SELECT profile_id FROM new_rows);
        END IF;
        IF cardinality(ids) > 0 THEN
            UPDATE members_profile p SET expertise_text = ({EXPERTISE_TEXT})
            WHERE p.user_id = ANY(ids);
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER members_expertise_text_insert AFTER INSERT ON members_profile_expertise"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION members_refresh_expertise_text()",
    "CREATE TRIGGER members_expertise_text_delete AFTER DELETE ON members_profile_expertise"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION members_refresh_expertise_text()",
    "CREATE TRIGGER members_expertise_text_update AFTER UPDATE ON members_profile_expertise"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION members_refresh_expertise_text()",
    "CREATE TRIGGER members_expertise_text_rename AFTER UPDATE ON members_expertisetag"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION members_refresh_expertise_text()",
    "ALTER TABLE members_profile_expertise ENABLE ALWAYS TRIGGER members_expertise_text_insert",
    "ALTER TABLE members_profile_expertise ENABLE ALWAYS TRIGGER members_expertise_text_delete",
    "ALTER TABLE members_profile_expertise ENABLE ALWAYS TRIGGER members_expertise_text_update",
    "ALTER TABLE members_expertisetag ENABLE ALWAYS TRIGGER members_expertise_text_rename",
    # Only the triggers above (one level down) write the column; a save of the profile
    # keeps what they wrote.
    """
    CREATE OR REPLACE FUNCTION members_keep_expertise_text() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF pg_trigger_depth() < 2 THEN
            NEW.expertise_text := OLD.expertise_text;
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER members_profile_keep_expertise_text"
    " BEFORE UPDATE OF expertise_text ON members_profile"
    " FOR EACH ROW EXECUTE FUNCTION members_keep_expertise_text()",
]
TRIGGERS_BACKWARD = [
    "DROP TRIGGER IF EXISTS members_profile_keep_expertise_text ON members_profile",
    "DROP FUNCTION IF EXISTS members_keep_expertise_text()",
    "DROP TRIGGER IF EXISTS members_expertise_text_rename ON members_expertisetag",
    "DROP TRIGGER IF EXISTS members_expertise_text_update ON members_profile_expertise",
    "DROP TRIGGER IF EXISTS members_expertise_text_delete ON members_profile_expertise",
    "DROP TRIGGER IF EXISTS members_expertise_text_insert ON members_profile_expertise",
    "DROP FUNCTION IF EXISTS members_refresh_expertise_text()",
]

# fastupdate off: a profile is written rarely and searched often; a pending list would be
# read by every search until the next vacuum.
GIN_INDEXES = [
    # The directory's text, with the country (btree_gin): one bitmap for both.
    "CREATE INDEX IF NOT EXISTS members_profile_card_words ON members_profile"
    " USING gin (country, card_words) WITH (fastupdate = off)"
    " WHERE directory_visibility = 'members'",
    "CREATE INDEX IF NOT EXISTS members_profile_search_words ON members_profile"
    " USING gin (search_words) WITH (fastupdate = off)",
    # `email__icontains` (the admin's search) is UPPER(email) LIKE UPPER('%...%').
    "CREATE INDEX IF NOT EXISTS members_user_email_trgm ON members_user"
    " USING gin (upper(email) gin_trgm_ops) WITH (fastupdate = off)",
]
GIN_INDEXES_BACKWARD = [
    "DROP INDEX IF EXISTS members_user_email_trgm",
    "DROP INDEX IF EXISTS members_profile_search_words",
    "DROP INDEX IF EXISTS members_profile_card_words",
]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_database_cache_table"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, FUNCTIONS_BACKWARD, elidable=False),
        migrations.AddField(
            model_name="profile",
            name="expertise_text",
            field=models.TextField(db_default="", default="", editable=False),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
        migrations.RunSQL(TRIGGERS, TRIGGERS_BACKWARD, elidable=False),
        migrations.AddField(
            model_name="profile",
            name="listing_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=members.listing.ListingKey(
                    "preferred_name", "given_names", "paternal_surname", "user_id"
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="profile",
            name="card_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=members.listing.CardWords(
                    "preferred_name",
                    "given_names",
                    "paternal_surname",
                    "headline",
                    "city",
                    "expertise_text",
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddField(
            model_name="profile",
            name="search_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=members.listing.SearchWords(
                    "given_names",
                    "paternal_surname",
                    "maternal_surname",
                    "preferred_name",
                    "headline",
                    "expertise_text",
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(
                condition=models.Q(("directory_visibility", "members")),
                fields=["listing_key", "user"],
                name="members_profile_listing",
            ),
        ),
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(
                condition=models.Q(("directory_visibility", "members")),
                fields=["country", "listing_key", "user"],
                name="members_profile_listing_ctry",
            ),
        ),
        migrations.RunSQL(GIN_INDEXES, GIN_INDEXES_BACKWARD, elidable=False),
        migrations.AlterModelOptions(
            name="profileview",
            options={
                "verbose_name": "consulta de datos de miembros",
                "verbose_name_plural": "consultas de datos de miembros",
            },
        ),
        migrations.RemoveConstraint(
            model_name="profileview",
            name="members_profileview_daily",
        ),
        migrations.AddField(
            model_name="profileview",
            name="filters",
            field=models.JSONField(blank=True, default=dict, verbose_name="filtros"),
        ),
        migrations.AddField(
            model_name="profileview",
            name="kind",
            field=models.CharField(
                choices=[
                    ("profile", "Perfil de un miembro"),
                    ("directory", "Página del directorio"),
                    ("pncs_member", "Ficha de un miembro para los PNCS"),
                ],
                default="profile",
                max_length=16,
                verbose_name="qué consultó",
            ),
        ),
        migrations.AddField(
            model_name="profileview",
            name="page",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="página"),
        ),
        migrations.AddField(
            model_name="profileview",
            name="row_count",
            field=models.PositiveIntegerField(default=1, verbose_name="miembros mostrados"),
        ),
        migrations.AlterField(
            model_name="profileview",
            name="profile",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="views",
                to="members.profile",
                verbose_name="miembro consultado",
            ),
        ),
        migrations.AlterField(
            model_name="profileview",
            name="viewer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="profile_views_made",
                to=settings.AUTH_USER_MODEL,
                verbose_name="quién consultó",
            ),
        ),
        migrations.AddIndex(
            model_name="profileview",
            index=models.Index(
                fields=["viewed_on", "viewer", "kind"], name="members_profileview_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="profileview",
            constraint=models.UniqueConstraint(
                condition=models.Q(("profile__isnull", False)),
                fields=("viewer", "kind", "profile", "viewed_on"),
                name="members_profileview_daily",
            ),
        ),
        migrations.AddConstraint(
            model_name="profileview",
            constraint=models.UniqueConstraint(
                condition=models.Q(("profile__isnull", True)),
                fields=("viewer", "kind", "page", "viewed_on"),
                name="members_profileview_daily_page",
            ),
        ),
    ]
