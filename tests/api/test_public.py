"""Public reads: the pages' visibility, cursor pagination, ETag/If-None-Match, problem
details in the request's language, Accept-Language for bilingual content, rate limits."""

import pytest

from programs.services import issue_certificates
from tests.factories import (
    AgendaItemFactory,
    ChapterFactory,
    JornadaFactory,
    ProgramFactory,
    participant,
    program_with_stages,
)

pytestmark = pytest.mark.django_db


def test_a_list_pages_by_cursor_and_the_next_link_leads_to_the_rest(client):
    for n in range(5):
        ChapterFactory(slug=f"capitulo-{n}")
    first = client.get("/api/v1/chapters?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    seen = [c["slug"] for c in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [c["slug"] for c in page["results"]]
        url = page["next"]
    assert sorted(seen) == [f"capitulo-{n}" for n in range(5)]


def test_an_unpublished_program_is_not_listed_and_answers_404(client):
    ProgramFactory(slug="publico")
    ProgramFactory(slug="borrador", is_published=False)
    slugs = [p["slug"] for p in client.get("/api/v1/programs").json()["results"]]
    assert slugs == ["publico"]
    response = client.get("/api/v1/programs/borrador")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_same_answer_is_304_with_its_etag(client):
    ChapterFactory(slug="alfa")
    response = client.get("/api/v1/chapters/alfa")
    etag = response["ETag"]
    again = client.get("/api/v1/chapters/alfa", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    ChapterFactory(slug="alfa-2")
    assert client.get("/api/v1/chapters", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_accept_language_chooses_the_language_of_content_and_errors(client):
    program = ProgramFactory(
        slug="ia", name_es="Inteligencia artificial", name_en="Artificial intelligence"
    )
    assert (
        client.get(f"/api/v1/programs/{program.slug}").json()["name"] == "Inteligencia artificial"
    )
    english = client.get(f"/api/v1/programs/{program.slug}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["name"] == "Artificial intelligence"
    assert english["Content-Language"] == "en"
    problem = client.get("/api/v1/programs/nada", HTTP_ACCEPT_LANGUAGE="en").json()
    assert problem == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "It does not exist or is not within your reach.",
    }
    assert (
        client.get("/api/v1/programs/nada").json()["detail"] == "No existe o no está a tu alcance."
    )


def test_invalid_input_is_a_422_problem_listing_each_error(client):
    response = client.get("/api/v1/chapters?region=mars&page_size=x", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Invalid data" and len(body["errors"]) == 2
    assert client.get("/api/v1/chapters?cursor=not-ours").status_code == 422


def test_a_credential_is_verified_by_its_code(client):
    _program, stage, _stage2 = program_with_stages()
    participant(stage, score=90, completed=True, certified=True)
    issue_certificates(stage=stage, notify=False)
    from programs.models import Certificate

    certificate = Certificate.objects.get()
    body = client.get(f"/api/v1/credentials/{certificate.code}").json()
    assert body["code"] == certificate.code and body["valid"] is True
    assert "email" not in str(body)
    assert client.get("/api/v1/credentials/unknown-code").status_code == 404


def test_a_jornada_comes_with_its_agenda_and_unpublished_ones_do_not(client):
    jornada = JornadaFactory()
    AgendaItemFactory(jornada=jornada, title_es="Inauguración", title_en="Opening")
    JornadaFactory(is_published=False)
    listed = client.get("/api/v1/jornadas", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert [j["id"] for j in listed] == [jornada.pk]
    assert listed[0]["agenda"][0]["title"] == "Opening"


def test_anonymous_calls_past_the_rate_are_refused_with_retry_after(client, settings):
    settings.API_ANON_RATE = "2/m"
    assert client.get("/api/v1/chapters").status_code == 200
    assert client.get("/api/v1/chapters").status_code == 200
    refused = client.get("/api/v1/chapters")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused["Content-Type"] == "application/problem+json"


def test_the_openapi_document_is_3_1_and_the_docs_page_uses_no_cdn(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "clientCredentials" in str(document["components"]["securitySchemes"])
    page = client.get("/api/v1/docs/").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert '<html lang="' in page
