"""django-oauth-toolkit's scopes backend: an application obtains only the scopes IME staff
gave its partner application, and none once it is revoked."""

from oauth2_provider.scopes import SettingsScopes

from .models import PartnerApplication


class PartnerScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        """The scopes of the partner behind `application` (none for an unknown or revoked
        one, or for a client that is not a partner application)."""
        if application is None:
            return []
        partner = PartnerApplication.objects.active().filter(oauth_application=application).first()
        return list(partner.scopes) if partner else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        """A token asked without `scope` carries every scope the partner holds."""
        return self.get_available_scopes(application, request, *args, **kwargs)
