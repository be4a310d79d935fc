"""Post-generation hooks of the apps that build on members (imported by generate()).

When an app lands, register here how its bench rows are derived from the members just
written, with one set-based statement per table (never a Python loop per member), e.g.

    from .generate import _insert, post_generation_hook

    @post_generation_hook("pncs search index", requires=("pncs_<table>",))
    def fill_search_index(ctx):
        cur = ctx.conn.execute(
            "INSERT INTO pncs_<table> (...) SELECT ... FROM members_profile "
            "WHERE user_id BETWEEN %s AND %s", [ctx.first_id, ctx.last_id])
        return cur.rowcount

Still to write, once their tables exist: the PNCS search index (if it is a separate
table or a stored tsvector column to refresh), chapters and chapter memberships,
consents, and the announcement recipients of the fan-out scenario.
"""

from .generate import _insert, post_generation_hook


@post_generation_hook("figures snapshot", requires=("figures_figuresnapshot",))
def refresh_figures_snapshot(ctx):
    """The figures pages read a pre-aggregated snapshot: compute it over the new members
    (the GROUP BY queries of the beat task, through the ORM on the same database)."""
    from django.db import connection

    if connection.settings_dict.get("NAME") != ctx.conn.info.dbname:
        ctx.log("generate: figures snapshot skipped (Django uses another database)")
        return 0
    from figures.services import refresh_figures

    snapshot = refresh_figures()
    ctx.log(f"generate: figures snapshot computed in {snapshot.duration_ms} ms")
    return 1


# The PNCS member search index, the same rows and document as pncs.search (_row_for and
# _document), computed in SQL for the new members: one INSERT ... SELECT per chunk.
SEARCH_INDEX_CHUNK = 100_000

_NORM = "lower(regexp_replace(btrim(unaccent({})), '\\s+', ' ', 'g'))"
_NAMES = (
    "concat_ws(' ', nullif(p.given_names, ''), nullif(p.paternal_surname, ''), "
    "nullif(p.maternal_surname, ''), nullif(p.preferred_name, ''))"
)
_BODY = "concat_ws(' ', nullif(p.bio, ''), nullif(p.employer, ''), nullif(p.position, ''))"
_EXPERTISE = (
    "coalesce((SELECT string_agg(t.name, ' ' ORDER BY t.name) FROM members_profile_expertise pe "
    "JOIN members_expertisetag t ON t.id = pe.expertisetag_id WHERE pe.profile_id = p.user_id), '')"
)
SEARCH_INDEX_SQL = f"""
INSERT INTO pncs_membersearchindex (profile_id, contactable, sort_name, names, headline, body,
    expertise_text, plain_text, country, state_of_origin, education_level, willing_to_travel,
    sectors, updated_at, document)
SELECT s.profile_id, s.contactable, s.sort_name, s.names, s.headline, s.body, s.expertise_text,
    {_NORM.format("concat_ws(' ', s.raw_names, s.headline, s.body, s.expertise_text)")},
    s.country, s.state_of_origin, s.education_level, s.willing_to_travel, s.sectors, s.updated_at,
    setweight(to_tsvector('simple', unaccent(s.names)), 'A')
    || setweight(to_tsvector('spanish', unaccent(s.headline || ' ' || s.expertise_text)), 'B')
    || setweight(to_tsvector('english', unaccent(s.headline || ' ' || s.expertise_text)), 'B')
    || setweight(to_tsvector('spanish', unaccent(s.body)), 'C')
    || setweight(to_tsvector('english', unaccent(s.body)), 'C')
FROM (
    SELECT p.user_id AS profile_id,
        (p.pncs_contact AND u.is_active AND u.email_verified) AS contactable,
        left({
    _NORM.format(
        "concat_ws(' ', nullif(p.paternal_surname, ''), "
        "nullif(p.maternal_surname, '')) || ' ' || "
        "coalesce(nullif(p.given_names, ''), p.preferred_name)"
    )
}, 320)
            AS sort_name,
        left({_NORM.format(_NAMES)}, 400) AS names,
        {_NAMES} AS raw_names,
        p.headline, {_BODY} AS body, {_EXPERTISE} AS expertise_text,
        p.country, p.state_of_origin, p.education_level, p.willing_to_travel, p.updated_at,
        coalesce((SELECT jsonb_object_agg(sc.slug, CASE WHEN ps.is_primary THEN 0 ELSE 1 + sc."order" END) FROM members_profilesector ps
            JOIN members_sector sc ON sc.id = ps.sector_id WHERE ps.profile_id = p.user_id),
            '{{}}'::jsonb) AS sectors
    FROM members_profile p JOIN members_user u ON u.id = p.user_id
    WHERE p.user_id BETWEEN %s AND %s AND u.deleted_at IS NULL
) s
ON CONFLICT (profile_id) DO NOTHING
"""  # noqa: S608 - built from the constants above only


def _by_id_range(ctx, sql, what):
    """Run `sql` (two parameters: the first and last member id) over the new members in
    chunks of SEARCH_INDEX_CHUNK, committing each; returns the rows written."""
    written = 0
    for lo in range(ctx.first_id, ctx.last_id + 1, SEARCH_INDEX_CHUNK):
        hi = min(lo + SEARCH_INDEX_CHUNK - 1, ctx.last_id)
        written += ctx.conn.execute(sql, [lo, hi]).rowcount
        ctx.conn.commit()
        ctx.log(f"generate: {what} {written:,} rows")
    return written


@post_generation_hook("pncs search index", requires=("pncs_membersearchindex",))
def fill_search_index(ctx):
    """pncs_membersearchindex rows of the new members (set-based, chunks of 100,000)."""
    return _by_id_range(ctx, SEARCH_INDEX_SQL, "search index")


@post_generation_hook(
    "pncs sector entries", requires=("pncs_membersectorentry", "pncs_membersearchindex")
)
def fill_sector_entries(ctx):
    """pncs_membersectorentry rows of the new members: the generator loads with triggers off
    (`_skip_foreign_key_triggers`), so the app's statement writes what the trigger would."""
    from pncs.search import sector_entries_sql

    return _by_id_range(ctx, sector_entries_sql("i.profile_id BETWEEN %s AND %s"), "sector entries")


@post_generation_hook(
    "pncs export lists", requires=("pncs_memberexportlists", "pncs_membersearchindex")
)
def fill_export_lists(ctx):
    """pncs_memberexportlists rows of the new members: the app's own statement
    (pncs.exports.export_lists_sql), over the members the search index holds."""
    from pncs.exports import export_lists_sql

    sql = export_lists_sql(
        "p.user_id BETWEEN %s AND %s"
        " AND p.user_id IN (SELECT profile_id FROM pncs_membersearchindex)"
    )
    return _by_id_range(ctx, sql, "export lists")


BENCH_CHAPTERS = 40  # chapter slugs bench-chapter-01 ... (created once)
CHAPTER_SHARE = 0.30  # share of the new members with an approved membership


@post_generation_hook("chapters and memberships", requires=("chapters_chapter",))
def join_chapters(ctx):
    """BENCH_CHAPTERS formalised chapters (once), and an approved home membership for
    CHAPTER_SHARE of the new members, spread over them."""
    conn = ctx.conn
    _insert(
        conn,
        "chapters_chapter",
        {
            "name": "'Capítulo de prueba ' || lpad(i::text, 2, '0')",
            "slug": "'bench-chapter-' || lpad(i::text, 2, '0')",
            "city": "'Ciudad ' || i",
            "region": "(ARRAY['north-america','europe','latin-america','asia-pacific'])[1 + i % 4]",
            "status": "'formalized'",
            "description_es": "'Capítulo sintético del benchmark.'",
            "description_en": "'Synthetic benchmark chapter.'",
        },
        f"generate_series(1, {BENCH_CHAPTERS}) AS i WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
        "chapters_chapter c WHERE c.slug = 'bench-chapter-' || lpad(i::text, 2, '0'))",
    )
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM chapters_chapter WHERE slug LIKE 'bench-chapter-%' ORDER BY id"
        ).fetchall()
    ]
    if not ids:
        return 0
    return _insert(
        conn,
        "chapters_membership",
        {
            "chapter_id": "(ARRAY["
            + ",".join(map(str, ids))
            + f"]::bigint[])[1 + u.id % {len(ids)}]",
            "user_id": "u.id",
            "status": "'approved'",
            "is_home": "true",
            "requested_at": "now() - interval '30 days'",
            "decided_at": "now() - interval '29 days'",
        },
        f"members_user u WHERE u.id BETWEEN {int(ctx.first_id)} AND {int(ctx.last_id)} "
        f"AND random() < {CHAPTER_SHARE}",
    )


@post_generation_hook("privacy acceptances", requires=("members_privacyacceptance",))
def accept_privacy_notice(ctx):
    """Every new member accepted the notice in force (else `member_required` pages send
    them to accept it first)."""
    return ctx.conn.execute(
        "INSERT INTO members_privacyacceptance (user_id, notice_id, accepted_at) "
        "SELECT u.id, n.id, now() FROM members_user u, (SELECT id FROM members_privacynotice "
        "WHERE published_at <= now() ORDER BY version DESC LIMIT 1) n "
        "WHERE u.id BETWEEN %s AND %s ON CONFLICT DO NOTHING",
        [ctx.first_id, ctx.last_id],
    ).rowcount
