from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = _("Avisos a la red")

    def ready(self):
        from core.access import connect_role_permissions

        from .roles import ROLE_GRANTS

        connect_role_permissions(self, ROLE_GRANTS)

        # An invited address verified by its owner's sign-up (who accepted the privacy
        # notice on the sign-up form) accepts the invitation: a decoupled concern of the
        # sign-up, which knows nothing of invitations (issue 26).
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(_accept_invitation, dispatch_uid="announcements_accept_invitation")


def _accept_invitation(sender, request=None, email_address=None, **kwargs):
    from .invitations import accept_invitation

    if email_address is not None and email_address.user_id:
        accept_invitation(user=email_address.user, email=email_address.email)
