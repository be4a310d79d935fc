"""The read replica (issue 24, core/replica.py) on a real streaming replica: a primary of
the test's own (tests/loadtest/servers.OwnPostgres, Debian's PostgreSQL binaries), migrated,
and a standby made from it with `pg_basebackup -R`, streaming. gunicorn runs under the
production settings with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the
standby. Replay on the standby is paused while a chapter is added on the primary: a page
that reads from the standby does not show it yet; one that reads from the primary does.

Started once for the module (the migration is the slow part)."""

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.bench.server import free_port, prepare_database
from tests.loadtest.servers import OwnPostgres, OwnStandby
from tests.security.production_server import ProductionServer, production_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
NEW_CHAPTER = "Capítulo recién fundado"


def _add_chapter(database_url: str, env: dict, name=NEW_CHAPTER, slug="recien-fundado") -> None:
    code = (
        "from chapters.models import Chapter; Chapter.objects.create("
        f"name={name!r}, slug={slug!r}, city='Austin', country='US', "
        "region='north-america', status='formalized', description_es='x', description_en='x')"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env={**env, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replica")
    env = production_env(tmp)
    with OwnPostgres() as primary:
        url = primary.url("talentnet")
        prepare_database(url, env, log=lambda message: None)
        with OwnStandby(primary) as standby:
            assert standby.sql("SELECT pg_is_in_recovery()")[0] is True
            yield primary, standby, url, standby.url("talentnet"), env


def _server(tmp, primary_url, replica_url, **extra):
    return ProductionServer(
        tmp,
        DATABASE_URL=primary_url,
        DATABASE_REPLICA_URL=replica_url,
        DATABASE_REPLICA_CHECK_EVERY="0.2",
        DATABASE_REPLICA_RETRY_AFTER="3",
        REPLICA_READ_YOUR_WRITES_SECONDS="30",
        **extra,
    )


def _shows_new_chapter(server, cookie=None, name=NEW_CHAPTER) -> bool:
    headers = {"Cookie": cookie} if cookie else {}
    status, _headers, body = server.request("/chapters/", headers=headers)
    assert status == 200
    return name.encode() in body


def test_heavy_reads_come_from_the_replica_and_the_rest_from_the_primary(cluster, tmp_path):
    _primary, standby, primary_url, replica_url, env = cluster
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        _add_chapter(primary_url, env)
        tight = tmp_path / "tight"
        tight.mkdir()
        with (
            _server(tmp_path, primary_url, replica_url, DATABASE_REPLICA_MAX_LAG="3600") as loose,
            _server(tight, primary_url, replica_url, DATABASE_REPLICA_MAX_LAG="0.5") as strict,
        ):
            # The chapter list is a heavy read: served by the paused replica, without it.
            assert not _shows_new_chapter(loose)
            # A page that is not a heavy read (the chapter's own page) reads the primary.
            status, _h, body = loose.request("/chapters/recien-fundado/")
            assert status == 200 and NEW_CHAPTER.encode() in body
            # Read-your-writes: a request that could write (a POST, here refused for its
            # missing CSRF token) sends this visitor's next reads to the primary.
            status, headers, _body = loose.request("/accounts/login/", method="POST", body=b"")
            cookie = next(v for k, v in headers if k == "Set-Cookie" and "tn_primary" in v)
            assert _shows_new_chapter(loose, cookie.split(";", 1)[0])
            assert not _shows_new_chapter(loose)  # everyone else still on the replica
            # A replica behind by more than DATABASE_REPLICA_MAX_LAG is skipped.
            time.sleep(1)
            assert _shows_new_chapter(strict)
        standby.sql("SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 30
        with _server(tmp_path, primary_url, replica_url, DATABASE_REPLICA_MAX_LAG="3600") as web:
            while not _shows_new_chapter(web):  # caught up: the replica now has it
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")


def test_a_replica_that_is_down_is_skipped_and_used_again_when_back(cluster, tmp_path):
    _primary, standby, primary_url, replica_url, env = cluster
    while_down, once_back = "Capítulo durante la caída", "Capítulo tras la vuelta"
    with _server(tmp_path, primary_url, replica_url, DATABASE_REPLICA_MAX_LAG="3600") as web:
        standby._pg_ctl("stop", "-m", "fast")
        try:
            _add_chapter(primary_url, env, name=while_down, slug="durante-la-caida")
            started = time.monotonic()
            for _ in range(3):  # from the primary, without waiting on the dead replica
                assert _shows_new_chapter(web, name=while_down)
            assert time.monotonic() - started < 15
            assert web.request("/healthz")[0] == 200  # the site needs the primary only
        finally:
            standby._pg_ctl("start")
        standby.wait_ready()
        standby.sql("SELECT pg_wal_replay_pause()")
        try:
            _add_chapter(primary_url, env, name=once_back, slug="tras-la-vuelta")
            deadline = time.monotonic() + 20
            while _shows_new_chapter(web, name=once_back):  # back on the (paused) replica
                assert time.monotonic() < deadline
                time.sleep(0.3)
        finally:
            standby.sql("SELECT pg_wal_replay_resume()")


def test_the_settings_add_the_replica_and_its_router_only_when_asked():
    code = (
        "from talentnet import settings as s; "
        "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), "
        "s.DATABASES.get('replica', {}).get('OPTIONS', {}).get('pool', {}).get('timeout'))"
    )
    base = {"DEBUG": "true", "PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://u@h:1/d"}
    out = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=e, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
        for e in (base, {**base, "DATABASE_REPLICA_URL": f"postgres://u@h:{free_port()}/d"})
    ]  # fmt: skip
    assert out[0] == "['default'] [] None"
    assert out[1] == "['default', 'replica'] ['core.replica.ReplicaRouter'] 2"


def test_the_app_runs_through_pgbouncer_in_transaction_mode(cluster, tmp_path):
    """Debian's PgBouncer, pool_mode = transaction, in front of the primary: pages, a
    sign-in attempt (session, rate-limit and log writes) and the health check work, since
    nothing relies on session state (no prepared statements, no SET, no advisory lock).
    The statement timeout, a startup option PgBouncer does not pass on, is 0 here (with a
    pooler it is set on the database role: .env.example)."""
    primary, _standby, _primary_url, _replica_url, _env = cluster
    port = free_port()
    # Its own directory under /tmp: pytest's tmp_path is not readable by the postgres user.
    run = Path(tempfile.mkdtemp(prefix="talentnet-pgbouncer-"))
    (run / "users.txt").write_text('"postgres" ""\n')
    (run / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"talentnet = host=127.0.0.1 port={primary.port} dbname=talentnet user=postgres\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {run}/users.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 4\nmax_client_conn = 100\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {run}/pgbouncer.log\npidfile = {run}/pgbouncer.pid\n"
    )
    command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(run / "pgbouncer.ini")]
    if primary._as_postgres:  # PgBouncer refuses to run as root
        shutil.chown(run, "postgres", "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    bouncer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"postgres://postgres@127.0.0.1:{port}/talentnet"
        with ProductionServer(tmp_path, DATABASE_URL=url, DB_STATEMENT_TIMEOUT="0") as web:
            for path in ("/chapters/", "/jornadas/", "/", "/healthz"):
                assert web.request(path)[0] == 200, path
            status, headers, body = web.request("/accounts/login/")
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            cookie = next(v for k, v in headers if k == "Set-Cookie" and "csrftoken" in v)
            for _ in range(3):
                status, _h, _b = web.request(
                    "/accounts/login/",
                    method="POST",
                    body=(
                        f"csrfmiddlewaretoken={token.group(1).decode()}"
                        "&login=nadie%40example.org&password=incorrecta-2026"
                    ),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": cookie.split(";", 1)[0],
                        "Referer": "https://talent.example.org/accounts/login/",
                    },
                )
                assert status == 200
            assert "login failed" in web.read_log()
        log = (run / "pgbouncer.log").read_text()
        assert "transaction" in (run / "pgbouncer.ini").read_text()
        assert "ERROR" not in log, log[-2000:]
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=10)
        shutil.rmtree(run, ignore_errors=True)


# --- The worker's export reads from the replica ------------------------------------------

EXPORTER = "coord.replica@example.org"
SEED_EXPORT = (
    "from tests.factories import coordinator; from tests.pncs.conftest import contactable; "
    "[contactable(given_names=f'Replicado{n}', sectors=['tic'], "
    "user__email=f'replicado{n}@example.org') for n in range(3)]; "
    f"coordinator('tic', email={EXPORTER!r})"
)
LATE_MEMBER = (
    "from tests.pncs.conftest import contactable; "
    "contactable(given_names='Tardío', sectors=['tic'], user__email='tardio@example.org')"
)
# What a coordinator's "export" queues (pncs.exports.request_export, without its audit),
# then the task a worker runs for it; prints the status on the primary and the names in
# the file written into EXPORTS_ROOT.
WRITE_EXPORT = """
import csv, io, json, os
from django.http import QueryDict
from members.models import User
from pncs.filters import MemberSearchFilter
from pncs.models import MemberExport
from pncs.search import base_queryset
from pncs.tasks import write_export_task
search = MemberSearchFilter(QueryDict("sector=tic"), queryset=base_queryset())
assert search.is_valid()
fmt = os.environ["EXPORT_FORMAT"]
export = MemberExport.objects.create(
    user=User.objects.get(email=os.environ["EXPORTER"]), format=fmt, query="sector=tic",
    filters=search.applied(), language="es-mx",
)
write_export_task.apply(args=[export.pk]).get()
export.refresh_from_db()
path = os.path.join(os.environ["EXPORTS_ROOT"], export.file_name)
if fmt == "csv":
    rows = list(csv.reader(io.StringIO(open(path, encoding="utf-8-sig").read())))[1:]
else:
    from openpyxl import load_workbook
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))[1:]
print(json.dumps({"status": export.status, "rows": export.row_count,
                  "names": sorted(row[0] for row in rows)}))
"""


def _shell(code: str, env: dict, **extra) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env={**env, **extra},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _worker_export(env, tmp_path, primary_url, replica_url, max_lag, fmt="csv") -> dict:
    import json

    exports_root = tmp_path / f"exports-{max_lag}-{fmt}"
    exports_root.mkdir()
    out = _shell(
        WRITE_EXPORT,
        env,
        DATABASE_URL=primary_url,
        DATABASE_REPLICA_URL=replica_url,
        DATABASE_REPLICA_MAX_LAG=max_lag,
        EXPORTS_ROOT=str(exports_root),
        EXPORTER=EXPORTER,
        EXPORT_FORMAT=fmt,
        STORAGE_BACKEND="filesystem",
        # The task inline in this process, the "ready" mail on the console.
        CELERY_TASK_ALWAYS_EAGER="true",
        SMTP_HOST="",
    )
    return json.loads(out.strip().splitlines()[-1])


def test_the_worker_writes_a_large_export_from_the_replica(cluster, tmp_path):
    """With replay paused, a member who joined on the primary is not in the export the
    worker writes (its rows were read on the replica), while the export's own row is
    claimed and marked ready on the primary. A replica lagging beyond the bound is
    skipped: the same export then has the member."""
    _primary, standby, primary_url, replica_url, env = cluster
    _shell(SEED_EXPORT, env, DATABASE_URL=primary_url)
    deadline = time.monotonic() + 30
    count = "SELECT count(*) FROM members_profile WHERE given_names LIKE 'Replicado%'"
    with psycopg.connect(replica_url, autocommit=True) as replica:
        while replica.execute(count).fetchone()[0] < 3:  # caught up with the seed
            assert time.monotonic() < deadline
            time.sleep(0.2)
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        _shell(LATE_MEMBER, env, DATABASE_URL=primary_url)
        early = ["Replicado0", "Replicado1", "Replicado2"]
        from_replica = _worker_export(env, tmp_path, primary_url, replica_url, "3600")
        assert from_replica == {"status": "ready", "rows": 3, "names": early}
        workbook = _worker_export(env, tmp_path, primary_url, replica_url, "3600", fmt="xlsx")
        assert workbook == from_replica  # the XLSX reads the same COPY on the replica
        time.sleep(1)
        skipped = _worker_export(env, tmp_path, primary_url, replica_url, "0.5")
        assert skipped == {"status": "ready", "rows": 4, "names": sorted([*early, "Tardío"])}
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")


# --- The sector and chapter feeds read from the replica ----------------------------------

SEED_FEEDS = (
    "from tests.factories import ChapterFactory, coordinator; "
    "coordinator('tic', email='coord.feeds@example.org'); "
    "ChapterFactory(slug='feed-houston', name='Houston (feeds)')"
)
LATE_POSTS = (
    "from members.models import Sector; from chapters.models import Chapter; "
    "from tests.factories import PostFactory; "
    "PostFactory(scope='sector', sector=Sector.objects.get(slug='tic'), slug='tardia-tic', "
    "title_es='Noticia tardía del sector'); "
    "PostFactory(scope='chapter', chapter=Chapter.objects.get(slug='feed-houston'), "
    "slug='tardia-houston', title_es='Noticia tardía del capítulo')"
)
FEEDS = {
    "/pncs/tic/feed/": "Noticia tardía del sector",
    "/pncs/tic/feed/rss/": "Noticia tardía del sector",
    "/chapters/feed-houston/feed/": "Noticia tardía del capítulo",
    "/chapters/feed-houston/feed/rss/": "Noticia tardía del capítulo",
}


def _feeds_showing_late_posts(server) -> set[str]:
    shown = set()
    for path, title in FEEDS.items():
        status, _headers, body = server.request(path)
        assert status == 200, path
        if title.encode() in body:
            shown.add(path)
    return shown


def test_the_sector_and_chapter_feeds_read_from_the_replica(cluster, tmp_path):
    """Like the network's feeds: with replay paused, posts published on the primary are
    missing from the four feeds (Atom and RSS of a sector and a chapter) served from the
    replica, while each post's own page (not a heavy read) shows it; a replica lagging
    beyond the bound is skipped and the feeds show them."""
    _primary, standby, primary_url, replica_url, env = cluster
    _shell(SEED_FEEDS, env, DATABASE_URL=primary_url)
    deadline = time.monotonic() + 30
    seeded = "SELECT count(*) FROM chapters_chapter WHERE slug = 'feed-houston'"
    with psycopg.connect(replica_url, autocommit=True) as replica:
        while replica.execute(seeded).fetchone()[0] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        _shell(LATE_POSTS, env, DATABASE_URL=primary_url)
        tight = tmp_path / "tight"
        tight.mkdir()
        with (
            _server(tmp_path, primary_url, replica_url, DATABASE_REPLICA_MAX_LAG="3600") as loose,
            _server(tight, primary_url, replica_url, DATABASE_REPLICA_MAX_LAG="0.5") as strict,
        ):
            assert _feeds_showing_late_posts(loose) == set()
            for slug in ("tardia-tic", "tardia-houston"):
                assert loose.request(f"/news/{slug}/")[0] == 200  # its page: the primary
            time.sleep(1)
            assert _feeds_showing_late_posts(strict) == set(FEEDS)
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
