"""The coordinator's pipeline of their sector (issue 20): requests → invitations →
engagements → outcomes, with filters, an audited CSV export and the yearly report of a PNCS
(PDF and CSV). Every number starts from the scoped querysets (`triageable_by`,
`followed_by`): a coordinator sees the sectors of the PNCS they coordinate, IME staff all."""

import csv
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.spreadsheets import Echo, csv_safe
from members.models import display_name

from .models import Engagement, EngagementOutcome, ExpertiseRequest, MemberInvitation

CHUNK_ROWS = 500


def engagements_for(user, data=None):
    """The engagements the user follows, filtered by the pipeline form's cleaned data."""
    queryset = Engagement.objects.followed_by(user)
    data = data or {}
    if data.get("state"):
        queryset = queryset.filter(state=data["state"])
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("organization"):
        queryset = queryset.filter(organization=data["organization"])
    if data.get("sector"):
        queryset = queryset.filter(sector=data["sector"])
    if data.get("date_from"):
        queryset = queryset.filter(created_at__date__gte=data["date_from"])
    if data.get("date_to"):
        queryset = queryset.filter(created_at__date__lte=data["date_to"])
    return queryset


def requests_for(user, data=None):
    """The requests the user triages, within the same kind, organisation, sector and dates."""
    queryset = ExpertiseRequest.objects.triageable_by(user)
    data = data or {}
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("organization"):
        queryset = queryset.filter(organization=data["organization"])
    if data.get("sector"):
        queryset = queryset.filter(sector=data["sector"])
    if data.get("date_from"):
        queryset = queryset.filter(submitted_at__date__gte=data["date_from"])
    if data.get("date_to"):
        queryset = queryset.filter(submitted_at__date__lte=data["date_to"])
    return queryset


@dataclass(frozen=True)
class Funnel:
    requests: dict
    invitations: dict
    engagements: dict
    outcomes: dict


def _by(queryset, field, choices) -> dict:
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return {value: counts.get(value, 0) for value, _label in choices}


def funnel(user, data=None) -> Funnel:
    """Counts at each stage of the pipeline: requests by status, invitations by answer,
    engagements by state, and the outcomes recorded (sums and the mean rating). A fixed
    number of queries whatever the rows."""
    data = data or {}
    requests = requests_for(user, data)
    invitations = MemberInvitation.objects.filter(request__in=requests.values("pk"))
    engagements = engagements_for(user, data)
    outcomes = EngagementOutcome.objects.filter(engagement__in=engagements.values("pk"))
    totals = outcomes.aggregate(
        recorded=Count("pk"),
        hours=Sum("hours_given"),
        students=Sum("students_hosted"),
        agreements=Sum("agreements_signed"),
        projects=Sum("projects_started"),
        mean_rating=Avg("rating"),
        stories=Count("pk", filter=Q(share_story=True)),
    )
    request_counts = _by(requests, "status", ExpertiseRequest.Status.choices)
    request_counts["overdue"] = requests.overdue().count()
    return Funnel(
        requests=request_counts,
        invitations=_by(invitations, "status", MemberInvitation.Status.choices),
        engagements=_by(engagements, "state", Engagement.State.choices),
        outcomes={
            key: (value or 0) if key != "mean_rating" else value for key, value in totals.items()
        },
    )


def for_table(queryset):
    """The pipeline's rows: names, sector and the outcomes of both sides, counted in the
    query (no query per row)."""
    return queryset.select_related("organization", "sector", "member").annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count("milestones", filter=Q(milestones__done=True), distinct=True),
        outcome_count=Count("outcomes", distinct=True),
    )


# --- The CSV export ------------------------------------------------------------------------

OUTCOME_FIELDS = (
    "hours_given",
    "students_hosted",
    "agreements_signed",
    "projects_started",
    "rating",
)


def header() -> list[str]:
    """The export's allow-list of columns, in the active language (no address, no story:
    the member's contact details stay out of every export of the pipeline)."""
    sides = [
        (_("miembro"), EngagementOutcome.Side.MEMBER),
        (_("organización"), EngagementOutcome.Side.ORGANIZATION),
    ]
    labels = [
        _("Horas dedicadas"),
        _("Estudiantes recibidos"),
        _("Convenios firmados"),
        _("Proyectos financiados o iniciados"),
        _("Calificación"),
    ]
    return [
        _("Colaboración"),
        _("Título"),
        _("Tipo"),
        _("Estado"),
        _("Sector"),
        _("Organización"),
        _("Miembro de la red"),
        _("Abierta"),
        _("Inicio previsto"),
        _("Fin previsto"),
        _("Iniciada"),
        _("Concluida"),
        _("Cancelada"),
        _("Hitos cumplidos"),
        _("Hitos"),
        *[f"{label} ({side})" for side, _value in sides for label in labels],
    ]


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):  # a moment: its local date
        return timezone.localdate(value).isoformat()
    return value.isoformat()


def rows(queryset):
    """The export's lines, read in chunks (flat memory): one per engagement."""
    kinds = dict(Engagement.Kind.choices)
    states = dict(Engagement.State.choices)
    lines = (
        for_table(queryset)
        .order_by("created_at", "pk")
        .values(
            "pk",
            "title",
            "kind",
            "state",
            "sector__name_es",
            "sector__name_en",
            "organization__legal_name",
            "member__preferred_name",
            "member__given_names",
            "member__paternal_surname",
            "created_at",
            "starts_on",
            "ends_on",
            "started_at",
            "completed_at",
            "cancelled_at",
            "milestones_done",
            "milestones_total",
        )
    )
    english = (translation.get_language() or "").startswith("en")
    batch, ids = [], []
    for line in lines.iterator(chunk_size=CHUNK_ROWS):
        batch.append(line)
        ids.append(line["pk"])
        if len(batch) == CHUNK_ROWS:
            yield from _with_outcomes(batch, ids, kinds, states, english)
            batch, ids = [], []
    if batch:
        yield from _with_outcomes(batch, ids, kinds, states, english)


def _with_outcomes(batch, ids, kinds, states, english):
    outcomes = {}
    for outcome in EngagementOutcome.objects.filter(engagement_id__in=ids).values(
        "engagement_id", "side", *OUTCOME_FIELDS
    ):
        outcomes[(outcome["engagement_id"], outcome["side"])] = outcome
    for line in batch:
        cells = [
            line["pk"],
            line["title"],
            kinds.get(line["kind"], line["kind"]),
            states.get(line["state"], line["state"]),
            (line["sector__name_en"] if english else "") or line["sector__name_es"],
            line["organization__legal_name"] or "",
            display_name(
                line["member__preferred_name"],
                line["member__given_names"],
                line["member__paternal_surname"],
            ),
            _date(line["created_at"]),
            _date(line["starts_on"]),
            _date(line["ends_on"]),
            _date(line["started_at"]),
            _date(line["completed_at"]),
            _date(line["cancelled_at"]),
            line["milestones_done"],
            line["milestones_total"],
        ]
        for side in (EngagementOutcome.Side.MEMBER, EngagementOutcome.Side.ORGANIZATION):
            outcome = outcomes.get((line["pk"], side))
            cells += [outcome[name] if outcome else "" for name in OUTCOME_FIELDS]
        yield [csv_safe(cell) for cell in cells]


def csv_stream(queryset, *, on_done=None):
    """The CSV (UTF-8 with BOM, for spreadsheets) line by line; `on_done(n)` gets the row
    count once the last line has gone."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(header())
    count = 0
    for cells in rows(queryset):
        count += 1
        yield writer.writerow(cells)
    if on_done is not None:
        on_done(count)


def stages(numbers: Funnel) -> list:
    """The funnel as the page shows it: (stage, [(label, count)]) in pipeline order."""
    return [
        (
            _("Solicitudes"),
            [(label, numbers.requests[value]) for value, label in ExpertiseRequest.Status.choices]
            + [(_("Vencidas sin revisar"), numbers.requests["overdue"])],
        ),
        (
            _("Invitaciones"),
            [
                (label, numbers.invitations[value])
                for value, label in MemberInvitation.Status.choices
            ],
        ),
        (
            _("Colaboraciones"),
            [(label, numbers.engagements[value]) for value, label in Engagement.State.choices],
        ),
        (
            _("Resultados"),
            [
                (_("Registros de resultados"), numbers.outcomes["recorded"]),
                (_("Horas dedicadas"), numbers.outcomes["hours"]),
                (_("Estudiantes recibidos"), numbers.outcomes["students"]),
                (_("Convenios firmados"), numbers.outcomes["agreements"]),
                (_("Proyectos financiados o iniciados"), numbers.outcomes["projects"]),
                (
                    _("Calificación media (1 a 5)"),
                    f"{numbers.outcomes['mean_rating']:.1f}"
                    if numbers.outcomes["mean_rating"] is not None
                    else "—",
                ),
            ],
        ),
    ]
