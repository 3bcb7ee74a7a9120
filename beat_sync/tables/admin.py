"""django-celery-beat's PeriodicTask admin, extended to show which rows the manifest owns.

`register()` (called by beat_sync/admin.py when Django's admin autodiscovers it) unregisters
the admin class django-celery-beat registered for PeriodicTask and registers a subclass of it
with `ManagedByBeatSyncMixin` first: nothing of django-celery-beat's admin is copied, and a
project that customised that admin keeps its class (a project registering its own PeriodicTask
admin after beat_sync can mix `ManagedByBeatSyncMixin` in itself).

A managed row is one beat-sync's ownership record names (`beat_sync.models.ManagedTask`). The
setting `BEAT_SYNC_ADMIN`:
  "readonly" (default)  the list shows "Managed by beat-sync: schedules/emails.yaml:12" per
                        managed row, its change page the same notice and its fields read-only;
                        saving, deleting, and the enable/disable/toggle actions are refused;
  "warn"                the column and notice, edits allowed (the next apply reverts them);
  "off"                 nothing changes.
Rows beat-sync does not manage stay fully editable in every mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import OuterRef, Subquery

SETTING = "BEAT_SYNC_ADMIN"
MODES = ("readonly", "warn", "off")
# The admin actions that change or delete rows: refused on managed rows in "readonly".
WRITING_ACTIONS = ("enable_tasks", "disable_tasks", "toggle_tasks", "delete_selected")
ANNOTATION = "beat_sync_source"


def admin_mode() -> str:
    """The BEAT_SYNC_ADMIN setting, read per request (an unknown value is the system check's
    beat_sync.E004, and reads as the default here)."""
    from django.conf import settings

    mode = getattr(settings, SETTING, "readonly")
    return mode if mode in MODES else "readonly"


def notice(source: str) -> str:
    """`Managed by beat-sync: schedules/emails.yaml:12` ("" source: removed and kept disabled)."""
    return f"Managed by beat-sync: {source or 'removed from the manifest, kept disabled'}"


class ManagedByBeatSyncMixin:
    """Marks the PeriodicTask rows beat-sync manages in a PeriodicTask ModelAdmin (see module)."""

    @admin.display(description="Managed by beat-sync")
    def beat_sync_managed(self, obj: Any) -> str:
        source = getattr(obj, ANNOTATION, None)
        if source is None:
            return "-"
        return source or "removed from the manifest"

    def get_queryset(self, request: Any) -> Any:
        from beat_sync.models import ManagedTask

        queryset = super().get_queryset(request)  # type: ignore[misc]
        if admin_mode() == "off":
            return queryset
        source = ManagedTask.objects.filter(name=OuterRef("name")).values("source")[:1]
        return queryset.annotate(**{ANNOTATION: Subquery(source)})

    def get_list_display(self, request: Any) -> Any:
        shown = super().get_list_display(request)  # type: ignore[misc]
        if admin_mode() == "off":
            return shown
        return (*shown, "beat_sync_managed")

    def _locked(self, obj: Any) -> bool:
        """A managed row, with BEAT_SYNC_ADMIN = "readonly"."""
        return (
            obj is not None
            and admin_mode() == "readonly"
            and getattr(obj, ANNOTATION, None) is not None
        )

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        # Django then shows the row read-only, and refuses a POST to it (403).
        if self._locked(obj):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if self._locked(obj):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def change_view(
        self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        source = getattr(obj, ANNOTATION, None)
        mode = admin_mode()
        if source is not None and mode != "off" and request.method == "GET":
            if mode == "readonly":
                after = "change it in the manifest; edits here are refused."
            else:
                after = "edits made here are reverted by the next beat-sync apply."
            messages.warning(request, f"{notice(source)} ({after})")
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def get_actions(self, request: Any) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        if admin_mode() != "readonly":
            return actions
        for name in WRITING_ACTIONS:
            if name in actions:
                func, action_name, description = actions[name]
                actions[name] = (_refusing_managed(func), action_name, description)
        return actions


def _refusing_managed(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` as an admin action that does nothing, with an error message, when any selected
    row is managed by beat-sync."""

    def action(modeladmin: Any, request: Any, queryset: Any) -> Any:
        managed = sorted(
            (obj.name, getattr(obj, ANNOTATION))
            for obj in queryset
            if getattr(obj, ANNOTATION, None) is not None
        )
        if managed:
            rows = "; ".join(f"{name!r}: {notice(source)}" for name, source in managed)
            modeladmin.message_user(
                request,
                f"Refused, nothing was changed: change these in the manifest ({rows}).",
                messages.ERROR,
            )
            return None
        return func(modeladmin, request, queryset)

    return action


def register(site: admin.AdminSite = admin.site) -> None:
    """Re-register PeriodicTask's admin with the mixin (once; see the module docstring)."""
    import django_celery_beat.admin  # noqa: F401  (registers its admin if not imported yet)
    from django_celery_beat.models import PeriodicTask

    current = site._registry.get(PeriodicTask)
    base = type(current) if current is not None else admin.ModelAdmin
    if issubclass(base, ManagedByBeatSyncMixin):
        return
    if current is not None:
        site.unregister(PeriodicTask)
    site.register(
        PeriodicTask, type(f"BeatSync{base.__name__}", (ManagedByBeatSyncMixin, base), {})
    )
