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
