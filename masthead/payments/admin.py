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

    @admin.action(description="Handle the selected failed or waiting events again")
    def replay(self, request, queryset) -> None:
        count = 0
        for stored in queryset.filter(outcome__in=[WebhookEvent.Outcome.FAILED, WebhookEvent.Outcome.WAITING]):
            webhooks.redispatch(stored)
            count += 1
        messages.info(request, f"{count} event(s) handled again.")
