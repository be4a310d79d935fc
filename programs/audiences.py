"""The audiences programs contribute to announcements (announcements.audiences): the
applicants to a program's call and the cohort of a stage. IME staff only, like sectors.

- applicants: every application to the chosen programs but the withdrawn ones (received,
  accepted, waitlisted or not accepted: a new call, a change of dates concern them all);
- cohort: the people enrolled in the chosen stages, the stage's waitlist left out. The
  accepted applicants are enrolled in a program's first stage, the ones selected for the
  next stage in that one: stage 1 is "the participants", stage 2 "the selected".
"""

from django.db.models import Q

from announcements.audiences import Audience

from .models import Application, Enrolment, Program, Stage


def _applicants_of(program_ids) -> Q:
    applications = Application.objects.filter(program_id__in=program_ids).exclude(
        status=Application.Status.WITHDRAWN
    )
    return Q(pk__in=applications.values("user_id"))


def _cohort_of(stage_ids) -> Q:
    enrolled = Enrolment.objects.enrolled().filter(stage_id__in=stage_ids)
    return Q(pk__in=enrolled.values("application__user_id"))


AUDIENCES = [
    Audience(
        field="audience_programs",
        users=_applicants_of,
        staff_choices=lambda: Program.objects.order_by("-call_opens_at", "pk"),
    ),
    Audience(
        field="audience_stages",
        users=_cohort_of,
        # A stage's name carries its program's (Stage.__str__): loaded in the same query.
        staff_choices=lambda: Stage.objects.select_related("program").order_by(
            "-program__call_opens_at", "program_id", "order"
        ),
    ),
]
