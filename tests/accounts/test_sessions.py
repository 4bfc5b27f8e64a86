"""Sessions and the signed-in reader, read with written-out queries, behave as Django's own."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from masthead.accounts.backends import AccountBackend

pytestmark = pytest.mark.django_db


def store(key=None):
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def test_a_saved_session_is_read_back():
    session = store()
    session["reader"] = "ada"
    session.save()
    assert store(session.session_key)["reader"] == "ada"


def test_an_expired_or_unknown_session_reads_as_empty_and_gets_a_new_key():
    session = store()
    session["reader"] = "ada"
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - dt.timedelta(1))
    if "cached" in settings.SESSION_ENGINE:
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].clear()
    expired = store(session.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert store("no-such-session-key-at-all").load() == {}


def test_the_backend_loads_active_users_only():
    User = get_user_model()
    reader = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    backend = AccountBackend()
    assert backend.get_user(reader.pk) == reader
    assert backend.get_user(str(reader.pk)) == reader  # as the session holds it
    assert backend.get_user("not a number") is None
    assert backend.get_user(reader.pk + 1000) is None
    reader.is_active = False
    reader.save()
    assert backend.get_user(reader.pk) is None


def test_a_signed_in_reader_stays_signed_in_until_the_password_changes(client):
    User = get_user_model()
    reader = User.objects.create_user("reader@example.com", "reader@example.com", "a long password")
    assert client.login(username="reader@example.com", password="a long password")
    page = client.get("/accounts/")
    assert page.status_code == 200 and b"reader@example.com" in page.content
    reader.set_password("another long password")
    reader.save()
    assert client.get("/accounts/").status_code == 302  # the old session no longer verifies
