"""The newsroom's content: the publication, sections, authors, images and articles."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from masthead.core import clock

from .access import AccessLevel
from .body import PAYWALL_BREAK

ACCESS_LABELS = {
    AccessLevel.FREE: _("Free for everyone"),
    AccessLevel.METERED: _("Metered (counts against free articles)"),
    AccessLevel.REGISTERED: _("Registered readers"),
    AccessLevel.SUBSCRIBERS: _("Subscribers only"),
}
ACCESS_CHOICES = [(level.value, ACCESS_LABELS[level]) for level in AccessLevel]

RESERVED_SLUGS = frozenset(
    {
        "admin",
        "accounts",
        "account",
        "payments",
        "authors",
        "api",
        "feeds",
        "static",
        "media",
        "sitemap.xml",
        "robots.txt",
        "preview",
        "healthz",
        "metrics",
        "subscribe",
        "search",
        "i18n",
        "print",
    }
)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value}) from exc


def validate_section_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(value)s” is reserved for the site's own pages."), params={"value": value})


class Publication(models.Model):
    """The newspaper itself; one row, edited in the admin."""

    name = models.CharField(max_length=120, default="The Masthead Review")
    tagline = models.CharField(max_length=200, blank=True, default="Independent news, told plainly")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    prices_include_tax = models.BooleanField(
        _("prices include tax"),
        default=False,
        help_text=_(
            "On: the prices of plans and offers include tax, and the tax is split out of them. Off: tax is added "
            "at checkout. New subscriptions take this as they start. With Stripe Tax, set the same tax behavior "
            "on the Stripe prices (or as the account's default)."
        ),
    )
    winback_days = models.PositiveSmallIntegerField(
        _("win-back email after (days)"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "Days after a reader's access ends before one email offers them a win-back offer "
            "(an offer for lapsed subscribers). 0 sends none."
        ),
    )

    class Meta:
        verbose_name = _("publication")

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_section_slug])
    description = models.CharField(max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order in the navigation."))
    default_access = models.CharField(
        max_length=16,
        choices=ACCESS_CHOICES,
        default=AccessLevel.METERED.value,
        help_text=_("Access level of articles in this section that do not set their own."),
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:section", args=[self.slug])


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The staff account that writes as this author."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:author", args=[self.slug])


class Image(models.Model):
    """An uploaded picture with the words a newspaper prints beside it."""

    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt = models.CharField(_("alt text"), max_length=300, help_text=_("Describes the image for screen readers."))
    caption = models.CharField(max_length=400, blank=True)
    credit = models.CharField(max_length=160, blank=True, help_text=_("For example “© Kyodo”."))
    renditions = models.JSONField(default=dict, editable=False, help_text=_("Width → file path of each resized copy."))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.caption or self.alt or self.file.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


class ArticleQuerySet(models.QuerySet):
    def visible(self, now=None) -> ArticleQuerySet:
        """Articles a reader may see: released, with a publish time that has come."""
        moment = now or clock.now()
        return self.exclude(status=ArticleStatus.DRAFT).filter(publish_at__lte=moment)


class Article(models.Model):
    headline = models.CharField(max_length=200)
    dek = models.CharField(
        _("dek"),
        max_length=400,
        blank=True,
        help_text=_("The standfirst under the headline; public even behind the paywall."),
    )
    slug = models.SlugField(max_length=200, unique=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, through="ArticleAuthor", related_name="articles", blank=True)
    dateline = models.CharField(max_length=80, blank=True, help_text=_("Place the story was filed from, e.g. TOKYO."))
    status = models.CharField(max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    publish_at = models.DateTimeField(
        _("publish time"), default=clock.now, help_text=_("A future time keeps the article hidden until then.")
    )
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    body_html = models.TextField(
        _("body"),
        blank=True,
        # The admin prints help texts as HTML; these name tags, so they are escaped.
        help_text=escape(
            _(
                "Paragraphs, <h2> subheads, <blockquote>, lists and images. "
                'Put <hr class="paywall"> where the paywall should cut.'
            )
        ),
    )
    # The sanitised body, one entry per top-level block, so the paywall can cut it by slicing a list.
    # Derived from body_html by services.article_save, as is version (page shells are keyed by it).
    blocks = models.JSONField(default=list, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    access = models.CharField(
        max_length=16,
        choices=ACCESS_CHOICES,
        default=AccessLevel.METERED.value,
        blank=True,
        help_text=_("Leave empty to use the section's default."),
    )
    lead_image = models.ForeignKey(Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The images the body embeds (<figure data-image>), kept by services.article_save, so that an image's
    # edit finds the articles whose pages show it.
    inline_images = models.ManyToManyField(Image, blank=True, editable=False, related_name="embedded_in")
    sponsor = models.CharField(max_length=120, blank=True, help_text=_("Set for sponsored content."))
    sponsor_disclosure = models.CharField(
        max_length=300, blank=True, help_text=_("E.g. “This content was commissioned by …”.")
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        # Listings walk these newest-first and stop after a page: their cost does not follow the archive's size.
        indexes = [
            models.Index(fields=["publish_at", "id"], name="article_newest"),
            models.Index(fields=["section", "publish_at", "id"], name="article_section_newest"),
        ]
        permissions = [("publish_article", "Can publish and schedule articles")]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("publishing:article", args=[self.section.slug, self.slug])

    def get_print_url(self) -> str:
        return reverse("publishing:article_print", args=[self.section.slug, self.slug])

    @property
    def is_sponsored(self) -> bool:
        return bool(self.sponsor)

    @property
    def effective_access(self) -> str:
        """The access level that applies: sponsored content is always free; blank means the section's."""
        if self.is_sponsored:
            return AccessLevel.FREE
        return self.access or self.section.default_access

    def is_visible(self, now=None) -> bool:
        return self.status != ArticleStatus.DRAFT and self.publish_at <= (now or clock.now())

    @property
    def display_status(self) -> str:
        """Draft, scheduled or published as of now (a scheduled article publishes itself on time)."""
        if self.status == ArticleStatus.DRAFT:
            return ArticleStatus.DRAFT.label
        return (ArticleStatus.PUBLISHED if self.is_visible() else ArticleStatus.SCHEDULED).label

    # Derived from ``blocks`` once per instance (a page shell keeps its instance for many requests);
    # services.article_save recomputes ``blocks`` and forgets them.
    @cached_property
    def content_blocks(self) -> list[dict]:
        """The body's blocks without the editor's paywall marker."""
        return [block for block in self.blocks if block["kind"] != PAYWALL_BREAK]

    @cached_property
    def paywall_break_index(self) -> int | None:
        """How many content blocks stand before the editor's paywall marker, if there is one."""
        for index, block in enumerate(self.blocks):
            if block["kind"] == PAYWALL_BREAK:
                return index
        return None

    def clean(self) -> None:
        if self.sponsor and not self.sponsor_disclosure:
            raise ValidationError({"sponsor_disclosure": _("Sponsored content needs its disclosure text.")})


class ArticleAuthor(models.Model):
    """The byline, in order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline_author")]
        verbose_name = _("byline author")

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"
