"""When the file store fails (a full disk, an object store that does not answer or refuses
the write): what is caught and what the person is told. Every upload form and the admin
use these, so an outage answers the form again with this message and saves nothing (the
write happens inside the saving transaction, which rolls back)."""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("talentnet.storage")

STORAGE_UNAVAILABLE = _(
    "No pudimos guardar el archivo: el almacén de archivos no responde. No se guardó ningún "
    "cambio; inténtalo de nuevo en unos minutos."
)


def storage_errors() -> tuple[type[Exception], ...]:
    """What a storage raises when the store cannot be reached or refuses the write: the
    filesystem's OSError, botocore's connection and service errors (django-storages)."""
    return (OSError, BotoCoreError, ClientError)


class StorageOutageAdminMixin:
    """Admin pages that upload files: when the store fails while saving, the admin's
    transaction has rolled back (nothing saved); the page comes back with the message
    instead of a 500."""

    def _outage_guard(self, view, request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except storage_errors():
            logger.exception("admin change not saved: the file store failed")
            self.message_user(request, STORAGE_UNAVAILABLE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def add_view(self, request, form_url="", extra_context=None):
        return self._outage_guard(super().add_view, request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._outage_guard(super().change_view, request, object_id, form_url, extra_context)
