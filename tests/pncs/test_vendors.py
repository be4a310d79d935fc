"""PostgreSQL gets the real search machinery; `make run` on SQLite still migrates and searches."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_postgres_has_the_extensions_and_gin_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pncs_membersearchindex'"
        )
        indexes = dict(cursor.fetchall())
    assert {"unaccent", "pg_trgm"} <= extensions
    assert "USING gin (document)" in indexes["pncs_msi_document_gin"]
    assert "gin_trgm_ops" in indexes["pncs_msi_names_trgm"]


SQLITE_SCRIPT = """
from django.test import Client
from members.models import Profile
from pncs.demo import DEMO_COORDINATOR_EMAIL
from members.models import User

user = User.objects.get(email=DEMO_COORDINATOR_EMAIL)
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
target = Profile.objects.contactable_by_pncs().exclude(user=user).first()
# Accents are dropped from the query: the fallback matches an unaccented copy.
word = target.paternal_surname.translate(str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU"))
response = client.get("/pncs/search/", {"q": word, "sector": "tic"})
assert response.status_code == 200, response.status_code
found = client.get("/pncs/search/", {"q": word.lower()}).content.decode()
assert target.display_name in found, word
assert client.get("/pncs/search/export.csv").status_code == 200
assert client.get("/pncs/").status_code == 200
print("sqlite-ok")
"""


@pytest.mark.slow
def test_make_run_on_sqlite_migrates_seeds_and_searches(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "true",
        "TALENTNET_VAR_DIR": str(tmp_path / "var"),
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["seed_demo", "--members", "20"]):
        result = subprocess.run(
            manage + command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-3000:]
    result = subprocess.run(
        [*manage, "shell", "-c", SQLITE_SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sqlite-ok" in result.stdout
