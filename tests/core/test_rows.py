"""A row fetched by a written-out query is the same model instance the ORM would give."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from masthead.core.rows import database_datetime, fetch_by_pk, fetch_one

pytestmark = pytest.mark.django_db


def test_a_row_comes_back_as_the_orm_gives_it():
    User = get_user_model()
    created = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    fetched = fetch_one(User, "id = %s", [created.pk])
    expected = User.objects.get(pk=created.pk)
    assert fetched == expected
    assert fetched.date_joined == expected.date_joined
    assert fetched.date_joined.tzinfo is not None  # aware, as the ORM returns it
    assert fetched.is_active is True and fetched.is_staff is False
    assert fetched.check_password("a long password")
    assert fetched._state.adding is False and fetched._state.db == "default"


def test_a_saved_row_can_be_changed_and_saved_again():
    User = get_user_model()
    created = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    fetched = fetch_one(User, "id = %s", [created.pk])
    fetched.first_name = "Ada"
    fetched.save()
    assert User.objects.get(pk=created.pk).first_name == "Ada"


def test_no_row_is_none():
    assert fetch_one(get_user_model(), "id = %s", [987654]) is None
    assert fetch_by_pk(get_user_model(), 987654) is None


def test_a_row_by_its_primary_key():
    User = get_user_model()
    created = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    assert fetch_by_pk(User, created.pk) == created


def test_datetime_parameters_are_compared_as_the_database_stores_them():
    now = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
    Session.objects.create(session_key="k" * 32, session_data="{}", expire_date=now)
    where = "session_key = %s AND expire_date > %s"
    assert fetch_one(Session, where, ["k" * 32, database_datetime(Session, now - dt.timedelta(seconds=1))])
    assert fetch_one(Session, where, ["k" * 32, database_datetime(Session, now)]) is None
