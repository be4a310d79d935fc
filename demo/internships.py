"""Demo internships: placements demo members offer abroad (published, one waiting for the
TIC PNCS, whose coordinator is the demo coordinator, one asked for changes), and fictitious
Mexican students from several states, with a small PDF CV each and applications in every
state (received, shortlisted, accepted, not selected); the accepted one is an engagement
between the student and the host (counterparts). Runs after the members' and PNCS
demos. Students sign in like demo members (estudiante01@demo.example.org, the members'
demo password)."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from demo.members import DEMO_MEMBER_PASSWORD
from internships.models import Application, Placement, PlacementEvent, StudentProfile
from internships.services import on_accepted
from members.checks import DEMO_MEMBER_DOMAIN
from members.models import Language, PrivacyAcceptance, PrivacyNotice, Sector, User

PLACEMENTS = [
    # (host's demo number, title es, title en, institution, country, city, field, sector,
    #  language, weeks, stipend, seats, status)
    (
        3,
        "Estancia de verano en aprendizaje automático",
        "Summer internship in machine learning",
        "Universidad Ficticia de California",
        "US",
        "San José",
        "Aprendizaje automático",
        "tic",
        "en",
        10,
        "2,500 USD al mes",
        2,
        "published",
    ),
    (
        4,
        "Prácticas en genómica de cultivos",
        "Crop genomics traineeship",
        "Instituto Demo de Biotecnología de Hamburgo",
        "DE",
        "Hamburgo",
        "Genómica",
        "alimentos",
        "en",
        12,
        "",
        1,
        "published",
    ),
    (
        6,
        "Estancia en almacenamiento de energía solar",
        "",
        "Centro Ficticio de Energía de Madrid",
        "ES",
        "Madrid",
        "Baterías",
        "energia",
        "es",
        8,
        "900 EUR al mes",
        2,
        "published",
    ),
    (
        10,
        "Pasantía en ciberseguridad industrial",
        "Industrial cybersecurity internship",
        "Empresa Demo de Seguridad de Toronto",
        "CA",
        "Toronto",
        "Ciberseguridad",
        "tic",
        "en",
        16,
        "3,000 CAD al mes",
        1,
        "submitted",
    ),
    (
        11,
        "Estancia en materiales compuestos para aeronaves",
        "",
        "Laboratorio Ficticio Aeroespacial de Toulouse",
        "FR",
        "Toulouse",
        "Materiales compuestos",
        "transporte",
        "fr",
        12,
        "",
        1,
        "changes",
    ),
]

STUDENTS = [
    # (number, full name, university, programme, semester, state)
    (
        1,
        "Daniela Ortiz Ficticia",
        "Universidad Ficticia de Guadalajara",
        "Ingeniería en computación",
        8,
        "JAL",
    ),
    (
        2,
        "Luis Fernández Demo",
        "Instituto Tecnológico Ficticio de Mérida",
        "Ingeniería en energías renovables",
        7,
        "YUC",
    ),
    (
        3,
        "Ximena Castro Ficticia",
        "Universidad Demo de Sinaloa",
        "Biotecnología agrícola",
        9,
        "SIN",
    ),
    (4, "Andrés Morales Demo", "Universidad Ficticia de Oaxaca", "Ciencias de datos", 6, "OAX"),
]

APPLICATIONS = [
    # (student number, index in PLACEMENTS, status, motivation)
    (1, 0, "accepted", "Quiero aplicar el aprendizaje automático a la salud pública."),
    (
        4,
        0,
        "shortlisted",
        "Me interesa la visión por computadora y he trabajado con datos abiertos.",
    ),
    (3, 1, "applied", "Mi tesis trata sobre el genoma del maíz criollo."),
    (2, 2, "declined", "Estudio baterías de litio para comunidades aisladas."),
]

# A minimal one-page PDF: the demo CVs are real PDFs (their first bytes are checked).
DEMO_CV = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _student_email(number):
    return f"estudiante{number:02d}@{DEMO_MEMBER_DOMAIN}"


@transaction.atomic
def seed(*, stdout, rng, members=300, **kwargs):
    """Create the demo placements, students and applications once."""
    now = timezone.now()
    today = timezone.localdate(now)
    placements = []
    for n, row in enumerate(PLACEMENTS):
        (
            number,
            title_es,
            title_en,
            institution,
            country,
            city,
            field,
            sector,
            language,
            weeks,
            stipend,
            seats,
            status,
        ) = row
        host = User.objects.filter(email=f"miembro{number:04d}@{DEMO_MEMBER_DOMAIN}").first()
        if host is None:
            placements.append(None)
            continue
        placement, new = Placement.objects.get_or_create(
            host=host,
            title_es=title_es,
            defaults={
                "title_en": title_en,
                "description_es": f"Estancia ficticia en {institution}: un proyecto del equipo "
                "con tutoría semanal.",
                "description_en": f"Fictitious internship at {institution}: a team project "
                "with weekly mentoring."
                if title_en
                else "",
                "institution": institution,
                "country": country,
                "city": city,
                "field": field,
                "sector": Sector.objects.get(slug=sector),
                "language": Language.objects.get(code=language),
                "starts_on": today + timedelta(days=90 + 7 * n),
                "duration_weeks": weeks,
                "paid": bool(stipend),
                "stipend": stipend,
                "seats": seats,
                "deadline": today + timedelta(days=30 + 7 * n),
                "status": status,
                "created_at": now,
                "submitted_at": now,
                "decided_at": now if status != "submitted" else None,
            },
        )
        if new:
            PlacementEvent.objects.create(placement=placement, action="submitted", by=host, at=now)
            if status != "submitted":
                PlacementEvent.objects.create(
                    placement=placement,
                    action=status,
                    reason="Indica si el apoyo cubre el alojamiento."
                    if status == "changes"
                    else "",
                    at=now,
                )
        placements.append(placement)

    password = make_password(DEMO_MEMBER_PASSWORD)
    notice = PrivacyNotice.objects.current()
    students = {}
    for number, full_name, university, programme, semester, state in STUDENTS:
        email = _student_email(number)
        user, new = User.objects.get_or_create(
            email=email,
            defaults={"password": password, "email_verified": True, "preferred_language": "es-mx"},
        )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if notice is not None:
            PrivacyAcceptance.objects.get_or_create(user=user, notice=notice)
        profile = StudentProfile.objects.filter(user=user).first()
        if profile is None:
            profile = StudentProfile.objects.create(
                user=user,
                full_name=full_name,
                university=university,
                programme=programme,
                semester=semester,
                state=state,
                created_at=now,
                cv_uploaded_at=now,
            )
            profile.cv.save("cv.pdf", ContentFile(DEMO_CV), save=True)
        students[number] = user

    created = 0
    for number, index, status, motivation in APPLICATIONS:
        placement = placements[index]
        if placement is None:
            continue
        applied, new = Application.objects.get_or_create(
            placement=placement,
            student=students[number],
            defaults={
                "motivation": motivation,
                "cv_consent_at": now,
                "created_at": now,
                "status": status,
                "decided_at": now if status in ("accepted", "declined") else None,
                "decided_by": placement.host if status != "applied" else None,
            },
        )
        created += new
        if status == "accepted" and applied.engagement_id is None:
            # The accepted student and the host: a planned engagement of the network.
            on_accepted(application=applied, by=placement.host)
    stdout.write(
        f"internships: {sum(1 for p in placements if p)} placements, {len(students)} students, "
        f"{created} new applications"
    )
