"""The staff workbench: what waits for each staff role, one click from its action.

Each app contributes sections through a module named `workbench` (members.plugins) with a
function `sections(user) -> list[Section]` that returns only what `user` may act on (its
querysets are the permission boundary) and nothing for a role the user does not hold. The
page (members.views.workbench) lists them in INSTALLED_APPS order; members' own section
(ARCO requests) comes first. Each section reads a bounded number of rows plus one count.
"""

from dataclasses import dataclass, field

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from .plugins import app_modules

ROWS_PER_SECTION = 10


@dataclass
class Decision:
    """A button that decides the item in place (a POST to `url`, with `fields`)."""

    label: str
    url: str
    fields: dict = field(default_factory=dict)
    reason_field: str = ""  # a required text input shown with the button (e.g. a reason)
    reason_label: str = ""
    style: str = ""  # "" or "secondary"


@dataclass
class Item:
    title: str
    url: str  # where the item is handled (admin change page or the site's page)
    detail: str = ""
    due: object = None  # a date shown as "vence el …"
    overdue: bool = False
    decisions: list[Decision] = field(default_factory=list)


@dataclass
class Section:
    key: str  # a stable id for the page's anchors and the tests
    title: str
    items: list[Item]
    total: int
    more_url: str = ""
    empty: str = ""


def admin_change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


def admin_list_url(model, query: str = "") -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{query}" if query else url


def arco_section(user) -> list[Section]:
    """Open ARCO requests by legal due date, overdue first (for whoever may answer them)."""
    from .models import ArcoRequest

    if not user.has_perm("members.change_arcorequest"):
        return []
    open_requests = ArcoRequest.objects.filter(
        status__in=[ArcoRequest.Status.RECEIVED, ArcoRequest.Status.IN_PROGRESS]
    )
    today = timezone.localdate()
    rows = open_requests.select_related("user").order_by("due_on", "pk")[:ROWS_PER_SECTION]
    items = [
        Item(
            title=f"{request.get_kind_display()} · {request.user.email if request.user else '—'}",
            url=admin_change_url(request),
            detail=request.get_status_display(),
            due=request.due_on,
            overdue=request.due_on < today,
        )
        for request in rows
    ]
    return [
        Section(
            key="arco",
            title=gettext("Solicitudes ARCO por fecha límite legal"),
            items=items,
            total=open_requests.count(),
            more_url=admin_list_url(ArcoRequest, "status__exact=received"),
            empty=gettext("No hay solicitudes ARCO abiertas."),
        )
    ]


def sections_for(user) -> list[Section]:
    """Every section the user may work on, members' first, then each app's in order."""
    found = arco_section(user)
    for _label, module in app_modules("workbench"):
        found.extend(module.sections(user))
    return found


EMPTY_PAGE = gettext_lazy("Nada pendiente por ahora.")
