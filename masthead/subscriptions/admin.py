"""The publisher's side: plans, offers and subscribers with their history. Editors see none of it."""

from django.contrib import admin

from masthead.core.dates import SANE_DATES

from .models import (
    CancellationFeedback,
    Checkout,
    Offer,
    Payment,
    Plan,
    Subscription,
    SubscriptionChange,
    TrialCard,
)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "price_label", "interval", "active", "position"]
    list_filter = ["active", "interval"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "plan",
        "kind",
        "starts_at",
        "ends_at",
        "eligibility",
        "code",
        "redemptions",
        "redemption_cap",
        "active",
        "purpose",
    ]
    list_filter = ["purpose", "kind", "active", "plan"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["redemptions"]
    formfield_overrides = SANE_DATES


class HistoryInline(admin.TabularInline):
    model = SubscriptionChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "event", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    readonly_fields = [
        "at",
        "outcome",
        "amount_minor",
        "tax_minor",
        "tax_label",
        "currency",
        "provider_invoice_id",
        "period_end",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class NeedsAttention(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(attention="")
        if self.value() == "no":
            return queryset.filter(attention="")
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "provider",
        "created_at",
        "attention",
    ]
    list_filter = [NeedsAttention, "status", "plan", "provider", "cancel_at_period_end"]
    search_fields = ["user__username", "user__email", "provider_subscription_id", "provider_customer_id"]
    list_select_related = ["user", "plan"]
    inlines = [HistoryInline, PaymentInline]
    readonly_fields = [
        "user",
        "plan",
        "offer",
        "checkout",
        "status",
        "provider",
        "provider_customer_id",
        "provider_subscription_id",
        "trial_end",
        "current_period_start",
        "current_period_end",
        "cancel_at_period_end",
        "ever_paid",
        "provider_synced_at",
        "provider_status",
        "created_at",
        "attention",
        "discount_percent_off",
        "discount_first_interval",
        "discount_intervals",
        "dunning_started_at",  # the dunning's steps are the tick's to take (services.dunning_due)
        "dunning_step",
        "card_last4",  # the provider's events name the card (services.cards_expiring reads it)
        "card_exp_month",
        "card_exp_year",
        "card_fingerprint",
        "card_saved_at",
        "card_expiry_notice_for",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # subscriptions come from checkouts and provider events


@admin.register(Checkout)
class CheckoutAdmin(admin.ModelAdmin):
    list_display = ["reference", "user", "plan", "offer", "provider", "state", "created_at", "expires_at"]
    list_select_related = ["user", "plan", "offer"]
    list_filter = ["state", "provider"]
    readonly_fields = [
        "reference",
        "user",
        "plan",
        "offer",
        "provider",
        "session_id",
        "state",
        "created_at",
        "expires_at",
        "redemption_reserved",
    ]


@admin.register(TrialCard)
class TrialCardAdmin(admin.ModelAdmin):
    """Cards that have had a free trial (by the provider's fingerprint): each gets one."""

    list_display = ["fingerprint", "provider", "user", "checkout", "created_at"]
    list_filter = ["provider"]
    search_fields = ["fingerprint", "user__email"]
    readonly_fields = ["provider", "fingerprint", "user", "checkout", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CancellationFeedback)
class CancellationFeedbackAdmin(admin.ModelAdmin):
    """Why readers canceled, the retention offer each was shown, and whether they took it: read only."""

    list_display = ["at", "subscription", "reason", "offered", "outcome", "short_text"]
    list_filter = ["reason", "outcome", "offered"]
    list_select_related = ["subscription__user", "subscription__plan", "offered"]
    search_fields = ["subscription__user__email", "text"]
    date_hierarchy = "at"
    readonly_fields = ["subscription", "reason", "text", "offered", "outcome", "at"]

    @admin.display(description="what they wrote")
    def short_text(self, feedback: CancellationFeedback) -> str:
        return feedback.text[:80] + ("…" if len(feedback.text) > 80 else "")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
