"""/api/v1/: the API (django-ninja: operations, /openapi.json, /docs/) and the OAuth 2.0
token endpoint (django-oauth-toolkit, client credentials, throttled per client address).
Outside i18n_patterns: the language of an answer follows Accept-Language, not the path."""

from django.urls import path

from .api import api
from .auth import ThrottledTokenView

urlpatterns = [
    path("api/v1/oauth/token/", ThrottledTokenView.as_view(), name="api_token"),
    path("api/v1/", api.urls),
]
