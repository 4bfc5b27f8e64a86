"""The one limiter on password guesses: django-axes, counting an attempt before its password is checked.

Every form that takes a password (reader sign-in, the admin's login, password change) checks it with
``django.contrib.auth.authenticate(request, ...)``; axes' backend, first in AUTHENTICATION_BACKENDS, asks
this handler whether the attempt may go on, and axes' signal handlers record each failure in the
database, the store every worker shares.

Axes alone records a failure only after the password was found wrong, so guesses sent in parallel all
pass its check before any is recorded (issue 10, finding 10: 20 of 20 evaluated at a limit of 5). This
handler therefore *reserves* the attempt first: it adds one to the attempt's row in a transaction of its
own, then counts. An attempt is evaluated only when the count, its own reservation included, is within
every limit; concurrent reservations each see at least the ones committed before them, so no more than
the limit are ever evaluated. A wrong password turns the reservation into axes' ordinary failure record
(released and recorded in one transaction, so the count never dips); a right one forgives the failures of
that account from that address, as a successful sign-in does.

Three limits, each over the cool-off window (settings.py):
- one account from one address (AXES_FAILURE_LIMIT, 5): the guesser stops; the owner, elsewhere, does not;
- one account from any address (MASTHEAD_SIGNIN_ACCOUNT_LIMIT): a guesser spread over many addresses;
- one address over any accounts (MASTHEAD_SIGNIN_ADDRESS_LIMIT): one client trying many accounts.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit, get_query_str
from axes.models import AccessAttempt
from django.conf import settings
from django.db import router, transaction
from django.db.models import F, Q, Sum
from django.http import HttpRequest

# Set on a request whose attempt holds a reservation, until the outcome settles it.
_RESERVED = "masthead_password_attempt_reserved"


def attempt_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login an attempt is counted against (AXES_USERNAME_CALLABLE): trimmed and lower-cased, so
    "Reader@Example.com " and "reader@example.com" are one account to the limiter, as to the sign-in form."""
    value = credentials.get("username") if credentials else request.POST.get("username")
    if not isinstance(value, str):
        return None
    return value.strip().lower()[:255] or None


class PasswordLimitBackend(AxesStandaloneBackend):
    """Axes' backend, which refuses a locked-out attempt before any other backend checks the password.

    A check with no request (``manage.py shell``, ``Client.login`` in tests) has no client to count and
    passes through to the next backend; every form that takes a password from the web passes its request
    (tests/accounts/test_password_limit.py holds each of them to it)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with three limits, counting each attempt before its password is checked."""

    def _rules(self, request: HttpRequest, credentials: dict | None) -> list[tuple[Q, int]]:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        return [
            (Q(username=username, ip_address=address), get_failure_limit(request, credentials)),
            (Q(username=username), settings.MASTHEAD_SIGNIN_ACCOUNT_LIMIT),
            (Q(ip_address=address), settings.MASTHEAD_SIGNIN_ADDRESS_LIMIT),
        ]

    def _counts(self, request: HttpRequest, credentials: dict | None) -> list[tuple[int, int]]:
        """(failures, limit) for each rule, over the cool-off window, in one query."""
        rules = self._rules(request, credentials)
        recent = AccessAttempt.objects.filter(rules[1][0] | rules[2][0])
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        sums = recent.aggregate(
            **{f"rule{n}": Sum("failures_since_start", filter=where) for n, (where, _limit) in enumerate(rules)}
        )
        return [(sums[f"rule{n}"] or 0, limit) for n, (_where, limit) in enumerate(rules)]

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures axes compares with AXES_FAILURE_LIMIT: the rule nearest its own limit, scaled to it."""
        first_limit = get_failure_limit(request, credentials)
        return max(failures * first_limit // limit for failures, limit in self._counts(request, credentials))

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        if not super().is_allowed(request, credentials):
            return False
        self._reserve(request, credentials)
        return all(failures <= limit for failures, limit in self._counts(request, credentials))

    def _attempt(self, request: HttpRequest, credentials: dict | None):
        return AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
        )

    def _reserve(self, request: HttpRequest, credentials: dict | None) -> None:
        """Count this attempt as a failure now; its outcome settles it (``user_login_failed`` and below)."""
        self.clean_expired_user_attempts(request, credentials)
        with transaction.atomic(using=router.db_for_write(AccessAttempt)):
            attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                defaults={
                    "get_data": get_query_str(request.GET).replace("\0", "0x00"),
                    "post_data": get_query_str(request.POST).replace("\0", "0x00"),
                    "http_accept": request.axes_http_accept,
                    "path_info": request.axes_path_info,
                    "failures_since_start": 1,
                    "attempt_time": request.axes_attempt_time,
                },
            )
            if not created:
                AccessAttempt.objects.filter(pk=attempt.pk).update(
                    failures_since_start=F("failures_since_start") + 1, attempt_time=request.axes_attempt_time
                )
        setattr(request, _RESERVED, True)

    def _release(self, request: HttpRequest, credentials: dict | None) -> None:
        self._attempt(request, credentials).filter(failures_since_start__gt=0).update(
            failures_since_start=F("failures_since_start") - 1
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or not getattr(request, _RESERVED, False):
            return super().user_login_failed(sender, credentials, request, **kwargs)
        setattr(request, _RESERVED, False)
        # The reservation becomes axes' own failure record, in one transaction, so the count never dips.
        with transaction.atomic(using=router.db_for_write(AccessAttempt)):
            self._release(request, credentials)
            return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        self.forgive(request, user.get_username())

    def forgive(self, request: HttpRequest, username: str) -> None:
        """After a right password: this account's failures from this address no longer count (others' do)."""
        setattr(request, _RESERVED, False)
        self.reset_attempts(
            ip_address=request.axes_ip_address, username=attempt_username(request, {"username": username})
        )


def password_confirmed(request: HttpRequest, user) -> None:
    """A form checked ``user``'s password through ``authenticate`` and found it right without signing in
    (password change): settle the attempt as a sign-in would."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    if isinstance(handler, PasswordAttemptHandler):
        handler.forgive(request, user.get_username())
