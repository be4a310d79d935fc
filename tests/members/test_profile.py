"""Onboarding, profile edits, photo rules, completeness, preferences, the dashboard hook."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.images import PHOTO_NOT_AN_IMAGE, PHOTO_TOO_LARGE, PHOTO_TOO_MANY_PIXELS
from members import messages as msg
from members.forms import ORCID_INVALID, PRIMARY_NOT_CHOSEN, SECTORS_COUNT
from members.models import ExpertiseTag, Profile, Sector
from members.services import accept_privacy_notice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def profile_data(**extra):
    tic = Sector.objects.get(slug="tic")
    salud = Sector.objects.get(slug="salud")
    data = {
        "given_names": "Ana",
        "paternal_surname": "Pérez",
        "country": "CA",
        "city": "Toronto",
        "state_of_origin": "OAX",
        "education_level": "doctorado",
        "sectors": [tic.pk, salud.pk],
        "primary_sector": salud.pk,
        "expertise": "Machine   Learning, salud pública, machine learning",
        "orcid": "0000-0002-1825-0097",
    }
    data.update(extra)
    return data


def image_file(size=(40, 30), fmt="JPEG", exif=True, name="foto.jpg"):
    buffer = BytesIO()
    image = Image.new("RGB", size, (200, 10, 10))
    kwargs = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "CameraMaker"
        info[0x8825] = {1: "N", 2: (19.0, 26.0, 0.0)}  # GPS
        kwargs["exif"] = info
    image.save(buffer, fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def newcomer(client):
    """Verified, notice accepted, no profile yet (just after email verification)."""
    from members.models import PrivacyNotice

    user = UserFactory()
    accept_privacy_notice(user=user, notice=PrivacyNotice.objects.current())
    client.force_login(user)
    return user


def test_me_sends_a_newcomer_to_onboarding(client, newcomer):
    response = client.get(reverse("members:me"))
    assert response.redirect_chain if hasattr(response, "redirect_chain") else True
    assert response.status_code == 302
    assert response["Location"] == reverse("members:onboarding")


def test_onboarding_saves_the_profile_with_one_primary_sector_and_normalised_tags(
    client, newcomer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(reverse("members:onboarding"), profile_data(photo=image_file()))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:me")
    profile = Profile.objects.get(user=newcomer)
    assert profile.onboarded_at is not None
    assert sorted(ps.sector.slug for ps in profile.profile_sectors.all()) == ["salud", "tic"]
    assert profile.profile_sectors.get(is_primary=True).sector.slug == "salud"
    assert sorted(profile.expertise.values_list("name", flat=True)) == [
        "machine learning",
        "salud pública",
    ]
    page = client.get(reverse("members:me"))
    assert str(msg.ONBOARDING_DONE) in page.content.decode()
    assert "Ana Pérez" in page.content.decode()


def test_onboarding_with_bad_input_shows_errors_and_saves_nothing(client, newcomer):
    response = client.post(
        reverse("members:onboarding"),
        profile_data(sectors=[], given_names="", orcid="12345"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert str(SECTORS_COUNT) in html
    assert str(ORCID_INVALID) in html
    assert 'aria-describedby="id_orcid_helptext id_orcid_error"' in html
    assert not Profile.objects.filter(user=newcomer).exists()


def test_four_sectors_or_a_primary_outside_the_choice_are_refused(client, newcomer):
    sectors = list(Sector.objects.values_list("pk", flat=True))
    response = client.post(reverse("members:onboarding"), profile_data(sectors=sectors[:4]))
    assert str(SECTORS_COUNT) in response.content.decode()
    response = client.post(
        reverse("members:onboarding"),
        profile_data(sectors=sectors[:2], primary_sector=sectors[5]),
    )
    assert str(PRIMARY_NOT_CHOSEN) in response.content.decode()
    assert not Profile.objects.filter(user=newcomer, onboarded_at__isnull=False).exists()


def test_photo_is_reencoded_without_exif_under_a_random_name(client, me, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(
        reverse("members:profile_edit"), profile_data(photo=image_file(name="mi cara.jpg"))
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=me)
    assert profile.photo.name.startswith("photos/")
    assert "cara" not in profile.photo.name
    with Image.open(profile.photo.path) as stored:
        assert stored.format == "JPEG"
        assert len(stored.getexif()) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.jpg", b"not an image at all", "image/jpeg"), PHOTO_NOT_AN_IMAGE),
        (SimpleUploadedFile("x.jpg", b"%PDF-1.4 fake", "image/jpeg"), PHOTO_NOT_AN_IMAGE),
    ],
)
def test_a_file_that_is_not_an_image_is_refused(client, me, upload, message):
    response = client.post(reverse("members:profile_edit"), profile_data(photo=upload))
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not Profile.objects.get(user=me).photo


def test_a_photo_over_25_megapixels_is_refused_before_decoding(client, me):
    upload = image_file(size=(5001, 5001), fmt="PNG", exif=False, name="big.png")
    response = client.post(reverse("members:profile_edit"), profile_data(photo=upload))
    assert str(PHOTO_TOO_MANY_PIXELS) in response.content.decode()
    assert not Profile.objects.get(user=me).photo


def test_a_photo_over_5_mb_is_refused(client, me):
    upload = SimpleUploadedFile("x.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10), "image/jpeg")
    response = client.post(reverse("members:profile_edit"), profile_data(photo=upload))
    assert str(PHOTO_TOO_LARGE) in response.content.decode()
    assert not Profile.objects.get(user=me).photo


def test_edit_keeps_history_of_changes(client, me):
    client.post(reverse("members:profile_edit"), profile_data(headline="Primera"))
    client.post(reverse("members:profile_edit"), profile_data(headline="Segunda"))
    profile = Profile.objects.get(user=me)
    headlines = list(profile.history.values_list("headline", flat=True))
    assert headlines[:2] == ["Segunda", "Primera"]


def test_completeness_lists_what_is_missing(client, me):
    response = client.get(reverse("members:me"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<progress" in html
    assert "Foto" in html and "Semblanza" in html


def test_expertise_suggestions_autocomplete_existing_tags(client, me):
    ExpertiseTag.objects.create(name="machine learning", slug="machine-learning")
    ExpertiseTag.objects.create(name="robótica", slug="robotica")
    response = client.get(reverse("members:expertise_suggestions"), {"q": "MACH"})
    assert response.json() == {"results": ["machine learning"]}


def test_country_names_are_suggested_from_the_first_letter_starting_ones_first(client, me):
    url = reverse("members:expertise_suggestions")
    first_letter = client.get(url, {"kind": "country", "q": "m"}).json()["results"]
    assert len(first_letter) == 10
    assert all(name.lower().startswith("m") for name in first_letter)
    # Accents and case aside; a name that only contains the text comes after those it starts.
    assert client.get(url, {"kind": "country", "q": "MEXI"}).json()["results"][0] == "México"
    assert client.get(url, {"kind": "country", "q": "xic"}).json()["results"] == ["México"]
    gua = client.get(url, {"kind": "country", "q": "gua"}).json()["results"]
    assert gua[:3] == ["Guadalupe", "Guam", "Guatemala"] and "Nicaragua" in gua[4:]
    english = client.get("/en" + url, {"kind": "country", "q": "germ"}).json()["results"]
    assert english == ["Germany"]
    assert client.get(url, {"kind": "planet", "q": "ma"}).status_code == 400


def test_preferred_language_is_saved(client, me):
    response = client.post(reverse("members:preferences"), {"preferred_language": "en"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.preferred_language == "en"


def test_a_bad_preferred_language_saves_nothing(client, me):
    response = client.post(reverse("members:preferences"), {"preferred_language": "xx"})
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.preferred_language == "es-mx"


@pytest.mark.parametrize(
    "name",
    [
        "members:me",
        "members:onboarding",
        "members:profile_edit",
        "members:preferences",
        "members:my_data",
        "members:choices",
        "members:arco_request",
        "members:directory",
    ],
)
def test_anonymous_visitors_of_member_pages_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_profile_page_works_in_english(client, me):
    response = client.get("/en/me/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Edit my profile" in response.content.decode()


def test_dashboard_renders_each_apps_dashboard_template(client, me, settings, tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "_dashboard.html").write_text(
        "<section><h2>Mis capítulos de prueba</h2><p>{{ user.email }}</p></section>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    html = client.get(reverse("members:me")).content.decode()
    assert "Mis capítulos de prueba" in html
    assert me.email in html
