"""django-allauth adapter: transactional mail through its own queue, and where to go after login."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.emails import clean_subject, render_subject

from .services import queue_transactional_email

EMAIL_TOO_LONG = _(
    "La dirección de correo puede tener como máximo %(max)s caracteres (esta tiene %(length)s)."
)


def check_email_length(email: str) -> str:
    """Refuse an address longer than the column that stores it (issue 17, item 13): it was
    stored cut short, and the same address again then failed the unique constraint."""
    from .models import User

    limit = User._meta.get_field("email").max_length
    if email and len(email) > limit:
        raise ValidationError(
            EMAIL_TOO_LONG, code="max_length", params={"max": limit, "length": len(email)}
        )
    return email


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """Every allauth form that takes an address (sign-up, social sign-up, adding or
        changing an address, password reset) refuses one the database cannot hold."""
        return super().clean_email(check_email_length(email))

    def validate_unique_email(self, email):
        return super().validate_unique_email(check_email_length(email))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message in the current language; deliver it through the
        transactional queue after commit (SECURITY.md E9), never inside the request."""
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            # Every allauth mail ends with the contact page (templates/account/email/).
            "contact_url": settings.SITE_URL + reverse("members:contact"),
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        # The subject again through the project's one helper: no HTML escaping whatever
        # the template says, one clean line (core.emails).
        subject = self.format_email_subject(render_subject(f"{template_prefix}_subject.txt", ctx))
        html_body = None
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                html_body = content
        queue_transactional_email(
            to=list(message.to), subject=subject, body=message.body, html_body=html_body
        )

    def send_account_already_exists_mail(self, email: str) -> None:
        """A sign-up with an address that has an account: the "you already have an account"
        message, after the same work a new account costs (issue 17, item 8: the time of the
        answer must not tell the two apart). Hashing the password is most of that work;
        the message goes through the same queue as a new account's code."""
        from django.contrib.auth.hashers import make_password

        request = allauth_context.request
        make_password(request.POST.get("password1", ""))
        super().send_account_already_exists_mail(email)

    def format_email_subject(self, subject: str) -> str:
        """The site's name in front of every subject, in the language of the message."""
        from django.utils.translation import gettext

        return clean_subject(f"[{gettext('Red de Talentos Mexicanos')}] {subject}")

    def get_login_redirect_url(self, request) -> str:
        """New notice to accept first; then onboarding until the profile exists (unless
        another app claims the account: a student's own page, members.plugins.landing_url);
        then /me/."""
        from .models import Profile
        from .plugins import landing_url
        from .services import needs_privacy_acceptance

        user = request.user
        if needs_privacy_acceptance(user=user):
            return reverse("members:privacy_accept")
        if not Profile.objects.filter(user=user, onboarded_at__isnull=False).exists():
            return landing_url(user) or reverse("members:onboarding")
        return reverse("members:me")

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)
