"""The PNCS on the contact page (members.views.site.contact): each active point, its host
institution and its contact address."""

from django.utils.translation import gettext

from .models import Pncs


def contact_groups() -> list[dict]:
    points = Pncs.objects.filter(is_active=True).select_related("sector").order_by("sector__order")
    return [
        {
            "title": gettext("Puntos Nacionales de Contacto Sectorial (PNCS)"),
            "entries": [
                {
                    "name": point.sector.name,
                    "detail": point.host_institution,
                    "email": point.contact_email,
                }
                for point in points
            ],
        }
    ]
