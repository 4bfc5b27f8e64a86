from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from masthead.core.dates import SANE_DATES

from .models import ReaderProfile


@admin.register(ReaderProfile)
class ReaderProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "complimentary_access", "marketing_opt_out", "created_at"]
    list_filter = ["complimentary_access", "marketing_opt_out"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    formfield_overrides = SANE_DATES


# Django's own user admin, with the one date range on "last login" and "date joined".
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    formfield_overrides = SANE_DATES
