"""Request-level behaviour of the members app (accounts through allauth)."""

from allauth.socialaccount.models import SocialApp
from django.http import Http404


class UnconfiguredSocialProviderMiddleware:
    """A social provider with no credentials (no settings, no SocialApp row) is not offered
    on any page; its URLs answer the site's 404 instead of allauth's unhandled error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SocialApp.DoesNotExist):
            raise Http404("social provider not configured") from exception
        return None
