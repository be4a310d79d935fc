"""Reference rows created by data migrations: the nine PNCS sectors, the eleven
contribution types ("¿Qué pueden aportar?") and the languages members speak."""

# (slug, Spanish name exactly as in the seeds, English name)
SECTORS = [
    (
        "cooperacion",
        "Cooperación Internacional para el Desarrollo",
        "International Development Cooperation",
    ),
    (
        "tic",
        "Tecnologías de la Información y Comunicación",
        "Information and Communication Technologies",
    ),
    ("salud", "Salud", "Health"),
    (
        "alimentos",
        "Alimentos, Agricultura, Pesquería y Biotecnología",
        "Food, Agriculture, Fisheries and Biotechnology",
    ),
    ("nanotecnologia", "Nanotecnología y Nuevos Materiales", "Nanotechnology and New Materials"),
    ("energia", "Hidrocarburos y Energías Alternativas", "Hydrocarbons and Alternative Energy"),
    ("medio-ambiente", "Medio Ambiente y Cambio Climático", "Environment and Climate Change"),
    ("automotriz", "Sector automotriz", "Automotive Sector"),
    ("transporte", "Transporte y Aeronáutica", "Transport and Aeronautics"),
]

CONTRIBUTIONS = [
    ("vision-estrategica", "Visión estratégica", "Strategic vision"),
    ("promocion", "Promoción de las capacidades de México", "Promotion of Mexico's capabilities"),
    ("alianzas", "Establecimiento de alianzas estratégicas", "Strategic alliances"),
    ("mejores-practicas", "Aprendizaje de mejores prácticas", "Learning of best practices"),
    (
        "transferencia",
        "Transferencia de conocimiento y desarrollo de habilidades",
        "Knowledge transfer and skills development",
    ),
    ("proyectos", "Desarrollo de proyectos específicos", "Development of specific projects"),
    ("mentoria-empresas", "Mentoría hacia empresas mexicanas", "Mentoring of Mexican companies"),
    (
        "misiones",
        "Misiones comerciales y de aprendizaje de negocios",
        "Trade and business-learning missions",
    ),
    ("mentoria-academica", "Mentoría para programas académicos", "Mentoring of academic programs"),
    (
        "habilidades-demandadas",
        "Orientación sobre habilidades demandadas por el campo de trabajo",
        "Guidance on skills in demand",
    ),
    ("estancias", "Estancias y prácticas profesionales", "Internships and professional placements"),
]

LANGUAGES = [
    ("es", "Español", "Spanish"),
    ("en", "Inglés", "English"),
    ("fr", "Francés", "French"),
    ("de", "Alemán", "German"),
    ("pt", "Portugués", "Portuguese"),
    ("it", "Italiano", "Italian"),
    ("zh", "Chino", "Chinese"),
    ("ja", "Japonés", "Japanese"),
    ("ko", "Coreano", "Korean"),
    ("ru", "Ruso", "Russian"),
    ("ar", "Árabe", "Arabic"),
    ("hi", "Hindi", "Hindi"),
    ("nl", "Neerlandés", "Dutch"),
    ("sv", "Sueco", "Swedish"),
    ("he", "Hebreo", "Hebrew"),
    ("nah", "Náhuatl", "Nahuatl"),
    ("myn", "Maya", "Mayan"),
    ("zap", "Zapoteco", "Zapotec"),
    ("mix", "Mixteco", "Mixtec"),
    ("ca", "Catalán", "Catalan"),
]


def sync_reference_data(sector_model, contribution_model, language_model):
    """Create or update the reference rows (idempotent). Models are passed in so the
    data migration can use its historical models and post_migrate the current ones."""
    for order, (slug, name_es, name_en) in enumerate(SECTORS, start=1):
        sector_model.objects.update_or_create(
            slug=slug, defaults={"name_es": name_es, "name_en": name_en, "order": order}
        )
    for order, (slug, name_es, name_en) in enumerate(CONTRIBUTIONS, start=1):
        contribution_model.objects.update_or_create(
            slug=slug, defaults={"name_es": name_es, "name_en": name_en, "order": order}
        )
    for code, name_es, name_en in LANGUAGES:
        language_model.objects.update_or_create(
            code=code, defaults={"name_es": name_es, "name_en": name_en}
        )


def sync_site(Site) -> None:
    """The Site's domain follows SITE_URL on every migrate (not only the first one): allauth
    builds its mails' links from it, so `make run PORT=8101` links to port 8101."""
    from urllib.parse import urlsplit

    from django.conf import settings

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Red de Talentos Mexicanos"}
    )
