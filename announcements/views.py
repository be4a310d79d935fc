"""The public one-click unsubscribe page of announcements (RFC 8058)."""

from django.core import signing
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .invitations import read_refusal_token
from .invitations import refuse_invitation as refuse_invitation_service
from .mail import read_unsubscribe_token
from .models import Announcement
from .services import unsubscribe as unsubscribe_service

UNSUBSCRIBED_MESSAGE = _("Listo: ya no recibirás estos avisos.")


# RFC 8058: mail providers POST "List-Unsubscribe=One-Click" without a CSRF token or a
# session. This is the documented exception to CSRF (SECURITY.md B5); the signed token
# is what authorises the change, and the change only ever removes an opt-in.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: what will stop, and a button. POST: stop it (idempotent, no login)."""
    try:
        user_id, kind, announcement_id = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "400.html", status=400)
    if kind not in Announcement.Kind.values:
        return render(request, "400.html", status=400)
    kind_label = Announcement.Kind(kind).label
    done = False
    if request.method == "POST":
        unsubscribe_service(user_id=user_id, kind=kind, announcement_id=announcement_id)
        done = True
    return render(
        request,
        "announcements/unsubscribe.html",
        {"kind_label": kind_label, "done": done, "token": token},
    )


# The same exception as `unsubscribe`: mail providers POST the one-click refusal
# (List-Unsubscribe of the invitation) without a session; the signed token authorises it,
# and the change only ever forgets a person.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def refuse_invitation(request, token):
    """GET: what refusing does, and a button. POST: forget the person (idempotent)."""
    try:
        invitee_id = read_refusal_token(token)
    except signing.BadSignature:
        return render(request, "400.html", status=400)
    done = False
    if request.method == "POST":
        refuse_invitation_service(invitee_id=invitee_id)
        done = True
    return render(request, "announcements/refuse_invitation.html", {"done": done, "token": token})


def moved_admin_page(request, model_name, url=""):
    """/admin/chapters/announcement/... and /admin/chapters/delivery/... (before the
    announcements app had its own home, issue 19): a permanent redirect to the same page
    under /admin/announcements/, in the visitor's language, query string kept. Staff
    bookmarks and links in old mails keep working."""
    target = f"{reverse('admin:index')}announcements/{model_name}/{iri_to_uri(url)}"
    if request.META.get("QUERY_STRING"):
        target = f"{target}?{request.META['QUERY_STRING']}"
    return HttpResponsePermanentRedirect(target)
