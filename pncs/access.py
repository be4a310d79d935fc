"""Who may use the PNCS area (member search, exports, opportunity management)."""

from core.access import is_ime_staff, role_required

from .models import Pncs


def can_use_pncs_area(user) -> bool:
    """Coordinators of an active PNCS and IME staff; checked on every request."""
    if not user.is_authenticated:
        return False
    return is_ime_staff(user) or Pncs.objects.coordinated_by_member(user.pk).exists()


# Login, then the role (403 otherwise), then the second factor (core.access.role_required).
coordinator_required = role_required(can_use_pncs_area)


def coordinates_a_pncs(user) -> bool:
    """A coordinator of an active PNCS (not IME staff as such): who writes to a sector."""
    return user.is_authenticated and Pncs.objects.coordinated_by_member(user.pk).exists()


coordinates_a_pncs_required = role_required(coordinates_a_pncs)
