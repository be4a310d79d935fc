"""Site-wide pages served by the members app: home (the network, its sectors and
contributions) and the privacy notice. (The health check: core.views.)"""

import logging

from django.conf import settings
from django.shortcuts import render

from ..models import Contribution, Sector

logger = logging.getLogger(__name__)


def home(request):
    """The network explained, with the ways in: sign-up, chapters, PNCS, programs."""
    return render(
        request,
        "members/home.html",
        {"sectors": Sector.objects.all(), "contributions": Contribution.objects.all()},
    )


def privacy_notice(request):
    """The privacy notice in force (public), with links to earlier published versions."""
    from ..models import PrivacyNotice

    notices = list(PrivacyNotice.objects.published().order_by("-version"))
    version = request.GET.get("version", "")
    notice = notices[0] if notices else None
    if version.isdigit():
        notice = next((n for n in notices if n.version == int(version)), None)
        if notice is None:
            from django.http import Http404

            raise Http404
    return render(
        request,
        "members/privacy_notice.html",
        {
            "notice": notice,
            "notices": notices,
            "current": notices[0] if notices else None,
            "search_terms_retention_days": settings.SEARCH_TERMS_RETENTION_DAYS,
        },
    )


def contact(request):
    """Who runs the site and how to reach the team, IME and each PNCS (other apps add their
    contact points through a `contact` module: members.plugins)."""
    from ..plugins import app_modules

    groups = []
    for _label, module in app_modules("contact"):
        groups.extend(module.contact_groups())
    return render(
        request,
        "members/contact.html",
        {"contact_email": settings.CONTACT_EMAIL, "groups": groups},
    )
