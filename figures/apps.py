from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    """The network in figures: aggregates of members, chapters, PNCS and programs.

    A separate app because it reads all four; none of them imports it.
    """

    name = "figures"
    verbose_name = _("La red en cifras")
