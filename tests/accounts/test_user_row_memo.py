"""The signed-in reader's row is kept a few seconds per worker; an edit is seen at once where it was made."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from masthead.accounts.backends import AccountBackend

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_each_request_gets_its_own_user_built_from_the_kept_row(django_assert_num_queries):
    user = User.objects.create_user("row@example.com", email="row@example.com", password="a long passphrase")
    backend = AccountBackend()
    with django_assert_num_queries(1):
        first = backend.get_user(user.pk)
    with django_assert_num_queries(0):
        second = backend.get_user(user.pk)
    assert first == second == user and first is not second  # never one instance shared between requests
    assert second.email == "row@example.com" and second.check_password("a long passphrase")
    assert second.last_login == user.last_login and second.date_joined == user.date_joined


def test_a_deactivation_is_seen_at_once_in_the_worker_that_saved_it():
    user = User.objects.create_user("gone@example.com", password="a long passphrase")
    backend = AccountBackend()
    assert backend.get_user(user.pk) == user  # positive control: the row is kept
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None


def test_a_password_change_signs_the_reader_out_at_once(client):
    user = User.objects.create_user("pw@example.com", password="a long passphrase")
    client.force_login(user)
    assert client.get("/accounts/").status_code == 200  # positive control: signed in
    user.set_password("another long passphrase")
    user.save()
    assert client.get("/accounts/").status_code == 302  # the session's hash no longer matches


def test_a_deleted_account_is_no_one():
    user = User.objects.create_user("del@example.com", password="a long passphrase")
    backend = AccountBackend()
    assert backend.get_user(user.pk) == user
    pk = user.pk
    user.delete()
    assert backend.get_user(pk) is None
