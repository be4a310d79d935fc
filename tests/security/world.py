"""A small world with one object of every kind and one person in every role, shared by the
role x URL matrix, the XSS and the fuzz tests. Every person with a privileged role has a
TOTP authenticator (core.access.sees_others_personal_data), as they must in production."""

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from announcements.invitations import refusal_token
from announcements.mail import unsubscribe_token
from announcements.models import Announcement, Delivery, Invitee
from chapters.models import ChapterLine, JornadaProposal, Membership, TravelNeeds
from core.access import IME_STAFF
from counterparts.models import ExpertiseRequest, MemberInvitation, OrganizationInvitation
from counterparts.services import open_engagement, triage_request
from figures.services import refresh_figures
from members.models import DuplicateCandidate, Profile, Sector
from members.services.duplicates import flag_duplicates
from members.services.merging import MERGED, make_merge_token, start_self_merge
from messaging.services import PartySpec, open_thread, person_party, send_message
from pncs.models import Affiliation, Interest, MemberExport, WorkLine
from programs.models import Enrolment
from programs.services import issue_certificates
from surveys.mail_links import answer_token
from surveys.models import Option, Question, Survey
from tests.counterparts.factories import organization
from tests.factories import (
    AgendaItemFactory,
    ChapterFactory,
    JornadaFactory,
    OfficerFactory,
    OpportunityFactory,
    PartnerFactory,
    PncsFactory,
    PostFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    member,
    participant,
    program_staff_user,
    program_with_stages,
    with_totp,
)
from tests.internships.factories import application as internship_application
from tests.internships.factories import placement as internship_placement
from tests.internships.factories import student as internship_student

ROLES = (
    "anonymous",
    "member",  # the owner of the private objects below
    "other_member",
    "officer_own",  # an officer of the chapter the objects belong to
    "officer_other",
    "coord_own",  # a coordinator of the PNCS the objects belong to
    "coord_other",
    "ime_staff",
    "superuser",
    "program_staff",  # staff of the "Program staff" group, with a second factor
    "officer_no_mfa",  # an officer of the objects' chapter without a second factor
    "staff_no_mfa",  # IME staff without a second factor
)


def _image_file(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 104, 71)).save(buffer, fmt)
    return ContentFile(buffer.getvalue())


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (None for anonymous)
    objects: dict = field(default_factory=dict)
    urls: dict = field(default_factory=dict)  # URL name -> concrete path

    def user(self, role):
        return self.users[role]


def build_world(text=None) -> World:
    """`text`, when given, goes into every free-text field a member or coordinator can
    write (names, headline, bio, messages, affiliation, motivation): the XSS tests use it."""
    w = World()
    t = text

    def txt(default):
        return default if t is None else t

    owner = member(
        given_names=txt("Ana"),
        paternal_surname=txt("Pérez"),
        preferred_name=txt("Ana P."),
        headline=txt("Ingeniera"),
        bio=txt("Semblanza de Ana."),
        employer=txt("Empresa Ficticia"),
        directory_visibility=Profile.Visibility.MEMBERS
        if t is not None
        else Profile.Visibility.IME,
        pncs_contact=True,
    )
    other = member(given_names="Beto", directory_visibility=Profile.Visibility.IME)
    chapter_a = ChapterFactory(name="Capítulo Alfa", slug="alfa")
    chapter_b = ChapterFactory(name="Capítulo Beta", slug="beta")
    officer_own = OfficerFactory(chapter=chapter_a).user
    officer_other = OfficerFactory(chapter=chapter_b).user
    Membership.objects.create(
        chapter=chapter_a, user=owner, status="approved", message=txt("Quiero participar.")
    )
    jornada = JornadaFactory(chapter=chapter_a, slug="jornada-alfa")
    draft = JornadaFactory(chapter=chapter_a, slug="borrador-alfa", is_published=False)
    RegistrationFactory(jornada=jornada, user=owner)

    coord_own = coordinator("tic")
    coord_other = coordinator("salud")
    ours = OpportunityFactory(pncs=coord_own.coordinated_pncs.get(), title_es=txt("Mentoría"))
    theirs = OpportunityFactory(pncs=PncsFactory(sector=Sector.objects.get(slug="salud")))
    interest = Interest.objects.create(
        opportunity=ours, member=owner, message=txt("Me interesa mucho.")
    )
    affiliation = Affiliation.objects.create(
        member=owner, institution=txt("Universidad Ficticia"), relation="employee"
    )
    member_export = _written_export(coord_own)

    # Uploaded files: the owner's photo (private: seen by who may open the profile) and the
    # chapter's logo (public), in the test's own MEDIA_ROOT (tests/conftest.py).
    owner.profile.photo.save("photo.jpg", _image_file("JPEG"))
    chapter_a.logo.save("logo.png", _image_file("PNG"))
    # Work programmes (issue 21): a line of the coordinator's PNCS, one of chapter A, and
    # chapter A's statutes, private (its officers and IME read them).
    work_line = WorkLine.objects.create(
        pncs=coord_own.coordinated_pncs.get(),
        year=timezone.localdate().year,
        heading="human-capital",
        title_es=txt("Pasantías"),
        title_en="Internships",
        measure="pncs.opportunities",
        target=3,
        responsible=coord_own,
    )
    chapter_line = ChapterLine.objects.create(
        chapter=chapter_a,
        year=timezone.localdate().year,
        title_es=txt("Mentorías"),
        title_en="Mentoring",
        measure="chapters.events",
        target=2,
    )
    chapter_a.statutes.save("estatutos.pdf", ContentFile(b"%PDF-1.7 statutes"))

    # Jornadas with the PNCS (issue 21): IME's Jornada asks for travel needs; the owner
    # registered and gave theirs; the TIC coordinator proposed a material (a private file).
    ime_jornada = JornadaFactory(slug="jornada-red", asks_travel_needs=True)
    AgendaItemFactory(jornada=ime_jornada)
    ime_registration = RegistrationFactory(jornada=ime_jornada, user=owner)
    day = timezone.localtime(ime_jornada.starts_at).date()
    TravelNeeds.objects.create(
        registration=ime_registration,
        arrival_on=day,
        departure_on=day + timedelta(days=1),
        invitation_letter_needed=True,
        passport_name=txt("ANA PEREZ"),
        nationality="CO",
    )
    proposal = JornadaProposal(
        jornada=ime_jornada,
        sector=Sector.objects.get(slug="tic"),
        proposed_by=coord_own,
        kind="material",
        title_es=txt("Láminas"),
    )
    proposal.file.save("laminas.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    proposal.save()

    # News: a published post of the network, and a coordinator's draft and post in review.
    sector_tic = Sector.objects.get(slug="tic")
    news_post = PostFactory(slug="noticia-publicada", title_es=txt("Noticia de la red"))
    news_draft = PostFactory(
        slug="borrador-tic", scope="sector", sector=sector_tic, status="draft", author=coord_own
    )
    news_pending = PostFactory(
        slug="en-revision-tic",
        scope="sector",
        sector=sector_tic,
        status="pending",
        author=coord_own,
        title_es=txt("Noticia en revisión"),
        summary_es=txt("Resumen en revisión"),
    )

    program, stage1, stage2 = program_with_stages(slug="programa-ia")
    enrolment = participant(
        stage1, completed=True, certified=True, user=owner, motivation=txt("Aprender IA.")
    )
    issue_certificates(stage=stage1)
    enrolment.refresh_from_db()
    certificate = enrolment.certificates.get(kind="constancia")
    application = enrolment.application
    # The stage abroad (issue 23): the owner was selected and confirmed their seat.
    stage2.collects_travel_data = True
    stage2.offer_days = 7
    stage2.save(update_fields=["collects_travel_data", "offer_days"])
    seat = Enrolment.objects.create(
        application=application,
        stage=stage2,
        rank=1,
        offer_expires_at=timezone.now(),
        seat_confirmed_at=timezone.now(),
    )
    # An issuer with its own Open Badges key, profile and status list (issue 23).
    partner = PartnerFactory(slug="aliado-mundo", name="Aliado del mundo", kind="company")

    # A thread between the owner and an organisation whose person holds no role below.
    org_person = member(given_names="Olga", directory_visibility=Profile.Visibility.IME)
    thread = open_thread(
        topic=txt("Mentoría para el laboratorio"),
        parties=[
            person_party(owner, txt("Ana P.")),
            PartySpec(key="org:1", label=txt("Universidad Ficticia"), users=(org_person,)),
        ],
    )
    their_message = send_message(thread=thread, sender=org_person, body=txt("Hola, Ana."))
    send_message(thread=thread, sender=owner, body=txt("Con gusto."))

    # A verified organisation of the TIC sector, owned by the owner; an open invitation to
    # the other member.
    org = organization(
        owner=owner,
        sector="tic",
        legal_name=txt("Universidad Ficticia del Norte"),
        city=txt("Monterrey"),
        description_es=txt("Universidad ficticia."),
        decision_reason=txt("Bienvenida."),
    )
    org_invitation = OrganizationInvitation.objects.create(
        organization=org,
        email=other.email,
        role="member",
        token="invitacion-" + "0" * 30,
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    org_owner = org.people.get()

    # Its requests: one accepted (published invite-only; the owner, as a member, invited),
    # one the PNCS asked changes of.
    def expertise_request(title, status="submitted"):
        now = timezone.now()
        return ExpertiseRequest.objects.create(
            organization=org,
            kind="mentoring",
            title_es=txt(title),
            description_es=txt("Descripción de la solicitud."),
            sector=Sector.objects.get(slug="tic"),
            mode="in_person",
            place=txt("Monterrey"),
            starts_on=timezone.localdate() + timedelta(days=10),
            ends_on=timezone.localdate() + timedelta(days=60),
            people_sought=2,
            status=status,
            created_at=now,
            submitted_at=now,
        )

    accepted_request = triage_request(
        request_id=expertise_request("Mentoría en datos").pk,
        decision="accepted",
        reason="",
        invite_only=True,
        by=coord_own,
    )
    changes_request = expertise_request("Comité de proyectos", status="changes")
    member_invitation = MemberInvitation.objects.create(
        request=accepted_request,
        member=owner,
        reasons=[txt("Comparte el sector")],
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=10),
    )
    # Internships (issue 20): the owner hosts a published TIC placement (the TIC PNCS is
    # coord_own's) and one the PNCS asked changes of; a student (no role of the matrix)
    # applied to the first with their CV.
    placement = internship_placement(
        host=owner,
        title_es=txt("Estancia en aprendizaje automático"),
        institution=txt("Universidad Ficticia de Texas"),
        description_es=txt("Descripción de la estancia."),
    )
    placement_changes = internship_placement(host=owner, status="changes")
    student = internship_student(full_name=txt("Sofía Ramírez"), university=txt("UAF"))
    internship_app = internship_application(
        placement=placement, student=student, motivation=txt("Quiero aprender.")
    )
    # An engagement of the owner (as the member) with the organisation, planned, with a
    # milestone: the impact ledger (issue 20).
    engagement = open_engagement(
        kind="mentoring",
        sector=Sector.objects.get(slug="tic"),
        member=owner.profile,
        title=txt("Mentoría en datos"),
        organization=org,
        request=accepted_request,
        by=coord_own,
    )
    engagement_milestone = engagement.milestones.create(
        title=txt("Diagnóstico"), due_on=timezone.localdate(), created_at=timezone.now()
    )
    # Someone imported and invited (issue 26): no account, reached by their refusal link.
    invitee = Invitee.objects.create(
        email="invitada@example.org", source=txt("Lista"), invited_at=timezone.now()
    )

    # A survey sent to the owner (issue 26): answered with their link or signed in, its
    # results read by IME staff only. Its title is a free text IME writes.
    survey = Survey.objects.create(
        title_es=txt("Encuesta de la red"),
        title_en="Network survey",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
    )
    question = Question.objects.create(
        survey=survey, kind="single", text_es=txt("¿Pregunta?"), text_en="Question?"
    )
    Option.objects.create(question=question, text_es=txt("Opción"), text_en="Option")
    survey.invitation = Announcement.objects.create(
        kind="survey", subject_es="Encuesta", subject_en="Survey", body_es=".", body_en="."
    )
    survey.save(update_fields=["invitation"])
    Delivery.objects.create(announcement=survey.invitation, user=owner, status="sent")

    ime = UserFactory(is_staff=True)
    ime.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(ime)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    with_totp(superuser)
    program_staff = program_staff_user()
    officer_no_mfa = OfficerFactory(chapter=chapter_a, second_factor=False).user
    staff_no_mfa = UserFactory(is_staff=True)
    staff_no_mfa.groups.add(Group.objects.get(name=IME_STAFF))

    w.users = {
        "anonymous": None,
        "member": owner,
        "other_member": other,
        "officer_own": officer_own,
        "officer_other": officer_other,
        "coord_own": coord_own,
        "coord_other": coord_other,
        "ime_staff": ime,
        "superuser": superuser,
        "program_staff": program_staff,
        "officer_no_mfa": officer_no_mfa,
        "staff_no_mfa": staff_no_mfa,
    }
    # Two accounts of one person (issue 26): a likely duplicate, and a pending merge.
    twin = {"paternal_surname": "Quintanilla", "maternal_surname": "", "country": "CA"}
    twin_a = member(given_names="Zacarías", **twin)
    twin_b = member(given_names="Zacarias", **twin)
    flag_duplicates(user_id=twin_b.pk)
    duplicate = DuplicateCandidate.objects.get(first=twin_a, second=twin_b)
    merge = start_self_merge(user=twin_a, other_email=twin_b.email)
    w.objects = {
        "duplicate": duplicate,
        "merge": merge,
        "chapter": chapter_a,
        "jornada": jornada,
        "draft": draft,
        "opportunity": ours,
        "their_opportunity": theirs,
        "interest": interest,
        "affiliation": affiliation,
        "program": program,
        "application": application,
        "certificate": certificate,
        "news_post": news_post,
        "news_draft": news_draft,
        "news_pending": news_pending,
        "thread": thread,
        "their_message": their_message,
        "organization": org,
        "expertise_request": accepted_request,
        "changes_request": changes_request,
        "member_invitation": member_invitation,
        "placement": placement,
        "internship_application": internship_app,
        "student": student,
        "engagement": engagement,
    }
    r = reverse
    w.urls = {
        "healthz": r("healthz"),
        "livez": r("livez"),
        "set_language": r("set_language"),
        "members:home": r("members:home"),
        "members:privacy": r("members:privacy"),
        "members:contact": r("members:contact"),
        "members:privacy_accept": r("members:privacy_accept"),
        "members:directory": r("members:directory"),
        "members:profile": r("members:profile", args=[owner.pk]),
        "members:me": r("members:me"),
        "members:onboarding": r("members:onboarding"),
        "members:profile_edit": r("members:profile_edit"),
        "members:preferences": r("members:preferences"),
        "members:expertise_suggestions": r("members:expertise_suggestions") + "?q=py",
        "members:my_data": r("members:my_data"),
        "members:choices": r("members:choices"),
        "members:export": r("members:export"),
        "members:arco_request": r("members:arco_request"),
        "members:delete": r("members:delete"),
        "members:workbench": r("members:workbench"),
        "messaging:inbox": r("messaging:inbox"),
        "messaging:preferences": r("messaging:preferences"),
        "messaging:thread": r("messaging:thread", args=[thread.pk]),
        "messaging:block": r("messaging:block", args=[thread.pk]),
        "messaging:unblock": r("messaging:unblock", args=[thread.pk]),
        "messaging:share": r("messaging:share", args=[thread.pk]),
        "messaging:report": r("messaging:report", args=[thread.pk, their_message.pk]),
        "messaging:write_to_member": r("messaging:write_to_member", args=[owner.pk]),
        "chapters:list": r("chapters:list"),
        "chapters:detail": r("chapters:detail", args=[chapter_a.slug]),
        "chapters:join": r("chapters:join", args=[chapter_a.slug]),
        "chapters:membership_decide": r("chapters:membership_decide"),
        "chapters:leave": r("chapters:leave", args=[chapter_a.slug]),
        "chapters:set_home": r("chapters:set_home", args=[chapter_a.slug]),
        "chapters:officers": r("chapters:officers", args=[chapter_a.slug]),
        "chapters:officer_end": r(
            "chapters:officer_end",
            args=[chapter_a.slug, officer_own.chapter_officer_terms.get().pk],
        ),
        "chapters:jornada_list": r("chapters:jornada_list"),
        "chapters:jornada_feed": r("chapters:jornada_feed"),
        "chapters:jornada_ics": r("chapters:jornada_ics", args=[jornada.slug]),
        "chapters:jornada_detail": r("chapters:jornada_detail", args=[jornada.slug]),
        "chapters:jornada_detail (draft)": r("chapters:jornada_detail", args=[draft.slug]),
        "chapters:jornada_register": r("chapters:jornada_register", args=[jornada.slug]),
        "chapters:jornada_cancel": r("chapters:jornada_cancel", args=[jornada.slug]),
        "chapters:jornada_participants_csv": r(
            "chapters:jornada_participants_csv", args=[jornada.slug]
        ),
        "pncs:list": r("pncs:list"),
        "pncs:search": r("pncs:search"),
        "pncs:export_csv": r("pncs:export_csv"),
        "pncs:export_xlsx": r("pncs:export_xlsx"),
        "pncs:exports": r("pncs:exports"),
        "pncs:export_download": r("pncs:export_download", args=[member_export.public_id]),
        "pncs:member_detail": r("pncs:member_detail", args=[owner.pk]),
        "pncs:manage": r("pncs:manage"),
        "pncs:opportunity_create": r("pncs:opportunity_create"),
        "pncs:opportunity_manage": r("pncs:opportunity_manage", args=[ours.pk]),
        "pncs:opportunity_edit": r("pncs:opportunity_edit", args=[ours.pk]),
        "pncs:interest_decide": r("pncs:interest_decide", args=[interest.pk]),
        "pncs:sector": r("pncs:sector", args=["tic"]),
        "pncs:opportunity_list": r("pncs:opportunity_list"),
        "pncs:my_opportunities": r("pncs:my_opportunities"),
        "pncs:affiliations": r("pncs:affiliations"),
        "pncs:affiliation_delete": r("pncs:affiliation_delete", args=[affiliation.pk]),
        "pncs:opportunity_detail": r("pncs:opportunity_detail", args=[ours.pk]),
        "counterparts:list": r("counterparts:list"),
        "counterparts:detail": r("counterparts:detail", args=[org.slug]),
        "counterparts:register": r("counterparts:register"),
        "counterparts:mine": r("counterparts:mine"),
        "counterparts:review_list": r("counterparts:review_list"),
        "counterparts:review": r("counterparts:review", args=[org.pk]),
        "counterparts:invitation": r("counterparts:invitation", args=[org_invitation.token]),
        "counterparts:manage": r("counterparts:manage", args=[org.pk]),
        "counterparts:edit": r("counterparts:edit", args=[org.pk]),
        "counterparts:remove_person": r("counterparts:remove_person", args=[org.pk, org_owner.pk]),
        "counterparts:request_list": r("counterparts:request_list", args=[org.pk]),
        "counterparts:request_create": r("counterparts:request_create", args=[org.pk]),
        "counterparts:request_detail": r(
            "counterparts:request_detail", args=[org.pk, accepted_request.pk]
        ),
        "counterparts:request_edit": r(
            "counterparts:request_edit", args=[org.pk, changes_request.pk]
        ),
        "counterparts:triage_list": r("counterparts:triage_list"),
        "counterparts:triage": r("counterparts:triage", args=[accepted_request.pk]),
        "counterparts:triage_invite": r("counterparts:triage_invite", args=[accepted_request.pk]),
        "counterparts:member_invitations": r("counterparts:member_invitations"),
        "counterparts:member_invitation": r(
            "counterparts:member_invitation", args=[member_invitation.pk]
        ),
        "internships:list": r("internships:list"),
        "internships:detail": r("internships:detail", args=[placement.pk]),
        "internships:apply": r("internships:apply", args=[placement.pk]),
        "internships:offer": r("internships:offer"),
        "internships:host_list": r("internships:host_list"),
        "internships:host_placement": r("internships:host_placement", args=[placement.pk]),
        "internships:host_edit": r("internships:host_edit", args=[placement_changes.pk]),
        "internships:review_list": r("internships:review_list"),
        "internships:review": r("internships:review", args=[placement.pk]),
        "internships:application": r("internships:application", args=[internship_app.pk]),
        "internships:application_cv": r("internships:application_cv", args=[internship_app.pk]),
        "internships:student_home": r("internships:student_home"),
        "internships:student_profile": r("internships:student_profile"),
        "internships:student_cv": r("internships:student_cv"),
        "internships:withdraw": r("internships:withdraw", args=[internship_app.pk]),
        "counterparts:engagements": r("counterparts:engagements"),
        "counterparts:engagement": r("counterparts:engagement", args=[engagement.pk]),
        **{
            f"counterparts:{name}": r(f"counterparts:{name}", args=[engagement.pk])
            for name in (
                "engagement_start",
                "engagement_complete",
                "engagement_cancel",
                "milestone_add",
                "engagement_goals",
                "session_add",
                "outcome_record",
            )
        },
        "counterparts:milestone_done": r(
            "counterparts:milestone_done", args=[engagement.pk, engagement_milestone.pk]
        ),
        "counterparts:pipeline": r("counterparts:pipeline"),
        "counterparts:pipeline_export": r("counterparts:pipeline_export"),
        "counterparts:yearly_report": r(
            "counterparts:yearly_report",
            args=[coord_own.coordinated_pncs.get().pk, timezone.localdate().year, "pdf"],
        ),
        "programs:list": r("programs:list"),
        "programs:mine": r("programs:mine"),
        "programs:withdraw": r("programs:withdraw", args=[application.pk]),
        "programs:certificate_pdf": r("programs:certificate_pdf", args=[certificate.code]),
        "programs:seat_confirm": r("programs:seat_confirm", args=[seat.pk]),
        "programs:seat_decline": r("programs:seat_decline", args=[seat.pk]),
        "programs:travel_details": r("programs:travel_details", args=[seat.pk]),
        "admin:programs_stage_travel": r("admin:programs_stage_travel", args=[stage2.pk]),
        "admin:programs_stage_travel_csv": r("admin:programs_stage_travel_csv", args=[stage2.pk]),
        "admin:programs_stage_travel_xlsx": r("admin:programs_stage_travel_xlsx", args=[stage2.pk]),
        "admin:programs_stage_invitation": r(
            "admin:programs_stage_invitation", args=[stage2.pk, seat.pk]
        ),
        "programs:detail": r("programs:detail", args=[program.slug]),
        "programs:apply": r("programs:apply", args=[program.slug]),
        "figures_program": r("figures_program", args=[program.slug]),
        "figures_program_staff": r("figures_program_staff", args=[program.slug]),
        "programs:certificate_verify": r("programs:certificate_verify", args=[certificate.code]),
        "programs:certificate_lookup": r("programs:certificate_lookup"),
        "programs:certificate_json": r("programs:certificate_json", args=[certificate.code]),
        "programs:openbadges_network_profile": r("programs:openbadges_network_profile"),
        "programs:openbadges_network_did": r("programs:openbadges_network_did"),
        "programs:openbadges_network_status": r("programs:openbadges_network_status"),
        "programs:openbadges_partner_profile": r(
            "programs:openbadges_partner_profile", args=[partner.slug]
        ),
        "programs:openbadges_partner_did": r(
            "programs:openbadges_partner_did", args=[partner.slug]
        ),
        "programs:openbadges_partner_status": r(
            "programs:openbadges_partner_status", args=[partner.slug]
        ),
        "admin:index": r("admin:index"),
        "admin:members_profile_changelist": r("admin:members_profile_changelist"),
        "admin:members_profile_change": r("admin:members_profile_change", args=[owner.pk]),
        "admin:chapters_chapter_change": r("admin:chapters_chapter_change", args=[chapter_a.pk]),
        "admin:chapters_membership_changelist": r("admin:chapters_membership_changelist"),
        "admin:pncs_searchaudit_changelist": r("admin:pncs_searchaudit_changelist"),
        "admin:members_duplicatecandidate_changelist": r(
            "admin:members_duplicatecandidate_changelist"
        ),
        "admin:members_duplicatecandidate_merge": r(
            "admin:members_duplicatecandidate_merge", args=[duplicate.pk]
        ),
        "admin:members_accountmerge_changelist": r("admin:members_accountmerge_changelist"),
        "members:merge_start": r("members:merge_start"),
        "members:merge_confirm": r(
            "members:merge_confirm", args=[make_merge_token(merge=merge, side=MERGED)]
        ),
        "members:merge_confirm (tampered)": r("members:merge_confirm", args=["x" + "1" * 40]),
        "admin:programs_application_changelist": r("admin:programs_application_changelist"),
        "admin:programs_certificate_pdf": r(
            "admin:programs_certificate_pdf", args=[certificate.pk]
        ),
        "admin:announcements_announcement_changelist": r(
            "admin:announcements_announcement_changelist"
        ),
        "announcements:unsubscribe": r(
            "announcements:unsubscribe",
            args=[unsubscribe_token(user_id=owner.pk, kind="chapter")],
        ),
        "announcements:refuse_invitation": r(
            "announcements:refuse_invitation", args=[refusal_token(invitee.pk)]
        ),
        "announcements:refuse_invitation (tampered)": r(
            "announcements:refuse_invitation", args=["x" + "1" * 40]
        ),
        "admin:announcements_invitationimport_import": r(
            "admin:announcements_invitationimport_import"
        ),
        "admin:announcements_invitationimport_changelist": r(
            "admin:announcements_invitationimport_changelist"
        ),
        "announcements:unsubscribe (tampered)": r(
            "announcements:unsubscribe", args=["x" + "1" * 40]
        ),
        "surveys:list": r("surveys:list"),
        "surveys:answer": r("surveys:answer", args=[survey.pk]),
        "surveys:answer_link": r(
            "surveys:answer_link", args=[answer_token(survey_id=survey.pk, user_id=owner.pk)]
        ),
        "surveys:answer_link (tampered)": r("surveys:answer_link", args=["x" + "1" * 40]),
        "figures_survey": r("figures_survey", args=[survey.pk]),
        "figures_survey_csv": r("figures_survey_csv", args=[survey.pk, f"question-{question.pk}"]),
        "admin:surveys_survey_changelist": r("admin:surveys_survey_changelist"),
        "admin:surveys_survey_census": r("admin:surveys_survey_census"),
        "figures": r("figures"),
        "figures_csv": r("figures_csv", args=["sectors"]),
        "figures_staff": r("figures_staff"),
        "figures_staff_refresh": r("figures_staff_refresh"),
        "figures_staff_csv": r("figures_staff_csv", args=["sectors"]),
        "news:list": r("news:list"),
        "news:detail": r("news:detail", args=[news_post.slug]),
        "news:detail (in review)": r("news:detail", args=[news_pending.slug]),
        "news:feed_atom": r("news:feed_atom"),
        "news:feed_rss": r("news:feed_rss"),
        "news:sector_feed": r("news:sector_feed", args=["tic"]),
        "news:sector_feed_rss": r("news:sector_feed_rss", args=["tic"]),
        "news:chapter_feed": r("news:chapter_feed", args=[chapter_a.slug]),
        "news:chapter_feed_rss": r("news:chapter_feed_rss", args=[chapter_a.slug]),
        "news:manage": r("news:manage"),
        "news:create": r("news:create"),
        "news:edit": r("news:edit", args=[news_draft.pk]),
        "news:submit": r("news:submit", args=[news_draft.pk]),
        "news:withdraw": r("news:withdraw", args=[news_pending.pk]),
        "news:review_list": r("news:review_list"),
        "news:review": r("news:review", args=[news_pending.pk]),
        "media_public": chapter_a.logo.url,
        "media_private": owner.profile.photo.url,
        "media_private (statutes)": chapter_a.statutes.url,
        "pncs:programme": r("pncs:programme"),
        "pncs:programme_line_create": r("pncs:programme_line_create"),
        "pncs:programme_line_edit": r("pncs:programme_line_edit", args=[work_line.pk]),
        "pncs:programme_line_delete": r("pncs:programme_line_delete", args=[work_line.pk]),
        "pncs:programme_overview": r("pncs:programme_overview"),
        "pncs:programme_report_csv": r("pncs:programme_report_csv"),
        "pncs:programme_report_pdf": r("pncs:programme_report_pdf"),
        "pncs_programme": r("pncs_programme", args=["tic"]),
        "chapters:programme": r("chapters:programme", args=[chapter_a.slug]),
        "chapters:line_edit": r("chapters:line_edit", args=[chapter_a.slug, chapter_line.pk]),
        "chapters:line_delete": r("chapters:line_delete", args=[chapter_a.slug, chapter_line.pk]),
        "chapters:statutes": r("chapters:statutes", args=[chapter_a.slug]),
        "chapters:report": r("chapters:report", args=[chapter_a.slug]),
        "chapters:report_csv": r("chapters:report_csv", args=[chapter_a.slug]),
        "chapters:report_pdf": r("chapters:report_pdf", args=[chapter_a.slug]),
        "media_proposal": proposal.file.url,
        "chapters:jornada_travel": r("chapters:jornada_travel", args=[ime_jornada.slug]),
        "chapters:proposal_list": r("chapters:proposal_list"),
        "chapters:proposal_create": r(
            "chapters:proposal_create", args=[ime_jornada.slug, "speaker"]
        ),
        "pncs:announcements": r("pncs:announcements"),
        # The partner API (issue 25): public reads for everyone, partner operations for a
        # bearer token only (a signed-in session opens none of them).
        "api_token": r("api_token"),
        "api:api-root": r("api:api-root"),
        "api:openapi-json": r("api:openapi-json"),
        "api:openapi-view": r("api:openapi-view"),
        "api:list_programs": r("api:list_programs"),
        "api:get_program": r("api:get_program", args=[program.slug]),
        "api:verify_credential": r("api:verify_credential", args=[certificate.code]),
        "api:list_chapters": r("api:list_chapters"),
        "api:get_chapter": r("api:get_chapter", args=[chapter_a.slug]),
        "api:list_jornadas": r("api:list_jornadas"),
        "api:get_jornada": r("api:get_jornada", args=[jornada.pk]),
        "api:list_news": r("api:list_news"),
        "api:get_news": r("api:get_news", args=[news_post.slug]),
        "api:list_opportunities": r("api:list_opportunities"),
        "api:list_organizations": r("api:list_organizations"),
        "api:get_organization": r("api:get_organization", args=[org.slug]),
        "api:public_figures": r("api:public_figures"),
        "api:who_am_i": r("api:who_am_i"),
        "api:program_stages": r("api:program_stages"),
        "api:import_results": r("api:import_results", args=[1]),
        "api:import_certifications": r("api:import_certifications", args=[1]),
        "api:chapter_events": r("api:chapter_events"),
        "api:event_registrations": r("api:event_registrations", args=[jornada.pk]),
        "api:sector_members": r("api:sector_members"),
    }
    refresh_figures()  # the beat's work: the figures pages only read snapshots
    return w


def _written_export(user):
    """A large export the coordinator asked for, written and ready to download."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from pncs.exports import exports_storage

    export = MemberExport.objects.create(
        user=user, format="csv", query="", filters={}, language="es", row_count=1
    )
    name = exports_storage().save(f"{export.public_id}.csv", ContentFile(b"\xef\xbb\xbfx\n"))
    now = timezone.now()
    MemberExport.objects.filter(pk=export.pk).update(
        status="ready", file_name=name, finished_at=now, expires_at=now + timedelta(hours=1)
    )
    return export
