from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChaptersConfig(AppConfig):
    name = "chapters"
    verbose_name = _("Capítulos y Jornadas")
