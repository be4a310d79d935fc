"""What the pncs app announces to the apps above it (the api's webhooks), without knowing
them: sent inside the service's transaction, with the ids of the rows concerned."""

from django.dispatch import Signal

# interest_id: a coordinator just decided a member's answer to an opportunity.
interest_decided = Signal()
