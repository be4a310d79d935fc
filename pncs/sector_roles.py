"""Who coordinates which sector, for the apps that may not import pncs (members.plugins:
`coordinated_sector_ids`): the sectors of the active PNCS the member coordinates."""

from .models import Pncs


def coordinated_sector_ids(user):
    """Sector ids of the active PNCS `user` coordinates (IME staff: only their own, if any)."""
    return Pncs.objects.coordinated_by_member(user.pk).values_list("sector_id", flat=True)
