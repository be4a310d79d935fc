"""English is complete: every Spanish msgid in the source has an English translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PO = BASE_DIR / "locale/en/LC_MESSAGES/django.po"
IGNORE = shutil.ignore_patterns(
    ".venv", "var", ".git", "tests", "test-artifacts", "*.mo", "__pycache__", "node_modules"
)


def test_every_english_entry_is_translated():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags)]
    assert missing == []


@pytest.mark.slow
def test_the_catalogue_covers_every_translatable_string_in_the_source(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(BASE_DIR, copy, ignore=IGNORE)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-location",
            "--ignore=.venv",
            "--ignore=var",
            "--ignore=tests",
        ],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "TALENTNET_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = {
        e.msgid
        for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))
        if not e.obsolete
    }
    committed = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    assert sorted(fresh - committed) == [], "run `make translations` and translate the new strings"


def test_spanish_pages_show_the_source_strings_and_what_django_translates_as_before():
    from django.utils import translation

    with translation.override("es-mx"):
        assert translation.gettext("Búsqueda de miembros") == "Búsqueda de miembros"
        assert translation.gettext("English") == "Inglés"  # Django's own es catalogue
        assert translation.gettext("This field is required.") == "Este campo es obligatorio."
        # allauth's own Spanish
        assert translation.gettext("Incorrect password.") == "Contraseña incorrecta."
    with translation.override("en"):
        assert translation.gettext("Búsqueda de miembros") == "Member search"
