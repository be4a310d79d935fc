"""IME staff build surveys here (bilingual questions and options, dates), prepare the
invitation (an announcement, targeted and sent in the announcements admin), create the
year's census and open the results (aggregates only, on the figures app's staff page).

Responses and answers have no admin page: nobody reads one person's answers.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Option, Question, Survey

LOCKED_HELP = _(
    "Esta encuesta ya tiene respuestas: sus preguntas y opciones ya no se pueden cambiar."
)
CENSUS_CREATED = _("Censo creado. Revísalo y prepara su invitación.")
INVITATION_READY = _(
    "Invitación preparada: elige su audiencia (como en cualquier aviso) y envíala."
)


class CensusForm(forms.Form):
    year = forms.IntegerField(label=_("año"), min_value=2000, max_value=2100)


def _locked(obj) -> bool:
    """A survey with answers keeps its questions as they were answered."""
    survey = obj.survey if isinstance(obj, Question) else obj
    return survey is not None and survey.pk is not None and survey.responses.exists()


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "text_es", "text_en", "required"]
    show_change_link = True  # its options are edited on the question's page

    def has_add_permission(self, request, obj=None):
        return not _locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _locked(obj) and super().has_delete_permission(request, obj)


class OptionInline(QuestionInline):
    model = Option
    fields = ["position", "text_es", "text_en"]
    show_change_link = False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title_es", "kind", "opens_at", "closes_at", "n_responses", "invitation_state"]
    list_filter = ["kind"]
    search_fields = ["title_es", "title_en"]
    fields = [
        "kind",
        "title_es",
        "title_en",
        "intro_es",
        "intro_en",
        "opens_at",
        "closes_at",
        "open_to_members",
        "jornada",
        "census_year",
        "invitation_link",
        "results_link",
    ]
    readonly_fields = ["kind", "jornada", "census_year", "invitation_link", "results_link"]
    inlines = [QuestionInline]
    change_list_template = "surveys/admin/survey_change_list.html"
    change_form_template = "surveys/admin/survey_change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("invitation")
            .annotate(n_responses=Count("responses"))
        )

    @admin.display(description=_("respuestas"), ordering="n_responses")
    def n_responses(self, obj):
        return obj.n_responses

    @admin.display(description=_("invitación"))
    def invitation_state(self, obj):
        if obj.is_template:
            return gettext("plantilla")
        return obj.invitation.get_status_display() if obj.invitation_id else "—"

    @admin.display(description=_("invitación (aviso)"))
    def invitation_link(self, obj):
        if obj.invitation_id is None:
            return "—"
        url = reverse("admin:announcements_announcement_change", args=[obj.invitation_id])
        return format_html('<a href="{}">{}</a>', url, obj.invitation.get_status_display())

    @admin.display(description=_("resultados"))
    def results_link(self, obj):
        if obj.pk is None or obj.is_template:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("figures_survey", args=[obj.pk]),
            gettext("Ver los resultados agregados"),
        )

    def has_delete_permission(self, request, obj=None):
        # The template is what the Jornada feedback copies: edited, never deleted.
        if obj is not None and obj.is_template:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and _locked(obj):
            context["locked_help"] = LOCKED_HELP
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("census/", wrap(self.census_view), name="surveys_survey_census"),
            path(
                "<int:object_id>/invite/",
                wrap(self.invite_view),
                name="surveys_survey_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        survey = get_object_or_404(Survey, pk=object_id)
        change_url = reverse("admin:surveys_survey_change", args=[survey.pk])
        if request.method != "POST":
            return redirect(change_url)
        try:
            announcement = services.prepare_invitation(survey_id=survey.pk, by=request.user)
        except services.SurveyError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect(change_url)
        self.message_user(request, INVITATION_READY, messages.SUCCESS)
        return redirect(reverse("admin:announcements_announcement_change", args=[announcement.pk]))

    def census_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CensusForm(request.POST or None, initial={"year": timezone.localdate().year})
        if request.method == "POST" and form.is_valid():
            try:
                census = services.create_census(year=form.cleaned_data["year"], by=request.user)
            except services.SurveyError as exc:
                form.add_error("year", exc.message)
            else:
                self.message_user(request, CENSUS_CREATED, messages.SUCCESS)
                return redirect(reverse("admin:surveys_survey_change", args=[census.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Crear el censo de la diáspora"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "surveys/admin/census.html", context)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text_es", "survey", "kind", "required"]
    list_select_related = ["survey"]
    fields = ["survey", "position", "kind", "text_es", "text_en", "required"]
    readonly_fields = ["survey"]
    inlines = [OptionInline]

    def has_module_permission(self, request):
        return False  # reached from its survey's page

    def has_add_permission(self, request):
        return False  # added on the survey's page

    def has_change_permission(self, request, obj=None):
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _locked(obj) and super().has_delete_permission(request, obj)
