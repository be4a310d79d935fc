"""Uploaded files (members.files): public ones at stable URLs, private ones after a check."""

from django.views.decorators.http import require_safe

from core.access import lacks_second_factor, mfa_setup_redirect

from ..files import private_file_response, public_file_response


@require_safe
def public_file(request, name):
    """/media/public/<name>: chapter logos and other files anyone may read."""
    return public_file_response(name)


@require_safe
def private_file(request, name):
    """/media/private/<name>: a photo or a material, for who may see its row; 404 otherwise.
    An account that sees others' personal data opens none before its second factor."""
    if lacks_second_factor(request.user):
        return mfa_setup_redirect(request)
    return private_file_response(request.user, name)
