"""Demo news: network posts by the demo IME account, sector posts by the demo coordinator
(TIC and energy), chapter posts by the demo officer (Houston), and one post waiting for
IME's review and one returned with a reason, so every state shows. Fictitious text only.
Runs after the chapters' and the PNCS' demos (seed_demo's order)."""

import datetime

from django.db import transaction
from django.utils import timezone

from chapters.models import Chapter
from members.checks import DEMO_MEMBER_DOMAIN, DEMO_STAFF_EMAIL
from members.models import Profile, Sector, User
from news.models import Post
from news.services import tags_from_names

from .chapters import DEMO_OFFICER_EMAIL
from .pncs import DEMO_COORDINATOR_EMAIL

POSTS = [
    # (slug, scope, target slug, author, status, days ago, tags, es, en)
    (
        "arranca-la-red-de-noticias",
        "network",
        None,
        DEMO_STAFF_EMAIL,
        "published",
        12,
        ["red", "anuncios"],
        (
            "La Red estrena su sección de noticias",
            "Capítulos, PNCS e IME publican aquí sus novedades, con canales Atom y RSS.",
            "Desde hoy, cada **capítulo** y cada **PNCS** publica sus novedades en el portal.\n\n"
            "- Suscríbete al canal de tu sector o de tu capítulo.\n"
            "- Las noticias de la red llegan también en el resumen por correo, si lo eliges.",
        ),
        (
            "The Network launches its news section",
            "Chapters, PNCS and IME publish their news here, with Atom and RSS feeds.",
            "From today, every **chapter** and every **PNCS** publishes its news on the portal.\n\n"
            "- Subscribe to your sector's or your chapter's feed.\n"
            "- Network news also comes in the e-mail digest, if you choose it.",
        ),
    ),
    (
        "comite-ficticio-de-ciberseguridad",
        "sector",
        "tic",
        DEMO_COORDINATOR_EMAIL,
        "published",
        5,
        ["ciberseguridad", "comités"],
        (
            "Buscamos evaluadores para proyectos de ciberseguridad",
            "El PNCS de TIC invita a miembros de la Red a su comité de evaluación 2026.",
            "El comité revisa propuestas de empresas mexicanas ficticias. "
            "Consulta la [oportunidad](/opportunities/) y expresa tu interés.",
        ),
        (
            "We are looking for reviewers of cybersecurity projects",
            "The ICT PNCS invites Network members to its 2026 evaluation committee.",
            "The committee reviews proposals from fictitious Mexican companies. "
            "See the [opportunity](/en/opportunities/) and express your interest.",
        ),
    ),
    (
        "taller-demo-de-energia-solar",
        "sector",
        "energia",
        DEMO_COORDINATOR_EMAIL,
        "published",
        2,
        ["energía solar"],
        (
            "Taller en línea sobre energía solar distribuida",
            "Tres sesiones con especialistas de la Red para centros de investigación mexicanos.",
            "El taller es **gratuito** y se transmite en línea (datos de demostración).",
        ),
        (
            "Online workshop on distributed solar energy",
            "Three sessions with Network specialists for Mexican research centres.",
            "The workshop is **free** and streamed online (demo data).",
        ),
    ),
    (
        "houston-reunion-de-bienvenida",
        "chapter",
        "houston",
        DEMO_OFFICER_EMAIL,
        "published",
        3,
        ["capítulo", "bienvenida"],
        (
            "Reunión de bienvenida del capítulo Houston",
            "Conoce a la mesa directiva y a los nuevos miembros del capítulo.",
            "La mesa directiva invita a una reunión informal (evento ficticio).",
        ),
        (
            "Houston chapter welcome meeting",
            "Meet the board and the chapter's new members.",
            "The board invites you to an informal meeting (fictitious event).",
        ),
    ),
    (
        "mentorias-tic-en-revision",
        "sector",
        "tic",
        DEMO_COORDINATOR_EMAIL,
        "pending",
        0,
        ["mentoría"],
        (
            "Mentorías en ciencia de datos para startups",
            "Un nuevo ciclo de mentorías espera la revisión del IME.",
            "Texto de demostración en revisión.",
        ),
        (
            "Data science mentoring for startups",
            "A new mentoring round waiting for IME's review.",
            "Demo text in review.",
        ),
    ),
    (
        "houston-nota-devuelta",
        "chapter",
        "houston",
        DEMO_OFFICER_EMAIL,
        "rejected",
        1,
        [],
        (
            "Fotos del último evento",
            "Galería del evento de otoño.",
            "Texto de demostración devuelto.",
        ),
        ("Photos of the last event", "Autumn event gallery.", "Demo text returned."),
    ),
]
REJECTION_REASON = (
    "Agrega un resumen en inglés más claro y el permiso de las personas en las fotos."
)


def seed(*, stdout, rng, **kwargs):
    """Create the demo posts (once each, by slug)."""
    now = timezone.now()
    users = {u.email: u for u in User.objects.filter(email__in={p[3] for p in POSTS})}
    created = 0
    with transaction.atomic():
        for slug, scope, target, email, status, days, tags, es, en in POSTS:
            if Post.objects.filter(slug=slug).exists():
                continue
            sector = Sector.objects.filter(slug=target).first() if scope == "sector" else None
            chapter = Chapter.objects.filter(slug=target).first() if scope == "chapter" else None
            if (scope == "sector" and sector is None) or (scope == "chapter" and chapter is None):
                continue
            when = now - datetime.timedelta(days=days, hours=rng.randint(1, 8))
            post = Post.objects.create(
                slug=slug,
                scope=scope,
                sector=sector,
                chapter=chapter,
                author=users.get(email),
                status=status,
                published_at=when,
                submitted_at=when if status != "draft" else None,
                rejection_reason=REJECTION_REASON if status == "rejected" else "",
                title_es=es[0],
                summary_es=es[1],
                body_es=es[2],
                title_en=en[0],
                summary_en=en[1],
                body_en=en[2],
            )
            post.tags.set(tags_from_names(tags))
            created += 1
    # A third of the demo members chose the digest (weekly, or monthly for some).
    demo_profiles = Profile.objects.filter(user__email__endswith=f"@{DEMO_MEMBER_DOMAIN}")
    chosen = [pk for pk in demo_profiles.values_list("pk", flat=True) if pk % 3 == 0]
    demo_profiles.filter(pk__in=chosen).update(notify_digest=True)
    demo_profiles.filter(pk__in=[pk for pk in chosen if pk % 2]).update(digest_frequency="monthly")
    stdout.write(f"News: {created} new posts (one waiting for review at /news/manage/review/).")
