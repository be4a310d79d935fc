"""The coordinators' member search: scope, full text, filters, facets, caps, audit, speed."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from members.models import ExpertiseTag, Language, Profile
from pncs.models import MemberSearchIndex, SearchAudit
from pncs.search import base_queryset, rebuild_index
from tests.factories import ProfileFactory, UserFactory, coordinator, member

from .conftest import contactable

pytestmark = pytest.mark.django_db

SEARCH = "/pncs/search/"


def names_in(response):
    return [row.profile.display_name for row in response.context["result"].rows]


def test_urls_follow_the_contract():
    assert reverse("pncs:search") == SEARCH
    assert reverse("pncs:export_csv") == "/pncs/search/export.csv"
    assert reverse("pncs:export_xlsx") == "/pncs/search/export.xlsx"
    assert reverse("pncs:sector", args=["tic"]) == "/pncs/tic/"
    with translation.override("en"):
        assert reverse("pncs:search") == "/en/pncs/search/"


# --- who may search ------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(SEARCH + "?sector=tic")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not SearchAudit.objects.exists()


def test_plain_member_gets_403(client):
    client.force_login(member())
    assert client.get(SEARCH).status_code == 403
    assert client.get("/pncs/search/export.csv").status_code == 403
    assert not SearchAudit.objects.exists()


def test_coordinator_without_second_factor_is_sent_to_set_it_up(client):
    client.force_login(coordinator("tic", totp=False))
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response["Location"]


def test_coordinator_with_second_factor_searches(coord_client):
    contactable(given_names="Ximena", paternal_surname="Robles")
    response = coord_client.get(SEARCH)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Ximena Robles" in response.content.decode()


def test_ime_staff_searches(client, ime_staff):
    client.force_login(ime_staff)
    assert client.get(SEARCH).status_code == 200


def test_coordinator_of_an_inactive_pncs_gets_403(client):
    user = coordinator("salud")
    user.coordinated_pncs.update(is_active=False)
    client.force_login(user)
    assert client.get(SEARCH).status_code == 403


def test_removing_a_coordinator_takes_effect_on_the_next_request(coord_client, coord):
    assert coord_client.get(SEARCH).status_code == 200
    coord.coordinated_pncs.clear()
    assert coord_client.get(SEARCH).status_code == 403


# --- who can be found ----------------------------------------------------------------


def test_only_active_verified_members_who_allowed_contact_are_found(coord_client):
    found = contactable(given_names="Visible")
    ProfileFactory(given_names="Reservada", pncs_contact=False)
    unverified = contactable(given_names="Sinverificar")
    unverified.user.email_verified = False
    unverified.user.save()
    inactive = contactable(given_names="Inactiva")
    inactive.user.is_active = False
    inactive.user.save()
    response = coord_client.get(SEARCH)
    assert [r.profile_id for r in response.context["result"].rows] == [found.pk]


def test_withdrawing_consent_removes_the_member_from_the_index_result(coord_client):
    profile = contactable(given_names="Arrepentida")
    assert list(base_queryset().values_list("pk", flat=True)) == [profile.pk]
    profile.pncs_contact = False
    profile.save()
    assert not base_queryset().exists()
    assert MemberSearchIndex.objects.get(pk=profile.pk).contactable is False


def test_rebuild_recreates_every_row():
    contactable()
    contactable()
    MemberSearchIndex.objects.all().delete()
    assert rebuild_index(batch_size=1) == 2
    assert base_queryset().count() == 2


# --- free text -----------------------------------------------------------------------


def test_text_without_accents_finds_accented_words(coord_client):
    contactable(given_names="Lucía", headline="Investigadora en energía solar")
    contactable(given_names="Pedro", headline="Contador público")
    response = coord_client.get(SEARCH, {"q": "energia"})
    assert names_in(response) == [Profile.objects.get(given_names="Lucía").display_name]


def test_english_and_spanish_stems_match(coord_client):
    contactable(given_names="Ana", headline="Designing batteries for electric vehicles")
    contactable(given_names="Bruno", headline="Ingeniero de procesos")
    response = coord_client.get(SEARCH, {"q": "battery"})
    assert [r.profile.given_names for r in response.context["result"].rows] == ["Ana"]


def test_expertise_and_employer_are_searchable(coord_client):
    tag = ExpertiseTag.objects.create(name="genómica", slug="genomica")
    with_tag = contactable(given_names="Carla")
    with_tag.expertise.add(tag)
    contactable(given_names="Diego", employer="Acme Robotics")
    assert [
        r.profile.given_names
        for r in coord_client.get(SEARCH, {"q": "genomica"}).context["result"].rows
    ] == ["Carla"]
    assert [
        r.profile.given_names
        for r in coord_client.get(SEARCH, {"q": "robotics"}).context["result"].rows
    ] == ["Diego"]


def test_results_are_ranked_name_before_headline_before_bio(coord_client):
    contactable(
        given_names="Elena",
        paternal_surname="Ruiz",
        maternal_surname="Paz",
        headline="Gerente",
        bio="Trabajó con Ortega en Monterrey.",
    )
    contactable(
        given_names="Fabián",
        paternal_surname="Luna",
        maternal_surname="Sol",
        headline="Consultor Ortega y asociados",
        bio="",
    )
    contactable(
        given_names="Gloria",
        paternal_surname="Ortega",
        maternal_surname="Mar",
        headline="Abogada",
        bio="",
    )
    response = coord_client.get(SEARCH, {"q": "Ortega", "sort": "relevance"})
    assert [r.profile.given_names for r in response.context["result"].rows] == [
        "Gloria",
        "Fabián",
        "Elena",
    ]


def test_a_broad_word_shows_name_headline_and_expertise_matches_before_bio_only_ones(
    coord_client, monkeypatch
):
    """More matches than the window holds: a member matching in the name (or headline, or
    expertise) comes before the bio-only matches, however low their ids."""
    from pncs import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for n in range(6):  # the earliest members: the word only in their bio
        contactable(given_names=f"Bio{n}", headline="Analista", bio="Programa en Python a diario.")
    tag = ExpertiseTag.objects.create(name="python", slug="python")
    expert = contactable(given_names="Experta", headline="Analista")
    expert.expertise.add(tag)
    named = contactable(given_names="Monty", paternal_surname="Python", headline="Actor")
    assert named.pk > expert.pk > 6
    result = coord_client.get(SEARCH, {"q": "python"}).context["result"]
    assert result.capped
    assert [r.profile.given_names for r in result.rows][:2] == ["Monty", "Experta"]
    assert [r.profile.given_names for r in result.rows][2].startswith("Bio")


def test_misspelt_names_are_found_by_trigram_similarity(coord_client):
    contactable(given_names="Mariana", paternal_surname="González")
    contactable(given_names="Tomás", paternal_surname="Zamora", maternal_surname="Ríos")
    response = coord_client.get(SEARCH, {"q": "Gonzales"})
    assert [r.profile.given_names for r in response.context["result"].rows] == ["Mariana"]


# --- filters, tampering --------------------------------------------------------------


def test_filters_combine(coord_client):
    french = Language.objects.get(code="fr")
    a = contactable(
        given_names="Alma",
        sectors=["salud"],
        country="CA",
        education_level="doctorado",
        state_of_origin="OAX",
        willing_to_travel=True,
    )
    a.languages.add(french)
    contactable(given_names="Beto", sectors=["salud"], country="CA", education_level="maestria")
    contactable(given_names="Cira", sectors=["tic"], country="CA", education_level="doctorado")
    response = coord_client.get(
        SEARCH,
        {
            "sector": "salud",
            "country": "CA",
            "education": "doctorado",
            "state": "OAX",
            "language": "fr",
            "travel": "on",
        },
    )
    assert [r.profile.given_names for r in response.context["result"].rows] == ["Alma"]


def test_contribution_and_expertise_filters(coord_client):
    from members.models import Contribution

    tag = ExpertiseTag.objects.create(name="robótica", slug="robotica")
    mentor = Contribution.objects.get(slug="mentoria-empresas")
    a = contactable(given_names="Ada")
    a.expertise.add(tag)
    a.contributions.add(mentor)
    b = contactable(given_names="Blas")
    b.expertise.add(tag)
    response = coord_client.get(
        SEARCH, {"expertise": "robotica", "contribution": "mentoria-empresas"}
    )
    assert [r.profile.given_names for r in response.context["result"].rows] == ["Ada"]


def test_chapter_filter_finds_approved_members_only(coord_client):
    from tests.factories import ChapterFactory, MembershipFactory

    houston = ChapterFactory(name="Houston", slug="houston")
    detroit = ChapterFactory(name="Detroit", slug="detroit")
    inside = contactable(given_names="Irma")
    pending = contactable(given_names="Paco")
    elsewhere = contactable(given_names="Elsa")
    contactable(given_names="Nadia")
    MembershipFactory(chapter=houston, user=inside.user, status="approved")
    MembershipFactory(chapter=houston, user=pending.user, status="pending")
    MembershipFactory(chapter=detroit, user=elsewhere.user, status="approved")
    response = coord_client.get(SEARCH, {"chapter": "houston"})
    assert [r.profile.given_names for r in response.context["result"].rows] == ["Irma"]
    both = coord_client.get(SEARCH, {"chapter": ["houston", "detroit"], "sort": "name"})
    assert sorted(r.profile.given_names for r in both.context["result"].rows) == ["Elsa", "Irma"]
    tampered = coord_client.get(SEARCH, {"chapter": ["houston", "no-such-chapter"]})
    assert tampered.context["result"].rows == []
    assert tampered.context["form"].errors["chapter"]


def test_unknown_values_are_refused_with_a_message_and_show_nothing(coord_client):
    from pncs.filters import UNKNOWN_COUNTRY

    contactable(given_names="Sol", sectors=["salud"])
    contactable(given_names="Luna", sectors=["tic"])
    response = coord_client.get(SEARCH, {"sector": ["salud", "no-existe"], "country": "Narnia"})
    assert response.status_code == 200
    assert response.context["result"].rows == []
    errors = response.context["form"].errors
    assert set(errors) == {"sector", "country"}
    assert errors["country"] == [UNKNOWN_COUNTRY % {"value": "Narnia"}]
    html = response.content.decode()
    assert "La búsqueda no se hizo" in html and "Narnia" in html
    assert 'aria-describedby="id_country_helptext id_country_error"' in html or (
        "id_country_error" in html
    )
    assert not SearchAudit.objects.exists()  # nothing was searched, nothing disclosed


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "x" * 204}, "200"),
        ({"q": "nul\x00byte"}, "nulos"),
    ],
)
def test_an_invalid_text_shows_its_error_and_no_result(coord_client, params, message):
    contactable(given_names="Xavier", headline="xxxx")
    response = coord_client.get(SEARCH, params)
    if "\x00" in params["q"]:  # refused before the view (core.middleware): nothing searched
        assert response.status_code == 400
        assert not SearchAudit.objects.exists()
        return
    assert response.status_code == 200
    assert response.context["result"].rows == []
    assert response.context["form"].errors["q"]
    assert message in response.context["form"].errors["q"][0]
    assert not SearchAudit.objects.exists()


@pytest.mark.parametrize("given", ["CA", "ca", "Canadá", "canada", "Canada"])
def test_a_country_is_accepted_by_code_or_name_in_either_language(coord_client, given):
    contactable(given_names="Nora", country="CA")
    contactable(given_names="Omar", country="US")
    response = coord_client.get(SEARCH, {"country": given})
    assert [r.profile.given_names for r in response.context["result"].rows] == ["Nora"]
    if given.lower() == "ca":
        assert 'value="Canadá"' in response.content.decode()  # a code is shown by its name


def test_an_expertise_is_accepted_by_name_accents_aside_or_slug(coord_client):
    from pncs.filters import UNKNOWN_EXPERTISE

    tag = ExpertiseTag.objects.create(name="robótica", slug="robotica")
    contactable(given_names="Ada").expertise.add(tag)
    contactable(given_names="Blas")
    for given in ("robótica", "Robotica", "robotica"):
        rows = coord_client.get(SEARCH, {"expertise": given}).context["result"].rows
        assert [r.profile.given_names for r in rows] == ["Ada"]
    response = coord_client.get(SEARCH, {"expertise": "alquimia"})
    assert response.context["form"].errors["expertise"] == [
        UNKNOWN_EXPERTISE % {"value": "alquimia"}
    ]
    assert response.context["result"].rows == []


def test_no_long_list_is_drawn_as_a_select(coord_client):
    """Countries (~250) and expertise tags (unbounded) are text fields with suggestions."""
    for n in range(30):
        ExpertiseTag.objects.create(name=f"tema {n}", slug=f"tema-{n}")
    html = coord_client.get(SEARCH).content.decode()
    assert html.count("<option") < 120
    for name in ("country", "expertise"):
        start = html.index(f'name="{name}"')
        tag = html[html.rindex("<", 0, start) : html.index(">", start)]
        assert tag.startswith("<input") and f'data-autocomplete="{name}"' in tag
        assert 'data-suggest-url="/me/expertise-suggestions/"' in tag


@pytest.mark.parametrize(
    "params",
    [
        {"pncs_contact": "0", "include_hidden": "1"},
        {"page": "abc"},
        {"page": "-4"},
        {"page": "999999999999"},
        {"sort": "password"},
        {"q": "x" * 10_000},
        {"q": "nul\x00byte"},
        {"q": "\u202eRTL ' OR 1=1 --"},
        {"q": "&|!():*"},
        {"travel": "maybe"},
    ],
)
def test_tampered_parameters_never_widen_nor_fail(coord_client, params):
    contactable(given_names="Única")
    ProfileFactory(given_names="Oculta", pncs_contact=False)
    response = coord_client.get(SEARCH, params)
    if "\x00" in params.get("q", ""):  # refused before the view (core.middleware)
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert "Oculta" not in [r.profile.given_names for r in response.context["result"].rows]


# --- facets, caps, pages -------------------------------------------------------------


def test_facets_count_the_current_result_and_link_to_narrow_it(coord_client):
    contactable(given_names="Uno", sectors=["salud"], country="US", headline="química")
    contactable(given_names="Dos", sectors=["salud", "tic"], country="CA", headline="química")
    contactable(given_names="Tres", sectors=["tic"], country="CA", headline="abogado")
    response = coord_client.get(SEARCH, {"q": "quimica"})
    facets = response.context["facets"]
    sectors = {item["label"]: item["count"] for item in facets["sector"]}
    assert sectors == {"Salud": 2, "Tecnologías de la Información y Comunicación": 1}
    countries = {item["label"]: item["count"] for item in facets["country"]}
    assert countries == {"Estados Unidos": 1, "Canadá": 1}
    link = next(i for i in facets["country"] if i["count"] == 1 and "CA" in i["query"])["query"]
    narrowed = coord_client.get(SEARCH + "?" + link)
    assert [r.profile.given_names for r in narrowed.context["result"].rows] == ["Dos"]


def test_facets_count_every_row_of_the_window_once_per_value():
    from pncs.search import facets

    rows = [
        (1, "US", "doctorado", '{"tic": 0}'),
        (2, "US", "", '{"tic": 0}'),
        (3, "CA", "maestria", '{"salud": 0, "tic": 3}'),
        (4, "", "doctorado", "{}"),
        (5, "CA", "doctorado", '{"tic": 0}'),
    ]
    assert facets(rows) == {
        "sector": {"tic": 4, "salud": 1},
        "country": {"US": 2, "CA": 2},
        "education": {"doctorado": 3, "maestria": 1},
    }


def test_count_is_capped_and_pages_stop_at_the_cap(coord_client, monkeypatch):
    from pncs import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr(search, "MAX_PAGE", 2)
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(6):
        contactable(given_names=f"Persona{n}")
    response = coord_client.get(SEARCH)
    result = response.context["result"]
    assert (result.count, result.capped, len(result.rows), result.has_next) == (3, True, 2, True)
    assert "Más de 3 resultados" in response.content.decode()
    last = coord_client.get(SEARCH, {"page": "2"}).context["result"]
    assert (last.page, last.has_next) == (2, False)


def test_a_term_too_common_ranks_a_bounded_window_name_matches_first(coord_client, monkeypatch):
    """More matches than the search shows: relevance ranks the first COUNT_CAP + 1
    candidates (here all four) and shows the best COUNT_CAP; the misspelt name that only
    the trigram match finds ranks after every word match, so it falls out."""
    from pncs import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    contactable(given_names="Fuzzy", paternal_surname="Ortego")  # a trigram-only match
    for name in ("Uno", "Dos"):
        contactable(given_names=name, headline="Consultor Ortega")
    contactable(given_names="Named", paternal_surname="Ortega")  # the name weighs most
    response = coord_client.get(SEARCH, {"q": "Ortega", "sort": "relevance"})
    result = response.context["result"]
    assert (result.count, result.capped) == (3, True)
    names = [r.profile.given_names for r in result.rows]
    assert names[0] == "Named"
    assert sorted(names[1:]) == ["Dos", "Uno"]
    assert "Más de 3 resultados" in response.content.decode()

    monkeypatch.setattr(search, "COUNT_CAP", 10)  # not too common: every match, ranked
    result = coord_client.get(SEARCH, {"q": "Ortega", "sort": "relevance"}).context["result"]
    names = [r.profile.given_names for r in result.rows]
    assert (result.capped, names[0], names[-1], len(names)) == (False, "Named", "Fuzzy", 4)


def test_every_page_is_a_slice_of_one_window(coord_client, monkeypatch):
    """Page 2 continues page 1 exactly, and the last page ends the window."""
    from pncs import search

    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(5):
        contactable(given_names=f"P{n}", paternal_surname=f"Apellido{n}")
    pages = [
        [
            r.profile.given_names
            for r in coord_client.get(SEARCH, {"page": p}).context["result"].rows
        ]
        for p in (1, 2, 3)
    ]
    assert pages == [["P0", "P1"], ["P2", "P3"], ["P4"]]


def test_sector_changes_reach_the_index_and_the_results_column(coord_client):
    profile = contactable(given_names="Cambia", sectors=["tic", "salud"])
    assert MemberSearchIndex.objects.get(pk=profile.pk).sectors == {"tic": 0, "salud": 4}
    profile.profile_sectors.filter(sector__slug="tic").delete()
    assert MemberSearchIndex.objects.get(pk=profile.pk).sectors == {"salud": 4}
    row = coord_client.get(SEARCH, {"sector": "salud"}).context["result"].rows[0]
    assert (row.profile_id, row.sector_names) == (profile.pk, ["Salud"])
    assert coord_client.get(SEARCH, {"sector": "tic"}).context["result"].rows == []


def test_choice_lists_follow_their_tables(coord_client):
    from tests.factories import ChapterFactory

    def choices(name):
        response = coord_client.get(SEARCH)
        return dict(response.context["form"].fields[name].choices)

    chapter = ChapterFactory(slug="lyon", name="Lyon")
    assert choices("chapter")["lyon"] == "Lyon"
    chapter.name = "Lyon y Grenoble"
    chapter.save()
    assert choices("chapter")["lyon"] == "Lyon y Grenoble"
    chapter.delete()
    assert "lyon" not in choices("chapter")


def test_a_renamed_sector_slug_rewrites_its_members_rows_and_nothing_else(
    django_assert_num_queries,
):
    from members.models import Sector

    profile = contactable(sectors=["salud"])
    salud = Sector.objects.get(slug="salud")
    with django_assert_num_queries(2):  # saved unchanged: read the old slug, write the row
        salud.save()
    salud.slug = "salud-publica"
    salud.save()
    assert MemberSearchIndex.objects.get(pk=profile.pk).sectors == {"salud-publica": 0}


def test_sort_by_name(coord_client):
    contactable(given_names="Zoe", paternal_surname="Alvarado", maternal_surname="")
    contactable(given_names="Abel", paternal_surname="Zúñiga", maternal_surname="")
    contactable(given_names="Berta", paternal_surname="Ávila", maternal_surname="")
    response = coord_client.get(SEARCH, {"sort": "name"})
    assert [r.profile.given_names for r in response.context["result"].rows] == [
        "Zoe",
        "Berta",
        "Abel",
    ]


# --- audit and speed -----------------------------------------------------------------


def test_every_search_is_audited_without_personal_data(coord_client, coord):
    contactable(given_names="Rocío", sectors=["tic"], headline="Abogada")
    coord_client.get(SEARCH, {"sector": ["tic", "bogus"], "q": "ingeniería"})
    assert not SearchAudit.objects.exists()  # refused: nothing searched
    coord_client.get(SEARCH, {"sector": "tic", "q": "ingeniería", "sort": "name"})
    audit = SearchAudit.objects.get()
    assert (audit.user, audit.action, audit.row_count) == (coord, "search", 0)
    assert audit.filters == {"sector": ["tic"], "q": "ingeniería"}
    assert "Rocío" not in str(audit.filters)


def _populate(n):
    for _ in range(n):
        profile = contactable(sectors=["tic", "salud"], headline="ingeniera de datos")
        profile.languages.add(Language.objects.get(code="en"))


@pytest.mark.parametrize("size", [2, 12])
def test_search_page_query_count_does_not_grow_with_rows(
    coord_client, django_assert_num_queries, size
):
    _populate(size)
    coord_client.get(SEARCH)  # warm the session
    from pncs.search import _tsquery_text

    _tsquery_text.cache_clear()
    # The same number whatever the rows: session, user, second factor, PNCS area (4), the
    # text's tsquery (kept per process after this), the four short choice lists (one
    # UNION), the ranked window (word matches and close names in one statement), the
    # page's rows checked against the members' tables, the audit.
    # 8: the user comes with its roles and second factor (members.auth_backends).
    with django_assert_num_queries(8):
        response = coord_client.get(SEARCH, {"q": "ingeniera", "sector": "tic"})
    assert len(response.context["result"].rows) == size


@pytest.mark.parametrize(
    "params", [{}, {"q": "ingeniera"}, {"sector": "tic", "country": "US"}, {"q": "zz" * 150}]
)
def test_a_search_writes_nothing_but_its_audit_row(coord_client, params):
    """Even with a stale index row on the page (it is left out, not rewritten)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _populate(2)
    stale = contactable(given_names="Retirada", headline="ingeniera")
    Profile.objects.filter(pk=stale.pk).update(pncs_contact=False)  # no signal: index stale
    coord_client.get(SEARCH)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert coord_client.get(SEARCH, params).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert all(sql.startswith('INSERT INTO "pncs_searchaudit"') for sql in writes), writes
    assert len(writes) <= 1
    assert MemberSearchIndex.objects.get(pk=stale.pk).contactable is True  # untouched


def test_search_page_in_english(coord_client):
    contactable(given_names="Inés")
    response = coord_client.get("/en" + SEARCH)
    assert response.status_code == 200
    assert "Member search" in response.content.decode()


def test_member_detail_shows_only_what_the_member_allowed(coord_client):
    public = contactable(
        given_names="Abierta", bio="Mi semblanza pública", directory_visibility="pncs"
    )
    private = contactable(
        given_names="Reservada", bio="Mi semblanza privada", directory_visibility="ime"
    )
    shown = coord_client.get(reverse("pncs:member_detail", args=[public.pk])).content.decode()
    assert "Mi semblanza pública" in shown
    hidden = coord_client.get(reverse("pncs:member_detail", args=[private.pk]))
    assert hidden.status_code == 200
    assert "Mi semblanza privada" not in hidden.content.decode()
    assert private.user.email in hidden.content.decode()


def test_member_detail_of_someone_who_refused_contact_is_404(coord_client):
    refused = ProfileFactory(pncs_contact=False)
    assert coord_client.get(reverse("pncs:member_detail", args=[refused.pk])).status_code == 404


def test_member_detail_is_not_for_members(client):
    target = contactable()
    client.force_login(UserFactory())
    assert client.get(reverse("pncs:member_detail", args=[target.pk])).status_code == 403


def test_deleting_an_account_removes_the_member_from_search(coord_client):
    from django.utils import timezone

    profile = contactable(given_names="Cancelada")
    profile.user.deleted_at = timezone.now()
    profile.user.save(update_fields=["deleted_at"])
    assert not base_queryset().exists()
    assert not MemberSearchIndex.objects.filter(pk=profile.pk).exists()


def test_a_login_does_not_touch_the_index(django_assert_num_queries):
    from django.utils import timezone

    profile = contactable()
    profile.user.last_login = timezone.now()
    with django_assert_num_queries(1):
        profile.user.save(update_fields=["last_login"])


def test_a_stale_index_row_never_leaks_a_member_who_withdrew(coord_client):
    """Bulk updates send no signals: the index may lag, the boundary does not."""
    from members.models import User

    profile = contactable(given_names="Silenciosa")
    Profile.objects.filter(pk=profile.pk).update(pncs_contact=False)
    User.objects.filter(pk=profile.user_id).update(is_active=False)
    assert MemberSearchIndex.objects.get(pk=profile.pk).contactable is True  # stale
    response = coord_client.get(SEARCH)
    assert response.context["result"].rows == []
    assert _csv_lines(coord_client.get("/pncs/search/export.csv")) == 1  # the header only


def _csv_lines(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return len(list(csv.reader(io.StringIO(body))))


def test_renaming_an_expertise_tag_reindexes_its_members_in_batches(coord_client, monkeypatch):
    from pncs import search

    monkeypatch.setattr(search, "REBUILD_BATCH", 2)
    tag = ExpertiseTag.objects.create(name="fotonica", slug="fotonica")
    for n in range(5):
        contactable(given_names=f"Luz{n}").expertise.add(tag)
    tag.name = "óptica cuántica"
    tag.save()
    response = coord_client.get(SEARCH, {"q": "optica"})
    assert len(response.context["result"].rows) == 5


def _search_form_keys():
    from django.core.cache import caches

    return caches["answers"].keys("forms:*")


def _form_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<form method="get" class="card" id="search-form"') :].split(
        "</form>", 1
    )[0]


def test_the_search_form_is_rendered_once_per_query_and_language(coord_client):
    from tests.factories import ChapterFactory

    ChapterFactory(name="Houston", slug="houston")
    first = coord_client.get(SEARCH, {"sector": "tic", "chapter": "houston"})
    second = coord_client.get(SEARCH, {"sector": "tic", "chapter": "houston", "page": "2"})
    assert len(_search_form_keys()) == 1  # the page is not part of the form
    assert _form_of(first) == _form_of(second)
    assert re.search(r'<input[^>]*value="houston"[^>]*checked', _form_of(first))
    english = coord_client.get("/en" + SEARCH, {"sector": "tic", "chapter": "houston"})
    assert len(_search_form_keys()) == 2
    assert "More filters" in _form_of(english) and "Más filtros" in _form_of(first)


def test_a_new_chapter_shows_in_the_search_form_at_once(coord_client):
    from tests.factories import ChapterFactory

    ChapterFactory(name="Houston", slug="houston")
    assert "Detroit" not in _form_of(coord_client.get(SEARCH))
    ChapterFactory(name="Detroit", slug="detroit")
    assert "Detroit" in _form_of(coord_client.get(SEARCH))


def test_a_refused_search_form_is_never_cached(coord_client):
    for _ in range(2):
        response = coord_client.get(SEARCH, {"country": "Narnia"})
        assert "Narnia" in _form_of(response) and "id_country_error" in _form_of(response)
    assert _search_form_keys() == []


# --- photos on the result cards (issue 22) -----------------------------------------------


def test_result_cards_show_the_photo_the_searcher_may_see_or_the_initials(coord_client):
    """The directory's rule and partial: a photo, else initials; a photo only when the
    photos' access check (Profile.objects.visible_to) would serve it to the searcher."""
    shown = contactable(given_names="Ana", paternal_surname="Zamudio", directory_visibility="pncs")
    hidden = contactable(given_names="Irma", paternal_surname="Ortiz", directory_visibility="ime")
    contactable(given_names="Luis", paternal_surname="Quetzal", directory_visibility="members")
    Profile.objects.filter(pk=shown.pk).update(photo="photos/ana.jpg")
    Profile.objects.filter(pk=hidden.pk).update(photo="photos/irma.jpg")
    rebuild_index()
    html = coord_client.get(SEARCH).content.decode()
    assert 'class="card-avatar" src="/media/private/photos/ana.jpg"' in html
    assert '<span class="card-avatar card-initials" aria-hidden="true">LQ</span>' in html
    # contactable but not visible to coordinators: initials, never a refused photo URL
    assert "irma.jpg" not in html
    assert '<span class="card-avatar card-initials" aria-hidden="true">IO</span>' in html
    assert coord_client.get("/media/private/photos/irma.jpg").status_code in (403, 404)
    english = coord_client.get("/en" + SEARCH).content.decode()
    assert "/media/private/photos/ana.jpg" in english and ">LQ</span>" in english


def test_ime_staff_see_every_searched_members_photo(client, ime_staff):
    hidden = contactable(given_names="Irma", paternal_surname="Ortiz", directory_visibility="ime")
    Profile.objects.filter(pk=hidden.pk).update(photo="photos/irma.jpg")
    rebuild_index()
    client.force_login(ime_staff)
    html = client.get(SEARCH).content.decode()  # IME staff see every active profile
    assert 'class="card-avatar" src="/media/private/photos/irma.jpg"' in html
