"""The staff workbench: each staff role sees what waits for it, scoped, one click from its
action; join requests and answers are decided in place (issue 22)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chapters.models import Membership
from core.access import IME_STAFF
from members.models import ArcoRequest
from pncs.models import Interest
from tests.factories import (
    AnnouncementFactory,
    MembershipFactory,
    OfficerFactory,
    OpportunityFactory,
    UserFactory,
    coordinator,
    member,
    with_totp,
)

pytestmark = pytest.mark.django_db
URL = "/staff/todo/"


@pytest.fixture
def officer(client):
    officer = OfficerFactory()
    client.force_login(officer.user)
    return officer


@pytest.fixture
def ime_staff(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    client.force_login(user)
    return user


def test_an_officer_sees_the_join_requests_of_their_chapter_only(client, officer):
    mine = MembershipFactory(
        chapter=officer.chapter, status="pending", message="Hola, soy ingeniera."
    )
    other = MembershipFactory(status="pending")
    html = client.get(URL).content.decode()
    assert "Solicitudes para unirse a un capítulo" in html
    assert "Hola, soy ingeniera." in html
    assert f'name="membership" value="{mine.pk}"' in html
    assert f'name="membership" value="{other.pk}"' not in html
    assert ">Aprobar<" in html and ">Rechazar<" in html
    assert "ARCO" not in html  # not an officer's work


def test_approving_from_the_workbench_decides_and_tells_the_member(
    client, officer, django_capture_on_commit_callbacks
):
    pending = MembershipFactory(chapter=officer.chapter, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("chapters:membership_decide"),
            {"membership": pending.pk, "decision": "approve"},
        )
    assert response.status_code == 302 and response["Location"] == URL
    pending.refresh_from_db()
    assert pending.status == Membership.Status.APPROVED
    assert pending.decided_by == officer.user
    assert [m.to for m in mail.outbox] == [[pending.user.email]]


def test_a_rejection_needs_a_reason_and_changes_nothing_without_one(client, officer):
    pending = MembershipFactory(chapter=officer.chapter, status="pending")
    decide = reverse("chapters:membership_decide")
    response = client.post(decide, {"membership": pending.pk, "decision": "reject"}, follow=True)
    assert "Escribe el motivo del rechazo." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    client.post(decide, {"membership": pending.pk, "decision": "reject", "reason": "Sin cupo."})
    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == (Membership.Status.REJECTED, "Sin cupo.")


@pytest.mark.parametrize(
    "data", [{}, {"membership": "x", "decision": "approve"}, {"membership": 1}]
)
def test_bad_input_is_a_clear_message_not_an_error(client, officer, data):
    pending = MembershipFactory(chapter=officer.chapter, status="pending")
    response = client.post(reverse("chapters:membership_decide"), data, follow=True)
    assert response.status_code == 200
    assert "Elige aprobar o rechazar una solicitud." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_another_chapters_request_answers_404_and_stays_pending(client, officer):
    other = MembershipFactory(status="pending")
    response = client.post(
        reverse("chapters:membership_decide"), {"membership": other.pk, "decision": "approve"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Membership.Status.PENDING


def test_ime_staff_see_arco_requests_by_legal_due_date_overdue_first(client, ime_staff):
    today = timezone.localdate()
    later = ArcoRequest.objects.create(
        user=member(), kind="access", description="x", due_on=today + datetime.timedelta(days=9)
    )
    overdue = ArcoRequest.objects.create(
        user=member(),
        kind="cancellation",
        description="y",
        due_on=today - datetime.timedelta(days=2),
    )
    ArcoRequest.objects.create(
        user=member(), kind="access", description="z", due_on=today, status="answered"
    )
    html = client.get(URL).content.decode()
    section = html[html.index('id="arco"') :]
    assert section.index(f"/{overdue.pk}/change/") < section.index(f"/{later.pk}/change/")
    assert "Vencida:" in section and section.count("/change/") >= 2
    assert '<span class="badge">2</span>' in section  # the answered one is not counted


def test_ime_staff_see_announcements_waiting_and_the_english_page_is_english(client, ime_staff):
    AnnouncementFactory(subject_es="Convocatoria abierta", subject_en="Open call")
    assert "Convocatoria abierta" in client.get(URL).content.decode()
    english = client.get("/en" + URL).content.decode()
    assert "Announcements to send" in english and "Open call" in english


def test_a_coordinator_decides_answers_in_place_and_comes_back(client):
    user = coordinator()
    client.force_login(user)
    opportunity = OpportunityFactory(pncs=user.coordinated_pncs.get())
    answer = Interest.objects.create(
        opportunity=opportunity, member=member(), message="Me interesa"
    )
    draft = OpportunityFactory(pncs=opportunity.pncs, status="draft", title_es="Borrador X")
    html = client.get(URL).content.decode()
    assert "Me interesa" in html and "Borrador X" in html
    assert reverse("pncs:opportunity_edit", args=[draft.pk]) in html
    response = client.post(
        reverse("pncs:interest_decide", args=[answer.pk]), {"status": "accepted", "next": URL}
    )
    assert response["Location"] == URL
    answer.refresh_from_db()
    assert answer.status == Interest.Status.ACCEPTED


def test_an_outside_next_is_ignored(client):
    user = coordinator()
    client.force_login(user)
    answer = Interest.objects.create(
        opportunity=OpportunityFactory(pncs=user.coordinated_pncs.get()), member=member()
    )
    response = client.post(
        reverse("pncs:interest_decide", args=[answer.pk]),
        {"status": "accepted", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("pncs:opportunity_manage", args=[answer.opportunity_id])


def test_a_member_without_a_role_gets_403_and_no_header_link(client):
    user = member()
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/").content.decode()


def test_the_header_links_staff_to_their_workbench(client, officer):
    assert f'href="{URL}"' in client.get("/").content.decode()


def test_the_workbench_reads_a_fixed_number_of_queries(
    client, officer, django_assert_max_num_queries
):
    MembershipFactory(chapter=officer.chapter, status="pending")
    with django_assert_max_num_queries(40) as first:
        client.get(URL)
    for _ in range(4):
        MembershipFactory(chapter=officer.chapter, status="pending")
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(URL).content.decode()
    assert html.count('name="decision" value="approve"') == 5


def test_program_staff_see_constancias_to_issue_until_they_are_issued(client):
    from programs.services import issue_certificates
    from tests.factories import participant, program_staff_user, program_with_stages

    _program, stage1, _stage2 = program_with_stages(name_es="Programa Beta")
    participant(stage1, completed=True, certified=True)
    participant(stage1, completed=True, certified=True)
    participant(stage1, completed=True, certified=False)
    client.force_login(program_staff_user())
    page = client.get(URL)
    assert page.status_code == 200
    assert "2 constancias por emitir" in page.content.decode()
    issue_certificates(stage=stage1, notify=False)
    assert "constancias por emitir" not in client.get(URL).content.decode()


def test_ime_staff_see_posts_to_review_each_one_click_from_its_review(client, ime_staff):
    from tests.factories import PostFactory

    now = timezone.now()
    older = PostFactory(
        status="pending",
        title_es="Mentorías abiertas",
        title_en="Mentoring open",
        submitted_at=now - datetime.timedelta(days=2),
    )
    newer = PostFactory(
        status="pending", title_es="Nueva beca", submitted_at=now - datetime.timedelta(hours=1)
    )
    PostFactory(status="draft", title_es="Borrador sin enviar")
    PostFactory(status="published", title_es="Ya publicada")
    html = client.get(URL).content.decode()
    section = html[html.index('id="posts"') :]
    assert "Noticias por revisar" in section
    assert '<span class="badge">2</span>' in section  # counted like the other sections
    first = reverse("news:review", args=[older.pk])
    second = reverse("news:review", args=[newer.pk])
    assert f'href="{first}"' in section and f'href="{second}"' in section
    assert section.index(first) < section.index(second)  # oldest submission first
    assert "Borrador sin enviar" not in html and "Ya publicada" not in html
    # the nav at the top counts it too, and the review page it opens is the action
    assert 'href="#posts"' in html
    assert client.get(first).status_code == 200
    english = client.get("/en" + URL).content.decode()
    assert "News to review" in english and "Mentoring open" in english


def test_posts_to_review_are_ime_work_only(client):
    from tests.factories import PostFactory

    PostFactory(status="pending", title_es="Pendiente de IME")
    user = coordinator()
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert 'id="posts"' not in html and "Pendiente de IME" not in html


def test_a_coordinator_who_is_not_staff_gets_the_header_link_in_both_languages(client):
    user = coordinator()
    assert not user.is_staff
    client.force_login(user)
    spanish = client.get("/").content.decode()
    assert f'<a href="{URL}">Pendientes</a>' in spanish
    assert 'href="/admin/"' not in spanish  # the admin stays a staff link
    english = client.get("/en/").content.decode()
    assert f'<a href="/en{URL}">To do</a>' in english
    assert client.get(URL).status_code == 200  # the link opens their workbench
