"""What the staff workbench (members.workbench) shows under `make run`: two ARCO requests
(one past its legal due date) and a draft announcement; pending join requests, Jornada
registrations and program applications come from the other demo modules."""

import datetime

from django.utils import timezone

from announcements.models import Announcement
from members.checks import DEMO_MEMBER_DOMAIN
from members.models import ArcoRequest, User

ARCO_MARK = "(demo)"


def seed(*, stdout, rng, **kwargs):
    people = list(
        User.objects.filter(email__endswith=f"@{DEMO_MEMBER_DOMAIN}").order_by("pk")[20:22]
    )
    today = timezone.localdate()
    for person, kind, days in zip(people, ("access", "rectification"), (-2, 12), strict=False):
        ArcoRequest.objects.get_or_create(
            user=person,
            description=f"Quiero una copia de mis datos y corregir mi empleo {ARCO_MARK}.",
            defaults={"kind": kind, "due_on": today + datetime.timedelta(days=days)},
        )
    Announcement.objects.get_or_create(
        subject_es="Convocatoria de mentores 2027 (borrador)",
        defaults={
            "kind": Announcement.Kind.OPPORTUNITIES,
            "subject_en": "Call for mentors 2027 (draft)",
            "body_es": "Buscamos mentoras y mentores para empresas mexicanas.",
            "body_en": "We are looking for mentors for Mexican companies.",
        },
    )
    stdout.write("workbench: 2 ARCO requests (one overdue) and a draft announcement to review")
