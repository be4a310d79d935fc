"""The chapter's own programme (issue 21), in the officer area: lines of action in the
chapter's words with a target and computed progress (members.progress), its statutes (a
PDF, public or not as the officers choose), and the yearly activity report (page, CSV, PDF)
built from its Jornadas, posts and members' activity. Officers, the region's coordinator and
IME reach it (`Chapter.objects.managed_by`); anyone else gets 404."""

import csv
import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import pdf
from core.access import lacks_second_factor, mfa_setup_redirect
from core.spreadsheets import csv_response, csv_safe
from members.files import file_response
from members.progress import (
    CHAPTER,
    compute_progress,
    measures,
    parse_year,
    year_message,
    year_range,
)

from . import services
from .forms import ChapterLineForm, StatutesForm
from .models import Chapter, ChapterLine

LINE_SAVED = gettext_lazy("Línea de acción guardada. Su avance se calcula solo.")
LINE_DELETED = gettext_lazy("Línea de acción borrada.")
LINE_GONE = gettext_lazy("Esa línea de acción ya no existe.")
STATUTES_SAVED = gettext_lazy("Estatutos guardados.")


def _chapter(request, slug):
    return get_object_or_404(Chapter.objects.managed_by(request.user), slug=slug)


def _guarded(view):
    """Login, then the chapter the user manages (else 404), then the second factor."""

    @wraps(view)
    @login_required
    def wrapper(request, slug, *args, **kwargs):
        chapter = _chapter(request, slug)
        if lacks_second_factor(request.user):
            return mfa_setup_redirect(request)
        return view(request, chapter, *args, **kwargs)

    return wrapper


def lines_with_progress(chapter, year) -> list[ChapterLine]:
    lines = list(ChapterLine.objects.filter(chapter=chapter).of_year(year).order_by("pk"))
    compute_progress(lines, subject=CHAPTER, owner_attr="chapter_id")
    return lines


def _programme_url(chapter, year):
    return f"{reverse('chapters:programme', args=[chapter.slug])}?year={year}"


@never_cache
@_guarded
def programme(request, chapter):
    """The chapter's lines of a year with their progress, a form to add one, the statutes."""
    year = parse_year(request.GET.get("year"))
    form = ChapterLineForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        try:
            line = services.save_chapter_line(form=form, chapter=chapter, by=request.user)
        except services.ChapterActionError as exc:
            messages.error(request, exc.message)
            return redirect(_programme_url(chapter, year or timezone.localdate().year))
        messages.success(request, LINE_SAVED)
        return redirect(_programme_url(chapter, line.year))
    context = {
        "chapter": chapter,
        "years": year_range(),
        "year": year,
        "form": form,
        "statutes_form": StatutesForm(
            chapter=chapter, initial={"statutes_public": chapter.statutes_public}
        ),
        "read_only": chapter.suspended_at is not None,
        "lines": lines_with_progress(chapter, year) if year else [],
    }
    if year is None:
        return render(
            request,
            "chapters/programme.html",
            {**context, "year_error": year_message()},
            status=400,
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "chapters/programme.html", context, status=status)


@never_cache
@_guarded
def line_edit(request, chapter, pk):
    """Edit one of the chapter's lines (another chapter's: 404)."""
    line = get_object_or_404(ChapterLine.objects.filter(chapter=chapter), pk=pk)
    form = ChapterLineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_chapter_line(form=form, chapter=chapter, by=request.user)
        except services.ChapterActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, LINE_SAVED)
        return redirect(_programme_url(chapter, form.cleaned_data["year"]))
    return render(
        request,
        "chapters/line_form.html",
        {"chapter": chapter, "line": line, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@_guarded
def line_delete(request, chapter, pk):
    """Delete one of the chapter's lines (another chapter's: 404)."""
    line = get_object_or_404(ChapterLine.objects.filter(chapter=chapter), pk=pk)
    try:
        deleted = services.delete_chapter_line(chapter=chapter, line_id=line.pk, by=request.user)
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        if deleted:
            messages.success(request, LINE_DELETED)
        else:
            messages.info(request, LINE_GONE)
    return redirect(_programme_url(chapter, line.year))


@require_POST
@_guarded
def statutes(request, chapter):
    """Upload the statutes or change who may read them."""
    form = StatutesForm(request.POST, request.FILES, chapter=chapter)
    if not form.is_valid():
        year = timezone.localdate().year
        return render(
            request,
            "chapters/programme.html",
            {
                "chapter": chapter,
                "years": year_range(),
                "year": year,
                "form": ChapterLineForm(initial={"year": year}),
                "statutes_form": form,
                "read_only": chapter.suspended_at is not None,
                "lines": lines_with_progress(chapter, year),
            },
            status=400,
        )
    try:
        services.set_statutes(
            chapter=chapter,
            upload=form.cleaned_data["statutes"] or None,
            public=form.cleaned_data["statutes_public"],
            by=request.user,
        )
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, STATUTES_SAVED)
    return redirect("chapters:programme", slug=chapter.slug)


# --- The yearly activity report ----------------------------------------------------------


def activity(chapter, year) -> list[dict]:
    """For each chapter measure: its label, the chapter's count in `year` and, where the
    measure lists them, what was counted (events, posts...)."""
    found = []
    for measure in measures(CHAPTER).values():
        found.append(
            {
                "measure": measure,
                "count": measure.count([chapter.pk], year).get(chapter.pk, 0),
                "items": measure.items(chapter.pk, year) if measure.items else [],
            }
        )
    return found


def _report_or_400(request, chapter):
    year = parse_year(request.GET.get("year"))
    if year is None:
        return None
    return {
        "chapter": chapter,
        "year": year,
        "years": year_range(),
        "lines": lines_with_progress(chapter, year),
        "activity": activity(chapter, year),
    }


@never_cache
@_guarded
def report(request, chapter):
    """The chapter's yearly activity report: its lines and progress, then what it did."""
    context = _report_or_400(request, chapter)
    if context is None:
        return render(
            request,
            "chapters/report.html",
            {"chapter": chapter, "years": year_range(), "year_error": year_message()},
            status=400,
        )
    return render(request, "chapters/report.html", context)


def _bad_year():
    return HttpResponse(str(year_message()), status=400, content_type="text/plain; charset=utf-8")


@never_cache
@_guarded
def report_csv(request, chapter):
    """The report as CSV: a row per line of action, then a row per thing counted."""
    context = _report_or_400(request, chapter)
    if context is None:
        return _bad_year()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Sección"), _("Concepto"), _("Meta"), _("Logrado"), _("Avance (%)")])
    for line in context["lines"]:
        writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    _("Línea de acción"),
                    line.title,
                    line.target,
                    line.achieved,
                    line.percent,
                )
            ]
        )
    for row in context["activity"]:
        writer.writerow(
            [csv_safe(_("Actividad")), csv_safe(row["measure"].label), "", row["count"], ""]
        )
        for item in row["items"]:
            writer.writerow(
                [
                    csv_safe(row["measure"].label),
                    csv_safe(f"{item.date.isoformat()} · {item.title}"),
                    "",
                    "",
                    "",
                ]
            )
    year = context["year"]
    return csv_response(buffer.getvalue(), filename=f"informe-{chapter.slug}-{year}.csv")


@never_cache
@_guarded
def report_pdf(request, chapter):
    """The report as PDF."""
    context = _report_or_400(request, chapter)
    if context is None:
        return _bad_year()
    year = context["year"]
    sections = [
        pdf.Section(
            title=_("Líneas de acción"),
            header=[
                _("Línea de acción"),
                _("Qué cuenta"),
                _("Meta"),
                _("Logrado"),
                _("Avance (%)"),
            ],
            widths=(6, 4, 1, 1, 1),
            rows=[
                [
                    line.title,
                    str(line.measure_def.label) if line.measure_def else line.measure,
                    line.target,
                    line.achieved,
                    line.percent,
                ]
                for line in context["lines"]
            ],
            empty=_("Sin líneas de acción este año."),
        ),
        pdf.Section(
            title=_("Actividad del año"),
            header=[_("Concepto"), _("Total")],
            widths=(6, 1),
            rows=[[str(row["measure"].label), row["count"]] for row in context["activity"]],
        ),
    ]
    for row in context["activity"]:
        if row["items"]:
            sections.append(
                pdf.Section(
                    title=str(row["measure"].label),
                    header=[_("Fecha"), _("Título")],
                    widths=(1, 6),
                    rows=[[item.date.isoformat(), item.title] for item in row["items"]],
                )
            )
    document = pdf.render_report(
        pdf.Report(
            title=_("Informe de actividades %(year)s · %(chapter)s")
            % {"year": year, "chapter": chapter.name},
            subtitle=_("Calculado el %(date)s con lo que el capítulo hizo en el año.")
            % {"date": timezone.localdate().isoformat()},
            sections=sections,
        )
    )
    return file_response(
        document, filename=f"informe-{chapter.slug}-{year}.pdf", attachment=True, private=True
    )
