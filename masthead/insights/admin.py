"""The leak monitor's runs in the admin: read-only, each with what every road found."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditRoadResult, AuditRun


class ReadOnly:
    """Nobody adds or edits what the monitor found; old runs go after 90 days on their own."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditRoadResultInline(ReadOnly, admin.TabularInline):
    model = AuditRoadResult
    fields = ["road", "responses", "leaks", "detail"]
    readonly_fields = fields
    ordering = ["-leaks", "pk"]
    extra = 0


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["started_at", "base_url", "articles", "roads_checked", "leaks_found", "pages_not_shown", "failed"]
    date_hierarchy = "started_at"
    fields = [
        "started_at",
        "finished_at",
        "base_url",
        "articles",
        "roads_checked",
        "leaks_found",
        "pages_not_shown",
        "error",
    ]
    readonly_fields = fields
    inlines = [AuditRoadResultInline]

    @admin.display(boolean=True, description=_("could not run"))
    def failed(self, run: AuditRun) -> bool:
        return bool(run.error)
