"""Production settings pass Django's deployment checks; the embedded default needs no server."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7$kP2!qLr9@vWz4#tYb8^nMc5&hJd3*gFs6(aQe1)uIo0-pZl",
    "ALLOWED_HOSTS": "talentos.example.org",
    "DJANGO_SECURE": "true",
    "STATIC_MANIFEST": "true",
    "SMTP_HOST": "smtp.example.org",
}


UNSET = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args, env, **kwargs):
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_required_when_debug_is_off():
    env = {**PRODUCTION_ENV}
    env.pop("SECRET_KEY")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


REQUIRED_WITHOUT_DEBUG = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")


@pytest.mark.parametrize("name", REQUIRED_WITHOUT_DEBUG)
def test_settings_refuse_to_start_without_a_service_url_when_debug_is_off(name):
    """A production container missing one of them must not run on a fallback (a
    per-process cache, announcements sent inside the admin's request): django.setup()
    fails at once, naming the variable."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in UNSET},
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://talentnet@db.example.org/talentnet",
        "REDIS_URL": "redis://redis.example.org:6379/1",
        "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
        "DJANGO_SETTINGS_MODULE": "talentnet.settings",
    }
    env[name] = ""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be set when DEBUG is off" in result.stderr
    assert sorted({*REQUIRED_WITHOUT_DEBUG} - {name}) == [
        other for other in sorted(REQUIRED_WITHOUT_DEBUG) if other not in result.stderr
    ]


def test_settings_start_with_every_service_url_and_debug_off():
    """The counterpart of the refusal: the same environment with all three starts."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in UNSET},
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://talentnet@db.example.org/talentnet",
        "REDIS_URL": "redis://redis.example.org:6379/1",
        "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
        "DJANGO_SETTINGS_MODULE": "talentnet.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CACHES['answers']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={k: v for k, v in env.items() if k != "CELERY_TASK_ALWAYS_EAGER"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django_redis.cache.RedisCache"]


def test_a_database_url_of_another_engine_is_refused():
    env = {
        **{k: v for k, v in os.environ.items() if k not in UNSET},
        "DEBUG": "true",
        "DATABASE_URL": "mysql://talentnet@db.example.org/talentnet",
        "DJANGO_SETTINGS_MODULE": "talentnet.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL database" in result.stderr


def test_no_sqlite_is_left_in_the_code_the_site_runs():
    """One code path, the one production runs: no SQLite branch in any app, the project
    package, the scripts or the Makefile."""
    roots = [
        path
        for path in BASE_DIR.iterdir()
        if (path / "__init__.py").is_file() and path.name != "tests"
    ]
    roots.append(BASE_DIR / "scripts")
    assert {"members", "chapters", "pncs", "programs", "figures", "talentnet"} <= {
        r.name for r in roots
    }
    files = [BASE_DIR / "Makefile", BASE_DIR / "Dockerfile", BASE_DIR / "docker-compose.yml"]
    for root in roots:
        files += [f for f in root.rglob("*") if f.is_file() and f.suffix in {"", ".py", ".html"}]
    assert len(files) > 100
    found = [
        str(f.relative_to(BASE_DIR))
        for f in files
        if "sqlite" in f.read_text(errors="replace").lower()
    ]
    assert found == []


def _server_dir() -> Path:
    """A directory for an embedded server's data, outside pytest's tmp_path: run as root,
    the server runs as its own user, who must traverse the parents, and pytest makes its
    base directory private again whenever a session starts (other suites run at once)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="talentnet-embedded-"))


@pytest.mark.slow
def test_embedded_postgres_starts_offers_the_extensions_restarts_on_its_data_and_stops(tmp_path):
    """scripts/embedded-postgres: a fresh data directory is initialised and served on a
    socket; the four extensions the migrations create are there; a second start reuses
    the running server and, once stopped, the kept data; stop stops it."""
    import psycopg

    script = [sys.executable, str(BASE_DIR / "scripts/embedded-postgres")]
    data = _server_dir() / "pg"

    def run(*args):
        result = subprocess.run(
            [*script, *args], capture_output=True, text=True, timeout=180, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    try:
        url = run("start", str(data), "--database", "embedded_check")
        assert url.startswith("postgres://postgres@:") and f"?host={data}" in url
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SHOW server_version_num").fetchone()[0].startswith("18")
            for extension in ("pg_trgm", "unaccent", "btree_gin", "btree_gist"):
                conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (42)")
            assert conn.execute("SELECT unaccent('Energía')").fetchone() == ("Energia",)
        assert run("start", str(data), "--database", "embedded_check") == url
        run("stop", str(data))
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=3).close()
        run("stop", str(data))  # stopping a stopped server is nothing

        tcp = run("start", str(data), "--database", "embedded_check", "--tcp")
        assert tcp.startswith("postgres://postgres@127.0.0.1:")
        with psycopg.connect(tcp) as conn:
            assert conn.execute("SELECT n FROM kept").fetchall() == [(42,)]
        fallback = run("fallback", "postgres://postgres@127.0.0.1:1/embedded_check", str(data))
        assert fallback == tcp
    finally:
        subprocess.run([*script, "stop", str(data)], timeout=120, check=False)
        shutil.rmtree(data.parent, ignore_errors=True)


def test_the_test_database_fallback_keeps_a_server_that_answers():
    from tests.conftest import _database_url

    url = _database_url()
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "scripts/embedded-postgres"), "fallback", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url
    assert result.stderr == ""


@pytest.mark.slow
def test_make_run_serves_the_demo_on_the_embedded_postgres_and_stops_it_on_exit(tmp_path):
    """The real `make run` (its var/ moved to a temporary directory): with DATABASE_URL
    unset and libpq's defaults pointing nowhere (PGHOST, PGPORT), so no other server can be
    the one used, it initialises the embedded PostgreSQL, migrates, seeds and serves; Ctrl-C
    stops the server; a second run finds the same data (nothing initialised, nothing
    seeded twice)."""
    import signal
    import socket
    import time
    import urllib.request

    import psycopg

    var = _server_dir() / "var"
    pgdata = var / "postgres"

    def make_run():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {
            **{k: v for k, v in os.environ.items() if k not in UNSET},
            "TALENTNET_VAR_DIR": str(var),
            "PORT": str(port),
            "SEED_DEMO_ARGS": "--members 12",
            "PGHOST": str(tmp_path / "nowhere"),
            "PGPORT": "1",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MAKEFLAGS", "MAKELEVEL"):
            env.pop(name, None)
        log = open(tmp_path / f"run-{port}.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # As in a terminal: a test run started in the background may ignore SIGINT,
            # and ignored signals are inherited (Ctrl-C would then reach no one).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        pages = {}
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not pages and proc.poll() is None:
            try:
                for path in ("/", "/en/", "/healthz", "/accounts/login/"):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                        pages[path] = (r.status, r.read().decode())
            except OSError:
                pages = {}
                time.sleep(0.5)
        url = next(
            (
                line.split("Database: ", 1)[1].split(" ", 1)[0]
                for line in (tmp_path / f"run-{port}.log").read_text().splitlines()
                if "Database: " in line
            ),
            None,
        )
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal
        proc.wait(timeout=120)
        log.close()
        return pages, url, (tmp_path / f"run-{port}.log").read_text()

    pages, url, output = make_run()
    assert pages, output[-3000:]
    assert all(status == 200 for status, _ in pages.values()), output[-3000:]
    assert '<html lang="es-mx">' in pages["/"][1]
    assert '<html lang="en">' in pages["/en/"][1]
    assert '"database": "ok"' in pages["/healthz"][1]
    assert "initialising a new data directory" in output
    assert url == f"postgres://postgres@:5432/talentnet?host={pgdata}", output[-3000:]
    assert "stopped the server" in output
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3).close()

    pages, again, output = make_run()
    assert again == url and pages["/"][0] == 200, output[-3000:]
    assert "initialising" not in output
    assert "stopped the server" in output
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3).close()
    started = subprocess.run(
        [sys.executable, str(BASE_DIR / "scripts/embedded-postgres"), "start", str(pgdata)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        with psycopg.connect(started.stdout.strip()) as conn:
            members = conn.execute(
                "SELECT count(*) FROM members_user WHERE email LIKE %s", ["%@demo.example.org"]
            ).fetchone()[0]
        assert members == 12 + 4  # seeded once, found again (and the demo's four students)
    finally:
        subprocess.run(
            [sys.executable, str(BASE_DIR / "scripts/embedded-postgres"), "stop", str(pgdata)],
            timeout=120,
            check=False,
        )
        shutil.rmtree(var.parent, ignore_errors=True)


def test_every_variable_the_settings_read_is_documented_in_env_example():
    import re

    settings_source = "".join(
        (BASE_DIR / "talentnet" / name).read_text() for name in ("settings.py", "object_storage.py")
    )
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (BASE_DIR / ".env.example").read_text(), re.M))
    assert len(read) > 20
    assert sorted(read - documented) == []


@pytest.mark.django_db
def test_the_database_is_djangos_own_engine_with_its_pool_and_nothing_prepared():
    """No session state a transaction pooler could lose: Django's engine, statements never
    prepared (Django's default), parameters bound on the client; connections come from
    psycopg_pool, checked before use."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 0 and database["CONN_HEALTH_CHECKS"] is True
    assert connection.pool is not None and connection.pool.timeout == settings.DB_POOL_TIMEOUT
    assert "server_side_binding" not in database["OPTIONS"]
    assert "prepare_threshold" not in database["OPTIONS"]
    with connection.cursor() as cursor:
        for n in range(8):
            cursor.execute("SELECT %s::int + 3", [n])
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
def test_web_processes_cancel_a_statement_after_ten_seconds_and_workers_never():
    """gunicorn loads talentnet.wsgi: its connections carry statement_timeout=10s; a
    process that does not (Celery, manage.py, migrations) has no limit."""
    from tests.conftest import _database_url

    code = (
        "import {module}\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SHOW statement_timeout')\n"
        "    print(cursor.fetchone()[0])\n"
    )
    env = {**{k: v for k, v in os.environ.items() if k != "DB_STATEMENT_TIMEOUT"}}
    env.update(DATABASE_URL=_database_url(), DJANGO_SETTINGS_MODULE="talentnet.settings")
    shown = {}
    for module in ("talentnet.wsgi", "django; django.setup()"):
        result = subprocess.run(
            [sys.executable, "-c", code.format(module=module)],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        shown[module] = result.stdout.strip()
    assert shown == {"talentnet.wsgi": "10s", "django; django.setup()": "0"}
