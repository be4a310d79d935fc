"""Admin pieces every app uses: read-only admins, the scope of officers.

IME staff (and superusers) curate everything. Other staff use the same admin scoped to
what they manage: every queryset, every per-object permission and every autocomplete goes
through `ScopedAdminMixin`, so rows outside their scope are neither listed nor reachable.
"""

from django.contrib import admin
from django.http import Http404

from core.access import is_ime_staff


class ReadOnlyAdminMixin:
    """Rows the admin shows and never writes (records, evidence, computed figures): no add,
    no change, and no delete unless `deletable`."""

    deletable = False

    def has_add_permission(self, request, *args):  # (request, obj) for an inline
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class ScopedAdminMixin:
    """Scope a ModelAdmin (or inline) to the rows of what the user manages.

    A subclass says what that is: `managed_ids(user)`, a subquery of the ids the user
    manages today, and `scope`, the lookup from the model to such an id ("pk" for the
    managed model itself).
    """

    scope = None
    parent_scope = None  # inlines: the lookup from the parent model to a managed id
    user_fields = ()  # foreign keys to people: autocomplete for IME, bounded select for others

    def managed_ids(self, user):
        raise NotImplementedError

    def _ime(self, request):
        return is_ime_staff(request.user)

    def _manages_any(self, request) -> bool:
        """Cached per request and per kind of scope: does the user manage anything today?"""
        memo = request.__dict__.setdefault("scoped_admin_memo", {})
        key = type(self).managed_ids
        if key not in memo:
            memo[key] = self.managed_ids(request.user).exists()
        return memo[key]

    def scope_queryset(self, request, queryset):
        if self._ime(request):
            return queryset
        return queryset.filter(**{f"{self.scope}__in": self.managed_ids(request.user)})

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _in_scope(self, request, obj):
        if self._ime(request):
            return True
        if not self._manages_any(request):
            return False
        if obj is None or obj.pk is None:
            return True
        if isinstance(self, admin.options.InlineModelAdmin):
            # An inline is asked about its parent object (the chapter, the Jornada...).
            scope, model = self.parent_scope, type(obj)
        else:
            scope, model = self.scope, self.model
        return model._default_manager.filter(
            pk=obj.pk, **{f"{scope}__in": self.managed_ids(request.user)}
        ).exists()

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self._in_scope(request, None)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._in_scope(request, None)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # A row outside the scope (or none at all): the same 404 either way.
            raise Http404
        return obj

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        if self._ime(request):
            return fields
        return tuple(f for f in fields if f not in self.user_fields)
