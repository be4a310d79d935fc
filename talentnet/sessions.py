"""Database sessions whose row is read by a query compiled once per process.

Django's database session store builds and compiles `Session.objects.get(...)` on every
signed-in request; the compiled statement (talentnet.db.compiled) reads the same row with
the same conditions. Sessions stay in the database, so logins survive a cache outage.
"""

from datetime import UTC, datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from talentnet.db.compiled import CompiledQuery

SESSION_QUERY = CompiledQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key="compiled-sample-session-key",
    now=datetime(2000, 1, 1, tzinfo=UTC),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session's row while it has not expired (None, and no key, otherwise)."""
        found = SESSION_QUERY.instances(key=self.session_key, now=timezone.now())
        if not found:
            self._session_key = None
            return None
        return found[0]
