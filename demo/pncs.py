"""Demo PNCS, a demo coordinator with a known TOTP secret, opportunities and interest.

Fictitious institutions and people only. Runs after the members' demo (seed_demo's order).
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.db import transaction
from django.utils import timezone

from members.checks import DEMO_MEMBER_DOMAIN
from members.models import Contribution, ExpertiseTag, Profile, Sector, User
from pncs.models import Interest, Opportunity, Pncs
from pncs.search import rebuild_index

# The coordinator is one of the demo members (the members' demo counts its own accounts).
DEMO_COORDINATOR_NUMBER = 9
DEMO_COORDINATOR_EMAIL = f"miembro{DEMO_COORDINATOR_NUMBER:04d}@{DEMO_MEMBER_DOMAIN}"
# Base32 secret for an authenticator app (or `oathtool --totp -b`): DEBUG demo data only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105

HOSTS = {
    "cooperacion": "Agencia Ficticia de Cooperación del Golfo",
    "tic": "Centro Demo de Innovación Digital de Occidente",
    "salud": "Instituto Ficticio de Salud del Bajío",
    "alimentos": "Consorcio Demo Agroalimentario del Norte",
    "nanotecnologia": "Laboratorio Ficticio de Nanomateriales",
    "energia": "Centro Demo de Energías del Sureste",
    "medio-ambiente": "Observatorio Ficticio del Clima",
    "automotriz": "Clúster Demo Automotriz del Centro",
    "transporte": "Polo Ficticio Aeronáutico del Pacífico",
}

OPPORTUNITIES = [
    # (sector, kind, title_es, title_en, expertise, contributions, remote, institution)
    (
        "tic",
        Opportunity.Kind.MENTORING,
        "Mentoría en ciencia de datos para una startup",
        "Data science mentoring for a startup",
        ["ciencia de datos", "machine learning"],
        ["mentoria-empresas"],
        True,
        "",
    ),
    (
        "tic",
        Opportunity.Kind.COMMITTEE,
        "Comité de evaluación: proyectos de ciberseguridad",
        "Evaluation committee: cybersecurity projects",
        ["ciberseguridad"],
        ["vision-estrategica"],
        True,
        "Universidad Ficticia del Valle",
    ),
    (
        "energia",
        Opportunity.Kind.VISIT,
        "Congreso de energía solar en Mérida",
        "Solar energy conference in Mérida",
        ["energía solar", "hidrógeno verde"],
        ["promocion"],
        False,
        "",
    ),
    (
        "salud",
        Opportunity.Kind.INTERNSHIP,
        "Pasantía en genómica clínica",
        "Clinical genomics internship",
        ["genómica", "biotecnología"],
        ["estancias"],
        False,
        "",
    ),
    (
        "transporte",
        Opportunity.Kind.BINATIONAL,
        "Proyecto binacional de logística aeronáutica",
        "Binational aeronautics logistics project",
        ["aeronáutica", "logística"],
        ["proyectos", "alianzas"],
        False,
        "",
    ),
]


@transaction.atomic
def seed(*, stdout, rng, members=300, **kwargs):
    """Create the nine PNCS, the demo coordinator, open opportunities and some interest."""
    points = {}
    for sector in Sector.objects.all():
        host = HOSTS.get(sector.slug, f"Institución ficticia de {sector.name_es}")
        points[sector.slug], _ = Pncs.objects.get_or_create(
            sector=sector,
            defaults={
                "host_institution": host,
                "description_es": f"Punto de contacto del sector {sector.name_es} (datos de demostración).",
                "description_en": f"Contact point of the {sector.name_en} sector (demo data).",
                "contact_email": f"pncs-{sector.slug}@{DEMO_MEMBER_DOMAIN}",
            },
        )

    coordinator = User.objects.filter(email=DEMO_COORDINATOR_EMAIL).first()
    if coordinator is not None:
        for slug in ("tic", "energia"):
            if slug in points:
                points[slug].coordinators.add(coordinator)
        if not Authenticator.objects.filter(
            user=coordinator, type=Authenticator.Type.TOTP
        ).exists():
            Authenticator.objects.create(
                user=coordinator,
                type=Authenticator.Type.TOTP,
                data={"secret": encrypt(DEMO_TOTP_SECRET)},
            )

    today = timezone.localdate()
    made = 0
    for sector, kind, title_es, title_en, tags, contributions, remote, institution in OPPORTUNITIES:
        if sector not in points:
            continue
        opportunity, created = Opportunity.objects.get_or_create(
            pncs=points[sector],
            title_es=title_es,
            defaults={
                "kind": kind,
                "sector": points[sector].sector,
                "title_en": title_en,
                "description_es": f"{title_es}. Oportunidad de demostración con datos ficticios.",
                "description_en": f"{title_en}. Demo opportunity with fictitious data.",
                "is_remote": remote,
                "location": "" if remote else "Ciudad de México",
                "institution": institution,
                "deadline": today + timezone.timedelta(days=rng.randint(20, 90)),
                "places": rng.randint(1, 10),
                "status": Opportunity.Status.OPEN,
                "created_by": coordinator,
            },
        )
        if created:
            made += 1
            opportunity.expertise.set(ExpertiseTag.objects.filter(name__in=tags))
            opportunity.contributions.set(Contribution.objects.filter(slug__in=contributions))
            candidates = list(
                Profile.objects.contactable_by_pncs()
                .filter(profile_sectors__sector__slug=sector)
                .exclude(user=coordinator)
                .order_by("pk")
                .values_list("user_id", flat=True)[:3]
            )
            for user_id in candidates:
                Interest.objects.get_or_create(
                    opportunity=opportunity,
                    member_id=user_id,
                    defaults={"message": "Me interesa colaborar (mensaje de demostración)."},
                )
    rows = rebuild_index()
    stdout.write(
        f"pncs: {len(points)} PNCS, {made} opportunities created, {rows} members indexed; "
        f"coordinator {DEMO_COORDINATOR_EMAIL} (TOTP secret {DEMO_TOTP_SECRET})"
    )
