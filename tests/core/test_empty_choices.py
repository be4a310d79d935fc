"""The empty choice of a select names what to choose (issue 22): "Cualquier país" / "Any
country" on the search filters, the directory and the public lists; "Elige un país" /
"Choose a country" on the forms members fill in; never a bare "---------" or "Cualquiera"."""

import re

import pytest

from tests.factories import ChapterFactory, coordinator, member

pytestmark = pytest.mark.django_db
EMPTY_OPTION = re.compile(r'<select name="([\w-]+)"[^>]*>\s*<option value=""[^>]*>([^<]*)</option>')


def empty_options(html: str) -> dict:
    return dict(EMPTY_OPTION.findall(html))


def test_public_lists_name_the_field_in_both_languages(client):
    ChapterFactory()
    news = empty_options(client.get("/news/").content.decode())
    assert news["sector"] == "Cualquier sector"
    assert news["chapter"] == "Cualquier capítulo"
    assert news["tag"] == "Cualquier etiqueta"
    english = empty_options(client.get("/en/news/").content.decode())
    assert english["sector"] == "Any sector" and english["tag"] == "Any tag"

    opportunities = empty_options(client.get("/opportunities/").content.decode())
    assert (
        opportunities["sector"] == "Cualquier sector" and opportunities["kind"] == "Cualquier tipo"
    )
    assert empty_options(client.get("/en/opportunities/").content.decode())["kind"] == "Any kind"

    organizations = empty_options(client.get("/organizations/").content.decode())
    assert organizations["state"] == "Cualquier estado"
    assert organizations["sector"] == "Cualquier sector"
    english = empty_options(client.get("/en/organizations/").content.decode())
    assert english["state"] == "Any state" and english["kind"] == "Any kind"

    chapters = empty_options(client.get("/chapters/").content.decode())
    assert chapters["region"] == "Cualquier región" and chapters["country"] == "Cualquier país"
    assert empty_options(client.get("/en/chapters/").content.decode())["country"] == "Any country"


def test_the_directory_names_its_sector_filter(client):
    client.force_login(member())
    assert empty_options(client.get("/members/").content.decode())["sector"] == ("Cualquier sector")
    assert empty_options(client.get("/en/members/").content.decode())["sector"] == "Any sector"


def test_no_generic_empty_choice_is_left_on_the_pages_members_use(client):
    ChapterFactory()
    client.force_login(coordinator())
    for url in (
        "/news/",
        "/opportunities/",
        "/organizations/",
        "/chapters/",
        "/members/",
        "/me/edit/",
        "/news/manage/new/",
    ):
        for prefix in ("", "/en"):
            html = client.get(prefix + url).content.decode()
            for name, label in empty_options(html).items():
                assert label not in ("---------", "Cualquiera", "Any", "Todos", "Todas", "All"), (
                    prefix + url,
                    name,
                    label,
                )


def test_forms_say_what_to_choose(client):
    client.force_login(coordinator())
    profile = empty_options(client.get("/me/edit/").content.decode())
    assert profile["country"] == "Elige un país"
    english = empty_options(client.get("/en/me/edit/").content.decode())
    assert english["country"] == "Choose a country"
