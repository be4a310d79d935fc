"""`manage.py copy_uploads_to_buckets` (issue 24): a site switching to STORAGE_BACKEND=s3
copies its local uploads to the buckets of the real S3 server on loopback (moto,
tests/scaleout/conftest.py). The rows keep their names: after the copy a registrant's
material is downloaded through the checking view and a chapter's logo from the public
bucket. Run again, it copies nothing; a name taken with another size is reported, never
overwritten; with the store down it says so, and a second run finishes the job."""

import io
import urllib.request
import uuid

import pytest
from django.core.management import CommandError, call_command

from chapters.models import Material
from tests.factories import ChapterFactory, JornadaFactory, RegistrationFactory

from .conftest import PRIVATE_BUCKET, PUBLIC_BUCKET
from .test_object_storage import PDF, _png

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def local_media(tmp_path, settings):
    """A MEDIA_ROOT as a site on the filesystem left it (names unique to this test: the
    S3 server lives for the whole session), and the settings switched to s3."""
    root = tmp_path / "media"
    prefix = uuid.uuid4().hex[:8]
    files = {
        f"jornadas/materials/{prefix}-presentacion.pdf": PDF,
        f"photos/{prefix}/foto.jpg": b"\xff\xd8\xff" + b"0" * 100,
        f"public/chapters/logos/{prefix}-logo.png": _png().read(),
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    settings.MEDIA_ROOT = str(root)
    settings.STORAGE_BACKEND = "s3"
    return root, prefix, files


def _run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("copy_uploads_to_buckets", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_local_uploads_are_copied_once_and_served_from_the_buckets(
    client, object_store, local_media
):
    root, prefix, files = local_media
    material_name = f"jornadas/materials/{prefix}-presentacion.pdf"
    logo_name = f"chapters/logos/{prefix}-logo.png"
    jornada = JornadaFactory(chapter=ChapterFactory())
    material = Material.objects.create(jornada=jornada, title="Presentación", file=material_name)
    chapter = ChapterFactory(logo=logo_name)

    out, _err = _run("--dry-run")
    assert "3 to copy" in out
    assert material_name not in object_store.keys(PRIVATE_BUCKET)

    out, _err = _run()
    assert "3 copied, 0 already in the buckets, 0 conflicting" in out
    private, public = object_store.keys(PRIVATE_BUCKET), object_store.keys(PUBLIC_BUCKET)
    assert {material_name, f"photos/{prefix}/foto.jpg"} <= private
    assert logo_name in public and not any(prefix in key for key in public - {logo_name})
    assert not any(key.startswith("public/") for key in private)
    assert (root / material_name).is_file()  # nothing deleted locally

    # The rows, unchanged, now lead to the buckets.
    client.force_login(RegistrationFactory(jornada=jornada, status="confirmed").user)
    response = client.get(material.file.url)
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"], timeout=10) as signed:
        assert signed.read() == PDF
    chapter.refresh_from_db()
    with urllib.request.urlopen(chapter.logo.url, timeout=10) as logo:
        assert logo.read() == files[f"public/{logo_name}"]
        assert "immutable" in logo.headers["Cache-Control"]

    # Idempotent: nothing copied again, no renamed duplicate in either bucket.
    out, _err = _run()
    assert "0 copied, 3 already in the buckets, 0 conflicting" in out
    assert object_store.keys(PRIVATE_BUCKET) == private
    assert object_store.keys(PUBLIC_BUCKET) == public


def test_a_name_taken_with_another_size_is_reported_and_kept(object_store, local_media):
    _root, prefix, _files = local_media
    taken = f"photos/{prefix}/foto.jpg"
    object_store.client().put_object(Bucket=PRIVATE_BUCKET, Key=taken, Body=b"otra")
    with pytest.raises(CommandError, match="another size"):
        _run()
    body = object_store.client().get_object(Bucket=PRIVATE_BUCKET, Key=taken)["Body"].read()
    assert body == b"otra"
    assert f"jornadas/materials/{prefix}-presentacion.pdf" in object_store.keys(PRIVATE_BUCKET)


def test_with_the_store_down_it_says_so_and_a_second_run_finishes(object_store, local_media):
    _root, prefix, _files = local_media
    object_store.proxy.cut()
    with pytest.raises(CommandError, match="did not answer"):
        _run()
    object_store.proxy.restore()
    out, _err = _run()
    assert "3 copied" in out or "already in the buckets" in out
    assert f"photos/{prefix}/foto.jpg" in object_store.keys(PRIVATE_BUCKET)


def test_it_refuses_to_run_without_the_object_store(settings, tmp_path):
    settings.STORAGE_BACKEND = "filesystem"
    with pytest.raises(CommandError, match="STORAGE_BACKEND is not s3"):
        _run("--source", str(tmp_path))
