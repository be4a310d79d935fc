"""Which programs, applications and certificates a caller may see: the permission boundary."""

from django.db import models
from django.db.models import Count, Prefetch, Q


def _is_program_staff(user) -> bool:
    from .access import is_program_staff

    return is_program_staff(user)


class ProgramQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published programs; program staff also see unpublished ones."""
        if _is_program_staff(user):
            return self.all()
        return self.filter(is_published=True)

    def for_listing(self):
        """Programs with their stages and partners loaded, and their accepted count."""
        from .models import Application

        return self.prefetch_related("stages", "partners").annotate(
            accepted_count=Count(
                "applications", filter=Q(applications__status=Application.Status.ACCEPTED)
            )
        )


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees their own applications; program staff see all of them."""
        if not user.is_authenticated:
            return self.none()
        if _is_program_staff(user):
            return self.all()
        return self.filter(user=user)

    def accepted(self):
        """Participants: accepted applications."""
        return self.filter(status=self.model.Status.ACCEPTED)

    def for_dashboard(self):
        """Own applications with program, stage enrolments (modules, sessions, grades and
        attendance) and certificates in a fixed number of queries."""
        from .models import Attendance, Certificate, Enrolment, ModuleGrade

        return self.select_related("program").prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("stage", "travel").order_by(
                    "stage__order"
                ),
            ),
            Prefetch(
                "enrolments__certificates",
                queryset=Certificate.objects.select_related("issuer").order_by("kind"),
            ),
            "enrolments__stage__modules",
            "enrolments__stage__sessions",
            Prefetch("enrolments__grades", queryset=ModuleGrade.objects.order_by("module_id")),
            Prefetch("enrolments__attendances", queryset=Attendance.objects.order_by("session_id")),
        )


class EnrolmentQuerySet(models.QuerySet):
    def enrolled(self):
        """Enrolments that hold a seat (not the stage's waitlist)."""
        return self.filter(status=self.model.Status.ENROLLED)


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The holder sees their certificates; program staff see all of them."""
        if not user.is_authenticated:
            return self.none()
        if _is_program_staff(user):
            return self.all()
        return self.filter(enrolment__application__user=user)

    def with_document(self):
        """Everything a certificate shows (stage, program, partner) in one query."""
        return self.select_related(
            "enrolment__stage__program", "enrolment__stage__certifying_partner", "issuer"
        )
