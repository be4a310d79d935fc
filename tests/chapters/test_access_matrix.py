"""Role by URL matrix of the site pages (anonymous, member, officer of the other chapter,
own officer, IME staff), and arbitrary input never answering 500."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chapters.models import Membership, Registration
from tests.factories import JornadaFactory, RegistrationFactory, member

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "other_officer", "own_officer", "ime_staff"]


@pytest.fixture
def as_role(client, a_member, officer_a, officer_b, ime_staff):
    def log_in(role):
        user = {
            "anonymous": None,
            "member": a_member,
            "other_officer": officer_b,
            "own_officer": officer_a,
            "ime_staff": ime_staff,
        }[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return log_in


# Expected status per role, for pages about chapter A's unpublished event and its data.
MATRIX = {
    "draft_detail": {
        "anonymous": 404,
        "member": 404,
        "other_officer": 404,
        "own_officer": 200,
        "ime_staff": 200,
    },
    "draft_ics": {
        "anonymous": 404,
        "member": 404,
        "other_officer": 404,
        "own_officer": 200,
        "ime_staff": 200,
    },
    "participants_csv": {
        "anonymous": 302,
        "member": 404,
        "other_officer": 404,
        "own_officer": 200,
        "ime_staff": 200,
    },
    "public_detail": {
        "anonymous": 200,
        "member": 200,
        "other_officer": 200,
        "own_officer": 200,
        "ime_staff": 200,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(MATRIX))
def test_role_matrix(as_role, chapter_a, role, page):
    draft = JornadaFactory(chapter=chapter_a, is_published=False, slug="borrador-alfa")
    public = JornadaFactory(chapter=chapter_a, slug="publica-alfa")
    RegistrationFactory(jornada=draft)
    url = {
        "draft_detail": reverse("chapters:jornada_detail", args=[draft.slug]),
        "draft_ics": reverse("chapters:jornada_ics", args=[draft.slug]),
        "participants_csv": reverse("chapters:jornada_participants_csv", args=[draft.slug]),
        "public_detail": reverse("chapters:jornada_detail", args=[public.slug]),
    }[page]
    response = as_role(role).get(url)
    assert response.status_code == MATRIX[page][role]


@pytest.mark.parametrize("role", ROLES)
def test_staff_section_of_the_jornada_page_shows_only_to_its_managers(as_role, chapter_a, role):
    jornada = JornadaFactory(chapter=chapter_a, logistics_notes="Llaves con el conserje")
    html = as_role(role).get(jornada.get_absolute_url()).content.decode()
    visible = role in ("own_officer", "ime_staff")
    assert ("Llaves con el conserje" in html) is visible
    assert (reverse("chapters:jornada_participants_csv", args=[jornada.slug]) in html) is visible


text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=2000
) | st.sampled_from(["\x00", "\u202e" * 50, "x" * 10_000, "=cmd|' /C calc'!A0"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(message=text, representing=text)
def test_forms_never_answer_500(client, chapter_a, message, representing):
    user = member()
    jornada = JornadaFactory()
    client.force_login(user)
    join = client.post(reverse("chapters:join", args=[chapter_a.slug]), {"message": message})
    assert join.status_code in (302, 400)
    register = client.post(
        reverse("chapters:jornada_register", args=[jornada.slug]), {"representing": representing}
    )
    assert register.status_code in (302, 400)
    assert Membership.objects.filter(user=user).count() <= 1
    assert Registration.objects.filter(user=user).count() <= 1
