"""The PNCS work programmes (issue 21): coordinators keep their lines of action under
/pncs/manage/programme/; IME sees every PNCS side by side and downloads the yearly report.
(The public summary of each PNCS is a page of figures: it publishes counts of people under
the disclosure rule, figures.views.pncs_programme.)"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.access import ime_staff_required, is_ime_staff
from core.spreadsheets import csv_response
from members.files import file_response
from members.progress import parse_year, year_message, year_range

from .. import programme
from ..access import coordinator_required
from ..forms import WorkLineForm
from ..models import Pncs, WorkLine
from ..services import delete_work_line, save_work_line

LINE_SAVED = _("Línea de acción guardada. Su avance se calcula solo.")
LINE_DELETED = _("Línea de acción borrada.")
LINE_GONE = _("Esa línea de acción ya no existe.")


def _year_or_400(request, template, context):
    """The year of the query string, or a 400 page saying which years exist."""
    year = parse_year(request.GET.get("year"))
    if year is None:
        return None, render(
            request, template, {**context, "year_error": year_message()}, status=400
        )
    return year, None


@never_cache
@coordinator_required
def programme_manage(request):
    """The user's PNCS programmes of a year: lines by heading, with the computed progress."""
    context = {"years": year_range(), "year": None, "groups": []}
    year, error = _year_or_400(request, "pncs/programme_manage.html", context)
    if error:
        return error
    lines = programme.programme_lines(WorkLine.objects.managed_by(request.user), year)
    points = Pncs.objects.coordinated_by(request.user).select_related("sector")
    sections = [
        (point, programme.by_heading([line for line in lines if line.pncs_id == point.pk]))
        for point in points
    ]
    return render(
        request,
        "pncs/programme_manage.html",
        {**context, "year": year, "sections": sections, "is_ime": is_ime_staff(request.user)},
    )


def _edit(request, line=None):
    initial = {"year": parse_year(request.GET.get("year")) or None}
    form = WorkLineForm(request.POST or None, instance=line, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = save_work_line(form=form)
        messages.success(request, LINE_SAVED)
        return redirect(f"{_manage_url()}?year={saved.year}")
    return render(
        request,
        "pncs/programme_line_form.html",
        {"form": form, "line": line},
        status=400 if request.method == "POST" else 200,
    )


def _manage_url():
    return reverse("pncs:programme")


@never_cache
@coordinator_required
def programme_line_create(request):
    """Add a line of action to the programme of one of the user's PNCS."""
    return _edit(request)


@never_cache
@coordinator_required
def programme_line_edit(request, pk):
    """Edit a line of the user's PNCS (another PNCS's: 404)."""
    line = get_object_or_404(WorkLine.objects.managed_by(request.user), pk=pk)
    return _edit(request, line)


@coordinator_required
@require_POST
def programme_line_delete(request, pk):
    """Delete a line of the user's PNCS (another PNCS's: 404)."""
    line = get_object_or_404(WorkLine.objects.managed_by(request.user), pk=pk)
    if delete_work_line(line_id=line.pk, user=request.user):
        messages.success(request, LINE_DELETED)
    else:
        messages.info(request, LINE_GONE)
    return redirect(f"{_manage_url()}?year={line.year}")


@never_cache
@ime_staff_required
def programme_overview(request):
    """IME: every PNCS's programme of a year side by side, then each one's lines."""
    context = {"years": year_range(), "year": None}
    year, error = _year_or_400(request, "pncs/programme_overview.html", context)
    if error:
        return error
    lines = programme.programme_lines(WorkLine.objects.managed_by(request.user), year)
    points = Pncs.objects.active().select_related("sector")
    sections = [
        (point, programme.by_heading([line for line in lines if line.pncs_id == point.pk]))
        for point in points
    ]
    return render(
        request,
        "pncs/programme_overview.html",
        {
            **context,
            "year": year,
            "table": programme.overview(year, lines),
            "sections": sections,
        },
    )


def _report_lines(request):
    year = parse_year(request.GET.get("year"))
    if year is None:
        return None, HttpResponse(
            str(year_message()), status=400, content_type="text/plain; charset=utf-8"
        )
    lines = programme.programme_lines(WorkLine.objects.managed_by(request.user).public(), year)
    return (year, lines), None


@never_cache
@ime_staff_required
def programme_report_csv(request):
    """IME: the yearly report of every PNCS's programme, as CSV."""
    found, error = _report_lines(request)
    if error:
        return error
    year, lines = found
    return csv_response(programme.report_csv(year, lines), filename=f"programas-pncs-{year}.csv")


@never_cache
@ime_staff_required
def programme_report_pdf(request):
    """IME: the yearly report of every PNCS's programme, as PDF."""
    found, error = _report_lines(request)
    if error:
        return error
    year, lines = found
    return file_response(
        programme.report_pdf(year, lines),
        filename=f"programas-pncs-{year}.pdf",
        attachment=True,
        private=True,
    )
