"""Members answer surveys: signed in (the surveys sent to them or open to every member) or
with their personal link, once. Results are never shown here: IME staff read them as
aggregates on the figures app's pages."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import AnswerForm
from .mail_links import read_answer_token
from .models import Response, Survey

THANKS_MESSAGE = _("¡Gracias! Guardamos tus respuestas.")


@never_cache
@login_required
@require_GET
def survey_list(request):
    """The surveys the member may answer now, and whether they already did."""
    now = timezone.now()
    surveys = list(Survey.objects.answerable_by(request.user, now).order_by("closes_at", "pk"))
    answered = set(
        Response.objects.filter(user=request.user, survey__in=[s.pk for s in surveys]).values_list(
            "survey_id", flat=True
        )
    )
    return render(
        request,
        "surveys/survey_list.html",
        {"rows": [(survey, survey.pk in answered) for survey in surveys]},
    )


def _answer_page(request, survey, user_id, here):
    """GET: the form (or the thanks, once answered). POST: check, store once, redirect."""
    if Response.objects.filter(survey=survey, user_id=user_id).exists():
        return render(request, "surveys/answer.html", {"survey": survey, "answered": True})
    questions = survey.questions.prefetch_related("options")
    form = AnswerForm(request.POST or None, questions=questions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_response(
                    survey_id=survey.pk, user_id=user_id, answers=form.answers()
                )
            except services.SurveyError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, THANKS_MESSAGE)
            return redirect(here)
        status = 400  # the error summary at the top lists each question to fix
    return render(request, "surveys/answer.html", {"survey": survey, "form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk):
    """A survey the signed-in member may answer (404 for any other: closed, not theirs)."""
    survey = get_object_or_404(Survey.objects.answerable_by(request.user, timezone.now()), pk=pk)
    return _answer_page(request, survey, request.user.pk, request.path)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_link(request, token):
    """A recipient's personal link: answers as the person it names, without signing in.
    Someone signed in as another person gets 404 (the link is not theirs to use here)."""
    try:
        survey_id, user_id = read_answer_token(token)
    except signing.BadSignature:
        return render(request, "400.html", status=400)
    if request.user.is_authenticated and request.user.pk != user_id:
        raise Http404
    person = (
        get_user_model().objects.filter(pk=user_id, is_active=True, deleted_at__isnull=True).first()
    )
    survey = Survey.objects.filter(pk=survey_id, is_template=False).first()
    if person is None or survey is None:
        raise Http404
    now = timezone.now()
    if not survey.is_open(now):
        return render(request, "surveys/answer.html", {"survey": survey, "closed": True})
    # Only a recipient answers by link (a staff test message's link answers nothing): the
    # survey was sent to them, or is open to every member.
    if not Survey.objects.answerable_by(person, now).filter(pk=survey.pk).exists():
        raise Http404
    return _answer_page(request, survey, user_id, request.path)
