"""What the chapters app announces to the apps above it (the api's webhooks), without
knowing them: sent inside the service's transaction, with the ids of the rows concerned.
A receiver writes its own rows (an outbox) and leaves any sending for after the commit."""

from django.dispatch import Signal

# registration_id: a registration to a Jornada or event just made (or made again).
registration_created = Signal()
# registration_id: a registration the member just cancelled.
registration_cancelled = Signal()
# membership_id: a member just left a chapter.
membership_ended = Signal()
