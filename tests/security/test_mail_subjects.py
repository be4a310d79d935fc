"""Email subjects (issue 17, item 12): the interest-decision subject arrived HTML-escaped
(`&quot;`). Every subject the project sends is plain text on one line: subject templates
(the project's and allauth's) render through `core.emails.render_subject` without HTML
escaping, subjects written in code through `clean_subject`. Every mail the project sends is
triggered here with a title holding quotes, <, & and a line break; the inventory test fails
when a new way of sending mail appears in the code without being added here."""

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.urls import reverse

from announcements.mail import build_message
from announcements.models import Announcement
from chapters.models import Membership
from chapters.services import decide_membership, register_for_jornada, send_jornada_reminders
from core.emails import clean_subject, render_subject
from members.models import ArcoRequest, PrivacyNotice
from members.services import create_arco_request
from pncs.models import Interest
from pncs.services import decide_interest
from programs.services import decide_applications, select_for_next_stage
from tests.factories import (
    AnnouncementFactory,
    ApplicationFactory,
    ChapterFactory,
    JornadaFactory,
    OpportunityFactory,
    RegistrationFactory,
    coordinator,
    member,
    participant,
    program_with_stages,
)
from tests.test_architecture import APPS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TITLE = 'Ciencia "abierta" <IA> & datos\r\nBcc: victima@evil.example'
SHOWN = 'Ciencia "abierta" <IA> & datos Bcc: victima@evil.example'
ENTITIES = re.compile(r"&(?:quot|lt|gt|amp|#x?[0-9a-fA-F]+);")


def _assert_plain_one_line(subject, *, holds=None):
    assert "\n" not in subject and "\r" not in subject, subject
    assert not ENTITIES.search(subject), f"HTML-escaped subject: {subject!r}"
    if holds is not None:
        assert holds in subject, subject


def _sent(django_capture_on_commit_callbacks, action):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        action()
    assert mail.outbox, "no mail was sent"
    for message in mail.outbox:
        rendered = message.message()
        assert rendered["Bcc"] is None
        _assert_plain_one_line(str(message.subject))
    return list(mail.outbox)


class _Anything:
    """A template value whose every attribute, item and text is the nasty title."""

    def __getattr__(self, name):
        return TITLE

    def __getitem__(self, key):
        return TITLE

    def __str__(self):
        return TITLE


class _Everything(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return _Anything()


def _subject_templates():
    """Every *subject*.txt the template engine can load: the project's and installed apps'."""
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(app.path) / "templates" for app in apps.get_app_configs()]
    names = set()
    for root in roots:
        if root.is_dir():
            names |= {str(p.relative_to(root)) for p in root.rglob("*subject*.txt")}
    return sorted(names)


def test_every_subject_template_renders_plain_text_on_one_line():
    names = _subject_templates()
    assert "pncs/email/interest_decision_subject.txt" in names
    assert "account/email/email_confirmation_subject.txt" in names  # allauth's
    for name in names:
        subject = render_subject(name, _Everything())
        _assert_plain_one_line(subject)
    assert SHOWN in render_subject("pncs/email/interest_decision_subject.txt", _Everything())


def test_clean_subject_keeps_the_text_and_drops_line_breaks_and_controls():
    assert clean_subject(TITLE) == SHOWN
    assert clean_subject("a\u2028b\x00c\x85d\t e") == "a b c d e"
    assert clean_subject(None) == ""


def test_the_interest_decision_subject_is_not_html_escaped(django_capture_on_commit_callbacks):
    coord = coordinator("tic")
    opportunity = OpportunityFactory(pncs=coord.coordinated_pncs.get(), title_es=TITLE)
    interest = Interest.objects.create(opportunity=opportunity, member=member())
    (message,) = _sent(
        django_capture_on_commit_callbacks,
        lambda: decide_interest(interest_id=interest.pk, status="accepted", by=coord),
    )
    _assert_plain_one_line(message.subject, holds=SHOWN)


def test_program_decision_and_selection_subjects_are_plain(django_capture_on_commit_callbacks):
    program, stage1, _stage2 = program_with_stages(seats=1)
    program.name_es = TITLE
    program.save(update_fields=["name_es"])
    application = ApplicationFactory(program=program)
    (message,) = _sent(
        django_capture_on_commit_callbacks,
        lambda: decide_applications(application_ids=[application.pk], decision="accepted"),
    )
    _assert_plain_one_line(message.subject, holds=SHOWN)

    _program, first, second = program_with_stages(seats=1, slug="seleccion")
    second.name_es = TITLE
    second.save(update_fields=["name_es"])
    participant(first, score=Decimal("90"), completed=True)
    messages = _sent(
        django_capture_on_commit_callbacks,
        lambda: select_for_next_stage(stage=first, count=1, waitlist=0),
    )
    for message in messages:
        _assert_plain_one_line(message.subject, holds=SHOWN)
    assert stage1.pk != first.pk


def test_chapter_and_jornada_subjects_are_plain(django_capture_on_commit_callbacks):
    chapter = ChapterFactory(name=TITLE[:120])
    officer = member()
    request = Membership.objects.create(chapter=chapter, user=member(), status="pending")
    _sent(
        django_capture_on_commit_callbacks,
        lambda: decide_membership(membership_id=request.pk, decided_by=officer, approve=True),
    )
    jornada = JornadaFactory(title_es=TITLE[:200], chapter=chapter)
    _sent(
        django_capture_on_commit_callbacks,
        lambda: register_for_jornada(jornada_id=jornada.pk, user=member()),
    )


def test_the_arco_acknowledgement_subject_is_plain(django_capture_on_commit_callbacks):
    user = member()
    _sent(
        django_capture_on_commit_callbacks,
        lambda: create_arco_request(user=user, kind=ArcoRequest.Kind.ACCESS, description=TITLE),
    )


def test_allauth_mail_subjects_are_plain(client, django_capture_on_commit_callbacks):
    notice = PrivacyNotice.objects.current()
    messages = _sent(
        django_capture_on_commit_callbacks,
        lambda: client.post(
            reverse("account_signup"),
            {
                "email": "nueva@example.org",
                "password1": "una frase de paso larga 2026",
                "password2": "una frase de paso larga 2026",
                "privacy_version": notice.version,
                "accept_privacy": "on",
            },
        ),
    )
    assert all(m.subject.startswith("[Red de Talentos Mexicanos] ") for m in messages)


def test_announcement_and_reminder_subjects_are_plain_in_both_languages():
    chapter = ChapterFactory()
    announcement = AnnouncementFactory(
        audience_chapters=[chapter], subject_es=TITLE[:200], subject_en=TITLE[:200]
    )
    for language in ("es-mx", "en"):
        user = member()
        user.preferred_language = language
        message = build_message(announcement, user)
        _assert_plain_one_line(message.subject, holds=SHOWN)
        assert message.message()["Bcc"] is None

    from django.utils import timezone

    jornada = JornadaFactory(
        title_es=TITLE[:200], starts_at=timezone.now() + timezone.timedelta(hours=3)
    )
    RegistrationFactory(jornada=jornada, user=member())
    assert send_jornada_reminders() == 1
    reminder = Announcement.objects.get(reminder_for=jornada)
    _assert_plain_one_line(build_message(reminder, member()).subject, holds=SHOWN)


def test_message_notice_and_organisation_subjects_are_plain(django_capture_on_commit_callbacks):
    from counterparts.services import decide_organization, invite_person
    from messaging.services import PartySpec, open_thread, person_party, send_message
    from tests.counterparts.factories import organization

    ana, olga = member(), member()
    thread = open_thread(
        topic=TITLE[:200],
        parties=[person_party(ana, TITLE), PartySpec(key="org:1", label=TITLE, users=(olga,))],
    )
    _sent(
        django_capture_on_commit_callbacks,
        lambda: send_message(thread=thread, sender=ana, body="Hola"),
    )
    org = organization(owner=olga, legal_name=TITLE[:200], status="pending")
    notices = _sent(
        django_capture_on_commit_callbacks,
        lambda: invite_person(organization=org, email="x@example.org", role="member", by=olga),
    )
    _sent(
        django_capture_on_commit_callbacks,
        lambda: decide_organization(
            organization_id=org.pk, status="declined", reason=TITLE, by=coordinator("tic")
        ),
    )
    assert SHOWN in notices[0].subject


def test_a_news_decision_mail_names_the_post_on_one_plain_line(django_capture_on_commit_callbacks):
    from news.services import approve_post
    from tests.factories import PostFactory, UserFactory

    author = coordinator("tic")
    post = PostFactory(status="pending", author=author, title_es=TITLE[:200])
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: approve_post(post_id=post.pk, by=UserFactory(is_staff=True)),
    )
    _assert_plain_one_line(sent[0].subject, holds=SHOWN)


def test_jornada_proposal_and_announcement_review_subjects_are_plain(
    django_capture_on_commit_callbacks,
):
    from django.contrib.auth.models import Group

    from announcements.services import review_announcement, submit_for_approval
    from chapters.models import JornadaProposal
    from chapters.services import decide_proposal
    from core.access import IME_STAFF
    from members.models import Sector
    from tests.factories import AgendaItemFactory, UserFactory

    author = coordinator("tic")
    ime = UserFactory(is_staff=True)
    ime.groups.add(Group.objects.get(name=IME_STAFF))
    item = AgendaItemFactory(jornada=JornadaFactory(title_es=TITLE[:200]))
    proposal = JornadaProposal.objects.create(
        jornada=item.jornada,
        sector=Sector.objects.get(slug="tic"),
        proposed_by=author,
        kind="speaker",
        agenda_item=item,
        name=TITLE[:160],
    )
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: decide_proposal(proposal_id=proposal.pk, by=ime, accept=False, reason=TITLE),
    )
    _assert_plain_one_line(sent[0].subject)
    assert 'Ciencia "abierta" <IA> & datos' in sent[0].body  # not HTML-escaped
    announcement = submit_for_approval(
        by=author,
        kind="opportunities",
        sector_ids=[Sector.objects.get(slug="tic").pk],
        subject_es=TITLE[:200],
        subject_en=TITLE[:200],
        body_es="Hola",
        body_en="Hello",
    )
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: review_announcement(
            announcement_id=announcement.pk, by=ime, approve=False, reason="No."
        ),
    )
    _assert_plain_one_line(sent[0].subject)


def test_internship_subjects_are_plain(django_capture_on_commit_callbacks):
    from internships import services
    from tests.internships.factories import placement, student

    host = member()
    coordinator("tic")
    row = placement(host=host, title_es=TITLE[:200], status="submitted")
    reviewed = _sent(
        django_capture_on_commit_callbacks,
        lambda: services.review_placement(
            placement_id=row.pk, decision="published", reason=TITLE, by=None
        ),
    )
    applicant = student(full_name=TITLE[:200])
    applied = _sent(
        django_capture_on_commit_callbacks,
        lambda: services.apply(placement_id=row.pk, student=applicant, motivation=TITLE),
    )
    decided = _sent(
        django_capture_on_commit_callbacks,
        lambda: services.decide_application(
            application_id=row.applications.get().pk, decision="accepted", reason=TITLE, by=host
        ),
    )
    for sent in (reviewed, applied, decided):
        _assert_plain_one_line(sent[0].subject, holds=SHOWN)


# Every way the project sends mail, by module: a new one must be added to this file.
SENDERS = {
    "members/services/mail.py": {"EmailMultiAlternatives", "queue_transactional_email"},
    "members/services/privacy.py": {"queue_transactional_email"},
    "members/adapter.py": {"queue_transactional_email"},
    "chapters/services.py": {"queue_email_to_user"},
    "announcements/mail.py": {"EmailMultiAlternatives"},
    "pncs/services.py": {"queue_email_to_user"},
    "pncs/exports.py": {"queue_email_to_user"},
    "programs/services.py": {"queue_email_to_user"},
    "messaging/services.py": {"queue_email_to_user"},
    "counterparts/services.py": {"queue_email_to_user", "queue_transactional_email"},
    "counterparts/engagements.py": {"queue_email_to_user"},
    "news/services.py": {"queue_email_to_user"},
    "members/services/merging.py": {"queue_email_to_user"},
    "internships/services.py": {"queue_email_to_user"},
    # The invitation of an imported person: a fixed subject of ours, cleaned as any other.
    "announcements/invitations.py": {"EmailMultiAlternatives"},
    # IME's review of a coordinator's announcement to their sector (issue 21).
    "announcements/services.py": {"queue_email_to_user"},
}
SENDING_CALLS = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "queue_email_to_user",
    "queue_transactional_email",
}


def test_the_merge_confirmation_subject_is_plain(django_capture_on_commit_callbacks):
    from members.services.merging import start_self_merge

    kept, other = member(), member()
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: start_self_merge(user=kept, other_email=other.email),
    )
    _assert_plain_one_line(sent[0].subject)
    assert sent[0].to == [other.email]


def test_every_way_of_sending_mail_is_covered_here():
    found = {}
    for directory in (*APPS, "talentnet"):
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    if name in SENDING_CALLS:
                        found.setdefault(str(path.relative_to(ROOT)), set()).add(name)
    assert found == SENDERS
