"""Reference rows: the nine PNCS sectors, the eleven contribution types and the languages
members speak, as they were when this migration was written (a migration does not follow
later code: members.reference_data keeps them current after every migrate)."""

from django.db import migrations

# (slug, Spanish name exactly as in the seeds, English name)
SECTORS = [('cooperacion',
  'Cooperación Internacional para el Desarrollo',
  'International Development Cooperation'),
 ('tic',
  'Tecnologías de la Información y Comunicación',
  'Information and Communication Technologies'),
 ('salud', 'Salud', 'Health'),
 ('alimentos',
  'Alimentos, Agricultura, Pesquería y Biotecnología',
  'Food, Agriculture, Fisheries and Biotechnology'),
 ('nanotecnologia', 'Nanotecnología y Nuevos Materiales', 'Nanotechnology and New Materials'),
 ('energia', 'Hidrocarburos y Energías Alternativas', 'Hydrocarbons and Alternative Energy'),
 ('medio-ambiente', 'Medio Ambiente y Cambio Climático', 'Environment and Climate Change'),
 ('automotriz', 'Sector automotriz', 'Automotive Sector'),
 ('transporte', 'Transporte y Aeronáutica', 'Transport and Aeronautics')]

CONTRIBUTIONS = [('vision-estrategica', 'Visión estratégica', 'Strategic vision'),
 ('promocion', 'Promoción de las capacidades de México', "Promotion of Mexico's capabilities"),
 ('alianzas', 'Establecimiento de alianzas estratégicas', 'Strategic alliances'),
 ('mejores-practicas', 'Aprendizaje de mejores prácticas', 'Learning of best practices'),
 ('transferencia',
  'Transferencia de conocimiento y desarrollo de habilidades',
  'Knowledge transfer and skills development'),
 ('proyectos', 'Desarrollo de proyectos específicos', 'Development of specific projects'),
 ('mentoria-empresas', 'Mentoría hacia empresas mexicanas', 'Mentoring of Mexican companies'),
 ('misiones',
  'Misiones comerciales y de aprendizaje de negocios',
  'Trade and business-learning missions'),
 ('mentoria-academica', 'Mentoría para programas académicos', 'Mentoring of academic programs'),
 ('habilidades-demandadas',
  'Orientación sobre habilidades demandadas por el campo de trabajo',
  'Guidance on skills in demand'),
 ('estancias',
  'Estancias y prácticas profesionales',
  'Internships and professional placements')]

# (ISO 639-1 code, Spanish name, English name)
LANGUAGES = [('es', 'Español', 'Spanish'),
 ('en', 'Inglés', 'English'),
 ('fr', 'Francés', 'French'),
 ('de', 'Alemán', 'German'),
 ('pt', 'Portugués', 'Portuguese'),
 ('it', 'Italiano', 'Italian'),
 ('zh', 'Chino', 'Chinese'),
 ('ja', 'Japonés', 'Japanese'),
 ('ko', 'Coreano', 'Korean'),
 ('ru', 'Ruso', 'Russian'),
 ('ar', 'Árabe', 'Arabic'),
 ('hi', 'Hindi', 'Hindi'),
 ('nl', 'Neerlandés', 'Dutch'),
 ('sv', 'Sueco', 'Swedish'),
 ('he', 'Hebreo', 'Hebrew'),
 ('nah', 'Náhuatl', 'Nahuatl'),
 ('myn', 'Maya', 'Mayan'),
 ('zap', 'Zapoteco', 'Zapotec'),
 ('mix', 'Mixteco', 'Mixtec'),
 ('ca', 'Catalán', 'Catalan')]


def create_reference_data(apps, schema_editor):
    Sector = apps.get_model("members", "Sector")
    Contribution = apps.get_model("members", "Contribution")
    Language = apps.get_model("members", "Language")
    for order, (slug, name_es, name_en) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(
            slug=slug, defaults={"name_es": name_es, "name_en": name_en, "order": order}
        )
    for order, (slug, name_es, name_en) in enumerate(CONTRIBUTIONS, start=1):
        Contribution.objects.update_or_create(
            slug=slug, defaults={"name_es": name_es, "name_en": name_en, "order": order}
        )
    for code, name_es, name_en in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name_es": name_es, "name_en": name_en})


def name_the_site(apps, schema_editor):
    from urllib.parse import urlsplit

    from django.conf import settings

    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Red de Talentos Mexicanos"}
    )


def remove_reference_data(apps, schema_editor):
    apps.get_model("members", "Sector").objects.all().delete()
    apps.get_model("members", "Contribution").objects.all().delete()
    apps.get_model("members", "Language").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("sites", "0002_alter_domain_unique")]

    operations = [
        migrations.RunPython(create_reference_data, remove_reference_data),
        migrations.RunPython(name_the_site, migrations.RunPython.noop),
    ]
