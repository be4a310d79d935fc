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
