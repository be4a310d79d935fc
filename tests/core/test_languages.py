"""Spanish pages speak Spanish and English pages English, Django's and allauth's own words
included; dates, ordinals, sorting and the register follow the language (issue 22)."""

import os
import re
from http import HTTPStatus

import allauth
import django
import polib
import pytest
from django.test import RequestFactory
from django.utils import translation

from core.language import collation_key
from tests.factories import UserFactory, with_totp

DJANGO_DIR = os.path.dirname(django.__file__)
ALLAUTH_DIR = os.path.dirname(allauth.__file__)
LIBRARY_CATALOGUES = [
    f"{DJANGO_DIR}/contrib/admin/locale/en/LC_MESSAGES/django.po",
    f"{DJANGO_DIR}/contrib/auth/locale/en/LC_MESSAGES/django.po",
    f"{DJANGO_DIR}/conf/locale/en/LC_MESSAGES/django.po",
    f"{ALLAUTH_DIR}/locale/en/LC_MESSAGES/django.po",
]
# Words that are the same in Spanish (names, units, abbreviations, punctuation).
SAME_IN_SPANISH = {
    "No", "Error", "Error:", ", ", ":", ":?.!", "%(class_name)s %(instance)s",
    "%(full_result_count)s total", "Esperanto", "Hindi", "Interlingua", "Igbo", "Ido",
    "Khmer", "Kannada", "Malayalam", "Tamil", "Telugu", "Udmurt", "Urdu", "IPv4", "IPv6",
    "URL", "%(size)d byte", "%s KB", "%s MB", "%s GB", "%s TB", "%s PB", "p.m.", "a.m.",
    "PM", "AM", "feb", "mar", "may", "jun", "jul", "sep", "oct", "nov", "Feb.",
    "%(truncated_text)s…", "Headless", "ID token", "ID token token", "MFA", "WebAuthn",
    "Passwordless", "uid", "token", "Passkey",
}  # fmt: skip


def _spanish(entry):
    if entry.msgid_plural:
        return translation.ngettext(entry.msgid, entry.msgid_plural, 1)
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def test_every_string_of_django_and_allauth_has_spanish_on_spanish_pages():
    with translation.override("es-mx"):
        english = [
            e.msgid
            for path in LIBRARY_CATALOGUES
            for e in polib.pofile(path)
            if not e.obsolete and e.msgid not in SAME_IN_SPANISH and _spanish(e) == e.msgid
        ]
    assert english == []


def test_the_strings_issue_22_found_in_english_are_spanish_and_singular_is_singular():
    with translation.override("es-mx"):
        assert translation.gettext("Filter by %(field_name)s") == "Filtrar por %(field_name)s"
        assert translation.gettext("Run") == "Aplicar"
        assert translation.gettext("Search %(name)s") == "Buscar %(name)s"
        assert translation.gettext("- Select an option -") == "— Elige una opción —"
        counter = "%(counter)s result", "%(counter)s results"
        assert translation.ngettext(*counter, 1) % {"counter": 1} == "1 resultado"
        assert translation.ngettext(*counter, 3) % {"counter": 3} == "3 resultados"
        assert translation.gettext("January") == "enero"
    with translation.override("en"):
        assert translation.gettext("Run") == "Run"


def test_allauth_speaks_to_members_with_tu_like_the_rest_of_the_site():
    usted = re.compile(
        r"\b(usted|su|sus|desea|haga|introduzca|ingrese|utilice|confirme|inicie|"
        r"seleccione|verifique|compruebe|póngase|añada|escriba)\b",
        re.IGNORECASE,
    )
    with translation.override("es-mx"):
        formal = [
            _spanish(e)
            for e in polib.pofile(LIBRARY_CATALOGUES[-1])
            if not e.obsolete and usted.search(_spanish(e))
        ]
        assert translation.gettext("Forgot your password?") == "¿Olvidaste tu contraseña?"
    assert formal == []


def test_spanish_dates_have_lower_case_months():
    import datetime

    from django.utils import formats

    with translation.override("es-mx"):
        assert formats.date_format(datetime.date(2026, 3, 5)) == "5 de marzo de 2026"


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    with_totp(user)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_the_admin_is_spanish_on_spanish_pages_and_english_on_english_ones(client, superuser):
    spanish = client.get("/admin/members/user/?q=" + superuser.email).content.decode()
    assert "1 resultado" in spanish and "1 results" not in spanish
    assert "Aplicar" in spanish and ">Run<" not in spanish
    assert "— Elige una opción —" in spanish and "Select an option" not in spanish
    english = client.get("/en/admin/members/user/?q=" + superuser.email).content.decode()
    assert "1 result" in english and "Run" in english
    jornadas = client.get("/admin/chapters/jornada/").content.decode()
    assert "Filtrar por" in jornadas and "Filter by" not in jornadas
    assert "Filter by" in client.get("/en/admin/chapters/jornada/").content.decode()

    index = client.get("/admin/").content.decode()
    assert "Sesiones iniciadas" in index and "Segundos factores de acceso" in index
    assert "User sessions" not in index and "Authenticators" not in index
    assert client.get("/admin/members/signedinsession/").status_code == HTTPStatus.OK
    assert client.get("/admin/members/secondfactor/").status_code == HTTPStatus.OK
    assert "Signed-in sessions" in client.get("/en/admin/").content.decode()


@pytest.mark.django_db
def test_the_admin_javascript_catalogue_has_the_time_zone_note_in_spanish(client, superuser):
    script = client.get("/admin/jsi18n/").content.decode()
    assert "escribe las horas en la zona horaria" in script
    assert "Hoy (%(date)s)" in script


# --- Words ------------------------------------------------------------------------------


def test_lugar_is_a_place_and_only_a_rank_in_a_ranking():
    with translation.override("en"):
        assert translation.gettext("Lugar") == "Place"
        assert translation.pgettext("posición en una lista ordenada", "Lugar") == "Rank"


def test_names_sort_as_readers_expect_accents_aside_and_enye_after_n():
    names = ["Zulú", "Árabe", "Alemán", "ñandú", "Náhuatl", "Otomí", "bengalí"]
    assert sorted(names, key=collation_key) == [
        "Alemán", "Árabe", "bengalí", "Náhuatl", "ñandú", "Otomí", "Zulú",
    ]  # fmt: skip


@pytest.mark.django_db
def test_ordinals_past_the_tenth_are_english_on_english_pages():
    from tests.factories import JornadaFactory

    jornada = JornadaFactory.build(edition=11)
    with translation.override("en"):
        assert jornada.edition_label.startswith("11th ")
    with translation.override("es-mx"):
        assert jornada.edition_label.startswith("11.ª ")


# --- The 429 page, mails, the first visit's language ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("es-mx", "Vuelve a intentarlo dentro de 5 minutos."), ("en", "Try again in 5 minutes")],
)
def test_a_rate_limit_answers_a_translated_site_page_saying_when_to_retry(language, text):
    from allauth.core.ratelimit import respond_429
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore

    request = RequestFactory().get("/accounts/login/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # what MessageMiddleware sets
    with translation.override(language):
        response = respond_429(request)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Retry-After"] == "300"
    assert text in html
    assert 'class="site-header"' in html
    assert f'lang="{language}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_the_html_of_a_mail_declares_the_language_it_is_written_in(language):
    from announcements.mail import render_announcement
    from tests.factories import AnnouncementFactory

    rendered = render_announcement(AnnouncementFactory(), language=language)
    assert f'<html lang="{language}">' in rendered["html"]


@pytest.mark.django_db
def test_a_browser_preferring_english_is_sent_to_english_on_its_first_visit(client):
    response = client.get("/chapters/?region=na", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/en/chapters/?region=na"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "accept", "cookie", "method"),
    [
        ("/", "es-MX,es;q=0.9,en;q=0.5", None, "get"),  # prefers Spanish
        ("/", "en-US,en;q=0.9", "es-mx", "get"),  # chose Spanish with the switcher
        ("/en/", "es-MX", None, "get"),  # already on a language's page
        ("/healthz", "en-US", None, "get"),  # not a page of the site
        ("/", "en-US", None, "post"),  # only safe methods
        ("/", "", None, "get"),  # no preference sent
    ],
)
def test_nothing_is_redirected_when_spanish_is_chosen_preferred_or_not_a_page(
    client, settings, path, accept, cookie, method
):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code != HTTPStatus.FOUND or "/en/" not in response["Location"]
