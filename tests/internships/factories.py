"""Fictitious placements and students for the internships tests."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from internships.models import Application, Placement, StudentProfile
from members.models import Language, Sector
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def placement(*, host, sector="tic", status="published", **fields):
    """A placement hosted by `host` (published unless told), deadline in 20 days."""
    now = timezone.now()
    today = timezone.localdate()
    defaults = {
        "title_es": "Estancia en aprendizaje automático",
        "description_es": "Trabajarás con el equipo de datos.",
        "institution": "Universidad Ficticia de Texas",
        "country": "US",
        "city": "Austin",
        "field": "Ciencia de datos",
        "language": Language.objects.get(code="en"),
        "starts_on": today + timedelta(days=60),
        "duration_weeks": 10,
        "seats": 2,
        "deadline": today + timedelta(days=20),
        "status": status,
        "created_at": now,
        "submitted_at": now,
    }
    defaults.update(fields)
    return Placement.objects.create(host=host, sector=Sector.objects.get(slug=sector), **defaults)


def student(*, cv=True, user=None, **fields):
    """A student account (verified, notice accepted) with a student profile and a PDF CV."""
    user = user or UserFactory()
    defaults = {
        "full_name": "Sofía Ramírez Ficticia",
        "university": "Universidad Autónoma Ficticia",
        "programme": "Ingeniería en computación",
        "semester": 7,
        "state": "PUE",
        "created_at": timezone.now(),
    }
    defaults.update(fields)
    profile = StudentProfile.objects.create(user=user, **defaults)
    if cv:
        profile.cv.save("cv.pdf", ContentFile(PDF))
        profile.cv_uploaded_at = timezone.now()
        profile.save(update_fields=["cv_uploaded_at"])
    return user


def application(*, placement, student, status="applied", **fields):
    now = timezone.now()
    return Application.objects.create(
        placement=placement,
        student=student,
        motivation=fields.pop("motivation", "Quiero aprender."),
        cv_consent_at=now,
        created_at=now,
        status=status,
        **fields,
    )
