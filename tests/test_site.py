"""The site's skeleton: home page in both languages, error pages, health check, headers."""

import pytest
from django.test import override_settings
from django.urls import reverse

from members.models import Contribution, Sector
from members.reference_data import CONTRIBUTIONS, SECTORS
from tests.conftest import _reset_broker_pools

pytestmark = pytest.mark.django_db


def test_home_page_is_spanish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es-mx">' in html
    assert "Red de Talentos Mexicanos" in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_home_page_is_english_under_en_prefix(client):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Mexican Talent Network" in html
    assert "Information and Communication Technologies" in html


@pytest.mark.parametrize(
    ("prefix", "credits"),
    [
        (
            "",
            [
                "Secretaría de Relaciones Exteriores (SRE)",
                "Instituto de los Mexicanos en el Exterior (IME)",
                "Consejo Nacional de Ciencia y Tecnología (CONACYT)",
                "con apoyo de la Fundación México-Estados Unidos para la Ciencia (FUMEC)",
            ],
        ),
        (
            "/en",
            [
                "Ministry of Foreign Affairs",
                "Institute for Mexicans Abroad",
                "National Council of Science and Technology (CONACYT)",
                "with the support of the United States-Mexico Foundation for Science",
            ],
        ),
    ],
)
def test_the_footer_credits_the_founding_partners_as_the_seed_does(client, prefix, credits):
    html = client.get(f"{prefix}/news/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    for credit in credits:
        assert credit in footer


def test_the_layout_links_follow_the_language_of_each_page(client):
    """The header and footer links are reversed once per language and reused."""
    spanish = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert 'href="/chapters/"' in spanish and 'action="/i18n/setlang/"' in spanish
    assert 'href="/en/chapters/"' in english and 'action="/en/i18n/setlang/"' in english
    assert 'href="/en/privacy/"' in english and 'href="/en/chapters/"' not in spanish
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_home_page_lists_the_nine_sectors_and_eleven_contributions(client):
    html = client.get("/").content.decode()
    for _slug, name_es, _name_en in SECTORS:
        assert name_es in html
    for _slug, name_es, _name_en in CONTRIBUTIONS:
        assert name_es in html


def test_reference_data_has_the_nine_pncs_sectors_with_their_exact_names():
    assert list(Sector.objects.values_list("name_es", flat=True)) == [s[1] for s in SECTORS]
    assert Sector.objects.count() == 9
    assert Contribution.objects.count() == 11


def test_language_switcher_redirects_to_the_english_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_language_switcher_brings_an_english_page_back_to_spanish(client):
    response = client.post("/en/i18n/setlang/", {"language": "es-mx", "next": "/en/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/login/"])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_account_pages_render_inside_the_site_layout(client, path, prefix):
    response = client.get(prefix + path)
    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()


def test_admin_sends_anonymous_visitors_to_a_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("prefix", "text"), [("", "No encontramos esta página"), ("/en", "We could not find this page")]
)
def test_unknown_page_answers_404_with_the_site_page(client, prefix, text):
    response = client.get(prefix + "/no-such-page/")
    assert response.status_code == 404
    assert text in response.content.decode()


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_healthz_reports_every_configured_backend_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
        "failed": [],
    }


def test_livez_answers_without_asking_the_database_cache_or_broker(
    client, django_assert_num_queries
):
    """The liveness probe (deploy/k8s/web.yaml): asks no backend, so an outage of one never
    has the orchestrator restart every web pod (tests/scaleout/test_k8s_manifests.py runs it
    with the database away)."""
    with django_assert_num_queries(0), override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_naming_an_unreachable_cache(client, settings):
    dead = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = dead
    settings.CACHES = {
        **settings.CACHES,
        "answers": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": dead,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_healthz_answers_503_naming_an_unreachable_broker(client):
    from talentnet.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _reset_broker_pools(app)
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            response = client.get("/healthz")
    finally:
        app.conf.broker_url = saved
        _reset_broker_pools(app)
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"
