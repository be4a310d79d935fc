"""Where program staff work: applications, results (entry and import), selection and
certificates. Every state change goes through a service (capacity, idempotence, mail)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from core.admin import ReadOnlyAdminMixin
from core.images import LOGO_MESSAGE, clean_logo
from core.storage import StorageOutageAdminMixin
from members.admin_lists import BigTableAdminMixin

from . import travel
from .access import is_program_staff
from .certificates import certificate_pdf_response
from .forms import ResultsImportForm, RevokeForm, SelectionForm
from .importing import (
    ImportFileError,
    read_table,
    validate_certification_rows,
    validate_rows,
)
from .letters import invitation_pdf_response
from .models import (
    SIGNATURE_MESSAGE,
    Application,
    Attendance,
    Certificate,
    Enrolment,
    Module,
    ModuleGrade,
    Partner,
    Program,
    Selection,
    Session,
    Stage,
)
from .services import (
    RANKING_RULES,
    ProgramError,
    decide_applications,
    import_partner_certifications,
    issue_partner_certifications,
    next_stage,
    rank_candidates,
    record_results,
    revoke_certificates,
    save_result,
    select_for_next_stage,
    stage_is_graded_by_module,
)

DECIDED_MESSAGE = _("%(changed)s solicitudes actualizadas; %(skipped)s sin cambio (ya decididas).")
TRAVEL_CAP_MESSAGE = _(
    "Llegaste al límite diario de consultas de datos de viaje. Vuelve a intentarlo mañana."
)
IMPORTED_MESSAGE = _("Se importaron %(count)s resultados de la etapa %(stage)s.")
IMPORT_REJECTED_MESSAGE = _(
    "No se importó nada: corrige las líneas señaladas y vuelve a subir el archivo."
)
SELECTION_CONFIRMED_MESSAGE = _(
    "Selección confirmada: %(selected)s personas seleccionadas y %(waitlisted)s en lista de espera. "
    "Los avisos se envían por correo."
)
SELECTION_ALREADY_MESSAGE = _(
    "La selección para esta etapa ya se había confirmado; no se cambió nada."
)
REVOKED_MESSAGE = _("%(count)s credenciales revocadas.")
RESULTS_IMPORT_INTRO = _(
    "Sube un archivo CSV o XLSX con una fila por participante. La primera línea es el "
    "encabezado: correo, calificacion (0 a 100, dos decimales), concluyo (sí/no), "
    "certificado (sí/no). Se valida cada línea; si alguna tiene un error, no se importa nada."
)
CERTIFICATIONS_IMPORT_INTRO = _(
    "Sube el archivo CSV o XLSX de la institución aliada con una fila por persona: correo, "
    "identificador (el de la institución) y fecha (AAAA-MM-DD o DD/MM/AAAA). Solo personas "
    "certificadas en la etapa y sin esta certificación. Si alguna línea tiene un error, no "
    "se importa nada."
)
CERTIFICATIONS_IMPORTED_MESSAGE = _(
    "Se registraron %(count)s certificaciones de %(partner)s en la etapa %(stage)s."
)
CERTIFICATIONS_ISSUED_MESSAGE = _("%(count)s certificaciones emitidas en %(stage)s.")


class PartnerAdminForm(forms.ModelForm):
    """The logo and the signature go through the logo rule (core.images.clean_logo):
    checked from their content, re-encoded as PNG, counted against the uploader."""

    uploader_id = None  # set per request by PartnerAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A file Pillow cannot read gets the rule's message, not Django's generic one.
        for name, message in (("logo", LOGO_MESSAGE), ("signature", SIGNATURE_MESSAGE)):
            if name in self.fields:
                self.fields[name].error_messages["invalid_image"] = message

    def _clean_image(self, name, message):
        upload = self.cleaned_data.get(name)
        if not upload or not hasattr(upload, "size") or upload == self.initial.get(name):
            return upload  # cleared, empty or unchanged
        return clean_logo(upload, account_id=self.uploader_id, message=message)

    def clean_logo(self):
        return self._clean_image("logo", LOGO_MESSAGE)

    def clean_signature(self):
        return self._clean_image("signature", SIGNATURE_MESSAGE)


@admin.register(Partner)
class PartnerAdmin(StorageOutageAdminMixin, admin.ModelAdmin):
    form = PartnerAdminForm
    list_display = ["name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "country", "description_es", "description_en"]}),
        (
            _("En las constancias y certificaciones"),
            {"fields": ["logo", "signer_name", ("signer_role_es", "signer_role_en"), "signature"]},
        ),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.uploader_id = request.user.pk  # image uploads count against the account
        return form


class StageInline(admin.StackedInline):
    model = Stage
    extra = 0
    fields = [
        "order",
        ("name_es", "name_en"),
        ("description_es", "description_en"),
        ("mode", "place_es", "place_en"),
        ("starts_on", "ends_on"),
        ("seats", "certifying_partner", "certification_name"),
        ("pass_grade", "min_attendance"),
        ("offer_days", "collects_travel_data"),
    ]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = [
        "name_es",
        "slug",
        "call_opens_at",
        "call_closes_at",
        "capacity",
        "accepted",
        "is_published",
        "figures_link",
    ]
    list_filter = ["is_published"]
    search_fields = ["name_es", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_es"]}
    filter_horizontal = ["partners"]
    inlines = [StageInline]
    fieldsets = [
        (None, {"fields": ["slug", ("name_es", "name_en"), "is_published", "partners"]}),
        (
            _("Descripción"),
            {"fields": [("summary_es", "summary_en"), ("description_es", "description_en")]},
        ),
        (
            _("Convocatoria"),
            {
                "fields": [
                    "capacity",
                    ("call_opens_at", "call_closes_at"),
                    ("eligibility_es", "eligibility_en"),
                    "requires_residence_in_mexico",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                accepted_count=Count(
                    "applications",
                    filter=Q(applications__status=Application.Status.ACCEPTED),
                )
            )
        )

    @admin.display(description=_("aceptadas"), ordering="accepted_count")
    def accepted(self, obj):
        return obj.accepted_count

    @admin.display(description=_("cifras"))
    def figures_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("figures_program_staff", kwargs={"slug": obj.slug}),
            _("Ver cifras"),
        )


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["order", "code", "name_es", "name_en", "weight"]


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    fields = [
        ("code", "module"),
        ("title_es", "title_en"),
        ("mode", "starts_at", "duration_minutes"),
        ("link", "place"),
    ]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = [
        "name_es",
        "program",
        "order",
        "mode",
        "starts_on",
        "seats",
        "select_link",
        "travel_link",
    ]
    list_filter = ["program", "mode"]
    list_select_related = ["program"]
    search_fields = ["name_es", "name_en", "program__name_es"]
    fields = ["program", *StageInline.fields]
    inlines = [ModuleInline, SessionInline]
    actions = ["issue_partner_certifications"]

    @admin.action(
        description=_("Emitir aquí la certificación de la institución aliada a las certificadas"),
        permissions=["change"],
    )
    def issue_partner_certifications(self, request, queryset):
        for stage in queryset.select_related("certifying_partner"):
            try:
                count = issue_partner_certifications(stage=stage)
            except ProgramError as exc:
                self.message_user(request, f"{stage}: {exc}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    CERTIFICATIONS_ISSUED_MESSAGE % {"count": count, "stage": stage.name},
                    messages.SUCCESS,
                )

    @admin.display(description=_("selección"))
    def select_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:programs_stage_select", args=[obj.pk]),
            _("Seleccionar a las mejores para la siguiente etapa"),
        )

    @admin.display(description=_("viajeros"))
    def travel_link(self, obj):
        if not obj.collects_travel_data:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:programs_stage_travel", args=[obj.pk]),
            _("Lista de viaje"),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:stage_id>/select/",
                view(self.selection_view),
                name="programs_stage_select",
            ),
            path("<int:stage_id>/travel/", view(self.travel_view), name="programs_stage_travel"),
            path(
                "<int:stage_id>/travel.csv",
                view(self.travel_csv_view),
                name="programs_stage_travel_csv",
            ),
            path(
                "<int:stage_id>/travel.xlsx",
                view(self.travel_xlsx_view),
                name="programs_stage_travel_xlsx",
            ),
            path(
                "<int:stage_id>/travel/<int:enrolment_id>/invitation.pdf",
                view(self.invitation_view),
                name="programs_stage_invitation",
            ),
            *super().get_urls(),
        ]

    # --- The travel list (issue 23): program staff only, in the admin (second factor),
    # every read audited (programs.travel.audit).

    def _travel_stage(self, request, stage_id):
        if not is_program_staff(request.user):
            raise PermissionDenied
        return get_object_or_404(
            Stage.objects.select_related("program").filter(collects_travel_data=True),
            pk=stage_id,
        )

    def _audited(self, request, stage, view, row_count, enrolment_id=None):
        if travel.audit(
            reader=request.user,
            stage=stage,
            view=view,
            row_count=row_count,
            enrolment_id=enrolment_id,
        ):
            return None
        return HttpResponse(str(TRAVEL_CAP_MESSAGE), status=429, content_type="text/plain")

    @method_decorator(never_cache)
    def travel_view(self, request, stage_id):
        stage = self._travel_stage(request, stage_id)
        people = list(travel.travellers(stage))
        refused = self._audited(request, stage, "page", len(people))
        if refused:
            return refused
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Lista de viaje"),
            "stage": stage,
            "people": [(e, travel.person_name(e.application.user)) for e in people],
        }
        return TemplateResponse(request, "admin/programs/travel_list.html", context)

    def travel_csv_view(self, request, stage_id):
        stage = self._travel_stage(request, stage_id)
        count = travel.travellers(stage).count()
        refused = self._audited(request, stage, "csv", count)
        if refused:
            return refused
        return travel.travel_csv_response(stage, f"viajeros-etapa-{stage.pk}.csv")

    def travel_xlsx_view(self, request, stage_id):
        stage = self._travel_stage(request, stage_id)
        count = travel.travellers(stage).count()
        refused = self._audited(request, stage, "xlsx", count)
        if refused:
            return refused
        return travel.travel_xlsx_response(stage, f"viajeros-etapa-{stage.pk}.xlsx")

    def invitation_view(self, request, stage_id, enrolment_id):
        stage = self._travel_stage(request, stage_id)
        enrolment = get_object_or_404(travel.travellers(stage), pk=enrolment_id)
        refused = self._audited(request, stage, "letter", 1, enrolment_id=enrolment.pk)
        if refused:
            return refused
        return invitation_pdf_response(enrolment)

    def selection_view(self, request, stage_id):
        """Rank, preview, then confirm (POST) the selection of the best N for the next stage."""
        if not request.user.has_perm("programs.add_selection"):
            raise PermissionDenied
        stage = get_object_or_404(Stage.objects.select_related("program"), pk=stage_id)
        target = next_stage(stage)
        existing = Selection.objects.filter(target_stage=target).first() if target else None
        initial = {"count": (target.seats if target and target.seats else 10), "waitlist": 0}
        form = SelectionForm(request.POST or None, initial=initial)
        ranking = None
        if request.method == "POST" and target is not None and form.is_valid():
            count = form.cleaned_data["count"]
            waitlist = form.cleaned_data["waitlist"]
            if "confirm" in request.POST:
                try:
                    outcome = select_for_next_stage(
                        stage=stage, count=count, waitlist=waitlist, confirmed_by=request.user
                    )
                except ProgramError as exc:
                    messages.error(request, str(exc))
                    return redirect(request.path)
                if outcome.created:
                    messages.success(
                        request,
                        SELECTION_CONFIRMED_MESSAGE
                        % {
                            "selected": outcome.selection.selected_count,
                            "waitlisted": outcome.selection.waitlist_count,
                        },
                    )
                else:
                    messages.warning(request, SELECTION_ALREADY_MESSAGE)
                url = reverse("admin:programs_enrolment_changelist")
                return redirect(f"{url}?stage__id__exact={target.pk}")
            ranking = [
                (
                    candidate,
                    "selected"
                    if candidate.rank <= count
                    else "waitlisted"
                    if candidate.rank <= count + waitlist
                    else "",
                )
                for candidate in rank_candidates(stage=stage)
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Selección para la siguiente etapa"),
            "stage": stage,
            "target": target,
            "existing": existing,
            "form": form,
            "ranking": ranking,
            "ranking_rules": RANKING_RULES,
        }
        return TemplateResponse(request, "admin/programs/selection.html", context)


@admin.register(Application)
class ApplicationAdmin(BigTableAdminMixin, admin.ModelAdmin):
    # Gender is never shown per person: it is only used in aggregate figures.
    list_display = [
        "email",
        "program",
        "status",
        "education_level",
        "state",
        "nationality_name",
        "institution",
        "created_at",
    ]
    list_filter = ["program", "status", "education_level", "state", "nationality", "created_at"]
    search_fields = [
        "user__email",
        "user__profile__given_names",
        "user__profile__paternal_surname",
        "institution",
        "education_field",
    ]
    list_select_related = ["user", "program"]
    ordering = ["-created_at", "-pk"]

    @admin.display(description=_("país de nacionalidad"), ordering="nationality")
    def nationality_name(self, obj):
        # The name by its code: the admin's display of a choice field builds the list of
        # ~250 countries again for every row.
        return obj.nationality.name

    actions = ["accept", "waitlist", "reject"]
    fields = [
        "program",
        "user",
        "status",
        "education_level",
        "education_field",
        "institution",
        "residence_country",
        "state",
        "nationality",
        "motivation",
        "created_at",
        "decided_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("correo"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    def _decide(self, request, queryset, decision):
        ids = list(queryset.values_list("pk", flat=True))
        try:
            outcome = decide_applications(application_ids=ids, decision=decision)
        except ProgramError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            DECIDED_MESSAGE % {"changed": outcome.changed, "skipped": outcome.skipped},
            messages.SUCCESS,
        )

    @admin.action(description=_("Aceptar las solicitudes seleccionadas"), permissions=["change"])
    def accept(self, request, queryset):
        self._decide(request, queryset, Application.Status.ACCEPTED)

    @admin.action(description=_("Poner en lista de espera"), permissions=["change"])
    def waitlist(self, request, queryset):
        self._decide(request, queryset, Application.Status.WAITLISTED)

    @admin.action(description=_("Rechazar las solicitudes seleccionadas"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, Application.Status.REJECTED)


class ModuleGradeInline(admin.TabularInline):
    model = ModuleGrade
    extra = 0
    fields = ["module", "grade"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "module":
            kwargs["queryset"] = Module.objects.select_related("stage")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["session", "attended"]


COMPUTED_RESULT_MESSAGE = _(
    "Esta etapa se califica por módulo: el promedio y la conclusión se calculan con las "
    "calificaciones y la asistencia. Corrige las calificaciones por módulo en la "
    "participación o con la importación de resultados."
)


class EnrolmentListForm(forms.ModelForm):
    """A row of the results list: on a stage graded by module the average and completion
    are computed, so a typed score or completion is refused, never silently replaced."""

    def clean(self):
        cleaned = super().clean()
        typed = [f for f in ("score", "completed") if f in self.changed_data]
        if typed and self.instance.pk and stage_is_graded_by_module(self.instance.stage):
            for field in typed:
                self.add_error(field, COMPUTED_RESULT_MESSAGE)
        return cleaned


@admin.register(Enrolment)
class EnrolmentAdmin(BigTableAdminMixin, admin.ModelAdmin):
    """Results entry: score, completed and certified are editable in the list."""

    list_display = [
        "email",
        "stage",
        "status",
        "score",
        "attendance",
        "completed",
        "certified",
        "completed_on",
        "has_certificate",
        "rank",
        "seat_confirmed_at",
    ]
    list_editable = ["score", "completed", "certified"]
    list_filter = ["stage__program", "stage", "status", "completed", "certified"]
    search_fields = [
        "application__user__email",
        "application__user__profile__given_names",
        "application__user__profile__paternal_surname",
    ]
    list_select_related = ["application__user", "stage__program"]
    fields = [
        "application",
        "stage",
        "status",
        "score",
        "attendance",
        "completed",
        "certified",
        "completed_on",
        # The seat offer (issue 23): answered by the participant, never typed here.
        ("rank", "offer_expires_at"),
        ("seat_confirmed_at", "released_at"),
        "decline_reason",
    ]
    readonly_fields = [
        "application",
        "stage",
        "status",
        "attendance",
        "completed_on",
        "rank",
        "offer_expires_at",
        "seat_confirmed_at",
        "released_at",
        "decline_reason",
    ]
    inlines = [ModuleGradeInline, AttendanceInline]
    change_list_template = "admin/programs/enrolment_change_list.html"

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("correo"), ordering="application__user__email")
    def email(self, obj):
        return obj.application.user.email

    @admin.display(description=_("constancia"), boolean=True)
    def has_certificate(self, obj):
        return obj.has_constancia

    def get_queryset(self, request):
        constancias = Certificate.objects.filter(
            enrolment=OuterRef("pk"), kind=Certificate.Kind.CONSTANCIA
        )
        return super().get_queryset(request).annotate(has_constancia=Exists(constancias))

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=EnrolmentListForm, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Average and completion of a stage graded by module are computed, never typed.
        if obj is not None and stage_is_graded_by_module(obj.stage):
            return [*self.readonly_fields, "score", "completed"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Saved by save_related, once the inlines (grades, attendance) are: one service
        # (save_result) computes and writes the result and issues any certificate.
        pass

    def save_related(self, request, form, formsets, change):
        # After the module grades and attendance (the inlines) are saved: compute the
        # stage result from them (stages graded by module) and issue any certificate.
        super().save_related(request, form, formsets, change)
        save_result(enrolment=form.instance)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="programs_enrolment_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a CSV/XLSX of results; all rows valid or nothing written."""
        if not request.user.has_perm("programs.change_enrolment"):
            raise PermissionDenied
        stages = Stage.objects.select_related("program").order_by("program__name_es", "order")
        form = ResultsImportForm(request.POST or None, request.FILES or None, stages=stages)
        errors = []
        if request.method == "POST" and form.is_valid():
            stage = form.cleaned_data["stage"]
            try:
                table = read_table(form.cleaned_data["file"])
            except ImportFileError as exc:
                errors = [str(exc)]
            else:
                rows, errors = validate_rows(stage=stage, table=table)
                if not errors:
                    count = record_results(stage=stage, rows=rows)
                    self.message_user(
                        request,
                        IMPORTED_MESSAGE % {"count": count, "stage": stage.name},
                        messages.SUCCESS,
                    )
                    url = reverse("admin:programs_enrolment_changelist")
                    return redirect(f"{url}?stage__id__exact={stage.pk}")
            self.message_user(request, IMPORT_REJECTED_MESSAGE, messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importar resultados"),
            "intro": RESULTS_IMPORT_INTRO,
            "changelist_url": reverse("admin:programs_enrolment_changelist"),
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/programs/import_results.html", context)


@admin.register(Certificate)
class CertificateAdmin(BigTableAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "holder_name",
        "kind",
        "issuer_name",
        "stage",
        "issued_on",
        "valid",
        "verify_link",
        "pdf_links",
    ]
    list_filter = ["kind", "enrolment__stage", ("revoked_at", admin.EmptyFieldListFilter)]
    change_list_template = "admin/programs/certificate_change_list.html"
    list_select_related = ["enrolment__stage__program"]
    search_fields = ["code", "external_id", "holder_name", "enrolment__application__user__email"]
    fields = [
        "code",
        "kind",
        "title",
        "issuer_name",
        "external_id",
        "holder_name",
        "enrolment",
        "issued_on",
        "revoked_at",
        "revoked_reason",
        "pdf_links",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("etapa"))
    def stage(self, obj):
        return obj.enrolment.stage

    @admin.display(description=_("válida"), boolean=True)
    def valid(self, obj):
        return obj.is_valid

    @admin.display(description=_("verificación"))
    def verify_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Verificar"))

    @admin.display(description=_("PDF"))
    def pdf_links(self, obj):
        return format_html(
            '<a href="{}?language=es" download>{}</a> · <a href="{}?language=en" download>{}</a>',
            reverse("admin:programs_certificate_pdf", args=[obj.pk]),
            _("PDF en español"),
            reverse("admin:programs_certificate_pdf", args=[obj.pk]),
            _("PDF en inglés"),
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="programs_certificate_import",
            ),
            path(
                "<int:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="programs_certificate_pdf",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a partner's certifications (identifier, date); all valid or nothing."""
        if not request.user.has_perm("programs.add_certificate"):
            raise PermissionDenied
        stages = (
            Stage.objects.filter(certifying_partner__isnull=False)
            .exclude(certification_name="")
            .select_related("program")
            .order_by("program__name_es", "order")
        )
        form = ResultsImportForm(request.POST or None, request.FILES or None, stages=stages)
        form.fields["file"].help_text = _("Columnas: correo, identificador, fecha.")
        errors = []
        if request.method == "POST" and form.is_valid():
            stage = form.cleaned_data["stage"]
            try:
                table = read_table(form.cleaned_data["file"])
            except ImportFileError as exc:
                errors = [str(exc)]
            else:
                rows, errors = validate_certification_rows(stage=stage, table=table)
                if not errors:
                    try:
                        count = import_partner_certifications(stage=stage, rows=rows)
                    except ProgramError as exc:
                        errors = [str(exc)]
                    else:
                        self.message_user(
                            request,
                            CERTIFICATIONS_IMPORTED_MESSAGE
                            % {
                                "count": count,
                                "partner": stage.certifying_partner.name,
                                "stage": stage.name,
                            },
                            messages.SUCCESS,
                        )
                        url = reverse("admin:programs_certificate_changelist")
                        return redirect(f"{url}?kind__exact=partner")
            self.message_user(request, IMPORT_REJECTED_MESSAGE, messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importar certificaciones"),
            "intro": CERTIFICATIONS_IMPORT_INTRO,
            "changelist_url": reverse("admin:programs_certificate_changelist"),
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/programs/import_results.html", context)

    def pdf_view(self, request, object_id):
        """Staff download a certificate as the holder does (same document, same headers),
        in the language of `?language=es|en` (Spanish by default)."""
        language = request.GET.get("language", "es")
        if not self.has_view_permission(request) or language not in ("es", "en"):
            raise PermissionDenied
        certificate = get_object_or_404(
            Certificate.objects.visible_to(request.user).with_document(), pk=object_id
        )
        return certificate_pdf_response(certificate, "en" if language == "en" else "es-mx")

    @admin.action(description=_("Revocar las constancias seleccionadas"), permissions=["change"])
    def revoke(self, request, queryset):
        """Asks for a reason on an intermediate page, then revokes."""
        if "confirm_revoke" in request.POST:
            form = RevokeForm(request.POST)
            if form.is_valid():
                count = revoke_certificates(
                    certificate_ids=list(queryset.values_list("pk", flat=True)),
                    reason=form.cleaned_data["reason"],
                )
                self.message_user(request, REVOKED_MESSAGE % {"count": count}, messages.SUCCESS)
                return None
        else:
            form = RevokeForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Revocar constancias"),
            "certificates": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/programs/revoke_certificates.html", context)


@admin.register(Selection)
class SelectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    deletable = True  # (as before: a selection is not added or changed here)
    list_display = [
        "target_stage",
        "source_stage",
        "selected_count",
        "waitlist_count",
        "confirmed_at",
    ]
    readonly_fields = [
        "source_stage",
        "target_stage",
        "selected_count",
        "waitlist_count",
        "confirmed_by",
        "confirmed_at",
    ]
