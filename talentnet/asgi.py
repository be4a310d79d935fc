"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentnet.settings")
# Web requests: a statement running past 10 s is cancelled (the 503 "try again" page), so
# one slow page cannot hold the database and the workers. Only here: Celery workers,
# management commands and migrations (an index built over a million rows) run without a
# limit unless DB_STATEMENT_TIMEOUT is set for them (settings.py, .env.example).
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "10000")
application = get_asgi_application()
