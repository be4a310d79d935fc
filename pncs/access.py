"""Who may use the PNCS area (member search, exports, opportunity management)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from members.access import is_ime_staff, second_factor_required

from .models import Pncs


def can_use_pncs_area(user) -> bool:
    """Coordinators of an active PNCS and IME staff; checked on every request."""
    if not user.is_authenticated:
        return False
    return is_ime_staff(user) or Pncs.objects.coordinated_by_member(user.pk).exists()


def coordinator_required(view):
    """Login, then the role (403 otherwise), then a second factor (`second_factor_required`)."""
    protected = second_factor_required(view)

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not can_use_pncs_area(request.user):
            raise PermissionDenied
        return protected(request, *args, **kwargs)

    return wrapper
