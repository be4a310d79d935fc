"""The first privacy notice and the role groups' permissions on members' models, frozen as
they were when this migration was written (members.privacy_defaults and members.roles keep
them current after every migrate)."""

from django.db import migrations

SUMMARY_ES = ('El Instituto de los Mexicanos en el Exterior (IME) trata tus datos personales para '
 'administrar tu cuenta en la Red de Talentos Mexicanos, mostrar tu perfil según las opciones '
 'de visibilidad que tú elijas y vincularte con capítulos, Puntos Nacionales de Contacto '
 'Sectorial (PNCS) y programas de formación. Las finalidades voluntarias (directorio, contacto '
 'de los PNCS y avisos) son opcionales y puedes retirarlas en cualquier momento. Puedes '
 'acceder a tus datos, rectificarlos, cancelarlos u oponerte a su tratamiento (derechos ARCO) '
 'desde «Mis datos».')

SUMMARY_EN = ('The Institute for Mexicans Abroad (IME) processes your personal data to run your account in '
 'the Mexican Talent Network, show your profile according to the visibility you choose, and '
 'connect you with chapters, the Sector Contact Points (PNCS) and training programs. Voluntary '
 'purposes (directory, PNCS contact, announcements) are optional and you can withdraw them at '
 'any time. You can access, rectify, cancel or object to the processing of your data (ARCO '
 'rights) from "My data".')

BODY_ES = ('Responsable. El Instituto de los Mexicanos en el Exterior (IME), órgano desconcentrado de la '
 'Secretaría de Relaciones Exteriores, es responsable del tratamiento de los datos personales '
 'que proporcionas en este portal.\n'
 '\n'
 'Datos que tratamos. Correo electrónico, nombre y apellidos, fotografía (opcional), país y '
 'ciudad de residencia, estado de origen, formación académica, empleo, sectores, '
 'especialidades, idiomas, formas de aportar a México, enlaces profesionales y tus opciones de '
 'privacidad. No tratamos datos personales sensibles.\n'
 '\n'
 'Finalidades necesarias. Crear y administrar tu cuenta; verificar tu correo; darte acceso a '
 'los capítulos, Jornadas Informativas, oportunidades de los PNCS y programas en los que tú te '
 'inscribas; atender tus solicitudes; cumplir obligaciones legales; elaborar estadísticas '
 'agregadas que no te identifican.\n'
 '\n'
 'Finalidades voluntarias. Mostrar tu perfil en el directorio de miembros (tú eliges a quién); '
 'permitir que los coordinadores de los PNCS te contacten; enviarte avisos de capítulos, '
 'Jornadas, programas y oportunidades. Cada una se elige por separado, ninguna viene marcada y '
 'puedes retirarla en cualquier momento, con la misma facilidad con que la otorgaste.\n'
 '\n'
 'Transferencias. No vendemos tus datos. Solo los compartimos con los coordinadores de los '
 'PNCS cuando tú lo autorizas, y con autoridades cuando la ley lo exige.\n'
 '\n'
 'Derechos ARCO. Desde «Mis datos» puedes ver todo lo que guardamos sobre ti, corregirlo, '
 'descargarlo (JSON y CSV), oponerte a cada finalidad voluntaria y eliminar tu cuenta. Lo que '
 'no puedas resolver ahí, solicítalo con el formulario ARCO: respondemos en un plazo máximo de '
 '20 días hábiles.\n'
 '\n'
 'Conservación. Al eliminar tu cuenta, se desactiva de inmediato y tus datos personales se '
 'anonimizan; solo se conservan cifras agregadas.\n'
 '\n'
 'Cambios. Publicaremos cualquier cambio a este aviso en este portal con un nuevo número de '
 'versión, y te pediremos aceptarlo la siguiente vez que inicies sesión.')

BODY_EN = ('Controller. The Institute for Mexicans Abroad (IME), a decentralised body of the Ministry of '
 'Foreign Affairs of Mexico, is responsible for the personal data you provide on this portal.\n'
 '\n'
 'Data we process. Email address, names and surnames, photo (optional), country and city of '
 'residence, Mexican state of origin, education, employment, sectors, expertise, languages, '
 'the ways you can contribute to Mexico, professional links and your privacy choices. We '
 'process no sensitive personal data.\n'
 '\n'
 'Necessary purposes. Creating and running your account; verifying your email; giving you '
 'access to the chapters, Jornadas Informativas, PNCS opportunities and programs you sign up '
 'for; answering your requests; meeting legal obligations; producing aggregate statistics that '
 'do not identify you.\n'
 '\n'
 'Voluntary purposes. Showing your profile in the member directory (you choose to whom); '
 'letting PNCS coordinators contact you; sending you announcements of chapters, Jornadas, '
 'programs and opportunities. Each is chosen separately, none is pre-ticked, and you can '
 'withdraw any of them at any time as easily as you gave it.\n'
 '\n'
 'Transfers. We do not sell your data. We share it only with PNCS coordinators when you allow '
 'it, and with authorities when the law requires it.\n'
 '\n'
 'ARCO rights. From "My data" you can see everything we keep about you, correct it, download '
 'it (JSON and CSV), object to each voluntary purpose and delete your account. For anything '
 'you cannot do there, use the ARCO request form: we answer within 20 business days at most.\n'
 '\n'
 'Retention. When you delete your account it is deactivated at once and your personal data is '
 'anonymised; only aggregate figures are kept.\n'
 '\n'
 'Changes. Any change to this notice is published on this portal with a new version number, '
 'and you will be asked to accept it the next time you sign in.')

ROLE_PERMISSIONS = {'IME staff': ['view_user',
               'change_user',
               'view_profile',
               'change_profile',
               'view_historicalprofile',
               'view_profilesector',
               'add_profilesector',
               'change_profilesector',
               'delete_profilesector',
               'view_sector',
               'view_contribution',
               'view_language',
               'view_expertisetag',
               'add_expertisetag',
               'change_expertisetag',
               'view_privacynotice',
               'add_privacynotice',
               'change_privacynotice',
               'view_privacyacceptance',
               'view_consentrecord',
               'view_arcorequest',
               'change_arcorequest',
               'view_profileview'],
 'PNCS coordinators': ['view_sector', 'view_contribution'],
 'Chapter officers': []}


def create_first_notice(apps, schema_editor):
    from django.utils import timezone

    PrivacyNotice = apps.get_model("members", "PrivacyNotice")
    if PrivacyNotice.objects.exists():
        return
    PrivacyNotice.objects.create(
        version=1,
        summary_es=SUMMARY_ES,
        summary_en=SUMMARY_EN,
        body_es=BODY_ES,
        body_en=BODY_EN,
        published_at=timezone.now(),
    )


def grant_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; create members' now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("members")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
        )


def revoke_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.all():
        group.permissions.remove(*group.permissions.filter(content_type__app_label="members"))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_privacy_consent_arco_history"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_first_notice, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, revoke_permissions),
    ]
