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

Rows that do not hang on members (PNCS points, opportunities, programs and their stages,
Jornadas and their agenda) are created once, identified by a bench slug or title, so a
second generation (appending members, or after `--reset`, which truncates what references
the members) adds only the members' own rows (interests, applications, registrations).
The figures snapshot comes last: it aggregates everything above.
"""

from .generate import BENCH_EMAIL_DOMAIN, _insert, post_generation_hook

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
    expertise_text, country, state_of_origin, education_level, willing_to_travel,
    sectors, updated_at, document)
SELECT s.profile_id, s.contactable, s.sort_name, s.names, s.headline, s.body, s.expertise_text,
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


# --- PNCS: the contact points, opportunities and the members' interest -----------------

BENCH_OPPORTUNITY_TITLE = "Oportunidad de prueba"
INTEREST_SHARE = 0.06  # share of the new members who answered 1-3 opportunities
OPPORTUNITY_KINDS = ["pasantia", "mentoria", "visita", "comite", "mision", "binacional", "otra"]
COMMITTEE_INSTITUTIONS = [
    "Universidad Nacional de Prueba",
    "Centro de Investigación de Prueba",
    "Instituto Tecnológico de Prueba",
    "Secretaría de Prueba",
]


def opportunity_count(members: int) -> int:
    """A few thousand opportunities at national scale (50 for a smoke run)."""
    return min(3_000, max(50, members // 10))


def _ids(conn, sql, params=None) -> list[int]:
    return [row[0] for row in conn.execute(sql, params).fetchall()]


@post_generation_hook("pncs points", requires=("pncs_pncs",))
def create_pncs_points(ctx):
    """One active PNCS per sector (where the sector has none)."""
    return _insert(
        ctx.conn,
        "pncs_pncs",
        {
            "sector_id": "s.id",
            "host_institution": "'Institución anfitriona de prueba'",
            "description_es": "'Punto de contacto sintético del benchmark.'",
            "description_en": "'Synthetic benchmark contact point.'",
            "contact_email": f"'pncs-' || s.slug || '@{BENCH_EMAIL_DOMAIN}'",
            "is_active": "true",
            "created_at": "now()",
        },
        "members_sector s WHERE NOT EXISTS (SELECT 1 FROM pncs_pncs p WHERE p.sector_id = s.id)",
    )


@post_generation_hook(
    "opportunities and interests",
    requires=(
        "pncs_pncs",
        "pncs_opportunity",
        "pncs_opportunity_expertise",
        "pncs_opportunity_contributions",
        "pncs_interest",
    ),
)
def create_opportunities(ctx):
    """`opportunity_count` opportunities over the PNCS (70% open, 10% draft, 20% closed;
    1-3 expertise tags, 1-2 kinds of contribution), once; then INTEREST_SHARE of the new
    members answer 1-3 opportunities that are not drafts."""
    from pncs.services import normalize_institution

    conn = ctx.conn
    written = 0
    existing = conn.execute(
        "SELECT count(*) FROM pncs_opportunity WHERE title_es LIKE %s",
        [f"{BENCH_OPPORTUNITY_TITLE} %"],
    ).fetchone()[0]
    wanted = opportunity_count(ctx.members)
    points = conn.execute("SELECT id, sector_id FROM pncs_pncs ORDER BY id").fetchall()
    if existing < wanted and points:
        conn.execute("DROP TABLE IF EXISTS bench_new_opportunities")
        conn.execute(
            "CREATE TEMP TABLE bench_new_opportunities AS SELECT g, random() AS r, "
            "floor(random() * 7)::int AS k, floor(random() * %(n)s)::int AS p "
            "FROM generate_series(%(lo)s::int, %(hi)s::int) AS g",
            {"n": len(points), "lo": existing + 1, "hi": wanted},
        )
        written += _insert(
            conn,
            "pncs_opportunity",
            {
                "pncs_id": "(%(pncs)s::bigint[])[1 + o.p]",
                "sector_id": "(%(sectors)s::bigint[])[1 + o.p]",
                "kind": "(%(kinds)s::text[])[1 + o.k]",
                "title_es": f"'{BENCH_OPPORTUNITY_TITLE} ' || o.g",
                "title_en": "'Bench opportunity ' || o.g",
                "description_es": "'Buscamos miembros de la red con experiencia en el sector "
                "para colaborar con instituciones mexicanas. Descripción sintética.'",
                "description_en": "'We are looking for network members with experience in "
                "the sector to work with Mexican institutions. Synthetic description.'",
                "institution": "CASE WHEN o.k = 3 THEN (%(institutions)s::text[])[1 + mod(o.g, 4)]"
                " ELSE '' END",
                "institution_key": "CASE WHEN o.k = 3 THEN (%(keys)s::text[])[1 + mod(o.g, 4)]"
                " ELSE '' END",
                "location": "CASE WHEN mod(o.g, 3) = 0 THEN 'Ciudad de México' ELSE '' END",
                "country": "'MX'",
                "is_remote": "mod(o.g, 4) = 0",
                "deadline": "CASE WHEN o.r >= 0.8 THEN current_date - (1 + mod(o.g, 300)) "
                "WHEN mod(o.g, 5) = 0 THEN NULL ELSE current_date + (1 + mod(o.g, 180)) END",
                "places": "CASE WHEN mod(o.g, 2) = 0 THEN 1 + mod(o.g, 20) END",
                "status": "CASE WHEN o.r < 0.7 THEN 'open' WHEN o.r < 0.8 THEN 'draft' "
                "ELSE 'closed' END",
                "created_by_id": "NULL",
                "created_at": "now() - mod(o.g, 700) * interval '1 day'",
                "updated_at": "now() - mod(o.g, 700) * interval '1 day'",
            },
            "bench_new_opportunities o",
            {
                "pncs": [p for p, _ in points],
                "sectors": [s for _, s in points],
                "kinds": OPPORTUNITY_KINDS,
                "institutions": COMMITTEE_INSTITUTIONS,
                "keys": [normalize_institution(i) for i in COMMITTEE_INSTITUTIONS],
            },
        )
        conn.execute("DROP TABLE bench_new_opportunities")
        new = "o.title_es LIKE %(title)s AND NOT EXISTS (SELECT 1 FROM {} x WHERE x.opportunity_id = o.id)"
        title = {"title": f"{BENCH_OPPORTUNITY_TITLE} %"}
        tags = _ids(conn, "SELECT id FROM members_expertisetag ORDER BY id")
        written += _insert(
            conn,
            "pncs_opportunity_expertise",
            {"opportunity_id": "o.id", "expertisetag_id": "t.tag"},
            "pncs_opportunity o CROSS JOIN LATERAL (SELECT DISTINCT "
            "(%(tags)s::bigint[])[1 + floor(random() * %(n)s)::int + 0 * o.id] AS tag "
            "FROM generate_series(1, 1 + mod(o.id, 3)::int)) t WHERE "
            + new.format("pncs_opportunity_expertise"),
            {**title, "tags": tags, "n": len(tags)},
            on_conflict_do_nothing=True,
        )
        contributions = _ids(conn, "SELECT id FROM members_contribution ORDER BY id")
        written += _insert(
            conn,
            "pncs_opportunity_contributions",
            {"opportunity_id": "o.id", "contribution_id": "c.id"},
            "pncs_opportunity o CROSS JOIN LATERAL (SELECT DISTINCT "
            "(%(contributions)s::bigint[])[1 + floor(random() * %(n)s)::int + 0 * o.id] AS id "
            "FROM generate_series(1, 1 + mod(o.id, 2)::int)) c WHERE "
            + new.format("pncs_opportunity_contributions"),
            {**title, "contributions": contributions, "n": len(contributions)},
            on_conflict_do_nothing=True,
        )
    answerable = _ids(
        conn,
        "SELECT id FROM pncs_opportunity WHERE title_es LIKE %s AND status <> 'draft' ORDER BY id",
        [f"{BENCH_OPPORTUNITY_TITLE} %"],
    )
    if answerable:
        written += _insert(
            conn,
            "pncs_interest",
            {
                "opportunity_id": "i.opportunity_id",
                "member_id": "i.member_id",
                "message": "CASE WHEN i.r < 0.5 THEN 'Me interesa colaborar.' ELSE '' END",
                "status": "CASE WHEN i.r < 0.6 THEN 'pending' WHEN i.r < 0.75 THEN "
                "'shortlisted' WHEN i.r < 0.85 THEN 'accepted' ELSE 'declined' END",
                "created_at": "now() - i.r * interval '300 days'",
                "decided_at": "CASE WHEN i.r >= 0.6 THEN now() - i.r * interval '100 days' END",
                "decided_by_id": "NULL",
            },
            "(SELECT DISTINCT ON (u.id, o.pick) u.id AS member_id, "
            "(%(ids)s::bigint[])[1 + o.pick] AS opportunity_id, random() AS r "
            "FROM members_user u CROSS JOIN LATERAL (SELECT floor(random() * %(n)s)::int "
            "+ 0 * u.id AS pick FROM generate_series(1, 1 + mod(u.id, 3)::int)) o "
            "WHERE u.id BETWEEN %(lo)s AND %(hi)s AND random() < %(share)s) i",
            {
                "ids": answerable,
                "n": len(answerable),
                "lo": ctx.first_id,
                "hi": ctx.last_id,
                "share": INTEREST_SHARE,
            },
            on_conflict_do_nothing=True,
        )
    return written


# --- Programs: the calls, their stages and ~1,000 applicants each ----------------------

BENCH_PROGRAMS = 10  # slugs bench-program-01 ... (the first OPEN_PROGRAMS have an open call)
OPEN_PROGRAMS = 3
APPLICANTS_PER_PROGRAM = 1_000
SECOND_STAGE_SEATS = 100


@post_generation_hook(
    "programs and applications",
    requires=(
        "programs_program",
        "programs_partner",
        "programs_program_partners",
        "programs_stage",
        "programs_application",
        "programs_enrolment",
        "programs_selection",
    ),
)
def create_programs(ctx):
    """BENCH_PROGRAMS programs (once) with two partners and two stages each (virtual, then
    SECOND_STAGE_SEATS places in person); about APPLICANTS_PER_PROGRAM of the members
    apply to each; on a closed call 60% were accepted, enrolled in stage 1 with a score,
    and the best SECOND_STAGE_SEATS who completed it went on to stage 2 (a confirmed
    selection)."""
    conn = ctx.conn
    written = _insert(
        conn,
        "programs_partner",
        {
            "slug": "'bench-partner-' || i",
            "name": "(ARRAY['Centro Público de Investigación de Prueba', "
            "'Empresa Tecnológica de Prueba'])[i]",
            "kind": "(ARRAY['public_centre', 'company'])[i]",
            "country": "(ARRAY['MX', 'US'])[i]",
            "description_es": "'Institución aliada sintética.'",
            "description_en": "'Synthetic partner institution.'",
        },
        "generate_series(1, 2) AS i WHERE NOT EXISTS "
        "(SELECT 1 FROM programs_partner x WHERE x.slug = 'bench-partner-' || i)",
    )
    written += _insert(
        conn,
        "programs_program",
        {
            "slug": "'bench-program-' || lpad(i::text, 2, '0')",
            "name_es": "'Programa de prueba ' || lpad(i::text, 2, '0')",
            "name_en": "'Bench program ' || lpad(i::text, 2, '0')",
            "summary_es": "'Formación sintética del benchmark.'",
            "summary_en": "'Synthetic benchmark training.'",
            "description_es": "'Etapa virtual de aprendizaje automático y una estancia "
            "presencial para los mejores promedios. Descripción sintética.'",
            "description_en": "'A virtual machine-learning stage and an in-person stay for "
            "the best averages. Synthetic description.'",
            "capacity": str(APPLICANTS_PER_PROGRAM),
            "call_opens_at": f"CASE WHEN i <= {OPEN_PROGRAMS} THEN now() - interval '20 days' "
            "ELSE now() - (i * 60 + 90) * interval '1 day' END",
            "call_closes_at": f"CASE WHEN i <= {OPEN_PROGRAMS} THEN now() + interval '40 days' "
            "ELSE now() - (i * 60 + 45) * interval '1 day' END",
            "eligibility_es": "'Convocatoria abierta, sin requisito de formación específica.'",
            "eligibility_en": "'Open call, no specific background required.'",
            "is_published": "true",
            "created_at": "now() - (i * 60 + 120) * interval '1 day'",
        },
        f"generate_series(1, {BENCH_PROGRAMS}) AS i WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
        "programs_program x WHERE x.slug = 'bench-program-' || lpad(i::text, 2, '0'))",
    )
    written += _insert(
        conn,
        "programs_program_partners",
        {"program_id": "p.id", "partner_id": "pa.id"},
        "programs_program p JOIN programs_partner pa ON pa.slug = 'bench-partner-1' OR "
        "(pa.slug = 'bench-partner-2' AND mod(p.id, 2) = 1) WHERE p.slug LIKE "
        "'bench-program-%' AND NOT EXISTS (SELECT 1 FROM programs_program_partners x "
        "WHERE x.program_id = p.id)",
    )
    written += _insert(
        conn,
        "programs_stage",
        {
            "program_id": "p.id",
            "order": "k",
            "name_es": "(ARRAY['Etapa 1: formación virtual', 'Etapa 2: estancia presencial'])[k]",
            "name_en": "(ARRAY['Stage 1: virtual training', 'Stage 2: in-person stay'])[k]",
            "mode": "(ARRAY['virtual', 'in_person'])[k]",
            "place_es": "(ARRAY['', 'Estados Unidos'])[k]",
            "place_en": "(ARRAY['', 'United States'])[k]",
            "starts_on": "(p.call_closes_at + (ARRAY[15, 135])[k] * interval '1 day')::date",
            "ends_on": "(p.call_closes_at + (ARRAY[105, 149])[k] * interval '1 day')::date",
            "seats": f"(ARRAY[NULL, {SECOND_STAGE_SEATS}])[k]",
            "certifying_partner_id": "CASE WHEN k = 1 THEN (SELECT id FROM programs_partner "
            "WHERE slug = 'bench-partner-2') END",
        },
        "programs_program p CROSS JOIN generate_series(1, 2) AS k WHERE p.slug LIKE "
        "'bench-program-%' AND NOT EXISTS (SELECT 1 FROM programs_stage x "
        "WHERE x.program_id = p.id)",
    )
    share = min(0.5, APPLICANTS_PER_PROGRAM / max(ctx.members, 1))
    written += _insert(
        conn,
        "programs_application",
        {
            "program_id": "a.program_id",
            "user_id": "a.user_id",
            "status": "CASE WHEN a.open THEN 'applied' WHEN a.r < 0.6 THEN 'accepted' "
            "WHEN a.r < 0.75 THEN 'waitlisted' WHEN a.r < 0.95 THEN 'rejected' "
            "ELSE 'withdrawn' END",
            "education_level": "a.education_level",
            "education_field": "left(a.education_field, 150)",
            "institution": "left(a.institution, 200)",
            # Residents of Mexico (programs_application_state_iff_resident): a state.
            "state": "coalesce(nullif(a.state_of_origin, ''), 'CMX')",
            "residence_country": "'MX'",
            "nationality": "'MX'",
            "gender": "CASE WHEN a.r2 < 0.45 THEN 'woman' WHEN a.r2 < 0.95 THEN 'man' "
            "WHEN a.r2 < 0.97 THEN 'non_binary' ELSE '' END",
            "gender_description": "''",
            "motivation": "'Quiero aprender y aplicar lo aprendido en proyectos con México.'",
            "created_at": "a.call_opens_at + a.r2 * (least(now(), a.call_closes_at) "
            "- a.call_opens_at)",
            "decided_at": "CASE WHEN NOT a.open THEN a.call_closes_at + interval '7 days' END",
        },
        "(SELECT p.id AS program_id, pf.user_id, pf.education_level, pf.education_field, "
        "pf.institution, pf.state_of_origin, p.call_opens_at, p.call_closes_at, "
        "p.call_closes_at > now() AS open, random() AS r, random() AS r2 "
        "FROM programs_program p CROSS JOIN members_profile pf "
        "WHERE p.slug LIKE 'bench-program-%%' AND pf.user_id BETWEEN %(lo)s AND %(hi)s "
        "AND random() < %(share)s) a",
        {"lo": ctx.first_id, "hi": ctx.last_id, "share": share},
        on_conflict_do_nothing=True,
    )
    # Stage 1: every accepted applicant of a closed call, with a score.
    written += _insert(
        conn,
        "programs_enrolment",
        {
            "application_id": "e.application_id",
            "stage_id": "e.stage_id",
            "status": "'enrolled'",
            "score": "e.score",
            "completed": "e.score >= 60",
            "certified": "e.score >= 60",
            "completed_on": "CASE WHEN e.score >= 60 THEN e.ends_on END",
            "created_at": "e.starts_on - interval '5 days'",
        },
        "(SELECT a.id AS application_id, s.id AS stage_id, s.starts_on, s.ends_on, "
        "round((40 + random() * 60)::numeric, 2) AS score FROM programs_application a "
        "JOIN programs_program p ON p.id = a.program_id JOIN programs_stage s ON "
        "s.program_id = p.id AND s.\"order\" = 1 WHERE p.slug LIKE 'bench-program-%' "
        "AND a.status = 'accepted' AND p.call_closes_at < now() AND NOT EXISTS "
        "(SELECT 1 FROM programs_enrolment x WHERE x.application_id = a.id "
        "AND x.stage_id = s.id)) e",
        on_conflict_do_nothing=True,
    )
    # Stage 2: the best scores of stage 1, as many as it has seats (once per program).
    written += _insert(
        conn,
        "programs_enrolment",
        {
            "application_id": "r.application_id",
            "stage_id": "r.stage_id",
            "status": "'enrolled'",
            "score": "r.score",
            "completed": "true",
            "certified": "true",
            "completed_on": "r.ends_on",
            "created_at": "r.starts_on - interval '20 days'",
        },
        "(SELECT e.application_id, s2.id AS stage_id, s2.seats, s2.starts_on, s2.ends_on, "
        "e.score, row_number() OVER (PARTITION BY s2.id ORDER BY e.score DESC, "
        "e.application_id) AS rk FROM programs_enrolment e JOIN programs_stage s1 ON "
        's1.id = e.stage_id AND s1."order" = 1 JOIN programs_stage s2 ON s2.program_id '
        '= s1.program_id AND s2."order" = 2 JOIN programs_program p ON p.id = '
        "s1.program_id WHERE p.slug LIKE 'bench-program-%' AND e.completed AND NOT EXISTS "
        "(SELECT 1 FROM programs_enrolment x WHERE x.stage_id = s2.id)) r "
        "WHERE r.rk <= r.seats",
    )
    written += _insert(
        conn,
        "programs_selection",
        {
            "source_stage_id": "s1.id",
            "target_stage_id": "s2.id",
            "selected_count": "(SELECT count(*) FROM programs_enrolment x "
            "WHERE x.stage_id = s2.id)",
            "waitlist_count": "0",
            "confirmed_by_id": "NULL",
            "confirmed_at": "s2.starts_on - interval '25 days'",
        },
        "programs_stage s1 JOIN programs_stage s2 ON s2.program_id = s1.program_id AND "
        's2."order" = 2 JOIN programs_program p ON p.id = s1.program_id WHERE '
        "s1.\"order\" = 1 AND p.slug LIKE 'bench-program-%' AND EXISTS (SELECT 1 FROM "
        "programs_enrolment x WHERE x.stage_id = s2.id) AND NOT EXISTS "
        "(SELECT 1 FROM programs_selection x WHERE x.target_stage_id = s2.id)",
    )
    return written


# --- Jornadas: 200 events of the chapters and the network, with registrations ----------

BENCH_JORNADAS = 200  # slugs bench-jornada-001 ...; 3 in 4 are past
REGISTRATION_SHARE = 0.05  # share of the new members registered for one Jornada


@post_generation_hook(
    "jornadas and registrations",
    requires=(
        "chapters_chapter",
        "chapters_jornada",
        "chapters_agendaitem",
        "chapters_speaker",
        "chapters_registration",
    ),
)
def create_jornadas(ctx):
    """BENCH_JORNADAS published Jornadas (once): of the bench chapters (one in ten of the
    whole network), every 5 days from ~2 years ago to ~8 months ahead, capacity 50-500
    (one in seven without limit, one in fifteen with approval), an agenda of four items
    with an external speaker each. REGISTRATION_SHARE of the new members registered for
    one whose registration had opened: confirmed in queue order while there was room,
    then waitlisted (never more confirmed than the capacity), some cancelled, most of
    those confirmed for a past Jornada checked in."""
    conn = ctx.conn
    chapters = _ids(
        conn, "SELECT id FROM chapters_chapter WHERE slug LIKE %s ORDER BY id", ["bench-chapter-%"]
    )
    written = _insert(
        conn,
        "chapters_jornada",
        {
            "slug": "'bench-jornada-' || lpad(i::text, 3, '0')",
            "chapter_id": "CASE WHEN mod(i, 10) = 0 OR cardinality(%(chapters)s::bigint[]) = 0 "
            "THEN NULL ELSE (%(chapters)s::bigint[])[1 + mod(i, greatest(1, "
            "cardinality(%(chapters)s::bigint[])))] END",
            "title_es": "'Jornada de prueba ' || lpad(i::text, 3, '0')",
            "title_en": "'Bench Jornada ' || lpad(i::text, 3, '0')",
            "edition": "CASE WHEN mod(i, 10) = 0 THEN i / 10 END",
            "starts_at": "date_trunc('hour', now()) + (i - 150) * interval '5 days'",
            "ends_at": "date_trunc('hour', now()) + (i - 150) * interval '5 days' "
            "+ interval '8 hours'",
            "timezone": "'America/Mexico_City'",
            "venue": "'Sede de prueba ' || i",
            "city": "'Ciudad ' || mod(i, 40)",
            "country": "(ARRAY['US', 'US', 'CA', 'MX', 'ES'])[1 + mod(i, 5)]",
            "description_es": "'Jornada Informativa sintética del benchmark.'",
            "description_en": "'Synthetic benchmark Jornada.'",
            "capacity": "CASE WHEN mod(i, 7) = 0 THEN NULL ELSE 50 + mod(i * 37, 451) END",
            "registration_opens_at": "date_trunc('hour', now()) + (i - 150) * interval "
            "'5 days' - interval '60 days'",
            "registration_closes_at": "date_trunc('hour', now()) + (i - 150) * interval "
            "'5 days' - interval '1 day'",
            "registration_mode": "CASE WHEN mod(i, 15) = 0 THEN 'approval' ELSE 'open' END",
            "is_published": "true",
            "created_at": "date_trunc('hour', now()) + (i - 150) * interval '5 days' "
            "- interval '90 days'",
            "updated_at": "now()",
        },
        f"generate_series(1, {BENCH_JORNADAS}) AS i WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
        "chapters_jornada x WHERE x.slug = 'bench-jornada-' || lpad(i::text, 3, '0'))",
        {"chapters": chapters},
    )
    written += _insert(
        conn,
        "chapters_agendaitem",
        {
            "jornada_id": "j.id",
            "order": "k",
            "starts_at": "j.starts_at + (k - 1) * interval '90 minutes'",
            "title_es": "(ARRAY['Bienvenida', 'Panel sectorial', 'Oportunidades de la red', "
            "'Cierre'])[k]",
            "title_en": "(ARRAY['Welcome', 'Sector panel', 'Network opportunities', 'Closing'])[k]",
            "description_es": "''",
            "description_en": "''",
        },
        "chapters_jornada j CROSS JOIN generate_series(1, 4) AS k WHERE j.slug LIKE "
        "'bench-jornada-%' AND NOT EXISTS (SELECT 1 FROM chapters_agendaitem x "
        "WHERE x.jornada_id = j.id)",
    )
    written += _insert(
        conn,
        "chapters_speaker",
        {
            "agenda_item_id": "a.id",
            "member_id": "NULL",
            "name": "'Ponente de prueba ' || a.id",
            "affiliation": "'Institución de prueba'",
            "bio": "''",
            "order": "0",
        },
        "chapters_agendaitem a JOIN chapters_jornada j ON j.id = a.jornada_id WHERE j.slug "
        "LIKE 'bench-jornada-%' AND NOT EXISTS (SELECT 1 FROM chapters_speaker x "
        "WHERE x.agenda_item_id = a.id)",
    )
    jornadas = _ids(
        conn,
        "SELECT id FROM chapters_jornada WHERE slug LIKE %s "
        "AND registration_opens_at <= now() ORDER BY id",
        ["bench-jornada-%"],
    )
    if not jornadas:
        return written
    conn.execute("DROP TABLE IF EXISTS bench_registration_picks")
    conn.execute(
        """
        CREATE TEMP TABLE bench_registration_picks AS
        SELECT p.user_id, p.jornada_id, p.r, j.capacity, j.registration_mode, j.starts_at,
            j.registration_opens_at, coalesce(c.taken, 0) AS taken,
            row_number() OVER (PARTITION BY p.jornada_id ORDER BY p.r) AS rk
        FROM (
            SELECT u.id AS user_id, random() AS r,
                (%(ids)s::bigint[])[1 + floor(random() * %(n)s)::int] AS jornada_id
            FROM members_user u
            WHERE u.id BETWEEN %(lo)s AND %(hi)s AND random() < %(share)s
        ) p
        JOIN chapters_jornada j ON j.id = p.jornada_id
        LEFT JOIN (SELECT jornada_id, count(*) AS taken FROM chapters_registration
            WHERE status = 'confirmed' GROUP BY jornada_id) c ON c.jornada_id = p.jornada_id
        """,
        {
            "ids": jornadas,
            "n": len(jornadas),
            "lo": ctx.first_id,
            "hi": ctx.last_id,
            "share": REGISTRATION_SHARE,
        },
    )
    queued = "least(now(), x.registration_opens_at + x.rk * interval '10 seconds')"
    status = (
        "CASE WHEN x.registration_mode = 'approval' AND x.starts_at > now() THEN 'pending' "
        "WHEN x.r < 0.04 THEN 'cancelled' "
        "WHEN x.capacity IS NULL OR x.taken + x.rk <= x.capacity THEN 'confirmed' "
        "ELSE 'waitlisted' END"
    )
    written += _insert(
        conn,
        "chapters_registration",
        {
            "jornada_id": "x.jornada_id",
            "user_id": "x.user_id",
            "representing_id": "NULL",
            "status": status,
            "registered_at": queued,
            "queued_at": queued,
            "confirmed_at": f"CASE WHEN {status} = 'confirmed' THEN {queued} END",
            "cancelled_at": f"CASE WHEN {status} = 'cancelled' THEN {queued} "
            "+ interval '1 day' END",
            "checked_in_at": f"CASE WHEN {status} = 'confirmed' AND x.starts_at < now() "
            "AND x.r > 0.3 THEN x.starts_at + interval '30 minutes' END",
            "checked_in_by_id": "NULL",
        },
        "bench_registration_picks x",
        on_conflict_do_nothing=True,
    )
    conn.execute("DROP TABLE bench_registration_picks")
    return written


# --- Last: the figures, over everything written above ------------------------------


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
