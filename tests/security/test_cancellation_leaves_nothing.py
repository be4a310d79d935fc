"""Issue 17, item 6: a cancelled account leaves none of its personal text behind, in any table
(SECURITY.md D3): not in the rows the apps keep for their counts, not in the edit histories
(django-simple-history), not in the admin's log, not in the audits of searches, exports and
reads that named the member. The test reads the database catalogue, so a table added later
is searched too."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from chapters.models import Membership
from counterparts.models import OrganizationMember
from counterparts.services import invite_person
from members.models import ArcoRequest, User
from members.services import create_arco_request, delete_account
from messaging.models import Thread
from messaging.services import (
    PartySpec,
    open_thread,
    person_party,
    report_message,
    send_message,
    set_email_sharing,
)
from news.models import Post
from pncs.models import Affiliation, Interest, MemberExport
from programs.models import Application
from programs.services import issue_certificates
from surveys.services import submit_response
from tests.counterparts.factories import organization
from tests.factories import (
    ApplicationFactory,
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    OpportunityFactory,
    PostFactory,
    RegistrationFactory,
    SpeakerFactory,
    UserFactory,
    coordinator,
    member,
    participant,
    program_with_stages,
)
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.django_db

MARKER = "Xq7Vandrile"
GIVEN = f"Zenobia{MARKER}"
SURNAME = f"Quetzalli{MARKER}"
EMAIL = f"zq.{MARKER.lower()}@example.org"
PHONE = "+52 55 8765 4321"


def _texts_in_every_table(needles):
    """(table, column, needle) for every text, varchar or json column of every table of the
    database holding one of `needles` (case-insensitive), from the database's catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
            "WHERE c.table_schema = current_schema() AND c.data_type IN "
            "('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY')"
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608 - names from the catalogue
                    [f"%{needle}%"],
                )
                if cursor.fetchone():
                    found.append((table, column, needle))
    return found, len(columns)


def _a_member_who_touched_everything(client):
    user = member(
        given_names=GIVEN,
        paternal_surname=SURNAME,
        maternal_surname=f"Materno{MARKER}",
        preferred_name=f"Zeno {MARKER}",
        headline=f"Titular {MARKER}",
        bio=f"Semblanza {MARKER}, llámame al {PHONE}",
        employer=f"Empresa {MARKER}",
        pncs_contact=True,
        directory_visibility="members",
    )
    User.objects.filter(pk=user.pk).update(email=EMAIL, first_name=GIVEN, last_name=SURNAME)
    user.refresh_from_db()
    user.emailaddress_set.update(email=EMAIL)
    # Edits of the profile (its history holds each version).
    user.profile.city = f"Ciudad {MARKER}"
    user.profile.save()

    chapter = ChapterFactory()
    membership = MembershipFactory(
        chapter=chapter,
        user=user,
        status="pending",
        message=f"Quiero unirme, mi teléfono es {PHONE} ({MARKER})",
    )
    # The officer decides (the membership's history copies the message again) in the admin.
    membership.status = "approved"
    membership.decision_reason = f"Bienvenida, {GIVEN}"
    membership.save()
    officer = OfficerFactory(chapter=chapter)
    own_chapter = OfficerFactory(chapter=ChapterFactory(), user=user).chapter
    # As an officer, the member wrote news: a draft (theirs, deleted) and a published post
    # (the chapter's: it stays, without its author).
    PostFactory(
        scope="chapter",
        chapter=own_chapter,
        author=user,
        status="draft",
        title_es=f"Borrador {MARKER}",
        body_es=f"Llámame al {PHONE}",
    )
    published_post = PostFactory(scope="chapter", chapter=own_chapter, author=user)
    jornada = JornadaFactory(chapter=chapter)
    RegistrationFactory(jornada=jornada, user=user, status="confirmed")
    SpeakerFactory(
        agenda_item__jornada=jornada,
        member=user,
        name="",
        affiliation=f"Afiliación {MARKER}",
        bio=f"Ponente {MARKER}",
    )

    interest = Interest.objects.create(
        opportunity=OpportunityFactory(), member=user, message=f"Me interesa, {PHONE} {MARKER}"
    )
    Affiliation.objects.create(
        member=user, institution=f"Universidad {MARKER}", relation="employee"
    )
    _program, stage1, _stage2 = program_with_stages()
    enrolment = participant(
        stage1,
        user=user,
        completed=True,
        certified=True,
        motivation=f"Motivación {MARKER}",
        institution=f"Instituto {MARKER}",
        education_field=f"Área {MARKER}",
        gender_description=f"G {MARKER}",
    )
    issue_certificates(stage=stage1)
    pending = ApplicationFactory(user=user, motivation=f"Otra motivación {MARKER}")
    arco = create_arco_request(
        user=user, kind="access", description=f"Quiero mis datos, soy {GIVEN} {SURNAME}"
    )

    # A survey answered with free text (issue 26): the answers go with the account.
    survey = make_survey()
    single, text_question = survey.questions.get(kind="single"), survey.questions.get(kind="text")
    submit_response(
        survey_id=survey.pk,
        user_id=user.pk,
        answers={
            single.pk: [{"option_id": single.options.first().pk}],
            text_question.pk: [{"text": f"Mi idea, {PHONE} {MARKER}"}],
        },
    )

    # Threads: the member's own with an organisation (deleted whole), and one where the
    # member writes for an organisation's side (their messages and report go, the thread stays).
    org_person = member()
    own = open_thread(
        topic=f"Mentoría para {GIVEN}",
        parties=[
            person_party(user, f"Zeno {MARKER}"),
            PartySpec(key="org:9", label="Universidad Ficticia", users=(org_person,)),
        ],
    )
    send_message(thread=own, sender=org_person, body=f"Hola {GIVEN}, llámanos.")
    send_message(thread=own, sender=user, body=f"Mi teléfono es {PHONE}")
    asker = member()
    shared = open_thread(
        topic="Consulta",
        parties=[
            person_party(asker, "Persona"),
            PartySpec(key="org:8", label="Empresa Ficticia", users=(user, org_person)),
        ],
    )
    theirs = send_message(thread=shared, sender=asker, body="Una pregunta")
    send_message(thread=shared, sender=user, body=f"Respuesta de {MARKER}")
    report_message(message=theirs, reporter=user, reason="other", details=f"Soy {GIVEN}")
    set_email_sharing(thread=shared, user=user, share=True)

    # An organisation the member acts for, and an invitation to their address.
    org = organization(owner=org_person)
    OrganizationMember.objects.create(
        organization=org, user=user, role="member", created_at=timezone.now()
    )
    invite_person(organization=org, email=EMAIL, role="owner", by=org_person)

    # Staff edits in the admin name the objects in the admin's log.
    staff = UserFactory(is_staff=True, is_superuser=True)
    for obj in (user, user.profile, membership, enrolment.application, pending, enrolment, arco):
        LogEntry.objects.log_actions(
            user_id=staff.pk, queryset=[obj], action_flag=CHANGE, change_message="[]"
        )
    LogEntry.objects.log_actions(
        user_id=officer.user.pk, queryset=[membership], action_flag=CHANGE, change_message="[]"
    )

    # Others looked the member up by name: a coordinator's search, exports and a directory page.
    coord = coordinator("tic")
    client.force_login(coord)
    assert client.get(reverse("pncs:search"), {"q": GIVEN}).status_code == 200
    assert client.get(reverse("pncs:export_csv"), {"q": SURNAME}).status_code == 200
    MemberExport.objects.create(
        user=coord, format="csv", query=f"{GIVEN} {SURNAME}", filters={"q": GIVEN}, language="es"
    )
    reader = member()
    client.force_login(reader)
    assert client.get(reverse("members:directory"), {"q": GIVEN}).status_code == 200
    # The member's own session and reads.
    client.force_login(user)
    assert client.get(reverse("members:profile", args=[reader.pk])).status_code in (200, 404)
    user.published_post = published_post
    return user, interest


def test_a_cancelled_member_leaves_no_personal_text_in_any_table(client):
    user, interest = _a_member_who_touched_everything(client)
    needles = [MARKER, EMAIL, PHONE]
    before, columns = _texts_in_every_table(needles)
    # The search finds what is there: the world above left the marker in many tables.
    tables_before = {table for table, _column, _needle in before}
    assert {
        "members_profile",
        "members_historicalprofile",
        "chapters_membership",
        "chapters_historicalmembership",
        "pncs_interest",
        "pncs_searchaudit",
        "members_arcorequest",
        "django_admin_log",
        "chapters_speaker",
        "pncs_memberexport",
        "members_profileview",
        "news_post",
        "messaging_message",
        "messaging_party",
        "messaging_thread",
        "messaging_messagereport",
        "counterparts_organizationinvitation",
    } <= tables_before
    assert columns > 100

    delete_account(user=user)

    after, _columns = _texts_in_every_table(needles)
    left = sorted({f"{table}.{column}" for table, column, _needle in after})
    assert left == [], ", ".join(left)
    # What the apps keep for their counts is still there, anonymous.
    assert Membership.objects.filter(user=user).count() == 1
    assert Interest.objects.filter(pk=interest.pk, message="").exists()
    assert Application.objects.filter(user=user).count() == 2
    assert ArcoRequest.objects.filter(user=user).count() == 1
    assert list(Thread.objects.values_list("topic", flat=True)) == ["Consulta"]
    assert not OrganizationMember.objects.filter(user=user).exists()
    assert LogEntry.objects.filter(user__is_superuser=True).count() == 7
    # The chapter's published post stays, without its author; the draft is gone.
    assert list(Post.objects.values_list("pk", "author_id")) == [(user.published_post.pk, None)]
