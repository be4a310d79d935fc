"""Who runs programs: the "Program staff" group (created by a data migration), IME staff
and superusers. They work in the Django admin and see a program's exact figures."""

from core.access import in_group, is_ime_staff

PROGRAM_STAFF = "Program staff"


def is_program_staff(user) -> bool:
    """Active staff accounts in the Program staff group, IME staff and superusers."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return is_ime_staff(user) or in_group(user, PROGRAM_STAFF)
