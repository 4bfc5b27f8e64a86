"""Sessions and the signed-in reader behave as Django's own, whichever session engine the site runs."""

import datetime as dt
from importlib import import_module

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.utils import timezone

from masthead.accounts.backends import AccountBackend

pytestmark = pytest.mark.django_db

# The embedded default (SQLite) and the engine used with Redis.
ENGINES = ["masthead.accounts.sessions", "django.contrib.sessions.backends.cached_db"]


@pytest.fixture(params=ENGINES)
def store(request, settings):
    settings.SESSION_ENGINE = request.param
    engine = import_module(request.param)
    return engine.SessionStore


def test_a_saved_session_is_read_back(store):
    session = store()
    session["reader"] = "ada"
    session.save()
    assert store(session.session_key)["reader"] == "ada"
    assert async_to_sync(store(session.session_key).aload)() == {"reader": "ada"}  # the async twin agrees


def test_an_expired_or_unknown_session_reads_as_empty_and_gets_a_new_key(store, settings):
    session = store()
    session["reader"] = "ada"
    session.save()
    rows = Session.objects.filter(session_key=session.session_key)
    caches[settings.SESSION_CACHE_ALIAS].clear()
    rows.update(expire_date=timezone.now() + dt.timedelta(seconds=2))
    assert store(session.session_key).load() == {"reader": "ada"}  # about to expire, still live
    caches[settings.SESSION_CACHE_ALIAS].clear()
    rows.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = store(session.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert store("no-such-session-key-at-all").load() == {}


def test_a_key_the_site_never_issued_is_never_adopted(store):
    chosen = "a-key-chosen-by-someone-else-0123"
    session = store(chosen)
    session["reader"] = "ada"
    session.save()
    assert session.session_key != chosen
    assert not Session.objects.filter(session_key=chosen).exists()


def test_the_backend_loads_active_users_as_the_orm_does():
    User = get_user_model()
    reader = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    backend = AccountBackend()
    loaded = backend.get_user(str(reader.pk))  # as the session holds it
    expected = User.objects.get(pk=reader.pk)
    assert loaded == expected
    assert loaded.date_joined == expected.date_joined and loaded.date_joined.tzinfo is not None
    assert loaded.is_active is True and loaded.is_staff is False
    assert loaded.check_password("a long password")
    assert backend.get_user(reader.pk) == reader
    assert backend.get_user("not a number") is None
    assert backend.get_user(reader.pk + 1000) is None
    reader.is_active = False
    reader.save()
    assert backend.get_user(reader.pk) is None


@pytest.mark.parametrize("engine", ENGINES)
def test_a_signed_in_reader_stays_signed_in_until_the_password_changes(client, settings, engine):
    settings.SESSION_ENGINE = engine
    User = get_user_model()
    reader = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    assert client.login(username="reader@example.com", password="a long password")
    for _ in range(2):  # the session survives a request cycle
        page = client.get("/accounts/")
        assert page.status_code == 200 and b"reader@example.com" in page.content
    reader.set_password("another long password")
    reader.save()
    assert client.get("/accounts/").status_code == 302  # the old session no longer verifies


@pytest.mark.parametrize("engine", ENGINES)
def test_a_deactivated_reader_is_signed_out(client, settings, engine):
    settings.SESSION_ENGINE = engine
    User = get_user_model()
    reader = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    client.force_login(reader)
    page = client.get("/accounts/")
    assert page.status_code == 200 and b"reader@example.com" in page.content
    reader.is_active = False
    reader.save()
    assert client.get("/accounts/").status_code == 302
