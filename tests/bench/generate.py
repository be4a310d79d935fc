"""Synthetic members for the benchmark, written straight into PostgreSQL with set-based SQL.

    python -m tests.bench.generate --members 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/talentnet_bench [--reset]

Python builds small word pools once (tests/bench/vocabulary.py); PostgreSQL combines them
row by row with `generate_series` and `random()`, in chunks of 50,000 members, one
transaction per chunk. No ORM and no per-row Python: a million members take minutes.

Every member is fictitious: `m<id>@bench.example.org`, a verified primary allauth address,
one shared password hash (BENCH_PASSWORD), a profile with Spanish or English text, 1-3
sectors with exactly one primary, expertise tags, languages and contributions. About 9%
have the expertise tag "python"; a handful have the surname "Hamilton" (the broad and the
selective text of the search scenarios).

Other apps fill their own tables after the members exist through POST_GENERATION_HOOKS
(see `post_generation_hook` below); a hook whose tables are not there yet is skipped.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psycopg

from . import vocabulary

BENCH_EMAIL_DOMAIN = "bench.example.org"
BENCH_PASSWORD = "bench-member-2026-not-a-secret"
CHUNK = 50_000
PYTHON_SHARE = 0.09

# Tables written by the core generator (members app + allauth), in dependency order.
MEMBER_TABLES = [
    "members_user",
    "account_emailaddress",
    "members_profile",
    "members_profilesector",
    "members_profile_expertise",
    "members_profile_languages",
    "members_profile_contributions",
]


# --- Extension point: post-generation hooks ------------------------------------------


@dataclass
class GenerationContext:
    """What a hook gets: an open connection (commit is done by the generator after each
    hook) and the id range of the members just written (user id == profile id)."""

    conn: psycopg.Connection
    first_id: int
    last_id: int
    members: int
    seed: int
    rng: random.Random
    log: Callable[[str], None]

    def table_exists(self, name: str) -> bool:
        return self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()[0]


@dataclass
class Hook:
    name: str
    requires: tuple[str, ...]  # tables that must exist, else the hook is skipped
    run: Callable[[GenerationContext], int]  # returns the number of rows written


POST_GENERATION_HOOKS: list[Hook] = []


def post_generation_hook(name: str, *, requires: tuple[str, ...] = ()):
    """Register `func(ctx) -> rows` to run after the members are written, for example:

        @post_generation_hook("pncs search index", requires=("pncs_searchentry",))
        def fill_search_index(ctx):
            # one set-based INSERT ... SELECT over members_profile WHERE user_id
            # BETWEEN ctx.first_id AND ctx.last_id; return cur.rowcount
            ...

        @post_generation_hook("chapter memberships", requires=("chapters_chapter", ...))
        def join_chapters(ctx): ...

    Hooks run in registration order, each in its own transaction; VACUUM (ANALYZE) runs after all.
    Put them in tests/bench/hooks.py (imported by `generate()`), next to the scenarios.
    """

    def register(func):
        POST_GENERATION_HOOKS.append(Hook(name=name, requires=requires, run=func))
        return func

    return register


# --- Generation ----------------------------------------------------------------------


@dataclass
class GenerationReport:
    members: int
    first_id: int
    last_id: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    hooks: dict[str, str] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "members": self.members,
            "first_id": self.first_id,
            "last_id": self.last_id,
            "seconds": round(self.seconds, 2),
            "rows": self.rows,
            "total_rows": self.total_rows,
            "rows_per_second": round(self.rows_per_second),
            "hooks": self.hooks,
        }


def bench_password_hash() -> str:
    """Django's hash of BENCH_PASSWORD, computed once and shared by every bench member."""
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from django.contrib.auth.hashers import make_password

    return make_password(BENCH_PASSWORD)


def check_database_name(database_url: str, *, force: bool = False) -> None:
    """Refuse to write a million fictitious people into a database that is not a bench
    or test database (its name must contain "bench" or start with "test")."""
    name = urlsplit(database_url).path.lstrip("/")
    if not force and "bench" not in name and not name.startswith("test"):
        raise SystemExit(
            f"refusing to generate into database {name!r}: its name must contain 'bench' "
            "or start with 'test' (or pass --force)"
        )


# The generator's own files: data generated by another version of them is generated again.
GENERATOR_FILES = ("generate.py", "hooks.py", "vocabulary.py")


def generator_fingerprint() -> str:
    """A digest of the generator's source: `make bench` reuses the bench database only
    when its data came from this very generator (a new hook, a changed volume)."""
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256()
    for name in GENERATOR_FILES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def record_fingerprint(conn, fingerprint: str) -> None:
    """Remember which generator wrote the bench data (a table of the bench database only)."""
    conn.execute("CREATE TABLE IF NOT EXISTS bench_generator (fingerprint text NOT NULL)")
    conn.execute("DELETE FROM bench_generator")
    conn.execute("INSERT INTO bench_generator (fingerprint) VALUES (%s)", [fingerprint])


def recorded_fingerprint(conn) -> str | None:
    """The fingerprint of the generator that wrote the bench data (None: unknown)."""
    if not conn.execute("SELECT to_regclass('bench_generator') IS NOT NULL").fetchone()[0]:
        return None
    row = conn.execute("SELECT fingerprint FROM bench_generator").fetchone()
    return row[0] if row else None


def _pick(array: str) -> str:
    """SQL for a random element of a vocabulary array column (`v.<array>`)."""
    return f"v.{array}[1 + floor(random() * cardinality(v.{array}))::int]"


def _fill_expressions(conn, table: str, known: list[str]) -> list[tuple[str, str]]:
    """NOT NULL columns without a default that the generator does not know (added by a
    later migration): fill them with a neutral value of their type so it keeps working.
    (A new NOT NULL foreign key needs real ids: give it a column expression here.)"""
    rows = conn.execute(
        """
        SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = %s
          AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
        """,
        [table],
    ).fetchall()
    neutral = {
        "boolean": "false",
        "integer": "0",
        "bigint": "0",
        "smallint": "0",
        "numeric": "0",
        "double precision": "0",
        "timestamp with time zone": "now()",
        "date": "current_date",
        "jsonb": "'{}'::jsonb",
        "json": "'{}'::json",
        "uuid": "gen_random_uuid()",
    }
    extra = []
    for column, data_type in rows:
        if column not in known:
            extra.append((column, neutral.get(data_type, "''")))
    return extra


def _insert(
    conn,
    table: str,
    columns: dict[str, str],
    source: str,
    params=None,
    *,
    on_conflict_do_nothing: bool = False,
) -> int:
    """INSERT INTO table (columns) SELECT expressions FROM source; returns the row count.
    Columns of the table that are NOT NULL without a default and not in `columns` get a
    neutral value (`_fill_expressions`). `params` are the statement's parameters (%s or
    %(name)s in the expressions or the source); a row that would break a unique
    constraint is skipped with `on_conflict_do_nothing`."""
    cols = dict(columns)
    for column, expression in _fill_expressions(conn, table, list(cols)):
        cols[column] = expression
    names = ", ".join(f'"{c}"' for c in cols)
    exprs = ", ".join(cols.values())
    conflict = " ON CONFLICT DO NOTHING" if on_conflict_do_nothing else ""
    cur = conn.execute(
        f"INSERT INTO {table} ({names}) SELECT {exprs} FROM {source}{conflict}",  # noqa: S608 - identifiers are ours
        params,
    )
    return cur.rowcount


# Large word pools become lookup tables joined by index: a long text[] column would be
# de-TOASTed for every row that reads it. Short pools stay arrays in one vocabulary row.
LOOKUP_POOLS = ("given", "surnames", "companies", "cities")


def _create_vocabulary(conn, pools: dict, reference: dict) -> dict[str, int]:
    """Create the temp vocabulary: one row of arrays + a lookup table per large pool.
    Returns the sizes of the lookup pools (embedded in the people SQL)."""
    conn.execute("DROP TABLE IF EXISTS bench_vocab")
    columns = {k: v for k, v in {**pools, **reference}.items() if k not in LOOKUP_POOLS}
    sql_types = {
        k: "int[]" if v and isinstance(v[0], int) else "text[]" for k, v in columns.items()
    }
    conn.execute(
        "CREATE TEMP TABLE bench_vocab AS SELECT "
        + ", ".join(f"%({k})s::{sql_types[k]} AS {k}" for k in columns),
        columns,
    )
    sizes = {}
    for name in LOOKUP_POOLS:
        conn.execute(f"DROP TABLE IF EXISTS bench_{name}")
        conn.execute(
            f"CREATE TEMP TABLE bench_{name} AS SELECT i::int AS i, w "  # noqa: S608
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, i)",
            [pools[name]],
        )
        conn.execute(f"ALTER TABLE bench_{name} ADD PRIMARY KEY (i)")
        conn.execute(f"ANALYZE bench_{name}")
        sizes[name] = len(pools[name])
    return sizes


def _index(size: int) -> str:
    """SQL for a random 1-based index into a pool of `size` words."""
    return f"1 + floor(random() * {int(size)})::int"


def people_sql(sizes: dict[str, int]) -> str:
    """The temp table of one chunk of members: their random choices and their words."""
    return f"""
CREATE TEMP TABLE bench_people AS
SELECT b.*,
  given.w AS given, paternal.w AS paternal, maternal.w AS maternal, company.w AS company,
  city.w AS city,
  v.countries[b.ci] AS country,
  CASE WHEN b.en THEN v.fields_en[b.fi] ELSE v.fields_es[b.fi] END AS field,
  CASE WHEN b.en THEN v.positions_en[b.pi] ELSE v.positions_es[b.pi] END AS position
FROM (
  SELECT g AS id,
    random() < 0.45 AS en,
    c.ci,
    v.city_start[c.ci] + floor(random() * v.city_count[c.ci])::int AS city_i,
    1 + floor(random() * cardinality(v.fields_es))::int AS fi,
    1 + floor(random() * cardinality(v.positions_es))::int AS pi,
    floor(random() * cardinality(v.headlines_es))::int AS hi,
    floor(random() * cardinality(v.bio_es))::int AS b1,
    1 + floor(random() * 3)::int AS b2,
    {_index(sizes["given"])} AS given_i,
    {_index(sizes["surnames"])} AS paternal_i,
    {_index(sizes["surnames"])} AS maternal_i,
    {_index(sizes["companies"])} AS company_i,
    {_pick("institutions")} AS institution,
    {_pick("states")} AS state,
    {_pick("education")} AS education,
    {_pick("visibility")} AS visibility,
    now() - random() * interval '2200 days' AS joined,
    random() AS r_updated,
    random() < 0.10 AS has_preferred,
    random() < 0.40 AS has_linkedin,
    random() < 0.08 AS has_website,
    random() < 0.55 AS travel,
    random() < 0.15 AS show_email,
    random() < 0.70 AS pncs_contact,
    random() < 0.60 AS notify_chapter,
    random() < 0.55 AS notify_jornadas,
    random() < 0.40 AS notify_programs,
    random() < 0.50 AS notify_opportunities,
    random() < 0.95 AS onboarded,
    random() < {PYTHON_SHARE} AS python,
    -- sectors: n in 1..3, distinct offsets 0 < s1 < s2 < cardinality
    (ARRAY[1,1,1,1,1,2,2,2,2,3])[1 + floor(random() * 10)::int] AS n_sectors,
    floor(random() * cardinality(v.sector_ids))::int AS s0,
    1 + floor(random() * ((cardinality(v.sector_ids) - 1) / 2))::int AS s1,
    floor(random() * ((cardinality(v.sector_ids) - 1) / 2))::int AS s2d,
    -- expertise: n in 1..4 distinct tags, offsets within (pool - 1) / 3
    (ARRAY[1,1,2,2,2,3,3,3,4,4])[1 + floor(random() * 10)::int] AS n_tags,
    floor(random() * cardinality(v.tag_ids))::int AS t0,
    1 + floor(random() * ((cardinality(v.tag_ids) - 1) / 3))::int AS t1,
    1 + floor(random() * ((cardinality(v.tag_ids) - 1) / 3))::int AS t2,
    1 + floor(random() * ((cardinality(v.tag_ids) - 1) / 3))::int AS t3,
    -- contributions: n in 1..4 distinct
    1 + floor(random() * 4)::int AS n_contrib,
    floor(random() * cardinality(v.contribution_ids))::int AS c0,
    1 + floor(random() * ((cardinality(v.contribution_ids) - 1) / 3))::int AS c1,
    1 + floor(random() * ((cardinality(v.contribution_ids) - 1) / 3))::int AS c2,
    1 + floor(random() * ((cardinality(v.contribution_ids) - 1) / 3))::int AS c3,
    -- languages: Spanish nearly always, English mostly, sometimes a third one
    random() < 0.97 AS speaks_es,
    random() < 0.90 AS speaks_en,
    CASE WHEN random() < 0.25 THEN {_pick("other_language_ids")} END AS third_language
  FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g CROSS JOIN bench_vocab v
  CROSS JOIN LATERAL (SELECT g AS gg, {_pick("country_pick")} AS ci) AS c
) b CROSS JOIN bench_vocab v
JOIN bench_given given ON given.i = b.given_i
JOIN bench_surnames paternal ON paternal.i = b.paternal_i
JOIN bench_surnames maternal ON maternal.i = b.maternal_i
JOIN bench_companies company ON company.i = b.company_i
JOIN bench_cities city ON city.i = b.city_i
"""  # noqa: S608 - only our identifiers and numbers are interpolated


def _text(en_array: str, es_array: str, index: str) -> str:
    return f"CASE WHEN p.en THEN v.{en_array}[1 + {index}] ELSE v.{es_array}[1 + {index}] END"


def _fill(template: str) -> str:
    """Replace the placeholders of a template expression with the member's own words."""
    return (
        f"replace(replace(replace(replace(replace({template}, '{{company}}', p.company), "
        "'{field}', p.field), '{position}', p.position), '{institution}', p.institution), "
        "'{city}', p.city)"
    )


def _generate_chunk(conn, lo: int, hi: int, sizes: dict[str, int]) -> dict[str, int]:
    rows = {}
    conn.execute("DROP TABLE IF EXISTS bench_people")
    conn.execute(people_sql(sizes), {"lo": lo, "hi": hi})
    rows["members_user"] = _insert(
        conn,
        "members_user",
        {
            "id": "p.id",
            "password": "v.password_hash[1]",
            "is_superuser": "false",
            "first_name": "p.given",
            "last_name": "p.paternal",
            "is_staff": "false",
            "is_active": "true",
            "date_joined": "p.joined",
            "email": f"'m' || p.id || '@{BENCH_EMAIL_DOMAIN}'",
            "email_verified": "true",
            "preferred_language": "CASE WHEN p.en THEN 'en' ELSE 'es-mx' END",
        },
        "bench_people p CROSS JOIN bench_vocab v",
    )
    rows["account_emailaddress"] = _insert(
        conn,
        "account_emailaddress",
        {
            "user_id": "p.id",
            "email": f"'m' || p.id || '@{BENCH_EMAIL_DOMAIN}'",
            "verified": "true",
            "primary": "true",
        },
        "bench_people p",
    )
    headline = _fill(_text("headlines_en", "headlines_es", "p.hi"))
    bio = _fill(
        " || ' ' || ".join(
            [
                _text("bio_en", "bio_es", "p.b1"),
                _text("bio_en", "bio_es", "(p.b1 + p.b2) % cardinality(v.bio_es)"),
                _text("bio_en", "bio_es", "(p.b1 + p.b2 + 3) % cardinality(v.bio_es)"),
            ]
        )
    )
    rows["members_profile"] = _insert(
        conn,
        "members_profile",
        {
            "user_id": "p.id",
            "given_names": "p.given",
            "paternal_surname": "p.paternal",
            "maternal_surname": "p.maternal",
            "preferred_name": "CASE WHEN p.has_preferred THEN split_part(p.given, ' ', 1) ELSE '' END",
            "photo": "''",
            "headline": f"left({headline}, 160)",
            "bio": bio,
            "country": "p.country",
            "city": "left(p.city, 100)",
            "state_of_origin": "p.state",
            "education_level": "p.education",
            "education_field": "p.field",
            "institution": "p.institution",
            "employer": "p.company",
            "position": "p.position",
            "willing_to_travel": "p.travel",
            "linkedin_url": "CASE WHEN p.has_linkedin THEN 'https://www.linkedin.com/in/bench-' || p.id ELSE '' END",
            "orcid": (
                "CASE WHEN p.education IN ('doctorado', 'posdoctorado') THEN '0000-0002-' "
                "|| lpad((p.id % 10000)::text, 4, '0') || '-' "
                "|| lpad(((p.id / 10000) % 10000)::text, 4, '0') ELSE '' END"
            ),
            "website": f"CASE WHEN p.has_website THEN 'https://m' || p.id || '.{BENCH_EMAIL_DOMAIN}/' ELSE '' END",
            "directory_visibility": "p.visibility",
            "show_email": "p.show_email",
            "pncs_contact": "p.pncs_contact",
            "notify_chapter": "p.notify_chapter",
            "notify_jornadas": "p.notify_jornadas",
            "notify_programs": "p.notify_programs",
            "notify_opportunities": "p.notify_opportunities",
            "onboarded_at": "CASE WHEN p.onboarded THEN p.joined + interval '12 minutes' END",
            "created_at": "p.joined",
            "updated_at": "p.joined + p.r_updated * (now() - p.joined)",
        },
        "bench_people p CROSS JOIN bench_vocab v",
    )
    rows["members_profilesector"] = _insert(
        conn,
        "members_profilesector",
        {
            "profile_id": "p.id",
            "sector_id": "v.sector_ids[1 + (p.s0 + o.off) % cardinality(v.sector_ids)]",
            "is_primary": "o.k = 1",
        },
        "bench_people p CROSS JOIN bench_vocab v CROSS JOIN LATERAL "
        "(VALUES (1, 0), (2, p.s1), (3, p.s1 + 1 + p.s2d)) AS o(k, off) "
        "WHERE o.k <= p.n_sectors",
    )
    rows["members_profile_expertise"] = _insert(
        conn,
        "members_profile_expertise",
        {"profile_id": "p.id", "expertisetag_id": "o.tag"},
        "bench_people p CROSS JOIN bench_vocab v CROSS JOIN LATERAL (VALUES "
        "(1, v.tag_ids[1 + p.t0]), "
        "(2, v.tag_ids[1 + (p.t0 + p.t1) % cardinality(v.tag_ids)]), "
        "(3, v.tag_ids[1 + (p.t0 + p.t1 + p.t2) % cardinality(v.tag_ids)]), "
        "(4, v.tag_ids[1 + (p.t0 + p.t1 + p.t2 + p.t3) % cardinality(v.tag_ids)]), "
        "(5, CASE WHEN p.python THEN v.python_id[1] END)) AS o(k, tag) "
        "WHERE (o.k <= p.n_tags OR o.k = 5) AND o.tag IS NOT NULL",
    )
    rows["members_profile_languages"] = _insert(
        conn,
        "members_profile_languages",
        {"profile_id": "p.id", "language_id": "o.lang"},
        "bench_people p CROSS JOIN bench_vocab v CROSS JOIN LATERAL (VALUES "
        "(CASE WHEN p.speaks_es OR NOT p.speaks_en THEN v.spanish_id[1] END), "
        "(CASE WHEN p.speaks_en THEN v.english_id[1] END), "
        "(p.third_language)) AS o(lang) WHERE o.lang IS NOT NULL",
    )
    rows["members_profile_contributions"] = _insert(
        conn,
        "members_profile_contributions",
        {"profile_id": "p.id", "contribution_id": "o.c"},
        "bench_people p CROSS JOIN bench_vocab v CROSS JOIN LATERAL (VALUES "
        "(1, v.contribution_ids[1 + p.c0]), "
        "(2, v.contribution_ids[1 + (p.c0 + p.c1) % cardinality(v.contribution_ids)]), "
        "(3, v.contribution_ids[1 + (p.c0 + p.c1 + p.c2) % cardinality(v.contribution_ids)]), "
        "(4, v.contribution_ids[1 + (p.c0 + p.c1 + p.c2 + p.c3) % cardinality(v.contribution_ids)])"
        ") AS o(k, c) WHERE o.k <= p.n_contrib",
    )
    conn.execute("DROP TABLE bench_people")
    return rows


def _reference_ids(conn) -> dict[str, list[int]]:
    def ids(sql, params=None):
        return [row[0] for row in conn.execute(sql, params).fetchall()]

    tags = vocabulary.expertise_pool()
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO members_expertisetag (name, slug) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(name, _slug(name)) for name in [*tags, vocabulary.BROAD_TAG]],
        )
    reference = {
        "sector_ids": ids("SELECT id FROM members_sector ORDER BY id"),
        "contribution_ids": ids("SELECT id FROM members_contribution ORDER BY id"),
        "tag_ids": ids(
            "SELECT id FROM members_expertisetag WHERE name = ANY(%s) ORDER BY id", [tags]
        ),
        "python_id": ids(
            "SELECT id FROM members_expertisetag WHERE name = %s", [vocabulary.BROAD_TAG]
        ),
        "spanish_id": ids("SELECT id FROM members_language WHERE code = 'es'"),
        "english_id": ids("SELECT id FROM members_language WHERE code = 'en'"),
        "other_language_ids": ids(
            "SELECT id FROM members_language WHERE code <> ALL(%s) ORDER BY id", [["es", "en"]]
        ),
    }
    missing = [k for k, v in reference.items() if not v]
    if missing or len(reference["sector_ids"]) < 3 or len(reference["contribution_ids"]) < 4:
        raise SystemExit(f"reference data missing ({missing}): run `manage.py migrate` first")
    return reference


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)[:70] or "tag"


def reset(conn) -> None:
    """Remove every member (and what references them, e.g. sessions' user rows) and the
    rows other apps hang on them: TRUNCATE ... CASCADE on a bench/test database only."""
    conn.execute("TRUNCATE " + ", ".join(MEMBER_TABLES) + " RESTART IDENTITY CASCADE")


def _skip_foreign_key_triggers(conn, log) -> None:
    """Bulk-load mode: no per-row foreign-key trigger (they cost more than the inserts,
    all at COMMIT since Django's constraints are DEFERRABLE INITIALLY DEFERRED). Every id
    written comes from rows of the same transaction or from the reference tables, so
    the references hold by construction (tests/bench/test_generate.py checks them).
    Needs a superuser, as on the bench machine; otherwise the triggers just run."""
    try:
        with conn.transaction():
            conn.execute("SET session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        log("generate: not a superuser, foreign keys are checked row by row (slower)")


def rare_surname_ids(first_id: int, members: int) -> list[int]:
    """A handful of members (3 at most sizes, 20 at a million) are called Hamilton."""
    count = max(3, members // 50_000)
    step = max(1, members // count)
    return [first_id + 7 + i * step for i in range(count) if 7 + i * step < members]


def generate(
    database_url: str,
    members: int,
    *,
    reset_first: bool = False,
    seed: int = 2026,
    chunk: int = CHUNK,
    force: bool = False,
    log: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Write `members` synthetic members (appended after the existing ones), run the
    post-generation hooks, ANALYZE, and report rows written and rows/s."""
    from . import hooks  # noqa: F401 - registers the hooks of apps that have landed

    log = log or (lambda message: sys.stderr.write(message + "\n"))
    check_database_name(database_url, force=force)
    fingerprint = generator_fingerprint()  # of the source this run executes
    rng = random.Random(seed)
    started = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        conn.execute("SET synchronous_commit TO off")
        conn.execute("SET work_mem TO '64MB'")
        _skip_foreign_key_triggers(conn, log)
        conn.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        if reset_first:
            reset(conn)
            conn.commit()
            log("generate: bench data truncated")
        reference = _reference_ids(conn)
        reference["password_hash"] = [bench_password_hash()]
        sizes = _create_vocabulary(conn, vocabulary.build(seed), reference)
        first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM members_user").fetchone()[0]
        last_id = first_id + members - 1
        conn.commit()
        report = GenerationReport(members=members, first_id=first_id, last_id=last_id, seconds=0)
        rare = rare_surname_ids(first_id, members)
        for lo in range(first_id, last_id + 1, chunk):
            hi = min(lo + chunk - 1, last_id)
            chunk_rows = _generate_chunk(conn, lo, hi, sizes)
            for table, count in chunk_rows.items():
                report.rows[table] = report.rows.get(table, 0) + count
            conn.commit()
            log(
                f"generate: members {hi - first_id + 1:,}/{members:,} "
                f"({time.perf_counter() - started:.1f} s)"
            )
        if rare:
            conn.execute(
                "UPDATE members_profile SET paternal_surname = %s WHERE user_id = ANY(%s)",
                [vocabulary.RARE_SURNAME, rare],
            )
            conn.execute(
                "UPDATE members_user SET last_name = %s WHERE id = ANY(%s)",
                [vocabulary.RARE_SURNAME, rare],
            )
        for sequence_table in MEMBER_TABLES:
            if sequence_table == "members_profile":
                continue  # its primary key is the user id
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{sequence_table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {sequence_table}))"
            )
        conn.commit()
        context = GenerationContext(
            conn=conn,
            first_id=first_id,
            last_id=last_id,
            members=members,
            seed=seed,
            rng=rng,
            log=log,
        )
        for hook in POST_GENERATION_HOOKS:
            missing = [t for t in hook.requires if not context.table_exists(t)]
            if missing:
                report.hooks[hook.name] = f"skipped: missing tables {', '.join(missing)}"
                log(f"generate: hook {hook.name!r} skipped (missing {', '.join(missing)})")
                continue
            hook_started = time.perf_counter()
            written = hook.run(context)
            conn.commit()
            report.rows[f"hook:{hook.name}"] = written or 0
            report.hooks[hook.name] = (
                f"{written or 0} rows in {time.perf_counter() - hook_started:.1f} s"
            )
        conn.execute("DROP TABLE IF EXISTS bench_vocab")
        record_fingerprint(conn, fingerprint)
        conn.commit()
        conn.autocommit = True
        # VACUUM as well: a freshly loaded table has no visibility map yet, so every
        # index-only scan (the search's window) would visit the heap until autovacuum
        # gets to it; a production table is vacuumed regularly.
        conn.execute("VACUUM (ANALYZE)")
    report.seconds = time.perf_counter() - started
    log(
        f"generate: {members:,} members, {report.total_rows:,} rows in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s)"
    )
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument(
        "--database-url", required=True, help="postgres://... of a bench or test database"
    )
    parser.add_argument("--reset", action="store_true", help="truncate the member tables first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--force", action="store_true", help="allow any database name")
    args = parser.parse_args(argv)
    # Some hooks write their rows with the app's own SQL (e.g. pncs.search).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
    os.environ.setdefault("SECRET_KEY", "bench-harness-only-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    # Run as `python -m`, this file is `__main__`: the hooks register themselves in the
    # module `tests.bench.generate`, so generate through that one.
    from tests.bench.generate import generate as generate_with_hooks

    report = generate_with_hooks(
        args.database_url,
        args.members,
        reset_first=args.reset,
        seed=args.seed,
        chunk=args.chunk,
        force=args.force,
    )
    import json

    sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
