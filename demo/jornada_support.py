"""Demo of the PNCS' part in IME's Jornadas (issue 21), after the chapters and the PNCS:
the upcoming Jornada asks for travel needs and some registrants from abroad gave theirs
(some asking for a letter of invitation); the demo coordinator's proposals in every state
(one in review, one accepted and on the Jornada's page, one declined with IME's reason);
and an announcement to the coordinator's sector waiting for IME's approval. Idempotent."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from announcements.models import Announcement
from announcements.services import submit_for_approval
from chapters.models import Jornada, JornadaProposal, Registration, TravelNeeds
from chapters.services import decide_proposal
from members.checks import DEMO_STAFF_EMAIL
from members.models import Sector

from .pncs import DEMO_COORDINATOR_EMAIL

User = get_user_model()
NATIONALITIES = ["US", "CA", "ES", "DE", "CO"]
DEMO_PDF = b"%PDF-1.4\n% demo material\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def seed(*, stdout, rng, **kwargs):
    jornada = Jornada.objects.filter(slug="jornada-informativa-proxima").first()
    coordinator = User.objects.filter(email=DEMO_COORDINATOR_EMAIL).first()
    staff = User.objects.filter(email=DEMO_STAFF_EMAIL).first()
    if jornada is None:
        return
    if not jornada.asks_travel_needs:
        jornada.asks_travel_needs = True
        jornada.save(update_fields=["asks_travel_needs"])
    travellers = _travel_needs(jornada)
    proposals = 0
    if coordinator is not None and staff is not None:
        proposals = _proposals(jornada, coordinator, staff)
        _sector_announcement(coordinator)
    stdout.write(
        f"jornada support: {jornada.slug} asks for travel needs ({travellers} given); "
        f"{proposals} new PNCS proposals"
    )


def _travel_needs(jornada) -> int:
    """Six registrants from abroad; every other one asks for a letter of invitation."""
    day = timezone.localtime(jornada.starts_at, jornada.tz).date()
    registrations = Registration.objects.filter(jornada=jornada).active().order_by("pk")[:6]
    for n, registration in enumerate(registrations):
        letter = n % 2 == 0
        TravelNeeds.objects.get_or_create(
            registration=registration,
            defaults={
                "arrival_on": day - datetime.timedelta(days=1 + n % 2),
                "departure_on": day + datetime.timedelta(days=1 + n % 3),
                "lodging_needed": n % 3 != 2,
                "invitation_letter_needed": letter,
                "passport_name": registration.user.profile.full_name.upper() if letter else "",
                "nationality": NATIONALITIES[n % len(NATIONALITIES)] if letter else "",
            },
        )
    return TravelNeeds.objects.filter(registration__jornada=jornada).count()


def _proposals(jornada, coordinator, staff) -> int:
    sector = Sector.objects.get(slug="tic")
    panel = jornada.agenda_items.order_by("order").first()
    made = 0
    _speaker, created = JornadaProposal.objects.get_or_create(
        jornada=jornada,
        kind=JornadaProposal.Kind.SPEAKER,
        name="Dra. Renata Ficticia (demo)",
        defaults={
            "sector": sector,
            "proposed_by": coordinator,
            "agenda_item": panel,
            "affiliation": "Universidad Inventada",
            "bio": "Investiga ciberseguridad en redes de salud (persona ficticia).",
        },
    )
    made += created
    workshop, created = JornadaProposal.objects.get_or_create(
        jornada=jornada,
        kind=JornadaProposal.Kind.AGENDA_ITEM,
        title_es="Taller: datos abiertos para proyectos binacionales",
        defaults={
            "sector": sector,
            "proposed_by": coordinator,
            "title_en": "Workshop: open data for binational projects",
            "description_es": "Propuesta del PNCS de TIC (demo).",
            "description_en": "Proposed by the ICT PNCS (demo).",
            "starts_at": jornada.starts_at + datetime.timedelta(hours=7),
        },
    )
    if created:
        made += 1
        decide_proposal(proposal_id=workshop.pk, by=staff, accept=True)
    if not JornadaProposal.objects.filter(
        jornada=jornada, kind=JornadaProposal.Kind.MATERIAL, title_es="Catálogo TIC (demo)"
    ).exists():
        material = JornadaProposal(
            jornada=jornada,
            kind=JornadaProposal.Kind.MATERIAL,
            title_es="Catálogo TIC (demo)",
            sector=sector,
            proposed_by=coordinator,
        )
        material.file.save("catalogo.pdf", ContentFile(DEMO_PDF), save=False)
        material.save()
        made += 1
        decide_proposal(
            proposal_id=material.pk,
            by=staff,
            accept=False,
            reason="El catálogo saldrá en la siguiente Jornada (demo).",
        )
    return made


def _sector_announcement(coordinator) -> None:
    subject = "Convocatoria de mentoría en TIC (demo)"
    if Announcement.objects.filter(subject_es=subject).exists():
        return
    submit_for_approval(
        by=coordinator,
        kind=Announcement.Kind.OPPORTUNITIES,
        sector_ids=[Sector.objects.get(slug="tic").pk],
        subject_es=subject,
        subject_en="ICT mentoring call (demo)",
        body_es="Buscamos **mentoras y mentores** para empresas mexicanas de TIC.",
        body_en="We are looking for **mentors** for Mexican ICT companies.",
    )
