"""Engagements and their outcomes (issue 20): an accepted match becomes an engagement,
planned → active → completed or cancelled, with milestones, mentoring goals and sessions,
outcomes from both sides, mails on each step and the coordinator's pipeline."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from counterparts import engagements, services
from counterparts.forms import CANCEL_REASON_REQUIRED, MILESTONE_DATE_RANGE
from counterparts.models import Engagement, EngagementEvent, EngagementOutcome, MemberInvitation
from members.models import Sector
from tests.factories import ProfileFactory, coordinator, member

from .factories import organization
from .test_requests import _accepted

pytestmark = pytest.mark.django_db


def _invited(org, profile, **fields):
    filed = _accepted(org, **fields)
    [invitation] = services.invite_members(
        expertise_request=filed, member_ids=[profile.user_id], by=filed.opportunity.created_by
    )
    return filed, invitation


def test_open_engagement_is_planned_dated_in_its_history_and_mailed(
    django_capture_on_commit_callbacks,
):
    owner = member()
    org = organization(owner=owner, legal_name="Empresa Ficticia")
    profile = ProfileFactory(sectors=["tic"])
    coord = coordinator("tic")
    with django_capture_on_commit_callbacks(execute=True):
        engagement = services.open_engagement(
            kind="visit",
            sector=Sector.objects.get(slug="tic"),
            member=profile,
            title="Conferencia en Monterrey",
            organization=org,
            by=coord,
        )
    assert engagement.state == Engagement.State.PLANNED
    assert engagement.created_by == coord
    [event] = EngagementEvent.objects.filter(engagement=engagement)
    assert event.action == "opened" and event.by == coord
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, profile.user.email])
    assert "Conferencia en Monterrey" in mail.outbox[0].subject


def test_an_accepted_invitation_opens_one_engagement_with_the_requests_dates(
    django_capture_on_commit_callbacks,
):
    owner = member()
    org = organization(owner=owner)
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    filed, invitation = _invited(org, profile, kind="mentoring")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_invitation(invitation_id=invitation.pk, user=profile.user, accept=True)
    engagement = Engagement.objects.get()
    assert engagement.invitation_id == invitation.pk and engagement.request_id == filed.pk
    assert engagement.organization == org and engagement.member == profile
    assert engagement.kind == "mentoring" and engagement.sector_id == filed.sector_id
    assert (engagement.starts_on, engagement.ends_on) == (filed.starts_on, filed.ends_on)
    # One mail to the organisation: the acceptance, with the engagement's link.
    [notice] = mail.outbox
    assert notice.to == [owner.email]
    assert f"/organizations/engagements/{engagement.pk}/" in notice.body
    # Opening it again for the same invitation returns the same engagement.
    invitation.refresh_from_db()
    assert engagements.open_engagement_for_invitation(invitation=invitation) == engagement
    assert Engagement.objects.count() == 1


def test_a_declined_invitation_opens_nothing():
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True)
    _filed, invitation = _invited(organization(owner=member()), profile)
    services.answer_invitation(invitation_id=invitation.pk, user=profile.user, accept=False)
    assert not Engagement.objects.exists()


def _engagement(**fields):
    owner = fields.pop("owner", None) or member()
    org = fields.pop("org", None) or organization(owner=owner)
    profile = fields.pop("profile", None) or ProfileFactory(sectors=["tic"])
    return services.open_engagement(
        kind=fields.pop("kind", "mentoring"),
        sector=Sector.objects.get(slug=fields.pop("sector", "tic")).pk,
        member=profile,
        title=fields.pop("title", "Mentoría ficticia"),
        organization=org,
        by=owner,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=30),
    )


def test_the_lifecycle_moves_once_and_refuses_the_wrong_step():
    engagement = _engagement()
    by = engagement.member.user
    with pytest.raises(engagements.EngagementError):
        engagements.complete_engagement(engagement_id=engagement.pk, by=by)
    started = engagements.start_engagement(engagement_id=engagement.pk, by=by)
    assert started.state == "active" and started.started_at is not None
    with pytest.raises(engagements.EngagementError):
        engagements.start_engagement(engagement_id=engagement.pk, by=by)
    done = engagements.complete_engagement(engagement_id=engagement.pk, by=by)
    assert done.state == "completed" and done.completed_at is not None
    with pytest.raises(engagements.EngagementError):
        engagements.cancel_engagement(engagement_id=engagement.pk, reason="Tarde", by=by)
    assert list(done.events.values_list("action", flat=True)) == [
        "opened",
        "started",
        "completed",
    ]


def test_cancelling_needs_a_reason_and_records_it():
    engagement = _engagement()
    by = engagement.member.user
    with pytest.raises(engagements.EngagementError):
        engagements.cancel_engagement(engagement_id=engagement.pk, reason="  ", by=by)
    assert Engagement.objects.get().state == "planned"
    cancelled = engagements.cancel_engagement(
        engagement_id=engagement.pk, reason="La organización cambió de planes.", by=by
    )
    assert cancelled.state == "cancelled"
    assert cancelled.cancel_reason == "La organización cambió de planes."
    assert cancelled.events.last().reason == "La organización cambió de planes."


# --- the pages of both sides -------------------------------------------------------------------


def test_both_sides_run_the_engagement_and_record_outcomes_on_its_page(
    client, django_capture_on_commit_callbacks
):
    owner = member()
    profile = ProfileFactory(sectors=["tic"])
    engagement = _engagement(owner=owner, profile=profile, kind="mentoring")
    url = reverse("counterparts:engagement", args=[engagement.pk])

    client.force_login(profile.user)
    page = client.get(url).content.decode()
    assert "Mentoría ficticia" in page and "Marcar como iniciada" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("counterparts:engagement_start", args=[engagement.pk]))
    assert Engagement.objects.get().state == "active"
    assert [m.to for m in mail.outbox] == [[owner.email]]  # not the member who acted

    today = timezone.localdate()
    client.post(
        reverse("counterparts:milestone_add", args=[engagement.pk]),
        {"milestone-title": "Diagnóstico", "milestone-due_on": today.isoformat()},
    )
    [milestone] = engagement.milestones.all()
    client.post(
        reverse("counterparts:milestone_done", args=[engagement.pk, milestone.pk]), {"done": "1"}
    )
    milestone.refresh_from_db()
    assert milestone.done and milestone.due_on == today
    client.post(
        reverse("counterparts:engagement_goals", args=[engagement.pk]),
        {"goals-goals": "Plan de estudios\nTalleres"},
    )
    client.post(
        reverse("counterparts:session_add", args=[engagement.pk]),
        {
            "session-held_on": today.isoformat(),
            "session-minutes": "60",
            "session-topic": "Primera sesión",
            "session-notes": "",
        },
    )
    assert engagement.sessions.get().minutes == 60
    page = client.get(url).content.decode()
    assert "Plan de estudios" in page and "Primera sesión" in page

    client.force_login(owner)
    client.post(reverse("counterparts:engagement_complete", args=[engagement.pk]))
    assert Engagement.objects.get().state == "completed"
    outcome = {
        "outcome-hours_given": "12",
        "outcome-students_hosted": "0",
        "outcome-agreements_signed": "1",
        "outcome-projects_started": "1",
        "outcome-rating": "5",
        "outcome-story": "Un programa nuevo de ciencia de datos.",
        "outcome-share_story": "on",
    }
    client.post(reverse("counterparts:outcome_record", args=[engagement.pk]), outcome)
    client.force_login(profile.user)
    client.post(
        reverse("counterparts:outcome_record", args=[engagement.pk]),
        {**outcome, "outcome-rating": "4", "outcome-story": "Aprendí mucho."},
    )
    sides = dict(engagement.outcomes.values_list("side", "rating"))
    assert sides == {"organization": 5, "member": 4}
    page = client.get(url).content.decode()
    assert "Ambas partes aceptaron publicarlas" in page
    # The public page of the organisation shows the stories both agreed to publish.
    public = client.get(reverse("counterparts:detail", args=[engagement.organization.slug]))
    assert "Aprendí mucho." in public.content.decode()
    # A second outcome of the same side is refused.
    again = client.post(reverse("counterparts:outcome_record", args=[engagement.pk]), outcome)
    assert again.status_code == 302 and engagement.outcomes.count() == 2


def test_a_story_only_one_side_agreed_to_stays_private(client):
    engagement = _engagement()
    engagement = engagements.start_engagement(engagement_id=engagement.pk, by=None)
    engagements.complete_engagement(engagement_id=engagement.pk, by=None)
    client.force_login(engagement.member.user)
    client.post(
        reverse("counterparts:outcome_record", args=[engagement.pk]),
        {
            "outcome-hours_given": "3",
            "outcome-students_hosted": "0",
            "outcome-agreements_signed": "0",
            "outcome-projects_started": "0",
            "outcome-rating": "3",
            "outcome-story": "Historia privada.",
            "outcome-share_story": "on",
        },
    )
    assert engagement.outcomes.count() == 1
    public = client.get(reverse("counterparts:detail", args=[engagement.organization.slug]))
    assert "Historia privada." not in public.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome-rating": "6"}, "rating"),
        ({"outcome-rating": "0"}, "rating"),
        ({"outcome-hours_given": "-1"}, "hours_given"),
        ({"outcome-hours_given": "100001"}, "hours_given"),
        ({"outcome-hours_given": "diez"}, "hours_given"),
    ],
)
def test_bad_outcomes_are_refused_with_a_message_and_save_nothing(client, data, field):
    engagement = _engagement()
    engagements.start_engagement(engagement_id=engagement.pk, by=None)
    engagements.complete_engagement(engagement_id=engagement.pk, by=None)
    client.force_login(engagement.member.user)
    base = {
        "outcome-hours_given": "3",
        "outcome-students_hosted": "0",
        "outcome-agreements_signed": "0",
        "outcome-projects_started": "0",
        "outcome-rating": "3",
    }
    response = client.post(
        reverse("counterparts:outcome_record", args=[engagement.pk]), {**base, **data}
    )
    assert response.status_code == 200
    assert field in response.context["outcome_form"].errors
    assert not engagement.outcomes.exists()


def test_cancel_without_a_reason_and_bad_dates_are_refused(client):
    engagement = _engagement()
    client.force_login(engagement.member.user)
    response = client.post(
        reverse("counterparts:engagement_cancel", args=[engagement.pk]), {"cancel-reason": " "}
    )
    assert response.status_code == 200
    assert str(CANCEL_REASON_REQUIRED) in response.content.decode()
    response = client.post(
        reverse("counterparts:milestone_add", args=[engagement.pk]),
        {"milestone-title": "Hito", "milestone-due_on": "20266-01-01"},
    )
    assert response.status_code == 200 and not engagement.milestones.exists()
    response = client.post(
        reverse("counterparts:milestone_add", args=[engagement.pk]),
        {"milestone-title": "Hito", "milestone-due_on": "1999-01-01"},
    )
    assert str(MILESTONE_DATE_RANGE) in response.content.decode()
    assert Engagement.objects.get().state == "planned"
    client.post(
        reverse("counterparts:engagement_cancel", args=[engagement.pk]),
        {"cancel-reason": "Sin presupuesto."},
    )
    assert Engagement.objects.get().state == "cancelled"


def test_outsiders_and_another_sectors_coordinator_get_404_and_change_nothing(client):
    engagement = _engagement()
    url = reverse("counterparts:engagement", args=[engagement.pk])
    start = reverse("counterparts:engagement_start", args=[engagement.pk])
    for outsider in (member(), organization(owner=member()).people.get().user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(start).status_code == 404
    other = coordinator("salud")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(start).status_code == 404
    assert Engagement.objects.get().state == "planned"
    client.logout()
    assert client.get(url).status_code == 302


def test_the_sectors_coordinator_sees_and_manages_it(client):
    engagement = _engagement()
    coord = coordinator("tic")
    client.force_login(coord)
    url = reverse("counterparts:engagement", args=[engagement.pk])
    assert client.get(url).status_code == 200
    client.post(reverse("counterparts:engagement_start", args=[engagement.pk]))
    assert Engagement.objects.get().state == "active"
    # The PNCS records no outcome of its own.
    client.post(reverse("counterparts:engagement_complete", args=[engagement.pk]))
    assert "outcome_form" not in client.get(url).context


def test_my_engagements_lists_the_persons_own_only(client):
    mine = _engagement(title="La mía")
    _engagement(title="La de otra persona")
    client.force_login(mine.member.user)
    page = client.get(reverse("counterparts:engagements")).content.decode()
    assert "La mía" in page and "La de otra persona" not in page


# --- the coordinator's pipeline, its export and the yearly report ------------------------------


def _completed(**fields):
    engagement = _engagement(**fields)
    engagements.start_engagement(engagement_id=engagement.pk, by=None)
    engagements.complete_engagement(engagement_id=engagement.pk, by=None)
    EngagementOutcome.objects.create(
        engagement=engagement,
        side="member",
        hours_given=10,
        students_hosted=2,
        agreements_signed=1,
        projects_started=1,
        rating=4,
        recorded_at=timezone.now(),
    )
    return engagement


def test_the_pipeline_shows_its_sector_only_with_filters(client, django_assert_num_queries):
    coord = coordinator("tic")
    _completed(title="Concluida de TIC")
    _engagement(title="Planeada de TIC", kind="visit")
    _engagement(title="De salud", sector="salud", org=organization(owner=member(), sector="salud"))
    client.force_login(coord)
    url = reverse("counterparts:pipeline")
    page = client.get(url).content.decode()
    assert "Concluida de TIC" in page and "Planeada de TIC" in page
    assert "De salud" not in page
    page = client.get(url, {"state": "completed"}).content.decode()
    assert "Concluida de TIC" in page and "Planeada de TIC" not in page
    page = client.get(url, {"kind": "visit"}).content.decode()
    assert "Planeada de TIC" in page and "Concluida de TIC" not in page
    response = client.get(url, {"state": "nonsense", "date_from": "2026-02-30"})
    assert response.status_code == 200 and "Concluida de TIC" not in response.content.decode()
    assert response.context["form"].errors.keys() == {"state", "date_from"}
    # The page's statements do not grow with its rows.
    expected = _count_queries(client, url)
    for _n in range(3):
        _completed()
    with django_assert_num_queries(expected):
        client.get(url)


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_the_pipeline_export_is_audited_and_holds_the_allowed_columns(client):
    from pncs.models import SearchAudit

    coord = coordinator("tic")
    _completed(title="=HYPERLINK(1)")
    _engagement(title="De salud", sector="salud", org=organization(owner=member(), sector="salud"))
    client.force_login(coord)
    response = client.get(reverse("counterparts:pipeline_export"), {"state": "completed"})
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["Colaboración", "Título", "Tipo", "Estado"]
    assert len(lines) == 2 and lines[1][1] == "'=HYPERLINK(1)"
    assert "De salud" not in text and "@" not in text
    audit = SearchAudit.objects.get()
    assert audit.user == coord and audit.action == "export_csv" and audit.row_count == 1
    assert audit.filters == {"export": "engagement_pipeline", "state": "completed"}


def test_members_and_organisations_cannot_open_the_pipeline(client):
    engagement = _engagement()
    for user in (engagement.member.user, engagement.organization.people.get().user):
        client.force_login(user)
        assert client.get(reverse("counterparts:pipeline")).status_code == 403
        assert client.get(reverse("counterparts:pipeline_export")).status_code == 403


def test_the_yearly_report_of_a_pncs_as_pdf_and_csv(client):
    from pypdf import PdfReader

    from pncs.models import Pncs

    coord = coordinator("tic")
    _completed(title="Concluida")
    client.force_login(coord)
    point = Pncs.objects.get(sector__slug="tic")
    year = timezone.localdate().year
    response = client.get(reverse("counterparts:yearly_report", args=[point.pk, year, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Alcance", "Organizaciones atendidas", "1"] in rows
    assert ["Resultados registrados", "Horas dedicadas", "10"] in rows
    response = client.get(reverse("counterparts:yearly_report", args=[point.pk, year, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert f"Informe anual {year}" in text and "Organizaciones atendidas" in text
    # Another sector's PNCS, a year to come and another extension are 404.
    other = coordinator("salud").coordinated_pncs.get()
    assert (
        client.get(reverse("counterparts:yearly_report", args=[other.pk, year, "pdf"])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("counterparts:yearly_report", args=[point.pk, year + 1, "pdf"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("counterparts:yearly_report", args=[point.pk, year, "exe"])).status_code
        == 404
    )


# --- personal data ----------------------------------------------------------------------------


def test_engagements_are_in_the_members_export_and_lose_their_text_at_deletion():
    from counterparts import personal_data
    from members.services import delete_account, export_member_data

    done = _completed(title="Concluida")
    profile = done.member
    done.outcomes.filter(side="member").update(story="Mi historia.", share_story=True)
    EngagementOutcome.objects.create(
        engagement=done,
        side="organization",
        rating=5,
        story="La nuestra.",
        share_story=True,
        recorded_at=timezone.now(),
    )
    still_open = _engagement(profile=profile, title="Abierta", kind="mentoring")
    still_open.sessions.create(
        held_on=timezone.localdate(),
        minutes=30,
        topic="Tema",
        notes="Notas mías",
        created_by=profile.user,
        created_at=timezone.now(),
    )
    [row, other] = export_member_data(user=profile.user)["counterparts"]["engagements"]
    assert row["title"] == "Concluida" and row["role"] == "member"
    assert row["outcomes"][0]["story"] in ("Mi historia.", "La nuestra.")
    assert other["sessions"][0]["notes"] == "Notas mías"
    assert [step["step"] for step in row["history"]] == ["opened", "started", "completed"]

    delete_account(user=profile.user)
    still_open.refresh_from_db()
    assert still_open.state == "cancelled" and still_open.cancelled_at is not None
    mine = EngagementOutcome.objects.get(engagement=done, side="member")
    assert mine.story == "" and not mine.share_story and mine.hours_given == 10
    assert still_open.sessions.get().notes == ""
    assert not engagements.public_stories().exists()
    # The coarse facts stay for the figures.
    assert Engagement.objects.filter(state="completed", kind="mentoring").count() == 1
    assert personal_data.export(profile.user)["engagements"][0]["outcomes"][0]["story"] in (
        "",
        "La nuestra.",
    )


# --- the organisation hears of declined and expired invitations --------------------------------


def test_the_organisation_is_told_when_a_member_declines_without_learning_who(
    django_capture_on_commit_callbacks,
):
    owner = member()
    profile = ProfileFactory(sectors=["tic"], pncs_contact=True, given_names="Secreta")
    _filed, invitation = _invited(organization(owner=owner), profile)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_invitation(
            invitation_id=invitation.pk, user=profile.user, accept=False, reason="Sin tiempo"
        )
    [notice] = mail.outbox
    assert notice.to == [owner.email] and "declinó" in notice.subject
    assert "Secreta" not in notice.body and "Sin tiempo" not in notice.body
    assert profile.user.email not in notice.body


def test_the_organisation_is_told_once_when_invitations_expire(
    django_capture_on_commit_callbacks,
):
    owner = member()
    first = ProfileFactory(sectors=["tic"], pncs_contact=True)
    second = ProfileFactory(sectors=["tic"], pncs_contact=True)
    filed = _accepted(organization(owner=owner))
    services.invite_members(
        expertise_request=filed,
        member_ids=[first.user_id, second.user_id],
        by=filed.opportunity.created_by,
    )
    MemberInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_invitations() == 2
        assert services.expire_invitations() == 0
    [notice] = mail.outbox
    assert notice.to == [owner.email]
    assert "2 invitaciones" in notice.body and "vencieron" in notice.body


def test_the_overdue_count_is_on_the_pncs_area_and_imes_dashboard(client):
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF
    from figures.services import refresh_figures
    from tests.factories import UserFactory, with_totp

    from .test_requests import _request

    _request(
        organization(owner=member()),
        submitted_at=timezone.now() - timedelta(days=30),
    )
    client.force_login(coordinator("tic"))
    page = client.get(reverse("pncs:manage")).content.decode()
    assert "Vencidas: 1" in page and reverse("counterparts:pipeline") in page
    refresh_figures()
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(staff)
    client.force_login(staff)
    page = client.get(reverse("figures_staff")).content.decode()
    assert "Vencidas: 1" in page
