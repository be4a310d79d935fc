"""Access to members' pages: a signed-in member with a verified address who accepted the
current privacy notice. (Roles and the second-factor rule every app uses: core.access.)"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse

from .services import needs_privacy_acceptance


def member_required(view):
    """A signed-in member with a verified address who accepted the current privacy notice.

    Someone who has not accepted the version in force is asked to, then comes back."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.email_verified:
            return redirect("account_email")
        if needs_privacy_acceptance(user=request.user):
            url = reverse("members:privacy_accept")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
