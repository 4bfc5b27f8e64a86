"""Races on a real multi-worker server: password guesses and sign-ups sent all at once.

Issue 10, finding 10: parallel sign-in guesses were all evaluated (20 of 20 at a limit of 5), and without
Redis each worker counted alone. Finding 16: two simultaneous sign-ups with one email answered 500.
Finding 14: sign-ups were not throttled per client.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest

from tests.faults.password_checks import checks_file
from tests.mailserver import smtp_server
from tests.servers import served_site

PASSWORD = "the real password 1"
READER = "victim@example.com"
SIGNIN_SETUP = f"""
from django.contrib.auth.models import User
User.objects.create_user({READER!r}, {READER!r}, {PASSWORD!r})
"""
BACKENDS = [
    pytest.param("sqlite", False, id="database-sqlite"),
    pytest.param("postgres", False, id="database-postgres"),
    pytest.param("sqlite", True, id="redis"),
]
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One client: a cookie jar, and the address our trusted proxy says it has."""

    def __init__(self, base: str, address: str = "203.0.113.9") -> None:
        self.base = base
        self.address = address
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def request(self, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"X-Forwarded-For": self.address})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        status, page = self.request(path)
        assert status == 200, (path, status)
        return _TOKEN.search(page).group(1)

    def post(self, path: str, form: dict, token: str) -> tuple[int, str]:
        return self.request(path, {**form, "csrfmiddlewaretoken": token})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer here, not a page to fetch


def _served(tmp_path, monkeypatch, database, redis, setup):
    # Our "proxy" is the test itself on 127.0.0.1, so each Browser may name its own client address.
    monkeypatch.setenv("MASTHEAD_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tests.faults.password_checks")
    return served_site(tmp_path, database=database, redis=redis, workers=4, setup=setup)


def _checked(site) -> int:
    path = checks_file(site.env["MASTHEAD_VAR_DIR"])
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.parametrize(("database", "redis"), BACKENDS)
def test_finding_10_parallel_guesses_are_evaluated_at_most_up_to_the_limit(tmp_path, monkeypatch, database, redis):
    with _served(tmp_path, monkeypatch, database, redis, SIGNIN_SETUP) as site:
        guesser = Browser(site.url)
        token = guesser.token("/accounts/signin/")
        # Positive control: one wrong guess is evaluated (the hook counts it) and answered as such.
        status, page = guesser.post("/accounts/signin/", {"username": READER, "password": "guess 0"}, token)
        assert status == 200 and "Please enter a correct" in page
        assert _checked(site) == 1

        guesses = [{"username": READER, "password": f"guess {n}"} for n in range(1, 21)]
        with ThreadPoolExecutor(max_workers=len(guesses)) as pool:
            answers = list(pool.map(lambda form: guesser.post("/accounts/signin/", form, token), guesses))

        assert all(status in (200, 429) for status, _page in answers), [status for status, _page in answers]
        assert sum(status == 429 for status, _page in answers) >= len(guesses) - 4
        assert _checked(site) <= 5  # the first guess and at most four of the twenty

        # The right password from the guesser's address is refused now, unchecked.
        before = _checked(site)
        status, page = guesser.post("/accounts/signin/", {"username": READER, "password": PASSWORD}, token)
        assert status == 429 and "Too many sign-in attempts" in page
        assert _checked(site) == before
        # Positive control: the owner, from another address, signs in.
        owner = Browser(site.url, address="198.51.100.7")
        status, _page = owner.post(
            "/accounts/signin/", {"username": READER, "password": PASSWORD}, owner.token("/accounts/signin/")
        )
        assert status == 302


def _accounts(site, email_like: str) -> int:
    script = (
        "from django.contrib.auth.models import User; "
        f"print(User.objects.filter(username__contains={email_like!r}).count())"
    )
    return int(site.manage("shell", "-c", script).stdout.strip().splitlines()[-1])


@pytest.fixture
def mail_server(monkeypatch):
    """The served site sends its mail by SMTP to a real server here (production's backend)."""
    with smtp_server() as (mailbox, port):
        monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
        monkeypatch.setenv("EMAIL_PORT", str(port))
        yield mailbox


def _sign_up_all(site, forms_by_address: dict[str, dict]) -> list[tuple[int, str]]:
    """Each form posted at once, each from its own client address."""
    browsers = {address: Browser(site.url, address=address) for address in forms_by_address}
    tokens = {address: browser.token("/accounts/signup/") for address, browser in browsers.items()}
    with ThreadPoolExecutor(max_workers=len(forms_by_address)) as pool:
        return list(
            pool.map(
                lambda address: browsers[address].post("/accounts/signup/", forms_by_address[address], tokens[address]),
                forms_by_address,
            )
        )


@pytest.mark.parametrize(("database", "redis"), BACKENDS)
def test_finding_16_simultaneous_sign_ups_with_one_address_make_one_account(
    tmp_path, monkeypatch, mail_server, database, redis
):
    with _served(tmp_path, monkeypatch, database, redis, "") as site:
        form = {"email": "twice@example.com", "password": "a sturdy passphrase 42"}
        answers = _sign_up_all(site, {f"203.0.113.{n}": form for n in range(1, 11)})
        assert [status for status, _page in answers] == [200] * 10
        assert all("Check your email" in page for _status, page in answers)
        assert _accounts(site, "twice@example.com") == 1
        # One confirmation link went to the address, and the others were notices (at most 3 an hour).
        messages = mail_server.wait_for(4)
        subjects = sorted(message["Subject"] for message in messages)
        assert subjects.count("Confirm your email address") == 1
        assert subjects.count("Someone tried to create an account with your address") == 3
        # Positive control: a sign-up for another address from one of those clients makes its account.
        browser = Browser(site.url, address="203.0.113.1")
        status, _page = browser.post(
            "/accounts/signup/", {**form, "email": "once@example.com"}, browser.token("/accounts/signup/")
        )
        assert status == 200 and _accounts(site, "once@example.com") == 1


@pytest.mark.parametrize(("database", "redis"), BACKENDS)
def test_finding_14_simultaneous_sign_ups_from_one_client_are_throttled(
    tmp_path, monkeypatch, mail_server, database, redis
):
    with _served(tmp_path, monkeypatch, database, redis, "") as site:
        browser = Browser(site.url, address="203.0.113.9")
        token = browser.token("/accounts/signup/")
        forms = [{"email": f"throwaway{n}@example.com", "password": "a sturdy passphrase 42"} for n in range(12)]
        with ThreadPoolExecutor(max_workers=len(forms)) as pool:
            answers = list(pool.map(lambda form: browser.post("/accounts/signup/", form, token), forms))
        statuses = sorted(status for status, _page in answers)
        assert statuses == [200] * 5 + [429] * 7
        assert _accounts(site, "throwaway") == 5
        # Positive control: another client signs up.
        other = Browser(site.url, address="198.51.100.7")
        status, page = other.post(
            "/accounts/signup/",
            {"email": "reader@example.com", "password": "a sturdy passphrase 42"},
            other.token("/accounts/signup/"),
        )
        assert status == 200 and "Check your email" in page
        assert _accounts(site, "reader@example.com") == 1
