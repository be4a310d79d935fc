"""Receivers for allauth's account signals (a decoupled concern: keeping a mirror in sync).

`User.email_verified` mirrors "the primary address is verified" so listings filter on
one table; allauth owns the addresses and tells us when they change."""

from allauth.account import signals as account_signals


def _sync(user=None, email_address=None, **kwargs):
    from .services import sync_email_verified

    user = user or getattr(email_address, "user", None)
    if user is not None and user.pk:
        sync_email_verified(user=user)


def _sync_from_change(request=None, user=None, to_email_address=None, **kwargs):
    _sync(user=user)


def connect():
    account_signals.email_confirmed.connect(_sync, dispatch_uid="members_email_confirmed")
    account_signals.email_changed.connect(_sync_from_change, dispatch_uid="members_email_changed")
    account_signals.email_removed.connect(_sync, dispatch_uid="members_email_removed")
    account_signals.user_signed_up.connect(_sync, dispatch_uid="members_user_signed_up")
    account_signals.user_logged_in.connect(_sync, dispatch_uid="members_user_logged_in")
