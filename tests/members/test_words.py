"""The member's own pages in words, in the order readers expect (issue 22)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation


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


MASCULINE_DEFAULTS = re.compile(
    r"\b(usuarios?|coordinador(es)?|autor(es)?|miembros|destinatarios?|consultados?|"
    r"mostrados|residentes|último remitente)\b",
    re.IGNORECASE,
)
PROJECT_APPS = {
    "members",
    "chapters",
    "pncs",
    "programs",
    "counterparts",
    "announcements",
    "news",
    "messaging",
    "figures",
    "core",
}


def _spanish_labels():
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        yield model, "verbose_name", str(model._meta.verbose_name)
        yield model, "verbose_name_plural", str(model._meta.verbose_name_plural)
        for field in model._meta.get_fields():
            for attribute in ("verbose_name", "help_text"):
                text = getattr(field, attribute, "")
                if text:
                    yield model, f"{field.name}.{attribute}", str(text)


def test_model_names_in_spanish_do_not_default_to_the_masculine():
    """Inclusive wording (issue 22): "personas integrantes", "personas coordinadoras",
    "persona usuaria"... in every model's and field's Spanish name and help text."""
    with translation.override("es-mx"):
        found = [
            f"{model._meta.label}.{where}: {text}"
            for model, where, text in _spanish_labels()
            if MASCULINE_DEFAULTS.search(text)
        ]
    assert found == []


def test_the_inclusive_names_keep_their_english(client):
    from announcements.models import Announcement
    from members.models import User
    from news.models import TrustedAuthor
    from pncs.models import Pncs

    with translation.override("es-mx"):
        assert str(User._meta.verbose_name_plural) == "personas usuarias"
        assert str(Pncs._meta.get_field("coordinators").verbose_name) == "personas coordinadoras"
        assert str(TrustedAuthor._meta.verbose_name) == "persona autora de confianza"
        assert (
            str(Announcement._meta.get_field("audience_chapters").verbose_name)
            == "integrantes de los capítulos"
        )
    with translation.override("en"):
        assert str(User._meta.verbose_name_plural) == "users"
        assert str(Pncs._meta.get_field("coordinators").verbose_name) == "coordinators"
        assert str(TrustedAuthor._meta.verbose_name) == "trusted author"
        assert (
            str(Announcement._meta.get_field("audience_chapters").verbose_name)
            == "members of the chapters"
        )
