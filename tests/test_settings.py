"""Production settings pass Django's deployment checks; the embedded default needs no server."""

import os
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


@pytest.mark.slow
def test_make_run_configuration_migrates_seeds_and_serves_the_home_page(tmp_path):
    """`make run`'s embedded default: SQLite, tasks inline, mail on the console."""
    import socket
    import time
    import urllib.request

    env = {
        "DEBUG": "true",
        "TALENTNET_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
    }
    assert _manage("migrate", "--noinput", "-v0", env=env).returncode == 0
    seeded = _manage("seed_demo", "--members", "12", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert "Demo data ready." in seeded.stdout
    assert (tmp_path / "db.sqlite3").is_file()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        pages = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not pages:
            try:
                for path in ("/", "/en/", "/healthz", "/accounts/signup/", "/accounts/login/"):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                        pages[path] = (r.status, r.read().decode())
            except OSError:
                pages = {}
                time.sleep(0.3)
        assert pages, "the development server never answered"
        assert all(status == 200 for status, _ in pages.values())
        assert '<html lang="es-mx">' in pages["/"][1]
        assert '<html lang="en">' in pages["/en/"][1]
        assert '"database": "ok"' in pages["/healthz"][1]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_variable_the_settings_read_is_documented_in_env_example():
    import re

    settings_source = (BASE_DIR / "talentnet/settings.py").read_text()
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
