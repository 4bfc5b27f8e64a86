"""The editorial admin: authors edit their own drafts, editors publish anything, admins configure."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from masthead.core.dates import SANE_DATES, date_hierarchy_sane, range_message

from .images import image_generate_renditions
from .models import Article, ArticleAuthor, ArticleStatus, Author, Image, Publication, Section
from .roles import can_change_image, can_publish
from .services import article_save, image_delete, image_save


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "language"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser and not Publication.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "default_access"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "caption", "credit", "width", "height", "uploaded_at"]
    search_fields = ["caption", "alt", "credit"]
    readonly_fields = ["width", "height"]

    @admin.display(description=_("image"))
    def thumbnail(self, obj: Image) -> str:
        return format_html('<img src="{}" alt="" width="80">', obj.file.url) if obj.file else "—"

    def has_change_permission(self, request, obj: Image | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_change_image(request.user, obj)

    def has_delete_permission(self, request, obj: Image | None = None) -> bool:
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj: Image, form, change) -> None:
        image_save(image=obj, by=request.user)
        if not change or "file" in form.changed_data:
            image_generate_renditions(image=obj)

    def delete_model(self, request, obj: Image) -> None:
        image_delete(image=obj)

    def delete_queryset(self, request, queryset) -> None:
        for image in queryset:
            image_delete(image=image)


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 1
    autocomplete_fields = ["author"]
    verbose_name_plural = _("byline")


def _own_articles(user) -> Q:
    return Q(created_by=user) | Q(articleauthor__author__user=user)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "section", "status_label", "publish_at", "access", "byline_list", "preview_link"]
    list_filter = ["section", "status", "access", ("authors", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["headline", "dek", "slug", "body_html"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["lead_image"]
    inlines = [BylineInline]
    list_select_related = ["section"]
    formfield_overrides = SANE_DATES
    fieldsets = [
        (None, {"fields": ["headline", "dek", "slug", "section", "dateline"]}),
        (_("Body"), {"fields": ["body_html"]}),
        (_("Lead image"), {"fields": ["lead_image"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "access", "preview_link"]}),
        (_("Sponsored content"), {"fields": ["sponsor", "sponsor_disclosure"], "classes": ["collapse"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        # Django's date hierarchy answers 500 for a year it cannot hold: the whole list, and why, instead.
        if not date_hierarchy_sane(request.GET, self.date_hierarchy):
            messages.error(request, range_message())
            return redirect(request.path)
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("authors")
        if can_publish(request.user):
            return queryset
        return queryset.filter(_own_articles(request.user)).distinct()

    def get_readonly_fields(self, request, obj=None):
        readonly = ["preview_link"]
        if not can_publish(request.user):
            readonly += ["status", "publish_at"]
        return readonly

    def has_change_permission(self, request, obj: Article | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_publish(request.user):
            return True
        return obj.status == ArticleStatus.DRAFT and self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj: Article | None = None) -> bool:
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj: Article, form, change) -> None:
        article_save(article=obj, by=request.user)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        article: Article = form.instance
        profile = getattr(request.user, "author_profile", None)
        if not change and profile is not None and not article.authors.exists():
            ArticleAuthor.objects.create(article=article, author=profile)

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj: Article) -> str:
        return obj.display_status

    @admin.display(description=_("byline"))
    def byline_list(self, obj: Article) -> str:
        return ", ".join(author.name for author in obj.authors.all())

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Article) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">{}</a>',
            reverse("publishing:preview", args=[obj.pk]),
            _("Preview as a reader"),
        )
