"""Demo organisations (fictitious, with valid RFC check digits): verified ones for the public
list, one waiting for the TIC PNCS (the demo coordinator reviews it) and one asked for more
information. Their owners are demo members. Runs after the members' and PNCS demos.

Two requests for expertise: one waiting for the TIC PNCS, one the energy PNCS accepted
(invite-only) with an invitation to the member the matching suggests first (both PNCS are
the demo coordinator's).

Engagements in every state (planned, active with milestones, goals and a session, completed
with the outcomes of both sides and a story both agreed to publish, completed with one side's
outcomes, cancelled with a reason) between the verified organisations and demo members."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from counterparts import engagements, services
from counterparts.models import (
    Engagement,
    EngagementOutcome,
    ExpertiseRequest,
    MemberInvitation,
    Organization,
    OrganizationMember,
    RequestEvent,
)
from counterparts.validators import rfc_check_digit
from members.checks import DEMO_MEMBER_DOMAIN
from members.models import Sector, User

ORGANIZATIONS = [
    # (owner's demo number, legal name, RFC without check digit, kind, state, city,
    #  main sector, other sectors, size, status, description es, description en)
    (
        3,
        "Universidad Ficticia del Noreste",
        "UFN950301K2",
        "university",
        "NLE",
        "Monterrey",
        "tic",
        ["salud"],
        "large",
        "verified",
        "Universidad pública ficticia con programas de ingeniería y ciencias de la salud.",
        "Fictitious public university with engineering and health sciences programmes.",
    ),
    (
        5,
        "Agrotecnia Demo del Bajío S.A. de C.V.",
        "ADB120815J7",
        "company",
        "GUA",
        "Celaya",
        "alimentos",
        [],
        "medium",
        "verified",
        "Empresa ficticia de agricultura de precisión.",
        "Fictitious precision agriculture company.",
    ),
    (
        6,
        "Centro Ficticio de Investigación en Energía Solar",
        "CFI080110M4",
        "research",
        "YUC",
        "Mérida",
        "energia",
        ["medio-ambiente"],
        "small",
        "verified",
        "Centro de investigación ficticio en energía fotovoltaica.",
        "Fictitious photovoltaic research centre.",
    ),
    (
        7,
        "Software Ficticio de Occidente",
        "SFO190402H9",
        "company",
        "JAL",
        "Guadalajara",
        "tic",
        [],
        "small",
        "pending",
        "Empresa ficticia de software que busca mentoría en ciberseguridad.",
        "",
    ),
    (
        8,
        "Asociación Civil Demo por la Movilidad",
        "ACD160920P1",
        "civil",
        "CMX",
        "Ciudad de México",
        "transporte",
        [],
        "micro",
        "info",
        "Organización civil ficticia.",
        "",
    ),
]


@transaction.atomic
def seed(*, stdout, rng, members=300, **kwargs):
    """Create the demo organisations once (skips those whose owner is not a demo member)."""
    now = timezone.now()
    created = 0
    for (
        number,
        name,
        rfc_body,
        kind,
        state,
        city,
        sector,
        others,
        size,
        status,
        description_es,
        description_en,
    ) in ORGANIZATIONS:
        owner = User.objects.filter(email=f"miembro{number:04d}@{DEMO_MEMBER_DOMAIN}").first()
        if owner is None:
            continue
        rfc = rfc_body + rfc_check_digit(rfc_body)
        organization, new = Organization.objects.get_or_create(
            rfc=rfc,
            defaults={
                "legal_name": name,
                "slug": slugify(name.split(" S.A.")[0])[:70],
                "kind": kind,
                "state": state,
                "city": city,
                "main_sector": Sector.objects.get(slug=sector),
                "size": size,
                "website": "https://example.org",
                "description_es": description_es,
                "description_en": description_en,
                "contact_name": "Enlace de vinculación",
                "contact_email": f"vinculacion.{rfc.lower()}@example.org",
                "status": status,
                "decision_reason": "Adjunta el acta constitutiva, por favor."
                if status == "info"
                else "",
                "decided_at": now if status in ("verified", "info") else None,
                "created_at": now,
                "submitted_at": now,
            },
        )
        if new:
            organization.sectors.set(Sector.objects.filter(slug__in=others))
            OrganizationMember.objects.create(
                organization=organization, user=owner, role="owner", created_at=now
            )
            created += 1
    stdout.write(f"counterparts: {created} demo organisations")
    _seed_requests(stdout=stdout, now=now)
    _seed_engagements(stdout=stdout, now=now)


REQUESTS = [
    # (organisation's RFC body, kind, title es, title en, description es, mode, place, sector,
    #  accepted)
    (
        "UFN950301K2",
        "programme",
        "Mentoría para la maestría en ciencia de datos",
        "Mentoring for the data science master's programme",
        "Buscamos miembros que revisen el plan de estudios y den dos charlas en línea.",
        "remote",
        "",
        "tic",
        False,
    ),
    (
        "CFI080110M4",
        "binational",
        "Proyecto binacional de almacenamiento solar",
        "",
        "Buscamos socios en el extranjero para un proyecto de baterías para paneles solares.",
        "either",
        "Mérida, Yucatán",
        "energia",
        True,
    ),
]


def _seed_requests(*, stdout, now) -> None:
    created = 0
    today = timezone.localdate(now)
    for rfc_body, kind, title_es, title_en, description, mode, place, sector, accepted in REQUESTS:
        organization = Organization.objects.filter(
            rfc=rfc_body + rfc_check_digit(rfc_body), status="verified"
        ).first()
        if organization is None or organization.requests.filter(title_es=title_es).exists():
            continue
        expertise_request = ExpertiseRequest.objects.create(
            organization=organization,
            kind=kind,
            title_es=title_es,
            title_en=title_en,
            description_es=description,
            sector=Sector.objects.get(slug=sector),
            mode=mode,
            place=place,
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=180),
            people_sought=2,
            created_by=organization.people.first().user,
            created_at=now,
            submitted_at=now,
        )
        RequestEvent.objects.create(
            request=expertise_request,
            action="submitted",
            by=expertise_request.created_by,
            at=now,
        )
        created += 1
        if not accepted:
            continue
        expertise_request = services.triage_request(
            request_id=expertise_request.pk,
            decision="accepted",
            reason="",
            invite_only=True,
            by=None,
        )
        for match in services.suggestions(expertise_request)[:1]:
            MemberInvitation.objects.create(
                request=expertise_request,
                member=match.obj.user,
                reasons=[str(reason) for reason in match.reasons],
                created_at=now,
                expires_at=now + timedelta(days=services.member_invitation_days()),
            )
    stdout.write(f"counterparts: {created} demo requests")


ENGAGEMENTS = [
    # (member's demo number, kind, title, state, days ago opened)
    # Members who own no demo organisation, within the smallest seed (10 members).
    (10, "visit", "Conferencia sobre ciberseguridad en el campus", "planned", 5),
    (4, "mentoring", "Mentoría para la oficina de transferencia tecnológica", "active", 60),
    (4, "programme", "Revisión del plan de estudios de ciencia de datos", "completed", 200),
    (10, "binational", "Prototipo binacional de baterías", "completed", 150),
    (1, "committee", "Comité de evaluación de proyectos de innovación", "cancelled", 90),
]


def _seed_engagements(*, stdout, now) -> None:
    organizations = list(Organization.objects.verified().order_by("legal_name"))
    if not organizations or Engagement.objects.filter(organization__in=organizations).exists():
        return
    created = 0
    today = timezone.localdate(now)
    for n, (number, kind, title, state, days_ago) in enumerate(ENGAGEMENTS):
        user = User.objects.filter(email=f"miembro{number:04d}@{DEMO_MEMBER_DOMAIN}").first()
        if user is None or not hasattr(user, "profile"):
            continue
        organization = organizations[n % len(organizations)]
        owner = organization.people.first().user
        opened = now - timedelta(days=days_ago)
        engagement = engagements.open_engagement(
            kind=kind,
            sector=organization.main_sector_id,
            member=user.profile,
            title=title,
            organization=organization,
            by=None,
            starts_on=timezone.localdate(opened) + timedelta(days=7),
            ends_on=timezone.localdate(opened) + timedelta(days=120),
            notify=False,
        )
        Engagement.objects.filter(pk=engagement.pk).update(created_at=opened)
        engagement.events.update(at=opened)
        if state != "planned" and state != "cancelled":
            engagements.start_engagement(engagement_id=engagement.pk, by=user)
            engagement.milestones.create(
                title="Diagnóstico inicial",
                due_on=timezone.localdate(opened) + timedelta(days=20),
                done=True,
                done_at=opened + timedelta(days=18),
                created_at=opened,
            )
            engagement.milestones.create(
                title="Informe final",
                due_on=min(
                    today + timedelta(days=30), timezone.localdate(opened) + timedelta(days=120)
                ),
                created_at=opened,
            )
        if kind == "mentoring":
            Engagement.objects.filter(pk=engagement.pk).update(
                goals="Mapa de tecnologías licenciables\nPolítica de propiedad intelectual"
            )
            engagement.sessions.create(
                held_on=today - timedelta(days=20),
                minutes=60,
                topic="Revisión del portafolio de patentes",
                created_by=user,
                created_at=now,
            )
        if state == "completed":
            engagements.complete_engagement(engagement_id=engagement.pk, by=owner)
            both = kind == "programme"
            EngagementOutcome.objects.create(
                engagement=engagement,
                side="member",
                hours_given=24 if both else 40,
                students_hosted=0 if both else 2,
                agreements_signed=1,
                projects_started=0 if both else 1,
                rating=5,
                story="Revisamos juntos el plan de estudios y propusimos dos materias nuevas."
                if both
                else "",
                share_story=both,
                recorded_by=user,
                recorded_at=now,
            )
            if both:
                EngagementOutcome.objects.create(
                    engagement=engagement,
                    side="organization",
                    hours_given=30,
                    students_hosted=0,
                    agreements_signed=1,
                    projects_started=1,
                    rating=5,
                    story="La maestría abrió dos materias con la asesoría del miembro.",
                    share_story=True,
                    recorded_by=owner,
                    recorded_at=now,
                )
        if state == "cancelled":
            engagements.cancel_engagement(
                engagement_id=engagement.pk,
                reason="La convocatoria del comité se pospuso al próximo año.",
                by=owner,
            )
        created += 1
    stdout.write(f"counterparts: {created} demo engagements")
