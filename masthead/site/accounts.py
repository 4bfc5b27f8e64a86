"""Sign up, sign in, sign out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.accounts import marketing, notices, services, verification
from masthead.accounts.forms import PasswordChangeForm, PasswordResetForm, SignInForm, SignUpForm
from masthead.accounts.models import ReaderProfile
from masthead.core.client import client_address
from masthead.paywall.readers import anonymous_id
from masthead.paywall.services import meter_merge_on_signin
from masthead.subscriptions.account import account_context

from .carry import article_from_next, choice_from_next, chosen
from .page_cache import site_base


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account. The answer is the same whether or not the address already has one: a new account
    gets a link that confirms the address and signs in; an existing one's owner gets a notice instead."""
    form = SignUpForm(request.POST or None)
    next_url = _safe_next(request)
    context = {"form": form, "next": next_url, "chosen": chosen(choice_from_next(next_url))}
    if request.method == "POST" and form.is_valid():
        if not services.signup_allowed(client=client_address(request)):
            form.add_error(None, _("Too many accounts were created from your network. Please try again in an hour."))
            return _private(render(request, "accounts/signup.html", context, status=429))
        email = form.cleaned_data["email"]
        anonymous = anonymous_id(request)
        signup = services.reader_sign_up(
            email=email,
            password=form.cleaned_data["password"],
            source_article_id=article_from_next(next_url),
            previous_reader_key=f"a:{anonymous}" if anonymous else "",
        )
        if signup.created:
            verification.send_verification(signup.user, base_url=site_base(request), next_url=next_url)
        elif services.mail_allowed(kind="signup-notice", address=email):
            notices.send_signup_notice(
                signup.user, base_url=site_base(request), publication_name=request.publication.name, next_url=next_url
            )
        return _private(
            render(
                request, "accounts/signup_sent.html", {"email": email, "chosen": context["chosen"], "next": next_url}
            )
        )
    return render(request, "accounts/signup.html", context)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


class SignOutView(auth_views.LogoutView):
    """Django's sign-out on POST; a GET asks first, so pages link here instead of carrying a form."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(_safe_next(request))
        return render(request, "accounts/signout.html", {"next": _safe_next(request)})


class SignInView(auth_views.LoginView):
    """Django's sign-in; the password limiter (masthead.accounts.limiter) guards it through authenticate()."""

    template_name = "accounts/signin.html"
    form_class = SignInForm

    def form_valid(self, form):
        meter_merge_on_signin(self.request, form.get_user())
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        # The plan or offer chosen before signing in, named on the page ("Sign in to start ...").
        return {**super().get_context_data(**kwargs), "chosen": chosen(choice_from_next(self.get_redirect_url()))}


def password_attempts_locked(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The answer of every password form while its attempts are locked out (axes' AXES_LOCKOUT_CALLABLE)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "accounts/locked.html", {"minutes": seconds // 60}, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "private, no-store"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, whose old password goes through the password limiter."""

    template_name = "accounts/form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:account")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@login_required
def account(request: HttpRequest) -> HttpResponse:
    profile = ReaderProfile.objects.filter(user=request.user).first()
    context = account_context(request.user, return_url=request.build_absolute_uri())
    context["email_verified"] = bool(profile and profile.email_verified_at)
    response = render(request, "accounts/account.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def send_verification(request: HttpRequest) -> HttpResponse:
    if services.mail_allowed(kind="verify", address=request.user.email or request.user.get_username()):
        verification.send_verification(request.user, base_url=site_base(request))
        messages.success(request, _("We sent you a link to confirm your email address."))
    else:
        messages.error(request, _("We have sent you several links in the last hour. Please use the latest one."))
    return redirect("accounts:account")


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm an address. The link's first use also signs its reader in (it reached their inbox)."""
    verified = verification.verify(token)
    if verified is None:
        messages.error(request, _("That confirmation link is not valid any more. Send yourself a new one."))
        return redirect("accounts:account" if request.user.is_authenticated else "accounts:signin")
    messages.success(request, _("Thank you: your email address is confirmed."))
    if verified.first_time and not request.user.is_authenticated:
        meter_merge_on_signin(request, verified.user)
        login(request, verified.user, backend=services.session_backend())
    if not request.user.is_authenticated:
        return redirect("accounts:signin")
    return redirect(_safe_next(request) if request.GET.get("next") else "accounts:account")


@csrf_exempt  # RFC 8058: a mail client POSTs without a session or a token; the signed link is the authority
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe from marketing email: a POST (a mail client's, or the page's button) opts out;
    a GET only shows the button, so a link scanner that opens the link changes nothing."""
    user = marketing.user_for_token(token)
    if user is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.reader_marketing_opt_out(user=user)
        return render(request, "accounts/unsubscribe.html", {"done": True})
    return render(request, "accounts/unsubscribe.html")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset flow, with the publication's name in the email and the link on the site's public
    address (MASTHEAD_SITE_URL), never on whatever host the request named."""

    template_name = "accounts/form.html"
    form_class = PasswordResetForm
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {"publication": self.request.publication, "site_url": site_base(self.request)}
        return super().form_valid(form)
