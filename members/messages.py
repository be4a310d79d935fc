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
