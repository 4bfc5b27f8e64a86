from django.contrib import admin, messages

from . import webhooks
from .models import WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "provider", "event_type", "outcome", "occurred_at", "received_at"]
    list_filter = ["provider", "outcome", "event_type"]
    search_fields = ["event_id", "subscription_id"]
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = ["replay"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Handle the selected events that were never handled, failed or are waiting")
    def replay(self, request, queryset) -> None:
        """The same path as a redelivery: an event whose outcome is final (processed, ignored) is left alone."""
        count = sum(webhooks.replay(stored) for stored in queryset.exclude(outcome__in=webhooks.FINAL))
        messages.info(request, f"{count} event(s) handled again.")
