from django.contrib import admin

from .models import ReaderProfile


@admin.register(ReaderProfile)
class ReaderProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "complimentary_access", "created_at"]
    list_filter = ["complimentary_access"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
