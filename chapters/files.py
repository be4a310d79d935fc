"""Chapters' private files (members' `<app>.files` extension point, members.files): Jornada
materials, downloaded by who may see them (`Material.objects.visible_to(user)`), and each
chapter's statutes: for everyone when its officers made them public (and the chapter is
public), else for who manages the chapter (`Chapter.objects.managed_by(user)`); and the
files of the PNCS' material proposals, seen by IME and the proposing sector's coordinators
(`JornadaProposal.objects.visible_to(user)`)."""

from django.db.models import Q
from django.utils.text import slugify

from members.files import PrivateFiles

from .models import Chapter, JornadaProposal, Material


def _materials(user):
    return Material.objects.visible_to(user).select_related("jornada")


def _download_name(material):
    return slugify(material.title)[:80] or "material"


def _shareable(material):
    """A public material of a published Jornada: anyone may fetch it, caches may keep it."""
    return material.audience == Material.Audience.PUBLIC and material.jornada.is_published


def _statutes(user):
    public = Chapter.objects.public().filter(statutes_public=True)
    return Chapter.objects.filter(
        Q(pk__in=public.values("pk")) | Q(pk__in=Chapter.objects.managed_by(user).values("pk"))
    )


def _statutes_name(chapter):
    return f"estatutos-{chapter.slug}"


def _statutes_shareable(chapter):
    return chapter.statutes_public and chapter.suspended_at is None and chapter.status != "inactive"


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
        directory="chapters/statutes/",
        rows=_statutes,
        file_field="statutes",
        download_name=_statutes_name,
        shareable=_statutes_shareable,
    ),
    PrivateFiles(
        directory="jornadas/proposals/",
        rows=_proposals,
        file_field="file",
        download_name=_proposal_download_name,
    ),
]
