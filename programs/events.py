"""What the programs app announces to the apps above it (the api's webhooks), without
knowing them: sent inside the service's transaction, with the ids of the rows concerned.
A receiver writes its own rows (an outbox) and leaves any sending for after the commit."""

from django.dispatch import Signal

# certificate_ids: the credentials just issued (list of int).
credentials_issued = Signal()
# certificate_ids: the credentials just revoked (list of int).
credentials_revoked = Signal()
