"""The admin of announcements: write, preview, test, send or schedule, cancel, progress.

Scoped like the chapters admin (core.admin.ScopedAdminMixin): an officer lists and
reaches only the announcements of the chapters they currently officiate (the
`publisher_ids` hook), picks in each audience only what it lets officers choose (their
chapters, their chapters' events: announcements.audiences), and cannot target all
members, sectors, countries, or programs' applicants and cohorts. The services re-check it
all when sending.
"""

import secrets
from dataclasses import asdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from core.spreadsheets import ImportFileError

from . import audiences, importing, invitations, services
from .importing import Line, Outcome
from .mail import language_of, render_announcement
from .models import AUTOMATIC_KINDS, Announcement, Delivery, InvitationImport

SENT_MESSAGE = _(
    "Envío iniciado: estamos preparando la lista de destinatarios y enviando. "
    "El progreso se actualiza en esta página."
)
SCHEDULED_MESSAGE = _("Envío programado.")
TEST_QUEUED_MESSAGE = _("Enviamos una prueba a tu correo: %(email)s.")
CANCELLED_MESSAGE = _("Envío cancelado: %(n)d mensajes pendientes ya no se enviarán.")


class SendForm(forms.Form):
    """Send now (no date) or schedule (a future date, in the site's time zone)."""

    when = forms.DateTimeField(
        label=_("Programar para (opcional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Vacío: enviar ahora."),
    )


class ReviewReasonForm(forms.Form):
    """The reason IME gives for not approving a coordinator's announcement."""

    reason = forms.CharField(
        label=_("Motivo (se envía a quien escribió el aviso)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


@admin.register(Announcement)
class AnnouncementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope = "chapter"
    change_form_template = "announcements/admin/announcement_change_form.html"
    list_display = [
        "subject_es",
        "kind",
        "chapter",
        "status",
        "scheduled_for",
        "started_at",
        "recipients",
        "sent",
    ]
    list_filter = ["status", "kind", ("chapter", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subject_es", "subject_en"]
    list_select_related = ["chapter"]
    ordering = ["-created_at"]
    fieldsets = [
        (None, {"fields": ["kind", "chapter"]}),
        (_("Mensaje"), {"fields": ["subject_es", "body_es", "subject_en", "body_en"]}),
        (
            _("Audiencia (se suman; cada persona recibe un solo mensaje)"),
            {
                "fields": [
                    "audience_chapters",
                    "audience_jornadas",
                    "audience_all_members",
                    "audience_sectors",
                    "audience_countries",
                    "audience_programs",
                    "audience_stages",
                    "audience_stages_completed",
                    "audience_stages_selected",
                    "audience_stages_travelling",
                ]
            },
        ),
        (
            _("Envío"),
            {
                "fields": [
                    "status",
                    "scheduled_for",
                    "started_at",
                    "finished_at",
                    "cancelled_at",
                    "created_by",
                    "reviewed_by",
                    "reviewed_at",
                    "review_reason",
                ]
            },
        ),
    ]
    state_fields = [
        "status",
        "scheduled_for",
        "started_at",
        "finished_at",
        "cancelled_at",
        "created_by",
        "reviewed_by",
        "reviewed_at",
        "review_reason",
    ]
    actions = ["approve_selected", "decline_selected"]
    filter_horizontal = [
        "audience_chapters",
        "audience_jornadas",
        "audience_sectors",
        "audience_programs",
        "audience_stages",
        "audience_stages_completed",
        "audience_stages_selected",
        "audience_stages_travelling",
    ]

    def managed_ids(self, user):
        return audiences.publisher_ids(user)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_recipients=Count("deliveries"),
                n_sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
            )
        )

    @admin.display(description=_("personas destinatarias"), ordering="n_recipients")
    def recipients(self, obj):
        return obj.n_recipients

    @admin.display(description=_("enviados"), ordering="n_sent")
    def sent(self, obj):
        return obj.n_sent

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._ime(request):
            return fieldsets
        hidden = set(audiences.staff_only_fields())
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return [f for _n, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]
        return self.state_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "kind" in form.base_fields:
            # The digest is written by the system (news.digest), never by hand.
            # A survey's invitation keeps its kind while staff choose its audience.
            form.base_fields["kind"].choices = [
                choice
                for choice in form.base_fields["kind"].choices
                if choice[0] not in AUTOMATIC_KINDS or (obj is not None and choice[0] == obj.kind)
            ]
        if not self._ime(request):
            if "chapter" in form.base_fields:
                form.base_fields["chapter"].required = True
            if "kind" in form.base_fields:
                form.base_fields["kind"].choices = [
                    (k.value, k.label) for k in audiences.OFFICER_KINDS
                ]
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "chapter" and not self._ime(request):
            # The publishing chapter: one the officer officiates.
            kwargs["queryset"] = db_field.related_model.objects.filter(
                pk__in=audiences.publisher_ids(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        audience = audiences.by_field().get(db_field.name)
        if audience is not None:
            if not self._ime(request) and audience.officer_choices is not None:
                kwargs["queryset"] = audience.officer_choices(request.user)
            elif self._ime(request) and audience.staff_choices is not None:
                kwargs["queryset"] = audience.staff_choices()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- IME's review of the announcements PNCS coordinators write (issue 21) ---------------

    def has_review_permission(self, request):
        return self._ime(request)

    def _review(self, request, queryset, *, approve, reason=""):
        done, refused = 0, []
        for announcement_id in queryset.values_list("pk", flat=True):
            try:
                services.review_announcement(
                    announcement_id=announcement_id, by=request.user, approve=approve, reason=reason
                )
            except services.AnnouncementError as exc:
                refused.append(str(exc.message))
            else:
                done += 1
        if done:
            text = (
                gettext("Avisos aprobados y enviándose: %(n)d.")
                if approve
                else gettext("Avisos no aprobados: %(n)d.")
            )
            self.message_user(request, text % {"n": done}, messages.SUCCESS)
        for message in sorted(set(refused)):
            self.message_user(request, message, messages.ERROR)

    @admin.action(
        description=_("Aprobar y enviar los avisos de PNCS seleccionados"),
        permissions=["review"],
    )
    def approve_selected(self, request, queryset):
        self._review(request, queryset, approve=True)

    @admin.action(
        description=_("No aprobar los avisos de PNCS seleccionados…"), permissions=["review"]
    )
    def decline_selected(self, request, queryset):
        form = ReviewReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._review(request, queryset, approve=False, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("No aprobar avisos"),
            "form": form,
            "announcements": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "announcements/admin/decline_announcements.html", context)

    def has_delete_permission(self, request, obj=None):
        # Drafts only: a sent announcement's deliveries are the record of who got what.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    # --- Extra pages: preview, test, send, cancel ---------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", wrap(self.preview_view), name="announcements_announcement_preview"),
            path("<path:object_id>/test/", wrap(self.test_view), name="announcements_announcement_test"),
            path("<path:object_id>/send/", wrap(self.send_view), name="announcements_announcement_send"),
            path("<path:object_id>/cancel/", wrap(self.cancel_view), name="announcements_announcement_cancel"),
            *super().get_urls(),
        ]  # fmt: skip

    def _object(self, request, object_id, *, change=True):
        obj = self.get_object(request, object_id)  # scoped: another chapter's is a 404
        allowed = (
            self.has_change_permission(request, obj)
            if change
            else self.has_view_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj

    def _change_url(self, obj):
        return reverse("admin:announcements_announcement_change", args=[obj.pk])

    def preview_view(self, request, object_id):
        obj = self._object(request, object_id, change=False)
        versions = []
        for code, label in (("es-mx", _("Español")), ("en", _("English"))):
            rendered = render_announcement(obj, language=code, user=request.user)
            versions.append(
                {
                    "code": code,
                    "label": label,
                    "subject": rendered["subject"],
                    "text": rendered["text"],
                    # Staff Markdown sanitised by nh3 in render_announcement (announcements.mail).
                    "html": mark_safe(_body_of(rendered["html"])),  # noqa: S308
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Vista previa: %(subject)s") % {"subject": obj.subject_es},
            "original": obj,
            "opts": self.model._meta,
            "versions": versions,
        }
        return TemplateResponse(request, "announcements/admin/announcement_preview.html", context)

    def test_view(self, request, object_id):
        if request.method != "POST":
            return redirect(self._change_url(self._object(request, object_id, change=False)))
        obj = self._object(request, object_id, change=False)
        services.queue_test(announcement_id=obj.pk, to_user_id=request.user.pk)
        self.message_user(
            request, TEST_QUEUED_MESSAGE % {"email": request.user.email}, messages.SUCCESS
        )
        return redirect(self._change_url(obj))

    def send_view(self, request, object_id):
        obj = self._object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        form = SendForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("when", []):
                self.message_user(request, error, messages.ERROR)
            return redirect(self._change_url(obj))
        when = form.cleaned_data["when"]
        if obj.status != obj.Status.DRAFT:  # sent or scheduled: nothing left to confirm
            self.message_user(request, services.NOT_DRAFT_MESSAGE, messages.ERROR)
            return redirect(self._change_url(obj))
        # The confirmation step: the exact number of recipients today (opt-outs counted),
        # then a second POST carrying that number. If the audience changed in between, the
        # step is shown again with the new number instead of sending.
        recipients = audiences.recipient_ids(obj).count()
        confirmed = request.POST.get("confirmed", "")
        if confirmed != str(recipients) or not recipients:
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Confirmar el envío"),
                "original": obj,
                "opts": self.model._meta,
                "recipients": recipients,
                "when": when,
                "when_value": request.POST.get("when", ""),
                "changed": bool(confirmed),
            }
            return TemplateResponse(
                request, "announcements/admin/announcement_confirm_send.html", context
            )
        try:
            obj = services.send_announcement(announcement_id=obj.pk, by=request.user, when=when)
        except services.AnnouncementError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect(self._change_url(obj))
        if when is None:
            self.message_user(request, SENT_MESSAGE, messages.SUCCESS)
        else:
            self.message_user(request, SCHEDULED_MESSAGE, messages.SUCCESS)
        return redirect(self._change_url(obj))

    def cancel_view(self, request, object_id):
        obj = self._object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        try:
            count = services.cancel_announcement(announcement_id=obj.pk, by=request.user)
        except services.AnnouncementError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, CANCELLED_MESSAGE % {"n": count}, messages.SUCCESS)
        return redirect(self._change_url(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        try:
            obj = self.get_queryset(request).filter(pk=object_id).first()
        except (ValueError, ValidationError):
            obj = None  # a malformed id: the admin answers it below
        if obj is not None:
            extra_context.update(
                announcement=obj,
                progress=services.progress(obj),
                send_form=SendForm(),
                can_change=self.has_change_permission(request, obj),
                can_send=obj.status == Announcement.Status.DRAFT,
                # A draft shows its audience size before anything is sent.
                audience_size=(
                    audiences.recipient_ids(obj).count()
                    if obj.status == Announcement.Status.DRAFT
                    else None
                ),
                can_cancel=obj.status
                in (Announcement.Status.SCHEDULED, Announcement.Status.SENDING),
                preview_language=language_of(request.user),
            )
        return super().change_view(request, object_id, form_url, extra_context)


def _body_of(html_document: str) -> str:
    """The inside of <body> of the rendered email (the preview shows it within the admin)."""
    start = html_document.find("<body>")
    end = html_document.rfind("</body>")
    if start == -1 or end == -1:
        return html_document
    return html_document[start + len("<body>") : end]


# --- The import of known people (issue 26) ------------------------------------------------

IMPORT_INTRO = _(
    "Sube un archivo CSV (UTF-8) o XLSX con las columnas nombre, correo, pais, sector y "
    "fuente (en español o inglés, en cualquier orden). Primero verás qué pasaría con cada "
    "línea; nada se guarda ni se envía hasta que confirmes. Cada persona nueva recibe una "
    "sola invitación bilingüe, no tiene perfil y no aparece en ninguna parte del sitio."
)
IMPORT_REJECTED_MESSAGE = _(
    "El archivo tiene errores: no se importó nada. Corrígelos y súbelo otra vez."
)
IMPORT_EXPIRED_MESSAGE = _("La revisión caducó o ya se confirmó: sube el archivo otra vez.")
IMPORT_DONE_MESSAGE = _(
    "Importación confirmada: %(new)d invitaciones en camino; %(skipped)d líneas sin invitación "
    "(ya miembros, ya invitadas, rechazos anteriores o repetidas)."
)
IMPORT_SESSION_KEY = "announcements.invitation_import"


class InvitationImportForm(forms.Form):
    source = forms.CharField(
        label=_("Fuente de la lista"),
        max_length=200,
        help_text=_("De dónde viene la lista, p. ej. «Consulado en Houston, 2026»."),
    )
    file = forms.FileField(label=_("Archivo CSV o XLSX"))


@admin.register(InvitationImport)
class InvitationImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit of imports (who, when, source, file, counts) and the import itself. The
    people imported are listed nowhere, here included."""

    list_display = ["created_at", "source", "filename", "created_by", "counts", "announcement"]
    fields = list_display
    change_list_template = "announcements/admin/invitationimport_change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="announcements_invitationimport_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload → dry run (per-line outcome or errors) → confirm (all or nothing)."""
        if not request.user.has_perm("announcements.add_invitationimport"):
            raise PermissionDenied
        form = InvitationImportForm()
        plan = None
        token = ""
        changelist = reverse("admin:announcements_invitationimport_changelist")
        if request.method == "POST" and request.POST.get("confirm"):
            stored = request.session.pop(IMPORT_SESSION_KEY, None)
            if not stored or stored.get("token") != request.POST.get("confirm"):
                self.message_user(request, IMPORT_EXPIRED_MESSAGE, messages.ERROR)
                return redirect(request.path)
            lines = [Line(**line) for line in stored["lines"]]
            audit = invitations.confirm_import(
                lines=lines, source=stored["source"], filename=stored["filename"], by=request.user
            )
            new = audit.counts.get(Outcome.NEW, 0)
            self.message_user(
                request,
                IMPORT_DONE_MESSAGE % {"new": new, "skipped": len(lines) - new},
                messages.SUCCESS,
            )
            return redirect(changelist)
        if request.method == "POST":
            form = InvitationImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    table = importing.read_upload(upload)
                except ImportFileError as exc:
                    plan = importing.Plan(errors=[str(exc)])
                else:
                    plan = importing.plan_import(table, source=form.cleaned_data["source"])
                if plan.ok:
                    token = secrets.token_urlsafe(16)
                    request.session[IMPORT_SESSION_KEY] = {
                        "token": token,
                        "source": form.cleaned_data["source"],
                        "filename": (upload.name or "")[:200],
                        "lines": [asdict(line) for line in plan.lines],
                    }
                else:
                    request.session.pop(IMPORT_SESSION_KEY, None)
                    self.message_user(request, IMPORT_REJECTED_MESSAGE, messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importar personas conocidas"),
            "intro": IMPORT_INTRO,
            "changelist_url": changelist,
            "form": form,
            "plan": plan,
            "counts": plan.counts() if plan else None,
            "outcome_labels": importing.OUTCOME_LABELS,
            "token": token,
        }
        return TemplateResponse(request, "announcements/admin/invitation_import.html", context)
