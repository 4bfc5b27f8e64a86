from django.contrib import admin

from .models import MeterSettings


@admin.register(MeterSettings)
class MeterSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "anonymous_limit", "registered_limit", "window", "teaser_blocks"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser and not MeterSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
