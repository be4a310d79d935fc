"""The server under test is built as the Dockerfile builds the image: a checkout whose
catalogues were never compiled (a fresh clone running `make bench`) still serves every
page translated, not in the source language with each lookup walking the fallbacks."""

import shutil
import urllib.request
from pathlib import Path

import pytest

from tests.bench.server import GunicornServer

pytestmark = [pytest.mark.slow, pytest.mark.bench, pytest.mark.django_db(transaction=True)]

ENGLISH_CATALOGUE = Path(__file__).resolve().parents[2] / "locale/en/LC_MESSAGES/django.mo"


def _read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_the_bench_server_compiles_the_catalogues_it_serves(bench_database_url, tmp_path):
    kept = tmp_path / "django.mo"
    shutil.move(ENGLISH_CATALOGUE, kept)  # as in a fresh clone: no compiled catalogue
    try:
        with GunicornServer(bench_database_url, workers=1, log=lambda message: None) as server:
            page = _read(f"{server.base_url}/en/")
        assert ENGLISH_CATALOGUE.exists()
        assert 'lang="en"' in page
        assert "Sign in" in page
        assert "Iniciar sesión" not in page
    finally:
        if not ENGLISH_CATALOGUE.exists():
            shutil.move(kept, ENGLISH_CATALOGUE)


def test_only_the_bench_server_counts_queries_and_production_settings_know_nothing_of_it(
    tmp_path,
):
    import importlib

    from django.conf import settings

    from tests.bench.server import server_env

    production = Path(__file__).resolve().parents[2] / "talentnet" / "settings.py"
    assert "tests." not in production.read_text()
    assert not any(name.startswith("tests.") for name in settings.MIDDLEWARE)

    counted = importlib.import_module("tests.bench.settings").MIDDLEWARE
    plain_middleware = importlib.import_module("talentnet.settings").MIDDLEWARE
    assert counted == ["tests.bench.middleware.QueryCountMiddleware", *plain_middleware]
    url = "postgres://postgres@127.0.0.1:5432/talentnet_bench"
    assert server_env(url, tmp_path)["DJANGO_SETTINGS_MODULE"] == "tests.bench.settings"
    plain = server_env(url, tmp_path, query_count=False)
    assert plain["DJANGO_SETTINGS_MODULE"] == "talentnet.settings"
    assert plain["DEBUG"] == "false"
