"""One limiter guards every form that takes a password: reader sign-in, admin login and password change.

Issue 10, finding 5: `/admin/login/` had no rate limit while `/accounts/signin/` had one of its own.
"""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "the real password 1"


def attempts():
    from axes.models import AccessAttempt  # axes' own record of failures

    return AccessAttempt.objects


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    # These tests check many passwords; what they test is the counting, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", "editor@example.com", PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture
def reader(db):
    return User.objects.create_user("victim@example.com", "victim@example.com", PASSWORD)


def admin_login(client, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password}, **extra)


def sign_in(client, password, username="victim@example.com", **extra):
    return client.post("/accounts/signin/", {"username": username, "password": password}, **extra)


def test_finding_5_admin_login_is_rate_limited(client, editor):
    # Positive control: the right password logs the editor in.
    assert admin_login(client, PASSWORD)["Location"] == "/admin/"
    client.logout()
    for _ in range(12):
        assert admin_login(client, "guess").status_code in (200, 429)
    refused = admin_login(client, PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still signed out


def test_the_lockout_is_a_429_page_in_the_sites_design(client, editor):
    for _ in range(5):
        response = admin_login(client, "guess")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    assert 'class="site-header' in html or "<header" in html  # the site's own page, not axes' plain text
    assert "Traceback" not in html
    assert response["Retry-After"] == "900"
    assert "private" in response["Cache-Control"]


def test_reader_sign_in_locks_at_the_fifth_wrong_guess(client, reader):
    for _ in range(4):
        page = sign_in(client, "guess")
        assert page.status_code == 200 and "Please enter a correct" in page.content.decode()
    assert sign_in(client, "guess").status_code == 429
    blocked = sign_in(client, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.content.decode()


def test_the_same_limiter_counts_across_forms(client, editor):
    for _ in range(3):
        assert sign_in(client, "guess", username="editor").status_code == 200
    assert admin_login(client, "guess").status_code == 200
    assert admin_login(client, "guess").status_code == 429  # the fifth guess at "editor", wherever it came
    assert sign_in(client, PASSWORD, username="editor").status_code == 429


def test_password_change_is_rate_limited(client, reader):
    client.force_login(reader)
    form = {"old_password": "guess", "new_password1": "a new passphrase 77", "new_password2": "a new passphrase 77"}
    page = client.get("/accounts/password/change/")
    assert page.status_code == 200 and "old_password" in page.content.decode()
    for _ in range(4):
        assert client.post("/accounts/password/change/", form).status_code == 200
    assert client.post("/accounts/password/change/", form).status_code == 429
    right = client.post("/accounts/password/change/", {**form, "old_password": PASSWORD})
    assert right.status_code == 429
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_a_right_old_password_changes_it_and_leaves_no_failure(client, reader):
    client.force_login(reader)
    new = "a new passphrase 77"
    response = client.post(
        "/accounts/password/change/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password(new)
    assert not attempts().filter(failures_since_start__gt=0).exists()


def test_a_successful_sign_in_forgives_that_addresss_failures(client, reader):
    for _ in range(3):
        sign_in(client, "guess")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "guess").status_code == 200  # the count started again


def test_behind_our_proxy_one_guessers_attempts_do_not_lock_out_another_reader(client, settings, reader):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    guesser = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(5):
        sign_in(client, "guess", **guesser)
    assert sign_in(client, "guess", **guesser).status_code == 429
    assert attempts().get().ip_address == "203.0.113.9"  # the client, not our proxy
    owner = sign_in(client, PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert owner.status_code == 302


def test_a_guesser_spread_over_many_addresses_is_stopped_per_account(client, settings, reader):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    limit = settings.MASTHEAD_SIGNIN_ACCOUNT_LIMIT
    for n in range(limit):
        page = sign_in(client, "guess", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
        assert page.status_code == (429 if n == limit - 1 else 200)
    fresh_address = sign_in(client, "guess", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert fresh_address.status_code == 429


def test_one_client_guessing_many_accounts_is_stopped_per_address(client, settings):
    limit = settings.MASTHEAD_SIGNIN_ADDRESS_LIMIT
    User.objects.create_user("last@example.com", "last@example.com", PASSWORD)
    for n in range(limit - 1):
        assert sign_in(client, "guess", username=f"reader{n}@example.com").status_code == 200
    assert sign_in(client, "guess", username="last@example.com").status_code == 429
    assert sign_in(client, PASSWORD, username="last@example.com").status_code == 429
    # Positive control: another client is not held back by this one.
    assert sign_in(client, PASSWORD, username="last@example.com", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_password_check_without_a_request_is_not_counted(reader):
    from django.contrib.auth import authenticate

    for _ in range(10):
        assert authenticate(username="victim@example.com", password="guess") is None
    assert authenticate(username="victim@example.com", password=PASSWORD) == reader
    assert not attempts().exists()
