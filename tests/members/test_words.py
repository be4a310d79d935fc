"""The member's own pages in words, in the order readers expect (issue 22)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "words", "codes"),
    [("", ["Sí", "Otros miembros verificados"], [">yes<", ">members<"]),
     ("/en", ["Yes", "Other verified members"], [">yes<", ">members<"])],
)  # fmt: skip
def test_the_consent_history_shows_words_not_codes(me, client, prefix, words, codes):
    from members.models import ConsentRecord

    ConsentRecord.objects.create(user=me, purpose="pncs_contact", value="yes", source="settings")
    ConsentRecord.objects.create(
        user=me, purpose="directory_visibility", value="members", source="settings"
    )
    html = client.get(prefix + reverse("members:my_data")).content.decode()
    for word in words:
        assert word in html
    for code in codes:
        assert code not in html


@pytest.mark.django_db
def test_the_profile_form_lists_languages_in_the_order_of_their_names(me, client):
    from members.models import Language

    Language.objects.get_or_create(
        code="zz", defaults={"name_es": "Zapoteco", "name_en": "Zapotec"}
    )
    Language.objects.get_or_create(code="ar", defaults={"name_es": "Árabe", "name_en": "Arabic"})
    html = client.get(reverse("members:profile_edit")).content.decode()
    assert html.index("Árabe") < html.index("Zapoteco")
    english = client.get("/en" + reverse("members:profile_edit")).content.decode()
    assert english.index("Arabic") < english.index("Zapotec")


@pytest.mark.django_db
def test_directory_cards_show_the_photo_or_the_initials(me, client):
    from members.models import Profile
    from tests.factories import ProfileFactory

    with_photo = ProfileFactory(
        given_names="Ana", paternal_surname="Zamudio", directory_visibility="members"
    )
    Profile.objects.filter(pk=with_photo.pk).update(photo="photos/ana.jpg")
    ProfileFactory(given_names="Luis", paternal_surname="Quetzal", directory_visibility="members")
    html = client.get(reverse("members:directory")).content.decode()
    assert 'src="/media/private/photos/ana.jpg"' in html
    assert '<span class="card-avatar card-initials" aria-hidden="true">LQ</span>' in html
