"""User-facing messages of the members views (tests import the same constants)."""

from django.utils.translation import gettext_lazy as _

PROFILE_SAVED = _("Guardamos tu perfil.")
ONBOARDING_DONE = _("¡Bienvenida o bienvenido a la Red! Tu perfil está listo.")
FIX_ERRORS = _("Revisa los campos marcados y vuelve a enviar el formulario.")
CHOICES_SAVED = _("Guardamos tus opciones de privacidad.")
CHOICES_UNCHANGED = _("Tus opciones de privacidad no cambiaron.")
PREFERENCES_SAVED = _("Guardamos tu idioma preferido.")
PRIVACY_ACCEPTED = _("Gracias: aceptaste la versión vigente del aviso de privacidad.")
ARCO_FILED = _("Recibimos tu solicitud ARCO. Te enviamos un acuse por correo.")
ACCOUNT_DELETED = _("Eliminamos tu cuenta y anonimizamos tus datos personales.")
VIEW_CAP_REACHED = _(
    "Consultaste el número máximo de perfiles por hoy. Vuelve a intentarlo mañana."
)
DIRECTORY_CAP_REACHED = _(
    "Consultaste el número máximo de páginas del directorio por hoy. "
    "Vuelve a intentarlo mañana o afina tu búsqueda."
)
PNCS_MEMBER_CAP_REACHED = _(
    "Consultaste el número máximo de fichas de miembros por hoy. "
    "Vuelve a intentarlo mañana; para trabajar con muchos miembros, exporta tu búsqueda."
)
MERGE_LINK_SENT = _(
    "Si esa dirección es de otra cuenta de la Red, le enviamos un enlace para confirmar la "
    "fusión. Ábrelo desde ese correo; vence en %(hours)s horas."
)
MERGE_SAME_ACCOUNT = _("Escribe el correo de tu otra cuenta, no el de esta.")
MERGE_DAILY_CAP = _("Pediste demasiadas fusiones por hoy. Vuelve a intentarlo mañana.")
MERGE_WAITING = _(
    "Confirmado. La fusión se hará cuando se confirme también desde el correo de la otra cuenta."
)
MERGE_DONE = _(
    "Listo: las dos cuentas son ahora una. Entra con el correo de la cuenta que se conservó."
)
MAILBOX_WARNING = _(
    "Parece que ya existe otra cuenta de la Red con tu mismo buzón de correo (escrito de otra "
    "forma, por ejemplo con puntos o con una etiqueta +). Si es tuya, puedes fusionarlas "
    "desde «Mis datos»."
)
