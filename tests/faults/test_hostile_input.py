"""Bad input: hostile values against every form field and query parameter that takes a number, a date or an id.

Each target is first tried with a good value (the positive control: it works, and stores what it should).
Then every hostile value in the table is sent in its place: the answer is below 500, says clearly what
was wrong (or, for a listing's page number, is the first page, as documented), and no row is stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.contrib.auth.models import User

from masthead.accounts.models import ReaderProfile
from masthead.payments.models import LocalCheckout, LocalSubscription, WebhookEvent
from masthead.publishing.models import Article, Author, Image
from masthead.publishing.roles import EDITORS, PUBLISHERS
from masthead.subscriptions.models import Checkout, Offer, Payment, Plan, Subscription, SubscriptionChange
from tests.admin_forms import article_admin_form, offer_admin_form, staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "a sturdy passphrase 42"
CARD_OK = "4242 4242 4242 4242"


@dataclass(frozen=True)
class Hostile:
    value: bytes
    escaped: bool = True  # percent-escaped in the query string or body, as a browser sends; else raw bytes

    def encoded(self) -> bytes:
        return quote_from_bytes(self.value, safe="").encode() if self.escaped else self.value


HOSTILE = {
    "superscript-two": Hostile("²".encode()),  # str.isdigit() says yes, int() says no
    "circled-one": Hostile("①".encode()),
    "arabic-indic-three": Hostile("٣".encode()),  # int() reads it: another spelling of 3
    "fullwidth-one": Hostile("１".encode()),
    "digit-superscript": Hostile("1²".encode()),
    "card-length-superscript": Hostile("4242 4242 4242 424²".encode()),  # long enough to reach the Luhn check
    "year-0001": Hostile(b"0001-01-01"),
    "year-9999": Hostile(b"9999-12-31"),
    "nul": Hostile(b"\x00"),
    "digit-nul": Hostile(b"1\x00"),
    "10kb-digits": Hostile(b"9" * 10_240),  # int() refuses more than 4300 digits
    "10kb-text": Hostile("é".encode() * 5_120),
    "invalid-utf8-escaped": Hostile(b"\xff\xfe\xfd"),
    "invalid-utf8-raw": Hostile(b"\xff\xfe\xfd", escaped=False),
}

# Rows that input could create: none may appear after a hostile value.
STORED = (
    User,
    ReaderProfile,
    Article,
    Image,
    Author,
    Offer,
    Plan,
    Checkout,
    Subscription,
    SubscriptionChange,
    Payment,
    LocalCheckout,
    LocalSubscription,
    WebhookEvent,
)


def stored() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED}


_slugs = itertools.count(1)


class World:
    """What the targets act on, built only as far as a target asks."""

    def __init__(self, client, make_article, section, clock) -> None:
        self.client, self.make_article, self.section, self.clock = client, make_article, section, clock

    @cached_property
    def articles(self) -> list[Article]:
        author = Author.objects.create(name="Hana Mori", slug="hana-mori")
        start = self.clock.now - dt.timedelta(days=1)
        # Thirteen: a listing's second page has the oldest one.
        return [
            self.make_article(
                headline=f"Story {n:02d} of the day", publish_at=start + dt.timedelta(minutes=n), authors=[author]
            )
            for n in range(13)
        ]

    @cached_property
    def monthly(self) -> Plan:
        return Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, interval="month")

    @cached_property
    def annual(self) -> Plan:
        return Plan.objects.create(name="Annual", slug="annual", amount_minor=12000, interval="year", position=1)

    def _offer(self, **fields) -> Offer:
        values = {
            "plan": self.monthly,
            "kind": "free_trial",
            "trial_days": 14,
            "starts_at": self.clock.now - dt.timedelta(days=1),
            "ends_at": self.clock.now + dt.timedelta(days=30),
        }
        return Offer.objects.create(**(values | fields))

    @cached_property
    def coded_offer(self) -> Offer:
        return self._offer(name="Spring reader offer", slug="spring", code="SPRING")

    @cached_property
    def open_offer(self) -> Offer:
        return self._offer(name="Try it free for 14 days", slug="trial")

    @cached_property
    def reader(self) -> User:
        return User.objects.create_user("reader@example.com", email="reader@example.com", password=PASSWORD)

    def staff(self, role: str) -> User:
        return staff_user(role.lower(), role, password=PASSWORD)

    def sign_in(self, who: str) -> None:
        if who == "reader":
            self.client.force_login(self.reader)
        elif who in ("editor", "publisher"):
            self.client.force_login(self.staff(EDITORS if who == "editor" else PUBLISHERS))

    def checkout_page(self) -> str:
        location = self.client.post("/subscribe/checkout/", {"plan": self.monthly.pk})["Location"]
        assert location.startswith("/payments/local/checkout/"), location
        return location

    @cached_property
    def checkout_path(self) -> str:
        return self.checkout_page()

    @cached_property
    def subscription(self) -> Subscription:
        response = self.client.post(self.checkout_page(), {"card_number": CARD_OK, "expiry": "12/34", "cvc": "123"})
        assert response.status_code == 302, response.content.decode()[:500]
        return Subscription.objects.get(user=self.reader)

    @cached_property
    def canceled_subscription(self) -> Subscription:
        subscription = self.subscription
        response = self.client.post("/account/subscription/cancel/", {"subscription": subscription.pk}, follow=True)
        assert "message-success" in response.content.decode()
        return subscription


@dataclass
class Target:
    """One field (or query parameter) that takes a number, a date or an id."""

    name: str
    who: str  # anonymous, reader, editor or publisher
    method: str  # GET or POST
    path: Callable[[World], str]
    field: str
    good: Callable[[World], str]
    worked: Callable[[object, World, dict, dict], bool]  # (response, world, rows before, rows after)
    refused: Callable[[object, World], bool]  # the clear answer to a bad value
    base: Callable[[World], dict] = field(default=lambda world: {})
    in_path: bool = False  # the value is part of the path (``{}`` in it), not a parameter
    follow: bool = False

    def send(self, world: World, value: bytes):
        client = world.client
        if self.in_path:
            return client.get(self.path(world).format(value.decode("ascii")), follow=self.follow)
        pairs = urlencode(self.base(world)).encode()
        encoded = (pairs + b"&" if pairs else b"") + self.field.encode() + b"=" + value
        if self.method == "GET":
            # The raw query string, as bytes come off the wire; a redirect is followed without it.
            response = client.get(self.path(world), QUERY_STRING=encoded.decode("latin-1"))
            if self.follow and response.status_code == 302:
                response = client.get(response["Location"])
            return response
        return client.post(
            self.path(world), encoded, content_type="application/x-www-form-urlencoded", follow=self.follow
        )


def text(response) -> str:
    return response.content.decode(errors="replace")


def says(message: str) -> Callable[[object, World], bool]:
    return lambda response, world: response.status_code < 500 and message in text(response)


def success(response, world, before, after) -> bool:
    return "message-success" in text(response)


def one_more(model: type, status: int = 302) -> Callable[[object, World, dict, dict], bool]:
    name = model.__name__
    return lambda response, world, before, after: response.status_code == status and after[name] == before[name] + 1


def first_page(response, world) -> bool:
    newest, oldest = world.articles[-1], world.articles[0]
    page = text(response)
    return response.status_code == 200 and newest.headline in page and oldest.headline not in page


def second_page(response, world, before, after) -> bool:
    newest, oldest = world.articles[-1], world.articles[0]
    page = text(response)
    return response.status_code == 200 and oldest.headline in page and newest.headline not in page


def form_error(name: str | None, *, also_429: bool = False) -> Callable[[object, World], bool]:
    """The page again with the form saying what is wrong with ``name`` (None: with any of it)."""

    def check(response, world) -> bool:
        if also_429 and response.status_code == 429:
            return "Too many" in text(response)
        if response.status_code != 200 or response.context is None:
            return False
        form = response.context.get("adminform")
        form = form.form if form is not None else response.context["form"]
        errors = form.errors.get(name) if name else form.errors
        return bool(errors) and 'class="errorlist' in text(response)

    return check


def not_found(response, world) -> bool:
    return response.status_code == 404


def article_form(world: World) -> dict:
    return article_admin_form(world.section, headline="A hostile story", slug=f"hostile-story-{next(_slugs)}")


def offer_form(world: World) -> dict:
    return offer_admin_form(world.monthly, name="Hostile offer", slug=f"hostile-offer-{next(_slugs)}")


def without(form: Callable[[World], dict], name: str) -> Callable[[World], dict]:
    return lambda world: {key: value for key, value in form(world).items() if key != name}


TARGETS = [
    # Reader pages: a page number that is not one is the first page.
    Target(
        "section-page",
        "anonymous",
        "GET",
        lambda w: w.articles and f"/{w.section.slug}/",
        "page",
        lambda w: "2",
        second_page,
        first_page,
    ),
    Target(
        "author-page",
        "anonymous",
        "GET",
        lambda w: w.articles and "/authors/hana-mori/",
        "page",
        lambda w: "2",
        second_page,
        first_page,
    ),
    Target(
        "subscribe-code",
        "anonymous",
        "GET",
        lambda w: w.coded_offer and "/subscribe/",
        "code",
        lambda w: "SPRING",
        lambda r, w, b, a: r.status_code == 200 and w.coded_offer.name in text(r),
        says("That offer code is not valid."),
    ),
    # A signed-in reader's checkout and subscription actions.
    Target(
        "checkout-plan",
        "reader",
        "POST",
        lambda w: "/subscribe/checkout/",
        "plan",
        lambda w: str(w.monthly.pk),
        one_more(Checkout, status=200),
        says("Please choose a plan."),
        follow=True,
    ),
    Target(
        "checkout-offer",
        "reader",
        "POST",
        lambda w: "/subscribe/checkout/",
        "offer",
        lambda w: str(w.open_offer.pk),
        one_more(Checkout, status=200),
        says("Please choose a plan."),
        base=lambda w: {"plan": w.monthly.pk},
        follow=True,
    ),
    Target(
        "cancel-subscription",
        "reader",
        "POST",
        lambda w: w.subscription and "/account/subscription/cancel/",
        "subscription",
        lambda w: str(w.subscription.pk),
        success,
        says("That subscription could not be found."),
        follow=True,
    ),
    Target(
        "resume-subscription",
        "reader",
        "POST",
        lambda w: w.canceled_subscription and "/account/subscription/resume/",
        "subscription",
        lambda w: str(w.canceled_subscription.pk),
        success,
        says("That subscription could not be found."),
        follow=True,
    ),
    Target(
        "change-plan-plan",
        "reader",
        "POST",
        lambda w: "/account/subscription/plan/",
        "plan",
        lambda w: str(w.annual.pk),
        success,
        says("Please choose a plan."),
        base=lambda w: {"subscription": w.subscription.pk},
        follow=True,
    ),
    Target(
        "change-plan-subscription",
        "reader",
        "POST",
        lambda w: "/account/subscription/plan/",
        "subscription",
        lambda w: str(w.subscription.pk),
        success,
        says("That subscription could not be found."),
        base=lambda w: {"plan": w.annual.pk},
        follow=True,
    ),
    Target(
        "local-checkout-card",
        "reader",
        "POST",
        lambda w: w.checkout_path,
        "card_number",
        lambda w: CARD_OK,
        one_more(Subscription),
        says("That card number is not valid."),
        base=lambda w: {"expiry": "12/34", "cvc": "123"},
    ),
    # Signing up and in.
    Target(
        "signup-email",
        "anonymous",
        "POST",
        lambda w: "/accounts/signup/",
        "email",
        lambda w: "new.reader@example.com",
        lambda r, w, b, a: r.status_code < 400 and a["User"] == b["User"] + 1,  # the page says "check your email"
        form_error("email", also_429=True),
        base=lambda w: {"password": PASSWORD},
    ),
    Target(
        "signin-username",
        "anonymous",
        "POST",
        lambda w: w.reader and "/accounts/signin/",
        "username",
        lambda w: w.reader.email,
        lambda r, w, b, a: r.status_code == 302,
        form_error(None, also_429=True),
        base=lambda w: {"password": PASSWORD},
    ),
    Target(
        "signin-password",
        "anonymous",
        "POST",
        lambda w: w.reader and "/accounts/signin/",
        "password",
        lambda w: PASSWORD,
        lambda r, w, b, a: r.status_code == 302,
        form_error(None, also_429=True),
        base=lambda w: {"username": w.reader.email},
    ),
    # The newsroom admin's dates.
    Target(
        "admin-article-publish-date",
        "editor",
        "POST",
        lambda w: "/admin/publishing/article/add/",
        "publish_at_0",
        lambda w: "2026-01-01",
        one_more(Article),
        form_error("publish_at"),
        base=without(article_form, "publish_at_0"),
    ),
    Target(
        "admin-article-publish-time",
        "editor",
        "POST",
        lambda w: "/admin/publishing/article/add/",
        "publish_at_1",
        lambda w: "09:00:00",
        one_more(Article),
        form_error("publish_at"),
        base=without(article_form, "publish_at_1"),
    ),
    Target(
        "admin-offer-starts",
        "publisher",
        "POST",
        lambda w: "/admin/subscriptions/offer/add/",
        "starts_at_0",
        lambda w: "2026-01-01",
        one_more(Offer),
        form_error("starts_at"),
        base=without(offer_form, "starts_at_0"),
    ),
    Target(
        "admin-offer-ends",
        "publisher",
        "POST",
        lambda w: "/admin/subscriptions/offer/add/",
        "ends_at_0",
        lambda w: "2026-12-31",
        one_more(Offer),
        form_error("ends_at"),
        base=without(offer_form, "ends_at_0"),
    ),
    Target(
        "admin-article-list-year",
        "editor",
        "GET",
        lambda w: w.articles and "/admin/publishing/article/",
        "publish_at__year",
        lambda w: str(w.clock.now.year),
        lambda r, w, b, a: r.status_code == 200 and w.articles[0].headline in text(r),
        says("Enter a date between 1900-01-01 and 2999-12-31."),
        follow=True,
    ),
    # Ids and dates in paths.
    Target(
        "preview-id",
        "editor",
        "GET",
        lambda w: "/preview/{}/",
        "",
        lambda w: str(w.articles[0].pk),
        lambda r, w, b, a: r.status_code == 200 and w.articles[0].headline in text(r),
        not_found,
        in_path=True,
    ),
    Target(
        "sitemap-month",
        "anonymous",
        "GET",
        lambda w: w.articles and "/sitemap-articles-{}.xml",
        "",
        lambda w: w.clock.now.strftime("%Y-%m"),
        lambda r, w, b, a: r.status_code == 200 and w.articles[0].slug in text(r),
        not_found,
        in_path=True,
    ),
]


@pytest.fixture
def world(client, make_article, section, clock, settings):
    # Cheap hashing: the table signs many readers in; the hasher is not what is under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return World(client, make_article, section, clock)


def _prepare(world: World, target: Target) -> None:
    world.sign_in(target.who)
    target.path(world)  # builds what the target acts on, before the rows are counted
    target.base(world)


@pytest.mark.parametrize("target", TARGETS, ids=[target.name for target in TARGETS])
def test_a_good_value_works(world, target):
    _prepare(world, target)
    before = stored()
    response = target.send(world, quote_from_bytes(target.good(world).encode(), safe="").encode())
    assert response.status_code < 500
    assert target.worked(response, world, before, stored()), text(response)[:3000]


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("target", TARGETS, ids=[target.name for target in TARGETS])
def test_a_hostile_value_is_refused_clearly_and_nothing_is_stored(world, target, value):
    _prepare(world, target)
    before = stored()
    encoded = value.encoded() if not target.in_path else quote_from_bytes(value.value, safe="").encode()
    response = target.send(world, encoded)
    assert response.status_code < 500
    assert target.refused(response, world), f"{response.status_code}: {text(response)[:3000]}"
    assert stored() == before
