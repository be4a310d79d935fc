"""Streaming exports of a search result: an explicit allow-list of fields, formula
injection neutralised, flat memory however many rows match (bounded keyset batches)."""

import csv
import tempfile

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from members.choices import EducationLevel, MexicanState
from members.models import Profile, ProfileSector
from members.spreadsheets import csv_safe

BATCH = 1000
CHUNK_ROWS = 500  # lines per chunk of the streamed CSV (bounded memory)


def header() -> list[str]:
    """The allow-list, as column titles in the active language."""
    return [
        _("Nombre(s)"),
        _("Apellido paterno"),
        _("Apellido materno"),
        _("Correo"),
        _("Titular"),
        _("País de residencia"),
        _("Ciudad"),
        _("Estado de origen"),
        _("Nivel de estudios"),
        _("Sectores"),
        _("Especialidades"),
        _("Tipos de aportación"),
        _("Idiomas"),
        _("Dispuesto a viajar"),
        _("Actualizado"),
    ]


FIELDS = [
    "pk",
    "given_names",
    "paternal_surname",
    "maternal_surname",
    "user__email",
    "headline",
    "country",
    "city",
    "state_of_origin",
    "education_level",
    "willing_to_travel",
    "updated_at",
]


def _names(through, owner_ids, label):
    result = {}
    for owner_id, name in (
        through.objects.filter(profile_id__in=owner_ids)
        .order_by(label)
        .values_list("profile_id", label)
    ):
        result.setdefault(owner_id, []).append(name)
    return result


LISTS = ("sector_list", "expertise_list", "contribution_list", "language_list")


def _array(through_rows, label):
    """ARRAY(SELECT label FROM ... WHERE profile_id = the outer profile), in order."""
    return ArraySubquery(through_rows.filter(profile_id=OuterRef("pk")).values(label))


def iter_rows(queryset):
    """Yield one list of cell values per member, in batches of BATCH ids (keyset by id)."""
    from django_countries import countries

    country_names = dict(countries)
    states = dict(MexicanState.choices)
    levels = dict(EducationLevel.choices)
    lang_en = (translation.get_language() or "").startswith("en")
    sector_label = "sector__name_en" if lang_en else "sector__name_es"
    contribution_label = "contribution__name_en" if lang_en else "contribution__name_es"
    language_label = "language__name_en" if lang_en else "language__name_es"
    last = None
    ids_query = queryset.order_by("profile_id").values_list("profile_id", flat=True)
    while True:
        batch = ids_query.filter(profile_id__gt=last) if last is not None else ids_query
        ids = list(batch[:BATCH])
        if not ids:
            return
        last = ids[-1]
        profiles = Profile.objects.filter(pk__in=ids).order_by("pk")
        if connection.vendor == "postgresql":
            # One query per batch: each list is an ARRAY(...) subquery of the row.
            profiles = list(
                profiles.annotate(
                    sector_list=_array(
                        ProfileSector.objects.order_by("-is_primary", "sector__order"),
                        sector_label,
                    ),
                    expertise_list=_array(
                        Profile.expertise.through.objects.order_by("expertisetag__name"),
                        "expertisetag__name",
                    ),
                    contribution_list=_array(
                        Profile.contributions.through.objects.order_by(contribution_label),
                        contribution_label,
                    ),
                    language_list=_array(
                        Profile.languages.through.objects.order_by(language_label),
                        language_label,
                    ),
                ).values(*FIELDS, *LISTS)
            )
            sectors, expertise, contributions, languages = (
                {p["pk"]: p[name] for p in profiles} for name in LISTS
            )
        else:
            profiles = profiles.values(*FIELDS)
            sectors = {}
            for owner_id, name in (
                ProfileSector.objects.filter(profile_id__in=ids)
                .order_by("-is_primary", "sector__order")
                .values_list("profile_id", sector_label)
            ):
                sectors.setdefault(owner_id, []).append(name)
            expertise = _names(Profile.expertise.through, ids, "expertisetag__name")
            contributions = _names(Profile.contributions.through, ids, contribution_label)
            languages = _names(Profile.languages.through, ids, language_label)
        for p in profiles:
            pk = p["pk"]
            yield [
                csv_safe(v)
                for v in (
                    p["given_names"],
                    p["paternal_surname"],
                    p["maternal_surname"],
                    p["user__email"],
                    p["headline"],
                    str(country_names.get(p["country"], p["country"] or "")),
                    p["city"],
                    str(states.get(p["state_of_origin"], "")),
                    str(levels.get(p["education_level"], "")),
                    "; ".join(sectors.get(pk, [])),
                    "; ".join(expertise.get(pk, [])),
                    "; ".join(contributions.get(pk, [])),
                    "; ".join(languages.get(pk, [])),
                    _("Sí") if p["willing_to_travel"] else _("No"),
                    timezone.localtime(p["updated_at"]).strftime("%Y-%m-%d"),
                )
            ]


class _Echo:
    def write(self, value):
        return value


def csv_stream(queryset, *, on_done, language):
    """The CSV text, UTF-8 with a BOM, in chunks of CHUNK_ROWS lines (one write to the
    socket per chunk, not per line); `on_done(n)` gets the row count.

    It runs after the view has returned, so it sets its own language.
    """
    writer = csv.writer(_Echo())
    count = 0
    try:
        with translation.override(language):
            yield "\ufeff" + writer.writerow(header())
            lines = []
            for row in iter_rows(queryset):
                count += 1
                lines.append(writer.writerow(row))
                if len(lines) >= CHUNK_ROWS:
                    yield "".join(lines)
                    lines = []
            if lines:
                yield "".join(lines)
    finally:
        on_done(count)


def xlsx_file(queryset):
    """Write the workbook in write-only mode to a temporary file; returns (file, row count)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Miembros")[:31])
    sheet.append(header())
    count = 0
    for row in iter_rows(queryset):
        count += 1
        sheet.append(row)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    workbook.save(handle)
    handle.seek(0)
    return handle, count
