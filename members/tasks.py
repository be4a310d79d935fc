"""Asynchronous work of the members app."""

import smtplib

from celery import shared_task

from .services import deliver_transactional_email, forget_search_terms_older_than_retention

# Only these are worth a retry; a refused recipient (SMTPRecipientsRefused) is final.
TRANSIENT_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    TimeoutError,
    ConnectionError,
)


@shared_task(
    autoretry_for=TRANSIENT_SMTP_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def send_transactional_email_task(*, to, subject, body, html_body=None):
    """Deliver one transactional email (routed to the transactional queue)."""
    deliver_transactional_email(to=to, subject=subject, body=body, html_body=html_body)


@shared_task
def forget_old_search_terms_task():
    """Daily (settings.CELERY_BEAT_SCHEDULE): searched text older than the retention period
    is blanked in every audit of searches, exports and directory reads; the rows stay."""
    return forget_search_terms_older_than_retention()


@shared_task
def flag_recent_duplicates_task():
    """Hourly (settings.CELERY_BEAT_SCHEDULE): the likely duplicates of the profiles
    created or changed in the last window, for staff review. Safe to run twice: one row per
    pair, refreshed in place."""
    from .services.duplicates import flag_recent_duplicates

    return flag_recent_duplicates()
