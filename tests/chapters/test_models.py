"""Single-row rules: materials, slugs, time zones, terms, edition labels."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from chapters.models import MAX_MATERIAL_BYTES, Material, Officer, validate_material
from tests.factories import JornadaFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("slides.pdf", b"%PDF-1.7\n..."),
        ("slides.pptx", b"PK\x03\x04rest"),
        ("slides.ppt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
    ],
)
def test_pdf_and_slides_are_accepted(name, content):
    validate_material(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"<html><script>"),  # the name says PDF, the content does not
        ("notes.txt", b"hello"),
    ],
)
def test_other_files_are_refused_by_content_and_extension(name, content):
    with pytest.raises(ValidationError):
        validate_material(SimpleUploadedFile(name, content))


def test_materials_over_20_mb_are_refused():
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 16)
    upload.size = MAX_MATERIAL_BYTES + 1
    with pytest.raises(ValidationError):
        validate_material(upload)


def test_material_is_stored_under_a_random_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    material = Material(
        jornada=JornadaFactory(),
        title="Programa",
        file=SimpleUploadedFile("Mi Programa.PDF", b"%PDF-1"),
    )
    material.full_clean()
    material.save()
    assert material.file.name.startswith("jornadas/materials/")
    assert "Programa" not in material.file.name and material.file.name.endswith(".pdf")


def test_jornada_refuses_an_unknown_time_zone_and_reversed_dates():
    jornada = JornadaFactory.build(timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as exc:
        jornada.full_clean()
    assert "timezone" in exc.value.message_dict
    jornada = JornadaFactory.build(ends_at=timezone.now() - datetime.timedelta(days=400))
    with pytest.raises(ValidationError) as exc:
        jornada.full_clean()
    assert "ends_at" in exc.value.message_dict


def test_officer_terms_are_current_only_between_start_and_end(chapter_a):
    today = timezone.localdate()
    current = OfficerFactory(chapter=chapter_a)
    OfficerFactory(chapter=chapter_a, term_start=today + datetime.timedelta(days=5))
    OfficerFactory(
        chapter=chapter_a,
        term_start=today - datetime.timedelta(days=90),
        term_end=today - datetime.timedelta(days=1),
    )
    ending_today = OfficerFactory(chapter=chapter_a, term_end=today)
    assert set(Officer.objects.current()) == {current, ending_today}


def test_officer_term_cannot_end_before_it_starts(chapter_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficerFactory(
            chapter=chapter_a,
            term_start=datetime.date(2025, 1, 2),
            term_end=datetime.date(2025, 1, 1),
        )


def test_edition_label_follows_the_language():
    jornada = JornadaFactory.build(edition=4)
    with translation.override("es-mx"):
        assert jornada.edition_label == "Cuarta Jornada Informativa"
    with translation.override("en"):
        assert jornada.edition_label == "Fourth Jornada Informativa"


def _image(fmt, size=(10, 10)):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format=fmt)
    return buffer.getvalue()


def test_logo_accepts_png_and_refuses_other_content():
    from chapters.models import validate_logo

    validate_logo(SimpleUploadedFile("logo.png", _image("PNG")))
    with pytest.raises(ValidationError):
        validate_logo(SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>"))
    with pytest.raises(ValidationError):
        validate_logo(SimpleUploadedFile("logo.gif", _image("GIF")))


def test_logo_with_too_many_pixels_is_refused():
    from chapters.models import validate_logo

    with pytest.raises(ValidationError):
        validate_logo(SimpleUploadedFile("huge.png", _image("PNG", size=(4001, 4000))))


def test_a_logo_is_stored_re_encoded_without_its_metadata_under_a_random_name():
    import io

    from PIL import Image

    from chapters.models import clean_logo

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "secreto"  # ImageDescription
    Image.new("RGBA", (1200, 600), (0, 104, 71, 128)).save(buffer, format="PNG", exif=exif)
    cleaned = clean_logo(SimpleUploadedFile("mi logo.png", buffer.getvalue()))
    assert cleaned.name.endswith(".png") and "mi logo" not in cleaned.name
    with Image.open(cleaned) as stored:
        assert stored.format == "PNG"
        assert stored.mode == "RGBA"  # transparency kept
        assert max(stored.size) == 800
        assert b"secreto" not in cleaned.read()
        assert not stored.getexif()
