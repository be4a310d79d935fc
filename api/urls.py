"""/api/v1/: the API (django-ninja: operations, /openapi.json, /docs/) and the OAuth 2.0
token endpoint (django-oauth-toolkit, client credentials). Outside i18n_patterns: the
language of an answer follows Accept-Language, not the path."""

from django.urls import path
from oauth2_provider.views import TokenView

from .api import api

urlpatterns = [
    path("api/v1/oauth/token/", TokenView.as_view(), name="api_token"),
    path("api/v1/", api.urls),
]
