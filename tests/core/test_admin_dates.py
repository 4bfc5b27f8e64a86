"""Finding 11: every date the admin edits is kept to a sane range, with a clear message.

An article published at year 0001 in Asia/Tokyo is a BC moment in UTC: PostgreSQL stores it and then
every page that lists it answers 500; SQLite fails the save itself. The admin refuses such dates.
"""

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory

from masthead.core.dates import EARLIEST, LATEST, validate_sane_date
from masthead.publishing.models import Article
from masthead.publishing.roles import EDITORS, PUBLISHERS
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.models import Offer, Plan
from tests.admin_forms import article_admin_form, offer_admin_form, staff_user

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "Enter a date between 1900-01-01 and 2999-12-31."


@pytest.fixture
def in_time_zone(db):
    def use(name: str) -> None:
        publication = current_publication()
        publication.time_zone = name
        publication.save()

    return use


def test_an_editor_publishes_at_a_sane_date(client, section, in_time_zone):
    in_time_zone("Asia/Tokyo")
    client.force_login(staff_user("desk", EDITORS))
    response = client.post("/admin/publishing/article/add/", article_admin_form(section))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get(slug="a-story").publish_at == dt.datetime(2026, 1, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "date", "time"),
    [
        ("Asia/Tokyo", "0001-01-01", "00:00:00"),  # BC in UTC
        ("UTC", "0001-01-01", "00:00:00"),
        ("UTC", "1899-12-31", "23:59:59"),
        ("Pacific/Honolulu", "9999-12-31", "23:59:59"),  # after year 9999 in UTC
        ("UTC", "3000-01-01", "00:00:00"),
    ],
)
def test_the_article_admin_refuses_a_date_out_of_range(client, section, in_time_zone, zone, date, time):
    in_time_zone(zone)
    client.force_login(staff_user("desk", EDITORS))
    response = client.post(
        "/admin/publishing/article/add/", article_admin_form(section, publish_at_0=date, publish_at_1=time)
    )
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert not Article.objects.exists()


def test_a_publisher_saves_an_offer_with_sane_dates(client, in_time_zone):
    in_time_zone("Asia/Tokyo")
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200)
    client.force_login(staff_user("business", PUBLISHERS))
    response = client.post("/admin/subscriptions/offer/add/", offer_admin_form(plan))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Offer.objects.count() == 1


@pytest.mark.parametrize(
    ("starts", "ends"), [("0001-01-01", "2026-12-31"), ("2026-01-01", "9999-12-31"), ("0001-01-01", "9999-12-31")]
)
def test_the_offer_admin_refuses_a_date_out_of_range(client, in_time_zone, starts, ends):
    in_time_zone("Asia/Tokyo")
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200)
    client.force_login(staff_user("business", PUBLISHERS))
    response = client.post(
        "/admin/subscriptions/offer/add/", offer_admin_form(plan, starts_at_0=starts, ends_at_0=ends)
    )
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("value", "sane"),
    [
        (EARLIEST, True),
        (LATEST, True),
        (dt.date(1899, 12, 31), False),
        (dt.date(3000, 1, 1), False),
        (dt.datetime(1900, 1, 1, 0, 0, tzinfo=dt.UTC), True),
        (dt.datetime(2999, 12, 31, 23, 59, 59, tzinfo=dt.UTC), True),
        (dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), False),
        (dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-10))), False),
    ],
)
def test_the_one_validator(value, sane):
    from django.core.exceptions import ValidationError

    if sane:
        validate_sane_date(value)
    else:
        with pytest.raises(ValidationError, match="between 1900-01-01 and 2999-12-31"):
            validate_sane_date(value)


def _admin_forms(request):
    """Every form the admin edits with: each registered model's form and its inlines' forms."""
    for model, model_admin in _registered():
        yield model, model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            yield model, inline.get_formset(request).form


def _registered():
    from django.apps import apps

    for model in apps.get_models():
        if admin.site.is_registered(model):
            yield model, admin.site.get_model_admin(model)


def test_every_date_the_admin_edits_carries_the_validator(db):
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root", password="a long enough password")
    checked = []
    for model, form_class in _admin_forms(request):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
                checked.append(f"{model._meta.label}.{name}")
                assert validate_sane_date in field.validators, f"{model._meta.label}.{name} has no date range"
    # The positive control: the dates the finding names are among those checked.
    assert {"publishing.Article.publish_at", "subscriptions.Offer.starts_at", "subscriptions.Offer.ends_at"} <= set(
        checked
    )


def test_the_article_list_filters_by_a_sane_year(client, make_article, in_time_zone):
    in_time_zone("Asia/Tokyo")
    article = make_article()
    client.force_login(staff_user("desk", EDITORS))
    year = article.publish_at.year
    response = client.get("/admin/publishing/article/", {"publish_at__year": str(year)})
    assert response.status_code == 200 and article.headline in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"publish_at__year": "0001"},  # BC in UTC from Asia/Tokyo: OverflowError in Django's date hierarchy
        {"publish_at__year": "0001", "publish_at__month": "1", "publish_at__day": "1"},
        {"publish_at__year": "9999"},  # the year's end is year 10000: ValueError
        {"publish_at__year": "9999", "publish_at__month": "12"},
        {"publish_at__year": "99999999999999999999"},  # too large for a C long
        {"publish_at__year": "²"},
        {"publish_at__year": "2026", "publish_at__month": "13"},
    ],
)
def test_the_article_list_refuses_a_date_out_of_range_with_a_message(client, make_article, in_time_zone, query):
    in_time_zone("Asia/Tokyo")
    article = make_article()
    client.force_login(staff_user("desk", EDITORS))
    response = client.get("/admin/publishing/article/", query, follow=True)
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert article.headline in response.content.decode()  # the whole list instead
