"""Load the demo newsroom: the seed article, original stories, their images and demo accounts.

Idempotent: a second run finds everything in place and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from masthead.core import clock
from masthead.payments.interface import Interval
from masthead.publishing.images import image_generate_renditions
from masthead.publishing.models import Article, ArticleAuthor, ArticleStatus, Author, Image, Publication, Section
from masthead.publishing.roles import AUTHORS, EDITORS, PUBLISHERS, roles_ensure
from masthead.publishing.services import article_save, image_save
from masthead.subscriptions.models import Eligibility, Offer, OfferKind, OfferPurpose, Plan

from .images import generated_lead_image

DATA_DIR = Path(__file__).resolve().parent / "data"
PUBLICATION = {
    "name": "The Masthead Review",
    "tagline": "Independent news, told plainly",
    "time_zone": "Asia/Tokyo",
    "language": "en",
    # The demo's prices include tax: `make run` has the local provider charge VAT 20% out of them.
    "prices_include_tax": True,
}
SECTIONS = [
    ("politics", "Politics", "Governments, elections and the people who run them."),
    ("world", "World", "Reporting from our correspondents abroad."),
    ("business", "Business", "Markets, companies and the economy."),
    ("technology", "Technology", "The industry and what it changes."),
    ("science", "Science", "Research, climate and health."),
    ("culture", "Culture", "Books, film, food and the arts."),
    ("opinion", "Opinion", "Columns and commentary."),
]
DEMO_ACCOUNTS = [("admin", None), ("editor", EDITORS), ("author", AUTHORS), ("publisher", PUBLISHERS)]
BENEFITS = "Read all stories with unlimited access\nThe whole archive, with a print view of every story"
PLANS = [
    (
        "monthly",
        {"name": "Monthly", "amount_minor": 1200, "currency": "usd", "interval": Interval.MONTH, "position": 0},
    ),
    ("annual", {"name": "Annual", "amount_minor": 12000, "currency": "usd", "interval": Interval.YEAR, "position": 1}),
]


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    password: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def demo_articles() -> list[dict]:
    """The seed article first, then the demo's original stories."""
    seed = json.loads((DATA_DIR / "seed_article.json").read_text(encoding="utf-8"))
    others = json.loads((DATA_DIR / "articles.json").read_text(encoding="utf-8"))
    return [seed, *others]


def body_html(blocks: list[dict]) -> str:
    """The editor's HTML for demo blocks; quotes stay as typed, so the admin's body field reads naturally."""
    parts = []
    for block in blocks:
        text = escape(block["text"], quote=False)
        if block["type"] == "subhead":
            parts.append(f"<h2>{text}</h2>")
        elif block["type"] == "quote":
            cite = f"<cite>{escape(block['cite'], quote=False)}</cite>" if block.get("cite") else ""
            parts.append(f"<blockquote><p>{text}</p>{cite}</blockquote>")
        else:
            parts.append(f"<p>{text}</p>")
    return "\n".join(parts)


def _sync(model, lookup: dict, values: dict, report: LoadReport, label: str, save: Callable | None = None):
    """Create the row, or update only the fields that differ; report what happened.

    ``save`` stores the object when the model has a service for it (``model.save`` otherwise).
    """
    store = save or (lambda obj: obj.save())
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        store(obj)
        report.created.append(label)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        store(obj)
        report.updated.append(f"{label} ({', '.join(changed)})")
    return obj


def _demo_password() -> str:
    password = os.environ.get("MASTHEAD_ADMIN_PASSWORD", "")
    if password:
        return password
    password_file = Path(settings.MASTHEAD_VAR_DIR) / "demo-admin-password"
    if not password_file.exists():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(12))
    return password_file.read_text().strip()


def _ensure_accounts(report: LoadReport) -> None:
    roles_ensure()
    password = _demo_password()
    report.password = password
    User = get_user_model()
    for username, role in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, email=f"{username}@masthead.invalid", is_staff=True, is_superuser=role is None
            )
            user.set_password(password)
            user.save()
            report.created.append(f"account {username}")
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            report.updated.append(f"account {username} (password)")
        if role and not user.groups.filter(name=role).exists():
            user.groups.add(Group.objects.get(name=role))


def _lead_image(data: dict, article: Article | None, report: LoadReport) -> Image:
    """The article's generated picture: reused when it is in place, drawn again when its file is gone."""
    spec = data["lead_image"]
    words = {"alt": spec["alt"], "caption": spec["caption"], "credit": spec["credit"]}
    image = article.lead_image if article is not None else None
    if image is not None and image.file and image.file.storage.exists(image.file.name):
        return _sync(Image, {"pk": image.pk}, words, report, f"image {data['slug']}", lambda i: image_save(image=i))
    image = image or Image(**words)
    image.file = ContentFile(generated_lead_image(data["slug"], spec["hue"]), name=f"{data['slug']}.jpg")
    image_save(image=image)
    image_generate_renditions(image=image)
    report.created.append(f"image {data['slug']}")
    return image


def _article(
    data: dict, sections: dict[str, Section], authors: dict[str, Author], report: LoadReport, now: dt.datetime
) -> None:
    article = Article.objects.filter(slug=data["slug"]).select_related("lead_image").first()
    image = _lead_image(data, article, report)
    sponsored = data.get("sponsored") or {}
    values = {
        "headline": data["headline"],
        "dek": data["dek"],
        "section": sections[data["section"]],
        "dateline": data["dateline"],
        "status": ArticleStatus.PUBLISHED,
        "body_html": body_html(data["body"]),
        "access": data["access"],
        "lead_image": image,
        "sponsor": sponsored.get("sponsor", ""),
        "sponsor_disclosure": sponsored.get("disclosure", ""),
    }
    if article is None:
        # The publish time is set once: "days ago" is relative to the first load, not to every run.
        values["publish_at"] = now - dt.timedelta(days=data["days_ago"], hours=len(report.created) % 9)
    article = _sync(
        Article, {"slug": data["slug"]}, values, report, f"article {data['slug']}", lambda a: article_save(article=a)
    )
    wanted = [authors[name].pk for name in data["authors"]]
    current = list(
        ArticleAuthor.objects.filter(article=article).order_by("position").values_list("author_id", flat=True)
    )
    if current != wanted:
        ArticleAuthor.objects.filter(article=article).delete()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author_id=pk, position=i) for i, pk in enumerate(wanted)
        )
        (report.updated if current else report.created).append(f"byline {data['slug']}")


def next_april_30(now: dt.datetime, time_zone: str) -> dt.datetime:
    """The end of the next April 30th in the publication's time zone ("Offer ends April 30th")."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local = now.astimezone(zone)
    end = dt.datetime(local.year, 4, 30, 23, 59, 59, tzinfo=zone)
    return end if end > local else end.replace(year=local.year + 1)


def _ensure_commerce(report: LoadReport, now: dt.datetime, *, publication_tz: str) -> None:
    plans = {
        slug: _sync(Plan, {"slug": slug}, {**values, "benefits": BENEFITS, "active": True}, report, f"plan {slug}")
        for slug, values in PLANS
    }
    offers = [
        (
            "three-months-for-9",
            {
                "name": "Try 3 months for $9",
                "kind": OfferKind.INTRO_PRICE,
                "intro_amount_minor": 300,
                "intro_intervals": 3,
                "eligibility": Eligibility.NEW,
            },
            next_april_30(now, publication_tz),
        ),
        (
            "free-trial-14-days",
            {
                "name": "Try it free for 14 days",
                "kind": OfferKind.FREE_TRIAL,
                "trial_days": 14,
                "eligibility": Eligibility.NEW,
            },
            now + dt.timedelta(days=365),
        ),
        (
            # Never sold: shown to a paying subscriber on the way to canceling.
            "stay-half-off-3-months",
            {
                "name": "50% off your next 3 months",
                "kind": OfferKind.PERCENT_OFF,
                "percent_off": 50,
                "percent_off_intervals": 3,
                "purpose": OfferPurpose.RETENTION,
            },
            now + dt.timedelta(days=365),
        ),
        (
            # Listed nowhere: the win-back email offers it to readers whose access ended.
            "come-back-3-months-for-6",
            {
                "name": "Come back: 3 months for $6",
                "kind": OfferKind.INTRO_PRICE,
                "intro_amount_minor": 200,
                "intro_intervals": 3,
                "eligibility": Eligibility.LAPSED,
            },
            now + dt.timedelta(days=365),
        ),
    ]
    for slug, values, ends_at in offers:
        values = {**values, "plan": plans["monthly"], "active": True}
        if not Offer.objects.filter(slug=slug).exists():
            # Dates are set once, so re-running the loader does not move a deadline.
            values.update(starts_at=now - dt.timedelta(days=1), ends_at=ends_at)
        _sync(Offer, {"slug": slug}, values, report, f"offer {slug}")


@transaction.atomic
def demo_load() -> LoadReport:
    """Bring the database to the demo's content; safe to run any number of times."""
    report = LoadReport()
    now = clock.now()
    publication = Publication.objects.order_by("pk").first()
    _sync(Publication, {"pk": publication.pk if publication else 1}, PUBLICATION, report, "publication")
    sections = {
        slug: _sync(
            Section,
            {"slug": slug},
            {"name": name, "description": description, "position": position},
            report,
            f"section {slug}",
        )
        for position, (slug, name, description) in enumerate(SECTIONS)
    }
    articles = demo_articles()
    names = sorted({name for data in articles for name in data["authors"]})
    authors = {name: _sync(Author, {"slug": slugify(name)}, {"name": name}, report, f"author {name}") for name in names}
    for data in articles:
        _article(data, sections, authors, report, now)
    _ensure_commerce(report, now, publication_tz=PUBLICATION["time_zone"])
    _ensure_accounts(report)
    author_user = get_user_model().objects.get(username="author")
    demo_author = authors[names[0]]
    if demo_author.user_id is None and not Author.objects.filter(user=author_user).exists():
        demo_author.user = author_user
        demo_author.save(update_fields=["user"])
    return report
