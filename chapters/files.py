"""Chapters' private files (members' `<app>.files` extension point, members.files): Jornada
materials, downloaded by who may see them (`Material.objects.visible_to(user)`), and the
files of the PNCS' material proposals, seen by IME and the proposing sector's coordinators
(`JornadaProposal.objects.visible_to(user)`)."""

from django.utils.text import slugify

from members.files import PrivateFiles

from .models import JornadaProposal, Material


def _materials(user):
    return Material.objects.visible_to(user).select_related("jornada")


def _download_name(material):
    return slugify(material.title)[:80] or "material"


def _shareable(material):
    """A public material of a published Jornada: anyone may fetch it, caches may keep it."""
    return material.audience == Material.Audience.PUBLIC and material.jornada.is_published


def _proposals(user):
    return JornadaProposal.objects.visible_to(user)


def _proposal_download_name(proposal):
    return slugify(proposal.title_es)[:80] or "propuesta"


PRIVATE_FILES = [
    PrivateFiles(
        directory="jornadas/materials/",
        rows=_materials,
        file_field="file",
        download_name=_download_name,
        shareable=_shareable,
    ),
    PrivateFiles(
        directory="jornadas/proposals/",
        rows=_proposals,
        file_field="file",
        download_name=_proposal_download_name,
    ),
]
