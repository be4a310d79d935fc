"""Who may use the PNCS area (member search, exports, opportunity management)."""

from core.access import is_ime_staff, role_required

from .models import Pncs

# Whether the user coordinates an active PNCS, read once per user object: a page asks it
# several times (the view's decorator, the dashboard's boxes, the header's workbench). The
# request's user is loaded afresh on every request, so an assignment or its removal counts
# from the next request on, as roles do (core.access.role_names).
COORDINATES_MEMO = "_coordinates_active_pncs"


def coordinates_a_pncs(user) -> bool:
    """A coordinator of an active PNCS (not IME staff as such): who writes to a sector."""
    if not user.is_authenticated:
        return False
    found = getattr(user, COORDINATES_MEMO, None)
    if found is None:
        found = Pncs.objects.coordinated_by_member(user.pk).exists()
        setattr(user, COORDINATES_MEMO, found)
    return found


def can_use_pncs_area(user) -> bool:
    """Coordinators of an active PNCS and IME staff; checked on every request."""
    return user.is_authenticated and (is_ime_staff(user) or coordinates_a_pncs(user))


# Login, then the role (403 otherwise), then the second factor (core.access.role_required).
coordinator_required = role_required(can_use_pncs_area)
coordinates_a_pncs_required = role_required(coordinates_a_pncs)
