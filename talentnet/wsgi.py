"""WSGI entry point (gunicorn talentnet.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
application = get_wsgi_application()
