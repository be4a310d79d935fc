"""The programs app's aggregates for the figures (composed by the figures app, which
programs never imports): who takes part (education, state, country, gender), each stage's
enrolment, completion and certification, and who was selected for the second stage.

Plain, language-neutral data (codes and counts, stage names in both languages); the
figures app turns it into charts, tables and CSV under one disclosure rule. A fixed number
of queries whatever the size.
"""

from django.db.models import Count, Q

from .models import Application, Enrolment, Program


def _grouped(queryset, column) -> dict:
    return dict(
        queryset.order_by().values_list(column).annotate(n=Count("pk")).values_list(column, "n")
    )


def program_aggregates(program: Program) -> dict:
    """The figures of one program: participants (its accepted applications) and stages."""
    participants = Application.objects.filter(program=program).accepted()
    stages = list(program.stages.all())
    stats = {
        row["stage_id"]: row
        for row in Enrolment.objects.filter(stage__program=program)
        .order_by()
        .values("stage_id")
        .annotate(
            enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
            waitlisted=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED)),
            completed=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED, completed=True)),
            certified=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED, certified=True)),
        )
    }
    empty = {"enrolled": 0, "waitlisted": 0, "completed": 0, "certified": 0}
    stage_rows = [
        {
            "id": stage.pk,
            "order": stage.order,
            "name_es": stage.name_es,
            "name_en": stage.name_en,
            "seats": stage.seats,
            **{key: stats.get(stage.pk, empty)[key] for key in empty},
        }
        for stage in stages
    ]
    selected_by_gender = {}
    if len(stages) >= 2:
        selected_by_gender = _grouped(
            Enrolment.objects.filter(stage=stages[1], status=Enrolment.Status.ENROLLED),
            "application__gender",
        )
    by_gender = _grouped(participants, "gender")
    return {
        "id": program.pk,
        "slug": program.slug,
        "name_es": program.name_es,
        "name_en": program.name_en,
        "total": participants.count(),
        "by_education": _grouped(participants, "education_level"),
        "by_state": {k: n for k, n in _grouped(participants, "state").items() if k},
        "by_country": {str(k): n for k, n in _grouped(participants, "nationality").items() if k},
        # "" is "preferred not to say": a row of its own, so the rows add up to the total.
        "by_gender": {str(k or ""): n for k, n in by_gender.items()},
        "stages": stage_rows,
        "selected_by_gender": {str(k or ""): n for k, n in selected_by_gender.items()},
    }


def published_program_aggregates() -> list[dict]:
    """The figures of every published program (for the network's snapshot)."""
    programs = Program.objects.filter(is_published=True).prefetch_related("stages").order_by("pk")
    return [program_aggregates(program) for program in programs]
