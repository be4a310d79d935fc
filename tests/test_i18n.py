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


def _spanish_catalog_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "spanish_catalog", BASE_DIR / "scripts/spanish_catalog.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_spanish_catalogue_holds_every_msgid_as_itself_and_is_current():
    """es-MX answers from its own catalogue (scripts/spanish_catalog.py): `make translations`
    writes it after makemessages, so it never lags behind the English one."""
    script = _spanish_catalog_script()
    assert script.TARGET.read_text(encoding="utf-8") == str(script.catalogue())
    spanish = polib.pofile(str(script.TARGET))
    english = {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete}
    listed = {(e.msgctxt or "", e.msgid) for e in spanish}
    assert listed <= english and len(listed) >= len(english) - 5
    assert all(e.msgstr == e.msgid for e in spanish if not e.msgid_plural)


def test_spanish_pages_show_the_source_strings_and_what_django_translates_as_before():
    from django.utils import translation

    with translation.override("es-mx"):
        assert translation.gettext("Búsqueda de miembros") == "Búsqueda de miembros"
        assert translation.gettext("English") == "Inglés"  # Django's own es catalogue
    with translation.override("en"):
        assert translation.gettext("Búsqueda de miembros") == "Member search"
