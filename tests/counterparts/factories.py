"""Fictitious organisations with valid RFCs (check digit computed)."""

import itertools

from django.utils import timezone

from counterparts.models import Organization, OrganizationMember
from counterparts.validators import rfc_check_digit
from members.models import Sector

_numbers = itertools.count(1)


def fictitious_rfc(n: int) -> str:
    body = f"OFI{n % 100:02d}01{(n % 28) + 1:02d}X{n % 10}"
    return body + rfc_check_digit(body)


def organization(*, owner=None, sector="tic", status="verified", **fields):
    """An organisation (verified unless told) with `owner` as its owner."""
    n = next(_numbers)
    now = timezone.now()
    defaults = {
        "legal_name": f"Organización Ficticia {n}",
        "slug": f"organizacion-ficticia-{n}",
        "kind": "university",
        "rfc": fictitious_rfc(n),
        "state": "NLE",
        "city": "Monterrey",
        "size": "large",
        "contact_name": "Persona de Contacto",
        "contact_email": f"contacto{n}@example.org",
        "created_at": now,
        "submitted_at": now,
        "status": status,
    }
    defaults.update(fields)
    org = Organization.objects.create(main_sector=Sector.objects.get(slug=sector), **defaults)
    if owner is not None:
        OrganizationMember.objects.create(
            organization=org, user=owner, role="owner", created_at=now
        )
    return org
