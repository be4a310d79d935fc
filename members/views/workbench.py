"""The staff workbench page (members.workbench): what waits for the signed-in staff role."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.access import remember_workbench_link, role_required, sees_others_personal_data

from ..workbench import EMPTY_PAGE, sections_for


@never_cache
@role_required(sees_others_personal_data)
@require_GET
def workbench(request):
    """Pending work of every staff role the user holds, each item one click from its
    action; members without a role get 403 (role_required)."""
    remember_workbench_link(request, request.user)
    sections = sections_for(request.user)
    return render(
        request,
        "members/workbench.html",
        {
            "sections": sections,
            "pending": sum(section.total for section in sections),
            "empty_page": EMPTY_PAGE,
        },
    )
