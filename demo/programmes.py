"""Demo work programmes (issue 21): this year's lines of action of the nine PNCS, under the
seed's headings, each with a target and the coordinator responsible (where the PNCS has
one), and of three chapters in their own words; Houston's statutes, public, and Silicon
Valley's, for its officers only. Progress is never seeded: it is computed from the demo's
opportunities, requests, engagements, posts and events. Fictitious text only. Runs after
every domain whose rows the lines count (seed_demo's order). Idempotent: rows are found by
their owner, year and Spanish title."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chapters.models import Chapter, ChapterLine
from core import pdf
from members.progress import CHAPTER, PNCS, measures
from pncs.models import Pncs, WorkLine

# (heading, measure, target, Spanish title, English title): every PNCS gets these, the
# targets scaled a little per sector so the side-by-side view differs.
PNCS_LINES = [
    (
        "human-capital",
        "pncs.opportunities.pasantia",
        3,
        "Pasantías en empresas y universidades donde trabajan los talentos",
        "Internships at the companies and universities where the talents work",
    ),
    (
        "human-capital",
        "pncs.opportunities.mentoria",
        4,
        "Mentoría a instituciones mexicanas",
        "Mentoring of Mexican institutions",
    ),
    (
        "innovation-policy",
        "pncs.opportunities.comite",
        2,
        "Comités de evaluación de proyectos de innovación",
        "Evaluation committees for innovation projects",
    ),
    (
        "information",
        "news.sector_posts",
        6,
        "Alimentar la página web de la Red con noticias del sector",
        "Feed the Network's web page with the sector's news",
    ),
    (
        "projects",
        "counterparts.requests_triaged",
        5,
        "Atender las solicitudes de organizaciones mexicanas",
        "Answer the requests of Mexican organisations",
    ),
    (
        "projects",
        "counterparts.engagements",
        3,
        "Proyectos binacionales con contrapartes en México",
        "Binational projects with counterparts in Mexico",
    ),
    (
        "chapters",
        "pncs.opportunities.visita",
        2,
        "Visitas de miembros de los capítulos a México",
        "Visits of chapter members to Mexico",
    ),
    (
        "jornadas",
        "chapters.jornada_contributions",
        2,
        "Ponentes y agenda para la Jornada Informativa",
        "Speakers and agenda for the Jornada Informativa",
    ),
]

CHAPTER_LINES = {
    "houston": [
        (
            "chapters.events",
            4,
            "Encuentros trimestrales sobre energía y transición",
            "Quarterly meetings on energy and the transition",
        ),
        (
            "chapters.new_members",
            25,
            "Sumar a profesionistas mexicanos del área de Houston",
            "Bring in Mexican professionals of the Houston area",
        ),
        (
            "news.chapter_posts",
            6,
            "Contar lo que hace el capítulo en el portal",
            "Tell what the chapter does on the portal",
        ),
    ],
    "silicon-valley": [
        (
            "counterparts.members_engagements",
            5,
            "Mentorías de nuestros miembros a empresas emergentes mexicanas",
            "Our members mentoring Mexican start-ups",
        ),
        (
            "chapters.events",
            3,
            "Talleres de inteligencia artificial abiertos a estudiantes",
            "Artificial intelligence workshops open to students",
        ),
    ],
    "detroit": [
        (
            "chapters.participants",
            60,
            "Foro anual de la industria automotriz",
            "Yearly forum of the automotive industry",
        ),
    ],
}

STATUTES = {"houston": True, "silicon-valley": False}  # slug -> public


def _statutes_pdf(chapter) -> bytes:
    """A short fictitious statutes document."""
    return pdf.render_report(
        pdf.Report(
            title=f"Estatutos del Capítulo {chapter.name} (ficticios)",
            subtitle="Documento de demostración: no es un texto legal.",
            sections=[
                pdf.Section(
                    title="Artículos",
                    header=["Artículo", "Texto"],
                    widths=(1, 6),
                    rows=[
                        ["1", "El capítulo reúne a profesionistas mexicanos de la región."],
                        ["2", "La mesa directiva se elige cada dos años."],
                        ["3", "El capítulo define con autonomía sus áreas y líneas de acción."],
                    ],
                )
            ],
        ),
        landscape=False,
    )


def seed(*, stdout, rng, **kwargs):
    year = timezone.localdate().year
    known = set(measures(PNCS)) | set(measures(CHAPTER))
    made = 0
    with transaction.atomic():
        for n, point in enumerate(Pncs.objects.select_related("sector").order_by("pk")):
            responsible = point.coordinators.order_by("pk").first()
            for heading, measure, target, title_es, title_en in PNCS_LINES:
                if measure not in known:
                    continue  # an app that contributes it is not installed
                _line, created = WorkLine.objects.get_or_create(
                    pncs=point,
                    year=year,
                    title_es=title_es,
                    defaults={
                        "heading": heading,
                        "title_en": title_en,
                        "measure": measure,
                        "target": target + n % 3,
                        "responsible": responsible,
                    },
                )
                made += created
        chapters = {c.slug: c for c in Chapter.objects.filter(slug__in=CHAPTER_LINES)}
        for slug, lines in CHAPTER_LINES.items():
            chapter = chapters.get(slug)
            if chapter is None:
                continue
            for measure, target, title_es, title_en in lines:
                if measure not in known:
                    continue
                _line, created = ChapterLine.objects.get_or_create(
                    chapter=chapter,
                    year=year,
                    title_es=title_es,
                    defaults={"title_en": title_en, "measure": measure, "target": target},
                )
                made += created
        for slug, public in STATUTES.items():
            chapter = chapters.get(slug)
            if chapter is None or chapter.statutes:
                continue
            chapter.statutes.save("estatutos.pdf", ContentFile(_statutes_pdf(chapter)), save=False)
            chapter.statutes_public = public
            chapter.statutes_updated_at = timezone.now()
            chapter.save(update_fields=["statutes", "statutes_public", "statutes_updated_at"])
    stdout.write(f"  work programmes: {made} lines of action added")
