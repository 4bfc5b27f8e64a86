"""The funnel across two months, read through the site, against every number of its CSV files worked out by hand.

Readers read on 20 November and on 2 December 2026 (UTC publication; the anonymous allowance is 3):
- X reads A, B and C (meter grants 1, 2, 3), meets the wall on D, and re-reads A;
- Y reads A (grant 1), the free story F, and meets the subscription wall on S;
- on 2 December X's meter is new: D is grant 1 and A grant 2; a subscriber reads S and A.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client

from masthead.core import clock as app_clock
from masthead.subscriptions.models import Plan, Subscription
from tests.controls import assert_article_page

pytestmark = pytest.mark.django_db

NOVEMBER_20 = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
DECEMBER_2 = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)
RANGE = {"start": "2026-11-20", "end": "2026-12-02"}


def read(client: Client, article) -> None:
    response = client.get(article.get_absolute_url())
    assert_article_page(response, article)


def rows_of(client: Client, slug: str) -> list[list[str]]:
    response = client.get(f"/admin/insights/{slug}.csv", RANGE)
    assert response.status_code == 200
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))[1:]


@pytest.fixture
def story(make_article, clock):
    clock.set(NOVEMBER_20)
    published = app_clock.now() - dt.timedelta(days=1)
    made = {name: make_article(headline=f"Story {name}", publish_at=published) for name in "ABCD"}
    made["F"] = make_article(headline="Story F", access="free", publish_at=published)
    made["S"] = make_article(headline="Story S", access="subscribers", publish_at=published)
    return made


def test_two_months_of_reading_come_out_in_every_funnel_csv(client, clock, story, flush_at_once, publisher):
    x, y = Client(), Client()
    for name in "ABCD":
        read(x, story[name])
    read(x, story["A"])  # a re-read after the wall
    for name in "AFS":
        read(y, story[name])

    clock.set(DECEMBER_2)
    read(x, story["D"])
    read(x, story["A"])
    member = User.objects.create_user("member@example.com", "member@example.com", "a sturdy passphrase 42")
    Subscription.objects.create(
        user=member,
        plan=Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200),
        status="active",
        provider="local",
        ever_paid=True,
        current_period_end=DECEMBER_2 + dt.timedelta(days=20),
        created_at=DECEMBER_2,
    )
    reader = Client()
    reader.force_login(member)
    read(reader, story["S"])
    read(reader, story["A"])

    client.force_login(publisher)
    # day, free, grant, re-read, meter wall, registration wall, subscription wall, subscriber, crawler, unavailable
    quiet = ["0"] * 9
    expected_days = {"2026-11-20": ["1", "4", "1", "1", "0", "1", "0", "0", "0"]}
    expected_days["2026-12-02"] = ["0", "2", "0", "0", "0", "0", "2", "0", "0"]
    days = rows_of(client, "decisions-by-day")
    assert [row[0] for row in days] == [f"2026-11-{d}" for d in range(20, 31)] + ["2026-12-01", "2026-12-02"]
    assert {row[0]: row[1:] for row in days} == {row[0]: expected_days.get(row[0], quiet) for row in days}

    # article, section, views, meter grants, walls shown, registrations, subscriptions, conversion rate
    articles = {row[0]: row[1:] for row in rows_of(client, "articles")}
    assert articles == {
        "Story A": ["Politics", "5", "3", "0", "0", "0", ""],
        "Story B": ["Politics", "1", "1", "0", "0", "0", ""],
        "Story C": ["Politics", "1", "1", "0", "0", "0", ""],
        "Story D": ["Politics", "2", "1", "1", "0", "0", "0.0"],
        "Story F": ["Politics", "1", "0", "0", "0", "0", ""],
        "Story S": ["Politics", "2", "0", "1", "0", "0", "0.0"],
    }
    assert rows_of(client, "sections") == [["Politics", "12", "6", "2", "0", "0", "0.0"]]

    # Unique readers on the database: meter grants only, from the meter's own rows (X and Y, then X).
    readers = {row[0]: row[1:] for row in rows_of(client, "readers-by-day")}
    assert readers["2026-11-20"][1] == "2" and readers["2026-12-02"][1] == "1"
    assert readers["2026-11-21"][1] == "0"
