"""Demo chapters, officers, memberships and Jornadas (fictitious people only).

Runs after the members' demo (seed_demo's order), so demo members exist. Idempotent:
rows are found by slug (chapters, Jornadas) or by their natural keys.
"""

import datetime
import zoneinfo

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.db import transaction
from django.utils import timezone

from announcements.audiences import recipient_ids
from announcements.delivery import start_sending
from announcements.models import Announcement
from announcements.services import unsubscribe
from chapters.models import (
    AgendaItem,
    Chapter,
    Jornada,
    Membership,
    Officer,
    RegionalCoordinator,
    Registration,
    Speaker,
)
from chapters.services import grant_officer_access
from members.checks import DEMO_MEMBER_DOMAIN
from members.models import Sector, User

# A demo member who is also the president of the Houston chapter: logs into the scoped
# admin with the demo members' shared password and, like every account that sees others'
# personal data (members.access), a second factor: this documented TOTP secret (DEBUG
# demo data only; README, `make run`).
DEMO_OFFICER_EMAIL = f"miembro0002@{DEMO_MEMBER_DOMAIN}"
DEMO_OFFICER_TOTP_SECRET = "MRSW23ZNN5TGM2LDMVZC2MRW"  # noqa: S105

CHAPTERS = [
    # slug, name, city, country, region, status, formalised, lat, lon, sectors
    (
        "silicon-valley",
        "Silicon Valley",
        "San José, California",
        "US",
        "north-america",
        "formalized",
        datetime.date(2006, 11, 1),
        "37.33870",
        "-121.88530",
        ["tic", "nanotecnologia"],
    ),
    (
        "houston",
        "Houston",
        "Houston, Texas",
        "US",
        "north-america",
        "formalized",
        datetime.date(2007, 5, 1),
        "29.76040",
        "-95.36980",
        ["energia", "salud"],
    ),
    (
        "detroit",
        "Detroit",
        "Detroit, Michigan",
        "US",
        "north-america",
        "formalized",
        datetime.date(2007, 12, 1),
        "42.33140",
        "-83.04580",
        ["automotriz", "transporte"],
    ),
    (
        "toronto",
        "Toronto",
        "Toronto, Ontario",
        "CA",
        "north-america",
        "forming",
        None,
        "43.65320",
        "-79.38320",
        ["tic", "medio-ambiente"],
    ),
    (
        "madrid",
        "Madrid",
        "Madrid",
        "ES",
        "europe",
        "forming",
        None,
        "40.41680",
        "-3.70380",
        ["cooperacion", "alimentos"],
    ),
]

DESCRIPTIONS = {
    "es": "Capítulo {name} de la Red de Talentos Mexicanos: profesionales mexicanos de la "
    "región que colaboran con México en sus áreas de interés, definidas con autonomía.",
    "en": "The {name} chapter of the Mexican Talent Network: Mexican professionals in the "
    "region working with Mexico in the areas they chose on their own.",
}


def _sectors(slugs):
    return list(Sector.objects.filter(slug__in=slugs))


def _at(day, hour, minute=0, tz="America/Mexico_City"):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(tz))


@transaction.atomic
def seed(*, stdout, rng, members=300, **kwargs):
    """Create the demo chapters, their officers and members, and two Jornadas."""
    people = list(
        # The demo members only (the demo's students share the domain: issue 20).
        User.objects.filter(email__startswith="miembro", email__endswith=f"@{DEMO_MEMBER_DOMAIN}")
        .select_related("profile")
        .order_by("email")
    )
    chapters = {}
    for slug, name, city, country, region, status, since, lat, lon, sectors in CHAPTERS:
        chapter, _ = Chapter.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "city": city,
                "country": country,
                "region": region,
                "status": status,
                "formalized_on": since,
                "latitude": lat,
                "longitude": lon,
                "description_es": DESCRIPTIONS["es"].format(name=name),
                "description_en": DESCRIPTIONS["en"].format(name=name),
                "contact_email": f"{slug}@capitulos.{DEMO_MEMBER_DOMAIN}",
            },
        )
        if not chapter.sectors.exists():
            chapter.sectors.set(_sectors(sectors))
        if not chapter.interests_es:
            # The chapter's own areas (free text), besides the PNCS sectors it works with.
            chapter.interests_es = (
                "Vinculación con universidades mexicanas\nMentoría de estudiantes"
            )
            chapter.interests_en = "Ties with Mexican universities\nMentoring students"
            chapter.save(update_fields=["interests_es", "interests_en"])
        chapters[slug] = chapter

    # Officers: the demo officer presides Houston; other chapters get fictitious boards.
    today = timezone.localdate()
    term_start = datetime.date(today.year - 1, 1, 1)
    officer_emails = {
        "houston": [DEMO_OFFICER_EMAIL],
        "silicon-valley": [f"miembro0003@{DEMO_MEMBER_DOMAIN}"],
        "detroit": [f"miembro0004@{DEMO_MEMBER_DOMAIN}"],
    }
    by_email = {p.email: p for p in people}
    for slug, emails in officer_emails.items():
        for email in emails:
            user = by_email.get(email)
            if user is None:
                continue
            Officer.objects.get_or_create(
                chapter=chapters[slug],
                user=user,
                role=Officer.Role.PRESIDENT,
                defaults={"term_start": term_start},
            )
            grant_officer_access(user=user)
            if email == DEMO_OFFICER_EMAIL:
                _seed_officer_second_factor(user)
            Membership.objects.get_or_create(
                chapter=chapters[slug],
                user=user,
                defaults={"status": Membership.Status.APPROVED, "decided_at": timezone.now()},
            )
    # A former officer (term ended): shown nowhere, powers gone.
    former = by_email.get(f"miembro0005@{DEMO_MEMBER_DOMAIN}")
    if former is not None:
        Officer.objects.get_or_create(
            chapter=chapters["houston"],
            user=former,
            role=Officer.Role.TREASURER,
            defaults={
                "term_start": datetime.date(today.year - 4, 1, 1),
                "term_end": datetime.date(today.year - 2, 12, 31),
            },
        )

    # A regional coordinator: manages the chapters of Europe like their officers do.
    coordinator = by_email.get(f"miembro0006@{DEMO_MEMBER_DOMAIN}")
    if coordinator is not None:
        RegionalCoordinator.objects.get_or_create(
            user=coordinator,
            region=Chapter.Region.EUROPE,
            defaults={"term_start": term_start},
        )
        grant_officer_access(user=coordinator)

    # Memberships: most demo members in one chapter, some pending.
    slugs = list(chapters)
    made = 0
    for n, user in enumerate(people[5:]):
        slug = rng.choice(slugs)
        # One request in six waits for a decision, so the admin has something to approve.
        status = Membership.Status.PENDING if n % 6 == 0 else Membership.Status.APPROVED
        _, created = Membership.objects.get_or_create(
            chapter=chapters[slug],
            user=user,
            defaults={
                "status": status,
                "decided_at": timezone.now() if status == Membership.Status.APPROVED else None,
                "message": "Me gustaría colaborar con el capítulo.",
            },
        )
        made += created
    # Home chapter: the first approved membership of each demo member.
    homes = set(Membership.objects.filter(is_home=True).values_list("user_id", flat=True))
    for membership in Membership.objects.approved().filter(user__in=people).order_by("pk"):
        if membership.user_id not in homes:
            membership.is_home = True
            membership.save(update_fields=["is_home"])
            homes.add(membership.user_id)

    fourth = _past_fourth_jornada()
    upcoming = _upcoming_jornada(today, people)
    event, _ = Jornada.objects.get_or_create(
        slug="houston-encuentro-energia",
        defaults={
            "chapter": chapters["houston"],
            "title_es": "Encuentro del capítulo Houston: energía y salud",
            "title_en": "Houston chapter meetup: energy and health",
            "starts_at": _at(today + datetime.timedelta(days=20), 18, tz="America/Chicago"),
            "ends_at": _at(today + datetime.timedelta(days=20), 21, tz="America/Chicago"),
            "timezone": "America/Chicago",
            "venue": "Sala comunitaria (demo)",
            "city": "Houston",
            "country": "US",
            "capacity": 30,
            "description_es": "Reunión del capítulo para planear proyectos con los PNCS.",
            "description_en": "Chapter meeting to plan projects with the PNCS.",
            "is_published": True,
        },
    )
    sent = _demo_announcements(chapters["houston"], upcoming)
    stdout.write(
        f"chapters: {sent} demo announcements sent; "
        f"{len(chapters)} chapters, {made} new memberships, Jornadas "
        f"{fourth.slug}, {upcoming.slug}, {event.slug}; officer {DEMO_OFFICER_EMAIL} "
        f"(TOTP secret {DEMO_OFFICER_TOTP_SECRET})"
    )


def _seed_officer_second_factor(user):
    """The demo officer's TOTP authenticator with the documented secret (once)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(
            user=user,
            type=Authenticator.Type.TOTP,
            data={"secret": encrypt(DEMO_OFFICER_TOTP_SECRET)},
        )


def _past_fourth_jornada():
    jornada, created = Jornada.objects.get_or_create(
        slug="cuarta-jornada-informativa",
        defaults={
            "title_es": "Cuarta Jornada Informativa de la Red de Talentos",
            "title_en": "Fourth Information Day of the Talent Network",
            "edition": 4,
            "starts_at": _at(datetime.date(2009, 2, 16), 9),
            "ends_at": _at(datetime.date(2009, 2, 17), 18),
            "venue": "Sede del IME (demo)",
            "city": "Ciudad de México",
            "country": "MX",
            "description_es": "Encuentro de los capítulos con el IME, CONACYT y los sectores.",
            "description_en": "The chapters meet IME, CONACYT and the sectors.",
            "is_published": True,
        },
    )
    if created:
        AgendaItem.objects.create(
            jornada=jornada,
            order=1,
            starts_at=jornada.starts_at,
            title_es="Presentación de los capítulos",
            title_en="The chapters introduce themselves",
        )
    return jornada


def _upcoming_jornada(today, people):
    start_day = today + datetime.timedelta(days=45)
    jornada, created = Jornada.objects.get_or_create(
        slug="jornada-informativa-proxima",
        defaults={
            "title_es": "Jornada Informativa: talento en el exterior y sectores de México",
            "title_en": "Information Day: talent abroad and Mexico's sectors",
            "edition": 18,
            "starts_at": _at(start_day, 9),
            "ends_at": _at(start_day, 18),
            "venue": "Centro de convenciones (demo)",
            "city": "Ciudad de México",
            "country": "MX",
            "online_url": "https://example.org/transmision-demo",
            "capacity": 40,
            "description_es": "Agenda con los PNCS, los capítulos y los programas de formación.",
            "description_en": "Agenda with the PNCS, the chapters and the training programs.",
            "logistics_notes": "Registro en sitio desde las 8:00. Gafetes impresos por el IME.",
            "is_published": True,
        },
    )
    if created:
        items = [
            ("Bienvenida e inauguración", "Welcome and opening", 9, 0),
            ("Mesa: los PNCS y la Red", "Panel: the PNCS and the Network", 10, 0),
            ("Capítulos: experiencias y proyectos", "Chapters: experience and projects", 12, 0),
            ("Programas de formación: IA 1000", "Training programs: IA 1000", 15, 0),
        ]
        for order, (es, en, hour, minute) in enumerate(items, start=1):
            item = AgendaItem.objects.create(
                jornada=jornada,
                order=order,
                starts_at=_at(start_day, hour, minute),
                title_es=es,
                title_en=en,
            )
            Speaker.objects.create(
                agenda_item=item,
                name=f"Ponente invitada {order} (demo)",
                affiliation="Institución ficticia",
                bio="Semblanza breve de una persona ficticia.",
            )
            if order - 1 < len(people):
                Speaker.objects.create(agenda_item=item, member=people[order - 1], order=1)
    for user in people[6:36]:
        Registration.objects.get_or_create(
            jornada=jornada,
            user=user,
            defaults={"status": Registration.Status.CONFIRMED, "confirmed_at": timezone.now()},
        )
    return jornada


DEMO_ANNOUNCEMENTS = {
    "houston": "Reunión de planeación del capítulo Houston (demo)",
    "jornada": "Recordatorio de agenda: Jornada Informativa (demo)",
    "scheduled": "Convocatoria de mentores para el próximo trimestre (demo)",
}


def _demo_announcements(houston, upcoming) -> int:
    """Two announcements sent through the real outbox (tasks inline, mail on the console
    in `make run`), one member unsubscribed in between so the progress shows a skip, and
    a scheduled one. Found by subject: idempotent."""
    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    sent = 0
    specs = [
        (
            "houston",
            {
                "kind": Announcement.Kind.CHAPTER,
                "chapter": houston,
                "subject_en": "Houston chapter planning meeting (demo)",
                "body_es": "Nos reunimos el **primer jueves** del mes para planear los "
                "proyectos con los PNCS. [Página del capítulo]"
                f"({houston.get_absolute_url()})",
                "body_en": "We meet on the **first Thursday** of the month to plan projects "
                f"with the PNCS. [Chapter page](/en{houston.get_absolute_url()})",
            },
            {"audience_chapters": [houston]},
        ),
        (
            "jornada",
            {
                "kind": Announcement.Kind.JORNADAS,
                "chapter": None,
                "subject_en": "Agenda reminder: Information Day (demo)",
                "body_es": f"Consulta la agenda y los ponentes: [{upcoming.title_es}]"
                f"({upcoming.get_absolute_url()})",
                "body_en": f"See the agenda and the speakers: [{upcoming.title_en}]"
                f"(/en{upcoming.get_absolute_url()})",
            },
            {"audience_jornadas": [upcoming]},
        ),
    ]
    for key, fields, audience in specs:
        if Announcement.objects.filter(subject_es=DEMO_ANNOUNCEMENTS[key]).exists():
            continue
        announcement = Announcement.objects.create(
            subject_es=DEMO_ANNOUNCEMENTS[key], created_by=staff, **fields
        )
        for name, rows in audience.items():
            getattr(announcement, name).set(rows)
        if not recipient_ids(announcement).exists():
            continue
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        start_sending(locked, now=timezone.now())  # written and sent after the seed commits
        first = recipient_ids(announcement).first()
        if key == "houston" and first is not None:
            unsubscribe(user_id=first, kind=announcement.kind)  # skipped at send time
        sent += 1
    if not Announcement.objects.filter(subject_es=DEMO_ANNOUNCEMENTS["scheduled"]).exists():
        scheduled = Announcement.objects.create(
            kind=Announcement.Kind.CHAPTER,
            chapter=houston,
            subject_es=DEMO_ANNOUNCEMENTS["scheduled"],
            subject_en="Call for mentors for next quarter (demo)",
            body_es="¿Quieres ser mentor o mentora? Responde a la convocatoria del capítulo.",
            body_en="Would you like to mentor? Answer the chapter's call.",
            status=Announcement.Status.SCHEDULED,
            scheduled_for=timezone.now() + datetime.timedelta(days=7),
            created_by=staff,
        )
        scheduled.audience_chapters.set([houston])
    return sent
