"""Merging two accounts of one person (issue 26): everything moves to the kept account in
one transaction, conflicts keep the more advanced row and record the dropped one, the
closing account is deleted as a cancellation deletes it, the member's export explains the
merge; links are signed, expire, serve once and are refused clearly otherwise."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chapters.models import Membership, Registration
from members import messages as msg
from members.models import AccountMerge, ConsentRecord, DuplicateCandidate, Profile, User
from members.services import export_member_data
from members.services.duplicates import flag_duplicates
from members.services.merging import (
    KEPT,
    LINK_ADDRESS_CHANGED,
    LINK_CLOSED,
    LINK_EXPIRED,
    LINK_INVALID,
    LINK_USED,
    MERGED,
    MergeLinkError,
    confirm_merge,
    make_merge_token,
    start_self_merge,
    start_staff_merge,
)
from pncs.models import Interest
from programs.models import Application
from tests.factories import (
    ApplicationFactory,
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OpportunityFactory,
    ProgramFactory,
    RegistrationFactory,
    UserFactory,
    member,
)
from tests.members.test_data_and_directory import recent_login

pytestmark = pytest.mark.django_db


def _pair():
    kept = member(
        user=UserFactory(email="zaca.quinta@example.org"),
        given_names="Zacarías",
        paternal_surname="Quintanilla",
        maternal_surname="",
        city="",
    )
    merged = member(
        user=UserFactory(email="zq.otra@example.net"),
        given_names="Zacarías",
        paternal_surname="Quintanilla",
        maternal_surname="Ruiz",
        city="Toronto",
        orcid="0000-0002-1825-0097",
    )
    return kept, merged


def _links(outbox):
    return [re.search(r"https?://\S+/merge/confirm/\S+/", m.body).group(0) for m in outbox]


def _path(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _staff_merge(kept, merged, django_capture_on_commit_callbacks):
    flag_duplicates(user_id=merged.pk)
    candidate = DuplicateCandidate.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        merge = start_staff_merge(candidate_id=candidate.pk, keep_user_id=kept.pk, by=None)
    return merge


def test_a_merge_with_conflicting_data_keeps_the_more_advanced_rows_and_records_the_rest(
    django_capture_on_commit_callbacks,
):
    kept, merged = _pair()
    both_chapter = ChapterFactory(name="Capítulo Toronto")
    only_theirs = ChapterFactory(name="Capítulo Montreal")
    MembershipFactory(chapter=both_chapter, user=kept, status=Membership.Status.PENDING)
    MembershipFactory(chapter=both_chapter, user=merged, status=Membership.Status.APPROVED)
    MembershipFactory(chapter=only_theirs, user=merged, status=Membership.Status.APPROVED)
    jornada = JornadaFactory(title_es="Jornada de Toronto")
    RegistrationFactory(jornada=jornada, user=kept, status=Registration.Status.CONFIRMED)
    RegistrationFactory(jornada=jornada, user=merged, status=Registration.Status.WAITLISTED)
    program = ProgramFactory()
    ApplicationFactory(program=program, user=merged)
    opportunity = OpportunityFactory()
    Interest.objects.create(opportunity=opportunity, member=kept, status=Interest.Status.PENDING)
    Interest.objects.create(opportunity=opportunity, member=merged, status=Interest.Status.ACCEPTED)
    ConsentRecord.objects.create(user=merged, purpose="pncs_contact", value="yes", source="signup")

    merge = _staff_merge(kept, merged, django_capture_on_commit_callbacks)
    assert {m.to[0] for m in mail.outbox} == {kept.email, merged.email}
    tokens = {side: make_merge_token(merge=merge, side=side) for side in (KEPT, MERGED)}
    assert confirm_merge(token=tokens[KEPT]).status == AccountMerge.Status.PENDING
    # Nothing moved after one confirmation.
    assert Membership.objects.filter(user=merged).count() == 2
    done = confirm_merge(token=tokens[MERGED])
    assert done.status == AccountMerge.Status.DONE

    # The approved membership won over the pending one; the other chapter moved.
    assert dict(Membership.objects.filter(user=kept).values_list("chapter__name", "status")) == {
        "Capítulo Toronto": "approved",
        "Capítulo Montreal": "approved",
    }
    # The confirmed registration stayed; the waitlisted one left with the closed account.
    assert list(Registration.objects.filter(user=kept).values_list("status", flat=True)) == [
        "confirmed"
    ]
    assert Application.objects.filter(user=kept, program=program).exists()
    assert Interest.objects.get(member=kept, opportunity=opportunity).status == "accepted"
    assert ConsentRecord.objects.filter(user=kept, purpose="pncs_contact", value="yes").exists()
    # The kept profile took what it lacked.
    profile = Profile.objects.get(user=kept)
    assert (profile.city, profile.orcid, profile.maternal_surname) == (
        "Toronto",
        "0000-0002-1825-0097",
        "Ruiz",
    )
    # The other account is closed as a cancellation closes it.
    closed = User.objects.get(pk=merged.pk)
    assert not closed.is_active and closed.deleted_at is not None
    assert closed.email == f"deleted-{merged.pk}@deleted.invalid"
    assert Profile.objects.get(user=closed).given_names == ""
    # What was dropped is recorded.
    dropped = [
        (entry["model"], item["what"])
        for entries in done.summary.values()
        for entry in entries
        for item in entry["dropped"]
    ]
    assert ("chapters.membership", "Capítulo Toronto") in dropped
    assert ("chapters.registration", "Jornada de Toronto") in dropped
    assert ("pncs.interest", opportunity.title_es) in dropped
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.MERGED


def test_the_export_explains_the_merge_in_plain_words(django_capture_on_commit_callbacks):
    kept, merged = _pair()
    MembershipFactory(chapter=ChapterFactory(name="Capítulo Toronto"), user=merged)
    merge = _staff_merge(kept, merged, django_capture_on_commit_callbacks)
    for side in (KEPT, MERGED):
        confirm_merge(token=make_merge_token(merge=merge, side=side))
    data = export_member_data(user=User.objects.get(pk=kept.pk))
    [explained] = data["account_merges"]
    assert explained["merged_account"] == "zq.otra@example.net"
    assert "zq.otra@example.net" in explained["explanation"]
    assert "se fusionó con esta" in explained["explanation"]
    assert any("1" in line for line in explained["moved"])


def test_a_member_merges_their_own_two_accounts_from_my_data(
    client, django_capture_on_commit_callbacks
):
    kept, merged = _pair()
    MembershipFactory(chapter=ChapterFactory(name="Capítulo Montreal"), user=merged)
    client.force_login(kept)
    recent_login(client)
    assert client.get(reverse("members:merge_start")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:merge_start"), {"email": "ZQ.otra@example.net"})
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == ["zq.otra@example.net"]
    link = _path(_links(mail.outbox)[0])
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "zaca.quinta@example.org" not in page.content.decode()
    done = client.post(link)
    assert done.status_code == 200
    assert str(msg.MERGE_DONE) in done.content.decode()
    assert Membership.objects.filter(user=kept, chapter__name="Capítulo Montreal").exists()
    assert not User.objects.get(pk=merged.pk).is_active


def test_asking_for_an_unknown_address_answers_the_same_and_mails_nobody(
    client, django_capture_on_commit_callbacks
):
    kept, merged = _pair()
    client.force_login(kept)
    recent_login(client)
    answers = []
    for email in ("nadie@example.org", merged.email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("members:merge_start"), {"email": email}, follow=True)
        answers.append([str(m) for m in response.context["messages"]])
    assert answers[0] == answers[1]
    assert [m.to for m in mail.outbox] == [[merged.email]]


def test_one_s_own_address_is_refused_and_nothing_is_started(client):
    kept, _merged = _pair()
    client.force_login(kept)
    recent_login(client)
    response = client.post(reverse("members:merge_start"), {"email": kept.email})
    assert response.status_code == 200
    assert str(msg.MERGE_SAME_ACCOUNT) in response.content.decode()
    assert not AccountMerge.objects.exists()


def test_merge_start_asks_to_sign_in_again_before_sending(client):
    kept, merged = _pair()
    client.force_login(kept)
    response = client.post(reverse("members:merge_start"), {"email": merged.email})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AccountMerge.objects.exists()


def _refused(client, token, message):
    response = client.get(reverse("members:merge_confirm", args=[token]))
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    post = client.post(reverse("members:merge_confirm", args=[token]))
    assert post.status_code == 400


def test_a_tampered_link_is_refused_clearly(client):
    kept, merged = _pair()
    merge = start_self_merge(user=kept, other_email=merged.email)
    token = make_merge_token(merge=merge, side=MERGED)
    _refused(client, token[:-3] + "abc", LINK_INVALID)
    _refused(client, "nonsense", LINK_INVALID)
    assert AccountMerge.objects.get().merged_confirmed_at is None


def test_an_expired_link_is_refused_clearly(client, monkeypatch, settings):
    import time

    kept, merged = _pair()
    merge = start_self_merge(user=kept, other_email=merged.email)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - (settings.MERGE_LINK_HOURS + 1) * 3600)
    token = make_merge_token(merge=merge, side=MERGED)
    monkeypatch.setattr(time, "time", real)
    _refused(client, token, LINK_EXPIRED)
    # And one whose merge ran out (the row's own deadline).
    AccountMerge.objects.filter(pk=merge.pk).update(expires_at=timezone.now() - timedelta(1))
    _refused(client, make_merge_token(merge=merge, side=MERGED), LINK_EXPIRED)
    assert User.objects.get(pk=merged.pk).is_active


def test_a_used_link_is_refused_clearly(client, django_capture_on_commit_callbacks):
    kept, merged = _pair()
    merge = _staff_merge(kept, merged, django_capture_on_commit_callbacks)
    token = make_merge_token(merge=merge, side=KEPT)
    assert client.post(reverse("members:merge_confirm", args=[token])).status_code == 200
    _refused(client, token, LINK_USED)
    confirm_merge(token=make_merge_token(merge=merge, side=MERGED))
    _refused(client, make_merge_token(merge=merge, side=MERGED), LINK_CLOSED)


def test_a_link_is_void_once_the_address_changed(client):
    kept, merged = _pair()
    merge = start_self_merge(user=kept, other_email=merged.email)
    token = make_merge_token(merge=merge, side=MERGED)
    User.objects.filter(pk=merged.pk).update(email="nueva@example.net")
    _refused(client, token, LINK_ADDRESS_CHANGED)
    with pytest.raises(MergeLinkError):
        confirm_merge(token=token)


def test_staff_cannot_start_a_second_merge_of_an_account_in_a_pending_one(
    django_capture_on_commit_callbacks,
):
    kept, merged = _pair()
    start_self_merge(user=kept, other_email=merged.email)
    flag_duplicates(user_id=merged.pk)
    candidate = DuplicateCandidate.objects.get()
    assert start_staff_merge(candidate_id=candidate.pk, keep_user_id=kept.pk, by=None) is None


def test_the_staff_review_list_and_the_merge_form(client, django_capture_on_commit_callbacks):
    from tests.factories import with_totp

    kept, merged = _pair()
    flag_duplicates(user_id=merged.pk)
    candidate = DuplicateCandidate.objects.get()
    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF

    staff.groups.add(Group.objects.get_or_create(name=IME_STAFF)[0])
    with_totp(staff)
    client.force_login(staff)
    listing = client.get(reverse("admin:members_duplicatecandidate_changelist"))
    assert listing.status_code == 200
    assert "Nombre parecido" in listing.content.decode()
    url = reverse("admin:members_duplicatecandidate_merge", args=[candidate.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"keep": "999999"})
    assert bad.status_code == 200 and not AccountMerge.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"keep": str(kept.pk)})
    merge = AccountMerge.objects.get()
    assert (merge.kept_id, merge.merged_id, merge.started_by_id) == (kept.pk, merged.pk, staff.pk)
    assert len(mail.outbox) == 2


def test_staff_dismiss_a_pair(client):
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF
    from tests.factories import with_totp

    _kept, merged = _pair()
    flag_duplicates(user_id=merged.pk)
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name=IME_STAFF)[0])
    with_totp(staff)
    client.force_login(staff)
    candidate = DuplicateCandidate.objects.get()
    client.post(
        reverse("admin:members_duplicatecandidate_changelist"),
        {"action": "dismiss", "_selected_action": [candidate.pk]},
    )
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.DISMISSED
    assert candidate.reviewed_by == staff


def test_every_app_that_stores_personal_data_says_how_its_rows_move():
    from members.plugins import app_modules

    modules = dict(app_modules("personal_data"))
    assert {"chapters", "pncs", "programs", "counterparts", "messaging", "news"} <= set(modules)
    assert [label for label, module in modules.items() if not hasattr(module, "merge")] == []


def test_the_certificate_and_the_officer_term_move_with_the_account(
    django_capture_on_commit_callbacks,
):
    from chapters.models import Officer
    from programs.models import Certificate
    from programs.services import issue_certificates
    from tests.factories import OfficerFactory, participant, program_with_stages

    kept, merged = _pair()
    _program, stage, _stage2 = program_with_stages()
    participant(stage, user=merged, score=95, completed=True, certified=True)
    issue_certificates(stage=stage)
    OfficerFactory(user=merged)
    merge = _staff_merge(kept, merged, django_capture_on_commit_callbacks)
    for side in (KEPT, MERGED):
        confirm_merge(token=make_merge_token(merge=merge, side=side))
    certificates = Certificate.objects.filter(enrolment__application__user=kept)
    assert certificates.exists()
    assert not certificates.filter(revoked_at__isnull=False).exists()
    assert Officer.objects.filter(user=kept).exists()


def test_the_conversations_of_the_closing_account_become_the_kept_one_s(
    django_capture_on_commit_callbacks,
):
    from messaging.models import Message, Party, Thread
    from messaging.services import open_thread, person_party, send_message

    kept, merged = _pair()
    beto = member(given_names="Beto")
    thread = open_thread(
        topic="Plática en Houston",
        parties=[person_party(merged, "Zacarías Q."), person_party(beto, "Beto")],
    )
    send_message(thread=thread, sender=merged, body="Hola, Beto.")
    merge = _staff_merge(kept, merged, django_capture_on_commit_callbacks)
    for side in (KEPT, MERGED):
        confirm_merge(token=make_merge_token(merge=merge, side=side))
    assert Thread.objects.visible_to(kept).filter(pk=thread.pk).exists()
    assert Party.objects.filter(thread=thread, owner=kept, key=f"user:{kept.pk}").exists()
    assert Message.objects.get(thread=thread).sender_id == kept.pk


def test_engagements_internship_applications_and_survey_answers_move_with_the_account(
    django_capture_on_commit_callbacks,
):
    """The apps of issues 20 and 26 declare their rows too: an engagement moves whole; both
    applied to one placement: the accepted application stays and the other is recorded as
    dropped; both answered one survey: the earlier answer stays (one person, one answer)."""
    from datetime import timedelta

    from counterparts.models import Engagement
    from counterparts.services import open_engagement
    from internships.models import Application as InternshipApplication
    from members.models import Sector
    from surveys.models import Response
    from tests.internships.factories import application, placement, student
    from tests.surveys.conftest import make_survey

    kept, merged = _pair()
    engagement = open_engagement(
        kind="mentoring",
        sector=Sector.objects.get(slug="tic"),
        member=Profile.objects.get(user=merged),
        title="Mentoría de un programa",
        notify=False,
    )
    offer = placement(host=member(given_names="Anfitriona"))
    student(user=kept)
    student(user=merged)
    application(placement=offer, student=kept, status="applied")
    application(placement=offer, student=merged, status="accepted")
    survey = make_survey()
    now = timezone.now()
    Response.objects.create(survey=survey, user=merged, submitted_at=now - timedelta(days=2))
    Response.objects.create(survey=survey, user=kept, submitted_at=now)
    merge = _staff_merge(kept, merged, django_capture_on_commit_callbacks)
    for side in (KEPT, MERGED):
        confirm_merge(token=make_merge_token(merge=merge, side=side))
    assert Engagement.objects.get(pk=engagement.pk).member_id == kept.pk
    applications = InternshipApplication.objects.filter(placement=offer)
    assert [(a.student_id, a.status) for a in applications] == [(kept.pk, "accepted")]
    response = Response.objects.get(survey=survey)
    assert response.user_id == kept.pk and response.submitted_at == now - timedelta(days=2)
    summary = str(AccountMerge.objects.get(pk=merge.pk).summary)
    assert "internships.application" in summary and "surveys.response" in summary
