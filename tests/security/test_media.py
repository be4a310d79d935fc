"""Uploaded files in production (issue 17, item 9): with DEBUG off, photos, chapter logos
and Jornada materials answered 404 (WhiteNoise serves static files only). Files go through
Django's storage API; public ones (chapter logos) are served at stable URLs with long-lived
caching; private ones (member photos, Jornada materials, certificates) only through a view
that finds their row among those the visitor may see (`visible_to(user)`) and streams the
file with its Content-Type, nosniff, a Content-Disposition and no-store. Everything here
runs with DEBUG off."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image

from chapters.models import Material
from core.access import IME_STAFF
from members.models import Profile
from programs.services import issue_certificates
from tests.factories import (
    ChapterFactory,
    JornadaFactory,
    OfficerFactory,
    RegistrationFactory,
    UserFactory,
    member,
    participant,
    program_with_stages,
    with_totp,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def _image(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 104, 71)).save(buffer, fmt)
    return ContentFile(buffer.getvalue())


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _ime_staff():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    return user


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _assert_private_file(response, content_type, disposition):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith(disposition)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- public files: chapter logos ----------------------------------------------------------


def test_a_chapter_logo_is_served_to_anyone_at_a_stable_cacheable_url(client):
    chapter = ChapterFactory()
    chapter.logo.save("logo.png", _image("PNG"))
    url = chapter.logo.url
    assert url.startswith("/media/public/chapters/logos/")
    assert url in client.get(chapter.get_absolute_url()).content.decode()
    for user in (None, member()):
        response = _as(client, user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "public" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
        assert _body(response) == storages["public"].open(chapter.logo.name).read()
    assert client.get("/media/public/chapters/logos/none.png").status_code == 404
    assert client.get("/media/public/../private/photos/x.jpg").status_code == 404


def test_the_public_storage_holds_no_private_file(client):
    profile = member().profile
    profile.photo.save("photo.jpg", _image("JPEG"))
    # The same name through the public URL: nothing there, whatever the name.
    assert client.get("/media/public/" + profile.photo.name).status_code == 404


# --- private files: member photos ---------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "seen_by"),
    [
        (Profile.Visibility.MEMBERS, {"owner", "other member", "ime staff"}),
        (Profile.Visibility.IME, {"owner", "ime staff"}),
    ],
)
def test_a_photo_is_served_to_who_may_see_the_profile_and_404_to_others(
    client, visibility, seen_by
):
    owner = member(directory_visibility=visibility)
    owner.profile.photo.save("photo.jpg", _image("JPEG"))
    url = owner.profile.photo.url
    assert url.startswith("/media/private/photos/")
    people = {
        "anonymous": None,
        "owner": owner,
        "other member": member(),
        "ime staff": _ime_staff(),
    }
    for who, user in people.items():
        response = _as(client, user).get(url)
        if who in seen_by:
            _assert_private_file(response, "image/jpeg", "inline")
            assert _body(response)[:2] == b"\xff\xd8"
        else:
            assert response.status_code == 404, who


def test_a_stored_file_that_no_visible_row_holds_is_404(client):
    owner = member(directory_visibility=Profile.Visibility.MEMBERS)
    owner.profile.photo.save("photo.jpg", _image("JPEG"))
    old = owner.profile.photo.name
    owner.profile.photo.save("new.jpg", _image("JPEG"))  # the old file stays on disk
    assert storages["default"].exists(old)
    _as(client, owner)
    assert client.get("/media/private/" + old).status_code == 404
    assert client.get("/media/private/elsewhere/secret.txt").status_code == 404
    assert client.get("/media/private/photos/../../etc/passwd").status_code == 404


# --- private files: Jornada materials ------------------------------------------------------


@pytest.fixture
def jornada_with_materials():
    chapter = ChapterFactory()
    jornada = JornadaFactory(chapter=chapter)
    public = Material.objects.create(
        jornada=jornada, title="Programa del día", audience=Material.Audience.PUBLIC
    )
    public.file.save("programa.pdf", ContentFile(PDF))
    private = Material.objects.create(jornada=jornada, title="Presentación completa")
    private.file.save("presentacion.pdf", ContentFile(PDF))
    assert private.audience == Material.Audience.REGISTRANTS  # the default
    return chapter, jornada, public, private


def test_a_public_material_is_served_to_anyone_as_a_named_download(client, jornada_with_materials):
    _chapter, _jornada, public, _private = jornada_with_materials
    response = client.get(public.file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="programa-del-dia.pdf"'
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    assert _body(response) == PDF


def test_a_registrants_material_is_served_to_confirmed_registrants_and_organisers_only(
    client, jornada_with_materials
):
    chapter, jornada, _public, private = jornada_with_materials
    confirmed = RegistrationFactory(jornada=jornada, status="confirmed").user
    waitlisted = RegistrationFactory(jornada=jornada, status="waitlisted").user
    officer = OfficerFactory(chapter=chapter).user
    other_officer = OfficerFactory(chapter=ChapterFactory()).user
    people = {
        "anonymous": (None, 404),
        "member": (member(), 404),
        "waitlisted": (waitlisted, 404),
        "confirmed": (confirmed, 200),
        "officer": (officer, 200),
        "other officer": (other_officer, 404),
        "ime staff": (_ime_staff(), 200),
    }
    for who, (user, status) in people.items():
        response = _as(client, user).get(private.file.url)
        assert response.status_code == status, who
        if status == 200:
            _assert_private_file(response, "application/pdf", "attachment")


def test_an_unpublished_jornadas_materials_are_404_to_the_public(client, jornada_with_materials):
    chapter, jornada, public, _private = jornada_with_materials
    jornada.is_published = False
    jornada.save(update_fields=["is_published"])
    assert client.get(public.file.url).status_code == 404
    _as(client, OfficerFactory(chapter=chapter).user)
    response = client.get(public.file.url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_jornada_page_links_only_the_materials_the_visitor_may_open(
    client, jornada_with_materials, prefix
):
    _chapter, jornada, public, private = jornada_with_materials
    page = prefix + jornada.get_absolute_url()  # before a request activates English
    html = client.get(page).content.decode()
    assert public.file.url in html and private.file.url not in html
    note = (
        "Materials only for people with a confirmed place: 1."
        if prefix
        else "Materiales solo para las personas con lugar confirmado: 1."
    )
    assert note in html
    confirmed = RegistrationFactory(jornada=jornada, status="confirmed").user
    html = _as(client, confirmed).get(page).content.decode()
    assert public.file.url in html and private.file.url in html
    assert note not in html


# --- certificates -------------------------------------------------------------------------


def test_a_certificate_is_a_private_download_for_its_holder_only(client):
    _program, stage1, _stage2 = program_with_stages(slug="certificados")
    enrolment = participant(stage1, completed=True, certified=True)
    issue_certificates(stage=stage1)
    enrolment.refresh_from_db()
    url = reverse(
        "programs:certificate_pdf", args=[enrolment.certificates.get(kind="constancia").code]
    )
    response = _as(client, enrolment.application.user).get(url)
    _assert_private_file(response, "application/pdf", "attachment")
    assert _body(response).startswith(b"%PDF")
    assert _as(client, member()).get(url).status_code == 404


def test_the_migration_moves_existing_logos_to_the_public_storage():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("chapters.migrations.0007_material_audience_public_logos")
    chapter = ChapterFactory()
    name = storages["default"].save("chapters/logos/viejo.png", _image("PNG"))
    type(chapter).objects.filter(pk=chapter.pk).update(logo=name)
    migration.logos_to_public(apps, None)
    assert storages["public"].exists(name) and not storages["default"].exists(name)
    migration.logos_back(apps, None)
    assert storages["default"].exists(name) and not storages["public"].exists(name)
