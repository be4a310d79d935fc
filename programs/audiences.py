"""The audiences programs contribute to announcements (announcements.audiences): the
applicants to a program's call and a stage's cohort, at each point of the program. IME
staff only, like sectors.

- applicants: every application to the chosen programs but the withdrawn ones (received,
  accepted, waitlisted or not accepted: a new call, a change of dates concern them all);
- enrolled (the cohort): the people holding a seat in the chosen stages, the stage's
  waitlist and those who declined or let their offer lapse left out. The accepted
  applicants are enrolled in a program's first stage, the selected in the next ones;
- completed: those enrolled who completed the stage;
- selected: those holding a seat in the stage by the selection (Enrolment.rank), offer
  confirmed or still open;
- travelling: those who confirmed their seat in an in-person stage.
"""

from django.db.models import Q

from announcements.audiences import Audience

from .models import Application, Enrolment, Program, Stage


def _applicants_of(program_ids) -> Q:
    applications = Application.objects.filter(program_id__in=program_ids).exclude(
        status=Application.Status.WITHDRAWN
    )
    return Q(pk__in=applications.values("user_id"))


def _people(enrolments) -> Q:
    return Q(pk__in=enrolments.values("application__user_id"))


def _cohort_of(stage_ids) -> Q:
    return _people(Enrolment.objects.enrolled().filter(stage_id__in=stage_ids))


def _completed_in(stage_ids) -> Q:
    return _people(Enrolment.objects.enrolled().filter(stage_id__in=stage_ids, completed=True))


def _selected_for(stage_ids) -> Q:
    return _people(Enrolment.objects.enrolled().filter(stage_id__in=stage_ids, rank__isnull=False))


def _travelling_to(stage_ids) -> Q:
    return _people(
        Enrolment.objects.enrolled().filter(
            stage_id__in=stage_ids,
            stage__mode=Stage.Mode.IN_PERSON,
            seat_confirmed_at__isnull=False,
        )
    )


def _stages():
    # A stage's name carries its program's (Stage.__str__): loaded in the same query.
    return Stage.objects.select_related("program").order_by(
        "-program__call_opens_at", "program_id", "order"
    )


AUDIENCES = [
    Audience(
        field="audience_programs",
        users=_applicants_of,
        staff_choices=lambda: Program.objects.order_by("-call_opens_at", "pk"),
    ),
    Audience(field="audience_stages", users=_cohort_of, staff_choices=_stages),
    Audience(field="audience_stages_completed", users=_completed_in, staff_choices=_stages),
    Audience(field="audience_stages_selected", users=_selected_for, staff_choices=_stages),
    Audience(field="audience_stages_travelling", users=_travelling_to, staff_choices=_stages),
]
