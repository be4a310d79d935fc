"""Demo data of the programs app (runs after the members demo; fictitious people only).

IA 1000 as described in the joint press release of June 2024: run by the public research
centre Infotec and Huawei Technologies, a call in early 2024 with no specific academic
background required, a virtual stage 1 (machine learning, deep learning) with the
centre's constancia plus Huawei's certification, and an in-person stage 2 abroad for
the 107 best averages. The demo cohort is drawn from the demo members (all of them,
up to the program's capacity), its results recorded and both credentials issued. The
stage abroad is upcoming (its dates are relative to the day of seeding): the 107 best
were selected, one declined and her seat passed to the next in rank, most confirmed and
gave their travel data, a few have not answered yet. A second program has an open call
so applying can be tried.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from members.checks import DEMO_MEMBER_DOMAIN
from members.choices import EducationLevel, MexicanState
from members.models import User
from programs.models import (
    Application,
    Enrolment,
    Module,
    Partner,
    Program,
    Selection,
    Session,
    Stage,
    TravelDetails,
)
from programs.services import (
    CertificationRow,
    ResultRow,
    import_partner_certifications,
    rank_candidates,
    record_results,
)

IA1000_SLUG = "ia-1000"
STAGE2_STARTS_IN = 45  # days from the day of seeding to the stage abroad
# Of the seats offered, this many (the last ones by rank) are still waiting for an answer.
PENDING_OFFERS = 5
OPEN_SLUG = "ciencia-de-datos-para-la-salud"

# Participants came from 24 states and 4 countries, bachillerato to doctorado.
STATES = MexicanState.values[:24]
NATIONALITIES = [("MX", 90), ("CO", 4), ("VE", 3), ("AR", 3)]
LEVELS = [
    (EducationLevel.BACHILLERATO, 15),
    (EducationLevel.LICENCIATURA, 50),
    (EducationLevel.MAESTRIA, 25),
    (EducationLevel.DOCTORADO, 10),
]
GENDERS = [
    (Application.Gender.WOMAN, 38),
    (Application.Gender.MAN, 52),
    (Application.Gender.NON_BINARY, 2),
    ("", 8),
]
FIELDS = [
    "Ingeniería en computación",
    "Matemáticas aplicadas",
    "Ingeniería química",
    "Economía",
    "Actuaría",
    "Física",
    "Bachillerato general",
    "Ciencias del procesamiento de la información",
    "Ingeniería aeronáutica",
    "Medicina",
]
INSTITUTIONS = [
    "Universidad Nacional (demo)",
    "Instituto Tecnológico (demo)",
    "Universidad Autónoma Estatal (demo)",
    "Centro de Estudios Superiores (demo)",
    "Preparatoria Federal (demo)",
]


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _aware(year, month, day, hour=9):
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


def _partners():
    infotec, _created = Partner.objects.get_or_create(
        slug="infotec",
        defaults={
            "name": "Infotec",
            "kind": Partner.Kind.PUBLIC_CENTRE,
            "country": "MX",
            # Printed under the signature line of the constancias (a demo name).
            "signer_name": "Dra. Mariana Ortiz Salgado",
            "signer_role_es": "Directora de Formación",
            "signer_role_en": "Director of Training",
            "description_es": (
                "Centro de Investigación e Innovación en Tecnologías de la Información y "
                "Comunicación, centro público coordinado por el Consejo Nacional de "
                "Humanidades, Ciencias y Tecnologías (Conahcyt)."
            ),
            "description_en": (
                "Research and Innovation Centre for Information and Communication "
                "Technologies, a public research centre coordinated by Mexico's National "
                "Council of Humanities, Sciences and Technologies (Conahcyt)."
            ),
        },
    )
    huawei, _created = Partner.objects.get_or_create(
        slug="huawei",
        defaults={
            "name": "Huawei Technologies",
            "kind": Partner.Kind.COMPANY,
            "country": "CN",
            "signer_name": "Chen Hao",
            "signer_role_es": "Director de la Academia de TIC",
            "signer_role_en": "Head of the ICT Academy",
            "description_es": (
                "Empresa tecnológica de China que impartió la formación avanzada y otorgó "
                "su certificación, en el marco del convenio de cooperación científica y "
                "tecnológica firmado con Infotec."
            ),
            "description_en": (
                "Chinese technology company that gave the advanced training and its "
                "certification, under the scientific and technological cooperation "
                "agreement signed with Infotec."
            ),
        },
    )
    return infotec, huawei


def _ia1000(infotec, huawei):
    program, created = Program.objects.get_or_create(
        slug=IA1000_SLUG,
        defaults={
            "name_es": "Programa de Desarrollo de Talento IA 1000",
            "name_en": "IA 1000 Talent Development Program",
            "summary_es": (
                "Formación y certificación en inteligencia artificial para mil personas "
                "mexicanas y extranjeras residentes en México."
            ),
            "summary_en": (
                "Artificial intelligence training and certification for a thousand Mexicans "
                "and foreign residents of Mexico."
            ),
            "description_es": (
                "Proyecto conjunto de Infotec y Huawei Technologies para crear una base de "
                "talento nacional en inteligencia artificial, orientada a contribuir a la "
                "resolución de problemáticas prioritarias nacionales.\n\n"
                "En la primera etapa, virtual, las y los participantes se capacitan en "
                "aprendizaje automático (machine learning) y aprendizaje profundo (deep "
                "learning), y obtienen la constancia de Infotec y la certificación de Huawei. "
                "Los 107 mejores promedios pasan a una segunda etapa de dos semanas de "
                "instrucción avanzada presencial en China."
            ),
            "description_en": (
                "A joint project of Infotec and Huawei Technologies to build a national talent "
                "base in artificial intelligence, aimed at helping to solve Mexico's priority "
                "problems.\n\n"
                "In the first, virtual stage participants train in machine learning and deep "
                "learning, and receive Infotec's certificate and Huawei's certification. The "
                "107 best averages go on to a second stage: two weeks of advanced in-person "
                "instruction in China."
            ),
            "capacity": 1000,
            "call_opens_at": _aware(2024, 1, 8),
            "call_closes_at": _aware(2024, 2, 9, 23),
            "eligibility_es": (
                "Convocatoria abierta a personas mexicanas y extranjeras residentes en "
                "México, de bachillerato a doctorado. No se exige una formación académica "
                "específica."
            ),
            "eligibility_en": (
                "Open to Mexicans and foreign residents of Mexico, from high school to PhD. "
                "No specific academic background is required."
            ),
        },
    )
    if created:
        program.partners.set([infotec, huawei])
    stage1, _created = Stage.objects.get_or_create(
        program=program,
        order=1,
        defaults={
            "name_es": "Etapa 1: formación virtual en IA",
            "name_en": "Stage 1: virtual AI training",
            "description_es": "Aprendizaje automático (machine learning) y aprendizaje profundo (deep learning).",
            "description_en": "Machine learning and deep learning.",
            "mode": Stage.Mode.VIRTUAL,
            "place_es": "En línea",
            "place_en": "Online",
            "starts_on": dt.date(2024, 2, 19),
            "ends_on": dt.date(2024, 4, 26),
            "certifying_partner": huawei,
            "certification_name": "Huawei Certified ICT Associate - AI (HCIA-AI)",
            "pass_grade": Decimal("70.00"),
            "min_attendance": Decimal("80.00"),
        },
    )
    _modules_and_sessions(stage1)
    stage2, _created = Stage.objects.get_or_create(
        program=program,
        order=2,
        defaults={
            "name_es": "Etapa 2: instrucción avanzada presencial",
            "name_en": "Stage 2: advanced in-person instruction",
            "description_es": "Dos semanas de instrucción avanzada con especialistas de Huawei.",
            "description_en": "Two weeks of advanced instruction with Huawei's experts.",
            "mode": Stage.Mode.IN_PERSON,
            "place_es": "China (en el extranjero)",
            "place_en": "China (abroad)",
            # Upcoming, relative to the day of seeding: the seats are being confirmed and
            # the travel data is collected (it is purged only once the stage has ended).
            "starts_on": timezone.localdate() + dt.timedelta(days=STAGE2_STARTS_IN),
            "ends_on": timezone.localdate() + dt.timedelta(days=STAGE2_STARTS_IN + 13),
            "seats": 107,
            # The seat abroad (issue 23): a week to confirm it, travel data asked.
            "offer_days": 7,
            "collects_travel_data": True,
        },
    )
    return program, stage1, stage2


MODULES = [
    ("ml", "Aprendizaje automático (machine learning)", "Machine learning", 40),
    ("dl", "Aprendizaje profundo (deep learning)", "Deep learning", 40),
    ("openai", "Modelos de OpenAI y LLM", "OpenAI models and LLMs", 20),
]


def _modules_and_sessions(stage):
    """Stage 1's three weighted modules and its ten virtual sessions (two a week)."""
    if stage.modules.exists():
        return
    modules = [
        Module.objects.create(
            stage=stage, order=n, code=code, name_es=name_es, name_en=name_en, weight=weight
        )
        for n, (code, name_es, name_en, weight) in enumerate(MODULES, start=1)
    ]
    start = timezone.make_aware(dt.datetime(2024, 2, 20, 17, 0))
    for n in range(10):
        module = modules[min(n * len(modules) // 10, len(modules) - 1)]
        Session.objects.create(
            stage=stage,
            code=f"s{n + 1:02d}",
            module=module,
            title_es=f"Sesión {n + 1}: {module.name_es}",
            title_en=f"Session {n + 1}: {module.name_en}",
            mode=Session.Mode.VIRTUAL,
            starts_at=start + dt.timedelta(days=7 * (n // 2) + 2 * (n % 2)),
            link=f"https://aula.example.org/ia1000/sesion-{n + 1:02d}",
        )


def _open_program(infotec):
    now = timezone.now()
    program, created = Program.objects.get_or_create(
        slug=OPEN_SLUG,
        defaults={
            "name_es": "Ciencia de Datos para la Salud",
            "name_en": "Data Science for Health",
            "summary_es": "Programa virtual de ciencia de datos aplicada a la salud pública.",
            "summary_en": "A virtual program of data science applied to public health.",
            "description_es": (
                "Programa de demostración con convocatoria abierta: análisis de datos, "
                "estadística y aprendizaje automático aplicados a problemas de salud pública."
            ),
            "description_en": (
                "Demo program with an open call: data analysis, statistics and machine "
                "learning applied to public health problems."
            ),
            "capacity": 200,
            "call_opens_at": now - dt.timedelta(days=7),
            "call_closes_at": now + dt.timedelta(days=60),
            "eligibility_es": "Abierto a todas las personas; no se exige formación específica.",
            "eligibility_en": "Open to everyone; no specific background required.",
        },
    )
    if created:
        program.partners.set([infotec])
        start = (now + dt.timedelta(days=75)).date()
        Stage.objects.create(
            program=program,
            order=1,
            name_es="Etapa única: curso virtual",
            name_en="Single stage: online course",
            mode=Stage.Mode.VIRTUAL,
            place_es="En línea",
            place_en="Online",
            starts_on=start,
            ends_on=start + dt.timedelta(days=56),
        )
    return program


def _application(rng, program, user, created_at, status):
    return Application(
        program=program,
        user=user,
        status=status,
        education_level=_weighted(rng, LEVELS),
        education_field=rng.choice(FIELDS),
        institution=rng.choice(INSTITUTIONS),
        state=rng.choice(STATES),
        nationality=_weighted(rng, NATIONALITIES),
        gender=_weighted(rng, GENDERS),
        motivation="Quiero aplicar la inteligencia artificial en mi comunidad. (demo)",
        created_at=created_at,
        decided_at=created_at + dt.timedelta(days=10) if status != "applied" else None,
    )


def _cohort(rng, program, stage1, stage2, users):
    """Accepted applications, stage-1 results, selection for stage 2, certificates."""
    if Application.objects.filter(program=program).exists():
        return 0
    participants = users[: program.capacity]
    applications = [
        _application(
            rng,
            program,
            user,
            program.call_opens_at + dt.timedelta(minutes=rng.randint(0, 31 * 24 * 60)),
            Application.Status.ACCEPTED,
        )
        for user in participants
    ]
    Application.objects.bulk_create(applications)
    applications = list(Application.objects.filter(program=program).order_by("pk"))
    Enrolment.objects.bulk_create(
        [Enrolment(application=application, stage=stage1) for application in applications]
    )
    # Module grades and attendance, imported through the same service as a results file:
    # the stage average and completion are computed (programs.grading).
    modules = list(stage1.modules.all())
    sessions = list(stage1.sessions.all())
    rows = []
    for line, enrolment in enumerate(
        Enrolment.objects.filter(stage=stage1).order_by("pk"), start=2
    ):
        level = rng.randint(5500, 10000)
        dropped = rng.random() < 0.08
        grades = {
            m.pk: Decimal(max(0, min(10000, level + rng.randint(-900, 900)))) / 100
            for m in modules
            if not dropped or rng.random() < 0.4
        }
        presence = 0.3 if dropped else 0.95
        attendance = {s.pk: rng.random() < presence for s in sessions}
        rows.append(
            ResultRow(
                line=line,
                enrolment_id=enrolment.pk,
                score=None,
                completed=False,
                certified=None,
                grades=grades,
                attendance=attendance,
            )
        )
    record_results(stage=stage1, rows=rows, completed_on=stage1.ends_on, notify=False)
    # Huawei's own certification, imported with its identifiers and dates, as a separate
    # credential from Infotec's constancia.
    certified = Enrolment.objects.filter(stage=stage1, certified=True).order_by("pk")
    import_partner_certifications(
        stage=stage1,
        rows=[
            CertificationRow(
                line=n,
                enrolment_id=enrolment.pk,
                external_id=f"HCIA-AI-2024-{n:05d}",
                issued_on=stage1.ends_on + dt.timedelta(days=3),
            )
            for n, enrolment in enumerate(certified, start=2)
        ],
        notify=False,
    )

    ranking = rank_candidates(stage=stage1)
    # The 107 best averages when the demo has enough members (the default 300 does);
    # two in three of those ranked in a small demo, so a waitlist remains.
    count = min(stage2.seats or 0, len(ranking) * 2 // 3) or min(len(ranking), 1)
    waitlist = min(len(ranking) - count, max(2, count // 10)) if len(ranking) > count else 0
    selected = ranking[:count]
    waiting = ranking[count : count + waitlist]
    # The stage abroad is upcoming: the seats were offered three days ago with a week to
    # answer. The first one selected declined hers; it passed to the first on the
    # waitlist, who confirmed it. The last few selected have not answered yet; everyone
    # else confirmed and most gave their travel data (issue 23).
    now = timezone.now()
    offered_at = now - dt.timedelta(days=3)
    deadline = offered_at + dt.timedelta(days=stage2.offer_days or 7)
    declined = selected[0] if waiting and len(selected) > 1 else None
    pending = selected[1:][-PENDING_OFFERS:] if len(selected) > 2 else []
    confirmed = [c for c in selected if c is not declined and c not in pending]
    confirmed += waiting[:1] if declined else []
    enrolments = (
        [
            Enrolment(
                application_id=c.application_id,
                stage=stage2,
                rank=c.rank,
                offer_expires_at=deadline,
                seat_confirmed_at=offered_at + dt.timedelta(days=1),
            )
            for c in confirmed
        ]
        + [
            Enrolment(
                application_id=c.application_id,
                stage=stage2,
                rank=c.rank,
                offer_expires_at=deadline,
            )
            for c in pending
        ]
        + [
            Enrolment(
                application_id=c.application_id,
                stage=stage2,
                status=Enrolment.Status.WAITLISTED,
                rank=c.rank,
            )
            for c in waiting
            if c not in confirmed
        ]
    )
    if declined:
        enrolments.append(
            Enrolment(
                application_id=declined.application_id,
                stage=stage2,
                status=Enrolment.Status.DECLINED,
                rank=declined.rank,
                offer_expires_at=deadline,
                released_at=offered_at + dt.timedelta(days=1),
                decline_reason="No obtuve permiso en mi trabajo para viajar.",
            )
        )
    Enrolment.objects.bulk_create(enrolments)
    _travel_details(rng, stage2)
    # The demo's notices were "sent" when the seats were offered: nothing is mailed by seeding.
    Enrolment.objects.filter(stage=stage1, completed=True).update(selection_notified_at=offered_at)
    Selection.objects.create(
        source_stage=stage1,
        target_stage=stage2,
        selected_count=len(selected),
        waitlist_count=len(waiting),
        confirmed_at=offered_at,
    )
    return len(applications)


DIETS = ["", "", "", "Vegetariana", "Sin gluten", "Vegana"]


def _travel_details(rng, stage):
    """Travel data of four in five confirmed participants, around the stage's dates."""
    arrival = stage.starts_on - dt.timedelta(days=1)
    departure = stage.ends_on + dt.timedelta(days=1)
    confirmed = stage.enrolments.filter(
        status=Enrolment.Status.ENROLLED, seat_confirmed_at__isnull=False
    ).order_by("rank")
    details = []
    for n, enrolment in enumerate(confirmed):
        if n % 5 == 4:
            continue
        diet = rng.choice(DIETS)
        details.append(
            TravelDetails(
                enrolment=enrolment,
                passport_valid_until=departure + dt.timedelta(days=rng.randint(200, 1500)),
                visa_status=rng.choice(["applied", "granted", "to_apply"]),
                arrival_on=arrival,
                departure_on=departure,
                dietary_needs=diet,
                sensitive_consent_at=timezone.now() if diet else None,
                emergency_contact_name="Familiar de contacto (demo)",
                emergency_contact_phone=f"+52 55 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            )
        )
    TravelDetails.objects.bulk_create(details)


def _open_applications(rng, program, users):
    """A few pending applications to the open program, for staff to review."""
    if Application.objects.filter(program=program).exists():
        return 0
    now = timezone.now()
    applications = [
        _application(rng, program, user, now - dt.timedelta(hours=rng.randint(1, 150)), "applied")
        for user in users
    ]
    Application.objects.bulk_create(applications)
    return len(applications)


@transaction.atomic
def seed(*, stdout, rng, members=300, **kwargs):
    """IA 1000 with a completed, selected and certified cohort, plus an open program."""
    infotec, huawei = _partners()
    program, stage1, stage2 = _ia1000(infotec, huawei)
    open_program = _open_program(infotec)
    users = list(
        User.objects.filter(email__endswith=f"@{DEMO_MEMBER_DOMAIN}", is_active=True)
        .order_by("pk")
        .only("pk")
    )
    # Keep the first two demo members free of IA 1000 so they can try the whole journey.
    cohort_users = users[2:]
    made = _cohort(rng, program, stage1, stage2, cohort_users)
    pending = _open_applications(rng, open_program, users[2:12])
    stdout.write(
        f"programs: IA 1000 cohort of {made} participants created, "
        f"{pending} pending applications to the open program"
    )
