"""Asynchronous work of the programs app: ids in, a service does the work."""

from celery import shared_task

from .services import send_selection_notices


@shared_task
def send_selection_notices_task(*, selection_id):
    """Tell everyone ranked in a selection their outcome (idempotent: claims per person)."""
    return send_selection_notices(selection_id=selection_id)


@shared_task
def expire_seat_offers_task():
    """Release the seat offers past their deadline and offer them on (beat; idempotent)."""
    from .services import expire_seat_offers

    return expire_seat_offers()


@shared_task
def purge_travel_details_task():
    """Delete the travel data of the stages that have ended (beat, daily; idempotent)."""
    from .services import purge_travel_details

    return purge_travel_details()
