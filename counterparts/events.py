"""What the counterparts app announces to the apps above it (the api's webhooks), without
knowing them: sent inside the service's transaction, with the ids of the rows concerned."""

from django.dispatch import Signal

# engagement_id: an engagement was just completed (its outcomes may follow).
engagement_completed = Signal()
