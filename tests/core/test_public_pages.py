"""Public pages described, compressed where nothing secret is in them, a contact page, and
links in mails that follow the address the site is served at (issue 22)."""

import gzip
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command

from tests.factories import PncsFactory, member

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_public_page_has_its_own_meta_description(client, prefix):
    pages = ["/", "/chapters/", "/jornadas/", "/pncs/", "/opportunities/", "/programs/",
             "/figures/", "/privacy/", "/contact/"]  # fmt: skip
    descriptions = {}
    for path in pages:
        response = client.get(prefix + path)
        assert response.status_code == 200, path
        (description,) = DESCRIPTION.findall(response.content.decode())
        assert 50 <= len(description) <= 200, (path, description)
        descriptions[path] = description
    assert len(set(descriptions.values())) == len(pages)  # each its own
    if prefix:
        assert "Mexican Talent Network" in descriptions["/"]


def test_public_pages_are_compressed_and_pages_with_personal_data_are_not(client):
    public = client.get("/chapters/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert public["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in public["Vary"]
    assert "Capítulos" in gzip.decompress(public.content).decode()
    login = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert not login.has_header("Content-Encoding")  # the account area: secrets (BREACH)
    client.force_login(member())
    signed_in = client.get("/chapters/", HTTP_ACCEPT_ENCODING="gzip")
    assert not signed_in.has_header("Content-Encoding")


def test_the_contact_page_names_who_runs_the_site_and_each_pncs(client):
    PncsFactory(contact_email="tic.pncs@example.org", host_institution="Centro de prueba")
    html = client.get("/contact/").content.decode()
    assert "Instituto de los Mexicanos en el Exterior" in html
    assert f"mailto:{settings.CONTACT_EMAIL}" in html
    assert "tic.pncs@example.org" in html and "Centro de prueba" in html
    assert 'href="/contact/"' in client.get("/").content.decode()  # the footer
    assert "Who runs this site" in client.get("/en/contact/").content.decode()


def test_every_allauth_mail_ends_with_the_contact_page_at_the_sites_address(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8101"
    user = member()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    (message,) = mail.outbox
    assert "http://127.0.0.1:8101/contact/" in message.body
    assert "8000" not in message.body


def test_the_site_domain_follows_site_url_on_every_migrate(settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    call_command("migrate", "--noinput", verbosity=0)
    assert Site.objects.get(pk=settings.SITE_ID).domain == "127.0.0.1:8101"


def test_make_run_serves_links_for_its_own_port():
    recipe = subprocess.run(
        ["make", "-n", "run", "PORT=8101"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    ).stdout
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8101}"' in recipe


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["Avenida Juárez 20", "Unidad de Transparencia", "Plataforma Nacional de Transparencia",
              "Derechos ARCO", "género", "país de nacionalidad", "entidad federativa de residencia",
              "motivación", "dirección IP", "país de residencia", "vigencia de tu pasaporte",
              "conversaciones en el sitio", "resumen semanal o mensual",
              "organizaciones mexicanas cuyas invitaciones aceptas"]),
        ("/en", ["Avenida Juárez 20", "Transparency Unit", "ARCO rights", "gender",
                 "country of nationality", "state of residence", "motivation", "IP address",
                 "country of residence", "passport", "conversations on the site",
                 "weekly or monthly digest", "Mexican organisations whose invitations you accept"]),
    ],
)  # fmt: skip
def test_the_privacy_notice_names_the_controller_and_every_datum_collected(client, prefix, words):
    html = client.get(prefix + "/privacy/").content.decode()
    for word in words:
        assert word in html, word
