"""Programs' private files (members' `<app>.files` extension point, members.files): a
partner's signature image, seen only by program staff (the admin's preview); it is read
from storage to print certificates, never served to anyone else."""

from members.files import PrivateFiles

from .access import is_program_staff
from .models import Partner


def _signatures(user):
    if user.is_authenticated and is_program_staff(user):
        return Partner.objects.all()
    return Partner.objects.none()


PRIVATE_FILES = [
    PrivateFiles(directory="programs/signatures/", rows=_signatures, file_field="signature"),
]
