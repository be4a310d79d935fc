"""Uploads on an S3-compatible object store (issue 24): django-storages against a real S3
API server on loopback (moto in server mode, tests/scaleout/conftest.py), DEBUG off.

Private files (photos, Jornada materials) stay behind the site's checks: their URL is the
checking view; a download is redirected to a signed URL of a minute, an inline photo is
streamed. Public files (chapter logos) have the public bucket's own URL. An outage of the
store (the S3 server cut through a TCP proxy): the upload form says so, nothing is saved,
in the database or in the bucket."""

import io
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import environ
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from chapters.models import Material
from core.storage import STORAGE_UNAVAILABLE
from members.models import Profile
from members.storage import PrivateS3Storage
from talentnet.object_storage import s3_storages
from tests.factories import (
    ChapterFactory,
    JornadaFactory,
    OfficerFactory,
    RegistrationFactory,
    member,
)
from tests.members.test_profile import image_file, profile_data
from tests.security.test_image_uploads import _chapter_form_data, _image

from .conftest import PRIVATE_BUCKET, PUBLIC_BUCKET

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 104, 71)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue())


def _fetch(url):
    """A plain HTTP GET, as a browser following the link would do (no cookies)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_settings_build_two_buckets_from_the_variables(monkeypatch):
    for name, value in {
        "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
        "STORAGE_PRIVATE_BUCKET": "privado",
        "STORAGE_PUBLIC_BUCKET": "publico",
        "STORAGE_PUBLIC_URL": "https://archivos.example.org/logos/",
    }.items():
        monkeypatch.setenv(name, value)
    conf, origin = s3_storages(environ.Env())
    assert (
        conf["default"]["BACKEND"]
        == conf["exports"]["BACKEND"]
        == ("members.storage.PrivateS3Storage")
    )
    assert conf["default"]["OPTIONS"]["bucket_name"] == "privado"
    assert conf["exports"]["OPTIONS"]["location"] == "exports"
    assert conf["default"]["OPTIONS"]["default_acl"] is None
    public = conf["public"]["OPTIONS"]
    assert public["bucket_name"] == "publico" and public["querystring_auth"] is False
    assert public["custom_domain"] == "archivos.example.org/logos"
    assert origin == "https://archivos.example.org"
    monkeypatch.delenv("STORAGE_PUBLIC_URL")
    _conf, origin = s3_storages(environ.Env())
    assert origin == "https://s3.example.org"


def test_the_csp_admits_images_from_the_public_bucket_only_when_it_is_used():
    """The settings module in a fresh process, with and without the object store."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_CSP['img-src'])"
    )
    base = {
        "DJANGO_SETTINGS_MODULE": "talentnet.settings",
        "DEBUG": "true",
        "PATH": "/usr/bin:/bin",
    }
    s3 = {
        **base,
        "STORAGE_BACKEND": "s3",
        "STORAGE_PRIVATE_BUCKET": "p",
        "STORAGE_PUBLIC_BUCKET": "q",
        "STORAGE_PUBLIC_URL": "https://archivos.example.org/",
    }
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        for env in (base, s3)
    ]
    assert "archivos.example.org" not in outputs[0]
    assert "https://archivos.example.org" in outputs[1]


def test_a_photo_goes_to_the_private_bucket_and_is_streamed_to_who_may_see_it(client, object_store):
    owner = member(directory_visibility=Profile.Visibility.MEMBERS)
    client.force_login(owner)
    response = client.post(reverse("members:profile_edit"), profile_data(photo=image_file()))
    assert response.status_code == 302
    profile = Profile.objects.get(user=owner)
    assert profile.photo.name in object_store.keys(PRIVATE_BUCKET)
    assert profile.photo.name not in object_store.keys(PUBLIC_BUCKET)
    url = profile.photo.url
    assert url == "/media/private/" + profile.photo.name  # the checking view, not the bucket
    stored = object_store.client().get_object(Bucket=PRIVATE_BUCKET, Key=profile.photo.name)
    expected = stored["Body"].read()
    client.force_login(member())
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == expected
    client.logout()
    assert client.get(url).status_code == 404


def test_a_registrants_material_redirects_to_a_signed_url_of_a_minute_after_the_check(
    client, object_store
):
    jornada = JornadaFactory(chapter=ChapterFactory())
    material = Material.objects.create(jornada=jornada, title="Presentación completa")
    material.file.save("presentacion.pdf", ContentFile(PDF))
    assert isinstance(material.file.storage, PrivateS3Storage)
    assert material.file.name in object_store.keys(PRIVATE_BUCKET)
    url = material.file.url
    assert url.startswith("/media/private/jornadas/materials/")

    for outsider in (None, member()):
        client.logout()
        if outsider:
            client.force_login(outsider)
        assert client.get(url).status_code == 404

    client.force_login(RegistrationFactory(jornada=jornada, status="confirmed").user)
    response = client.get(url)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    signed = response["Location"]
    parts = urlsplit(signed)
    assert f"{parts.scheme}://{parts.netloc}" == object_store.endpoint
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    status, headers, body = _fetch(signed)
    assert status == 200 and body == PDF
    assert headers["Content-Disposition"] == 'attachment; filename="presentacion-completa.pdf"'
    assert headers["Content-Type"] == "application/pdf"
    # (moto does not check signatures; a real store refuses an altered or expired URL.)


def test_a_chapter_logo_has_the_public_buckets_url_and_anyone_can_fetch_it(client, object_store):
    chapter = ChapterFactory()
    chapter.logo.save("logo.png", _png())
    assert chapter.logo.name in object_store.keys(PUBLIC_BUCKET)
    url = chapter.logo.url
    assert url.startswith(f"{object_store.endpoint}/{PUBLIC_BUCKET}/chapters/logos/")
    assert "Signature" not in url
    assert url in client.get(chapter.get_absolute_url()).content.decode()
    status, headers, body = _fetch(url)
    assert status == 200 and body[:4] == b"\x89PNG"
    assert "immutable" in headers["Cache-Control"]
    # The old address on the site sends to the bucket.
    old = client.get("/media/public/" + chapter.logo.name)
    assert old.status_code == 301 and old["Location"] == url


def test_with_the_store_down_the_profile_form_says_so_and_saves_nothing(client, object_store):
    owner = member(directory_visibility=Profile.Visibility.MEMBERS)
    before = Profile.objects.get(user=owner)
    client.force_login(owner)
    keys_before = object_store.keys(PRIVATE_BUCKET)
    object_store.proxy.cut()
    response = client.post(
        reverse("members:profile_edit"),
        profile_data(photo=image_file(), city="Montreal"),
    )
    assert response.status_code == 200
    assert str(STORAGE_UNAVAILABLE) in response.content.decode()
    after = Profile.objects.get(user=owner)
    assert not after.photo and after.city == before.city  # nothing half-saved
    object_store.proxy.restore()
    assert object_store.keys(PRIVATE_BUCKET) == keys_before
    # Back up: the same form goes through.
    response = client.post(
        reverse("members:profile_edit"), profile_data(photo=image_file(), city="Montreal")
    )
    assert response.status_code == 302
    after = Profile.objects.get(user=owner)
    assert after.city == "Montreal" and after.photo.name in object_store.keys(PRIVATE_BUCKET)


def test_with_the_store_down_the_admin_says_so_and_saves_nothing(client, object_store):
    chapter = ChapterFactory()
    client.force_login(OfficerFactory(chapter=chapter).user)
    url = reverse("admin:chapters_chapter_change", args=[chapter.pk])
    data = {**_chapter_form_data(client.get(url)), "description_es": "Texto nuevo"}
    keys_before = object_store.keys(PUBLIC_BUCKET)
    object_store.proxy.cut()
    response = client.post(url, {**data, "logo": _image(fmt="PNG", name="logo.png")})
    object_store.proxy.restore()
    assert response.status_code == 302 and response["Location"] == url  # back to the form
    page = client.get(url).content.decode()
    assert str(STORAGE_UNAVAILABLE) in page
    chapter.refresh_from_db()
    assert chapter.description_es != "Texto nuevo" and not chapter.logo
    assert object_store.keys(PUBLIC_BUCKET) == keys_before
    # Back up: the same change goes through.
    data = {**_chapter_form_data(client.get(url)), "description_es": "Texto nuevo"}
    response = client.post(url, {**data, "logo": _image(fmt="PNG", name="logo.png")})
    assert response.status_code == 302, response.context["adminform"].form.errors
    chapter.refresh_from_db()
    assert chapter.description_es == "Texto nuevo" and chapter.logo.name in object_store.keys(
        PUBLIC_BUCKET
    )
